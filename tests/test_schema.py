"""The schema model: normalisation, the brief's examples, and every validation rule with a located message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dw_simulator.errors import SchemaValidationError
from dw_simulator.schema import generation_order, load_schema_data, load_schema_file, load_schema_text


def _exp(*tables: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "exp", "tables": list(tables), **extra}


def _table(name: str, *columns: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "columns": list(columns), **extra}


def _col(name: str, data_type: str = "INT", **extra: Any) -> dict[str, Any]:
    return {"name": name, "data_type": data_type, **extra}


def _error(data: dict[str, Any]) -> SchemaValidationError:
    with pytest.raises(SchemaValidationError) as info:
        load_schema_data(data)
    return info.value


@pytest.mark.parametrize(
    "file", ["ecommerce_experiment.json", "retail_analytics.json", "sales_experiment.json", "draft_customers.yaml"]
)
def test_examples_load(examples: Path, file: str) -> None:
    schema = load_schema_file(examples / file)
    assert schema.tables
    assert schema.dialect == "redshift"


def test_brief_composite_example_keeps_warning_and_keys(examples: Path) -> None:
    schema = load_schema_file(examples / "sales_experiment.json")
    sales = schema.tables[0]
    assert sales.composite_keys == [["region_id", "store_id"]]
    assert sales.columns[0].name == "_row_id" and sales.columns[0].is_unique and sales.columns[0].required
    assert sales.warnings == [
        "Table 'sales' has a composite primary key (region_id, store_id). A surrogate key column '_row_id' has "
        "been added for generation. Original columns are preserved."
    ]


def test_draft_yaml_is_normalised(examples: Path) -> None:
    schema = load_schema_file(examples / "draft_customers.yaml")
    customer, order = schema.table("Customer"), schema.table("Order")
    assert customer is not None and order is not None
    assert customer.target_rows == 10000 and order.target_rows == 50000
    cid = customer.column("customer_id")
    assert cid is not None and cid.is_unique and cid.required and cid.data_type == "INT"
    email = customer.column("email")
    assert email is not None and email.is_unique and email.faker_rule == "email"
    reg = customer.column("registration_date")
    assert reg is not None and str(reg.date_start) == "2023-01-01" and str(reg.date_end) == "2024-12-31"
    fk = order.column("customer_id")
    assert fk is not None and fk.foreign_key is not None
    assert (fk.foreign_key.references_table, fk.foreign_key.references_column) == ("Customer", "customer_id")
    total = order.column("order_total")
    assert total is not None and total.distribution is not None
    assert total.distribution.type == "gaussian"
    assert [t.name for t in generation_order(schema)] == ["Customer", "Order"]


def test_json_and_yaml_give_the_same_model(examples: Path) -> None:
    data = json.loads((examples / "retail_analytics.json").read_text())
    import yaml

    from_yaml = load_schema_text(yaml.safe_dump(data))
    from_json = load_schema_text(json.dumps(data))
    assert from_yaml == from_json


@pytest.mark.parametrize(
    ("data_type", "canonical", "length"),
    [
        ("int", "INT", None),
        ("integer", "INT", None),
        ("BIGINT", "BIGINT", None),
        ("decimal(10, 2)", "DECIMAL(10,2)", None),
        ("NUMERIC", "DECIMAL(18,2)", None),
        ("varchar(64)", "VARCHAR", 64),
        ("CHAR(3)", "CHAR", 3),
        ("char", "CHAR", 1),
        ("boolean", "BOOLEAN", None),
        ("timestamptz", "TIMESTAMPTZ", None),
        ("timestamp", "TIMESTAMP", None),
        ("double precision", "FLOAT", None),
    ],
)
def test_types_normalise(data_type: str, canonical: str, length: int | None) -> None:
    schema = load_schema_data(_exp(_table("t", _col("c", data_type))))
    column = schema.tables[0].columns[0]
    assert column.data_type == canonical
    assert column.varchar_length == length


# (schema, words that must appear in the message: table, column, field...)
INVALID: list[tuple[str, dict[str, Any], list[str]]] = [
    ("fk table missing",
     _exp(_table("o", _col("c", foreign_key={"references_table": "nope", "references_column": "id"}))),
     ["table 'o'", "column 'c'", "foreign_key.references_table", "'nope'"]),
    ("fk column missing", _exp(_table("p", _col("id", is_unique=True)),
                               _table("o", _col("c", foreign_key={"references_table": "p", "references_column": "x"}))),
     ["table 'o'", "column 'c'", "references_column", "p.x"]),
    ("fk not unique", _exp(_table("p", _col("id")),
                           _table("o", _col("c", foreign_key={"references_table": "p", "references_column": "id"}))),
     ["table 'o'", "column 'c'", "not unique"]),
    ("fk type mismatch", _exp(_table("p", _col("id", is_unique=True)),
                              _table("o", _col("c", "DATE", foreign_key={"references_table": "p",
                                                                         "references_column": "id"}))),
     ["table 'o'", "column 'c'", "data_type"]),
    ("required fk cycle", _exp(
        _table("a", _col("id", is_unique=True),
               _col("b_id", required=True, foreign_key={"references_table": "b", "references_column": "id"})),
        _table("b", _col("id", is_unique=True),
               _col("a_id", required=True, foreign_key={"references_table": "a", "references_column": "id"}))),
     ["cycle", "a.b_id", "b.a_id", "foreign_key"]),
    ("required self fk", _exp(_table("e", _col("id", is_unique=True),
                                     _col("m", required=True,
                                          foreign_key={"references_table": "e", "references_column": "id"}))),
     ["cycle", "e.m"]),
    ("composite key unknown column", _exp(_table("t", _col("a"), composite_keys=[["a", "zz"]])),
     ["table 't'", "composite_keys", "'zz'"]),
    ("composite key empty group", _exp(_table("t", _col("a"), composite_keys=[[]])),
     ["table 't'", "composite_keys", "empty group"]),
    ("sql injection in experiment name", {"name": "x; DROP TABLE y", "tables": [_table("t", _col("a"))]},
     ["field 'name'", "not a safe SQL identifier"]),
    ("path escape in experiment name", {"name": "../../etc", "tables": [_table("t", _col("a"))]},
     ["field 'name'", "not a safe SQL identifier"]),
    ("injection in table name", _exp(_table('t"; drop table x; --', _col("a"))),
     ["table name", "not a safe SQL identifier"]),
    ("injection in column name", _exp(_table("t", _col("a b)"))),
     ["table 't'", "column name", "not a safe SQL identifier"]),
    ("reserved experiment name", {"name": "information_schema", "tables": [_table("t", _col("a"))]},
     ["reserved"]),
    ("min > max", _exp(_table("t", _col("a", min_value=10, max_value=1))),
     ["table 't'", "column 'a'", "field 'min_value'", "must be <="]),
    ("date_start > date_end", _exp(_table("t", _col("d", "DATE", date_start="2024-01-02", date_end="2024-01-01"))),
     ["table 't'", "column 'd'", "field 'date_start'"]),
    ("normal stddev <= 0", _exp(_table("t", _col("a", "FLOAT", distribution={"type": "normal", "mean": 1,
                                                                            "stddev": 0}))),
     ["table 't'", "column 'a'", "stddev"]),
    ("beta alpha <= 0", _exp(_table("t", _col("a", "FLOAT", distribution={"type": "beta", "alpha": -1, "beta": 2}))),
     ["column 'a'", "alpha"]),
    ("zipf a <= 1", _exp(_table("t", _col("a", distribution={"type": "zipf", "a": 1.0}))),
     ["column 'a'", "field 'distribution.a'"]),
    ("exponential needs one parameter", _exp(_table("t", _col("a", "FLOAT", distribution={"type": "exponential"}))),
     ["column 'a'", "scale"]),
    ("categorical weights mismatch", _exp(_table("t", _col("a", "VARCHAR", distribution={
        "type": "categorical", "values": ["x", "y"], "weights": [1]}))),
     ["column 'a'", "2 values but 1 weights"]),
    ("unknown distribution", _exp(_table("t", _col("a", distribution={"type": "gamma"}))),
     ["column 'a'", "distribution"]),
    ("distribution on wrong type", _exp(_table("t", _col("a", "BOOLEAN", distribution={"type": "normal", "mean": 0,
                                                                                      "stddev": 1}))),
     ["column 'a'", "field 'distribution'", "numeric or date/time"]),
    ("unique capacity", _exp(_table("t", _col("a", is_unique=True, min_value=1, max_value=100), target_rows=300)),
     ["table 't'", "column 'a'", "300 unique values", "holds only 100"]),
    ("unknown faker rule", _exp(_table("t", _col("e", "VARCHAR", faker_rule="internet.emial"))),
     ["column 'e'", "field 'faker_rule'", "did you mean", "'email'"]),
    ("unknown type", _exp(_table("t", _col("a", "GEOMETRY"))), ["column 'a'", "field 'data_type'", "GEOMETRY"]),
    ("decimal scale > precision", _exp(_table("t", _col("a", "DECIMAL(4,6)"))), ["column 'a'", "scale"]),
    ("decimal bound does not fit", _exp(_table("t", _col("a", "DECIMAL(4,2)", max_value=1000))),
     ["column 'a'", "field 'max_value'", "does not fit"]),
    ("int bound outside type", _exp(_table("t", _col("a", "SMALLINT", max_value=100000))),
     ["column 'a'", "SMALLINT range"]),
    ("required with null rate", _exp(_table("t", _col("a", required=True, null_rate=0.5))),
     ["column 'a'", "field 'null_rate'"]),
    ("null rate above 1", _exp(_table("t", _col("a", null_rate=1.5))), ["column 'a'", "null_rate"]),
    ("duplicate column", _exp(_table("t", _col("a"), _col("A"))), ["table 't'", "appears twice"]),
    ("duplicate table", _exp(_table("t", _col("a")), _table("T", _col("a"))), ["table 'T'", "defined twice"]),
    ("no tables", {"name": "exp", "tables": []}, ["tables"]),
    ("no columns", _exp(_table("t")), ["table 't'", "columns"]),
    ("unknown field", _exp(_table("t", _col("a", colour="red"))), ["column 'a'", "colour"]),
    ("negative rows", _exp(_table("t", _col("a"), target_rows=-1)), ["table 't'", "target_rows"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "data", "words"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_schemas_name_the_fault(case: str, data: dict[str, Any], words: list[str]) -> None:
    error = _error(data)
    for word in words:
        assert word in error.message, f"{case}: {word!r} not in {error.message!r}"
    assert error.details, "details list every problem for the API"


def test_json_syntax_error_has_line_and_column() -> None:
    with pytest.raises(SchemaValidationError) as info:
        load_schema_text('{\n  "name": "x",\n  "tables": [,]\n}')
    assert "line 3" in info.value.message and "invalid JSON" in info.value.message


def test_yaml_syntax_error_has_line() -> None:
    with pytest.raises(SchemaValidationError) as info:
        load_schema_text("name: x\ntables:\n  - name: t\n   columns: [\n")
    assert "line" in info.value.message and "invalid YAML" in info.value.message


def test_draft_bad_reference() -> None:
    with pytest.raises(SchemaValidationError) as info:
        load_schema_text("schema:\n  A:\n    fields:\n      b:\n        type: foreign_key\n        references: nodot\n")
    assert "column 'b'" in info.value.message and "references" in info.value.message


def test_nullable_fk_defaults_to_ten_percent_nulls() -> None:
    schema = load_schema_data(
        _exp(
            _table("p", _col("id", is_unique=True)),
            _table("c", _col("p_id", foreign_key={"references_table": "p", "references_column": "id"}),
                   _col("q_id", required=True, foreign_key={"references_table": "p", "references_column": "id"}),
                   _col("plain"), _col("rated", null_rate=0.3)),
        )
    )  # fmt: skip
    child = schema.table("c")
    assert child is not None
    rates = {c.name: c.effective_null_rate for c in child.columns}
    assert rates == {"p_id": 0.10, "q_id": 0.0, "plain": 0.0, "rated": 0.3}


def test_generation_order_puts_parents_first_and_breaks_nullable_cycles() -> None:
    schema = load_schema_data(
        _exp(
            _table("items", _col("id", is_unique=True),
                   _col("order_id", required=True,
                        foreign_key={"references_table": "orders", "references_column": "id"})),
            _table("orders", _col("id", is_unique=True),
                   _col("customer_id", required=True,
                        foreign_key={"references_table": "customers", "references_column": "id"})),
            _table("customers", _col("id", is_unique=True),
                   _col("last_order", foreign_key={"references_table": "orders", "references_column": "id"})),
        )
    )  # fmt: skip
    assert [t.name for t in generation_order(schema)] == ["customers", "orders", "items"]


def test_dialect_defaults_follow_target() -> None:
    assert load_schema_data(_exp(_table("t", _col("a")))).dialect == "redshift"
    assert load_schema_data(_exp(_table("t", _col("a")), target_warehouse="snowflake")).dialect == "snowflake"
    assert load_schema_data(_exp(_table("t", _col("a")), dialect="snowflake")).dialect == "snowflake"


def test_several_errors_are_each_listed_once() -> None:
    data = _exp(
        _table(
            "t",
            _col("a", min_value="abc"),  # fits no member of int | float | Decimal: pydantic reports it three times
            _col("b", "FOO"),
            _col("c", null_rate=2),
        ),
        _table("u", _col("id", max_value=[1]), target_rows=-1),
    )
    error = _error(data)
    places = [(d.get("table"), d.get("column"), d.get("field")) for d in error.details]
    assert places == [("t", "a", "min_value"), ("t", "b", "data_type"), ("t", "c", "null_rate"),
                      ("u", None, "target_rows"), ("u", "id", "max_value")]  # fmt: skip
    assert error.details[0]["message"] == "expected a number, not 'abc'"
    assert error.details[4]["message"] == "expected a number, not [1]"
    # the message names the first problem; front ends list the others from the details, so none appears twice
    assert error.message.startswith(
        "schema: invalid schema: table 't', column 'a', field 'min_value': expected a number"
    )
    assert error.message.endswith("(and 4 more problems)")
    for detail in error.details[1:]:
        assert detail["message"] not in error.message
