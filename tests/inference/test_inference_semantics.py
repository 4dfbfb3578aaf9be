"""Column semantics from the vocabulary, COMMENT value lists, DEFAULTs, and the vocabulary file itself."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dw_simulator.inference import comment_values, infer_schema, literal_default
from dw_simulator.inference.names import column_prefix, table_forms
from dw_simulator.inference.vocabulary import VocabularyError, read_vocabulary, vocabulary
from dw_simulator.schema import ExperimentSchema

TODAY = date(2025, 6, 1)


def one_table(*columns: dict[str, Any], name: str = "t") -> dict[str, Any]:
    data = {"name": "x", "tables": [{"name": name, "target_rows": 100, "columns": list(columns)}]}
    data["inferences"] = infer_schema(data, today=TODAY).records
    return data


def column(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in data["tables"][0]["columns"] if c["name"] == name)


def test_status_columns_get_a_handful_of_skewed_status_words() -> None:
    data = one_table({"name": "status", "data_type": "VARCHAR(20)"}, {"name": "id", "data_type": "INT"})
    dist = column(data, "status")["distribution"]
    assert dist["type"] == "categorical" and 3 <= len(dist["values"]) <= 8
    assert all(v.isalpha() for v in dist["values"])  # words, not lorem filler
    assert dist["weights"][0] == max(dist["weights"]) and dist["weights"][0] > 2 * dist["weights"][-1]
    record = next(r for r in data["inferences"] if r["column"] == "status")
    assert record["kind"] == "semantic" and "status" in record["reason"]


@pytest.mark.parametrize(
    ("name", "data_type", "check"),
    [
        ("l_discount", "DECIMAL(15,2)", lambda c: max(c["distribution"]["values"]) <= 1),
        ("discount_pct", "INT", lambda c: max(c["distribution"]["values"]) <= 100),
        ("tax_rate", "DECIMAL(5,4)", lambda c: max(c["distribution"]["values"]) < 1),
        ("order_month", "INT", lambda c: (c["min_value"], c["max_value"]) == (1, 12)),
        ("hour", "SMALLINT", lambda c: (c["min_value"], c["max_value"]) == (0, 23)),
        ("minute", "INT", lambda c: (c["min_value"], c["max_value"]) == (0, 59)),
        ("day_of_week", "INT", lambda c: (c["min_value"], c["max_value"]) == (0, 6)),
        ("fiscal_year", "INT", lambda c: (c["min_value"], c["max_value"]) == (2022, 2025)),
        ("age", "INT", lambda c: c["min_value"] >= 18 and c["distribution"]["type"] == "lognormal"),
        ("unit_price", "DECIMAL(10,2)", lambda c: c["min_value"] > 0 and c["distribution"]["type"] == "lognormal"),
        ("is_active", "CHAR(1)", lambda c: c["distribution"]["values"][0] == "Y"),
        ("is_deleted", "BOOLEAN", lambda c: c["distribution"]["values"] == [True, False]
         and c["distribution"]["weights"][0] < 0.2),
        ("currency", "CHAR(3)", lambda c: c["distribution"]["values"][0] == "USD"),
        ("country_code", "CHAR(2)", lambda c: "US" in c["distribution"]["values"]),
        ("state", "CHAR(2)", lambda c: c["distribution"]["values"][0] == "CA"),
        ("gender", "CHAR(1)", lambda c: set(c["distribution"]["values"]) <= {"F", "M", "U"}),
        ("month_name", "VARCHAR(12)", lambda c: "September" in c["distribution"]["values"]),
        ("day", "CHAR(3)", lambda c: "SAT" in c["distribution"]["values"]),
        ("quantity", "DECIMAL(12,2)", lambda c: all(isinstance(v, int) for v in c["distribution"]["values"])),
        ("email", "VARCHAR(120)", lambda c: c["semantic"] == "email" and c["faker_rule"] == "internet.email"),
        ("mktsegment", "CHAR(10)", lambda c: all(len(v) <= 10 for v in c["distribution"]["values"])),
    ],
)  # fmt: skip
def test_vocabulary_domains(name: str, data_type: str, check: Any) -> None:
    data = one_table({"name": name, "data_type": data_type}, {"name": "other", "data_type": "INT"})
    found = column(data, name)
    assert check(found), found
    bare = {k: v for k, v in found.items() if k != "semantic"}
    ExperimentSchema.model_validate({"name": "x", "tables": [{"name": "t", "columns": [bare]}]})


def test_check_in_list_comment_and_bounds_win_over_the_vocabulary() -> None:
    data = one_table(
        {"name": "status", "data_type": "VARCHAR(10)", "distribution": {"type": "categorical", "values": ["x", "y"]}},
        {"name": "priority", "data_type": "VARCHAR(10)", "description": "one of LOW, MID, TOP"},
        {"name": "flag", "data_type": "CHAR(1)", "description": "T/F"},
        {"name": "age", "data_type": "INT", "min_value": 0, "max_value": 3},
    )
    assert column(data, "status")["distribution"]["values"] == ["x", "y"]
    assert column(data, "priority")["distribution"]["values"] == ["LOW", "MID", "TOP"]
    assert column(data, "flag")["distribution"]["values"] == ["T", "F"]
    assert "distribution" not in column(data, "age")
    reasons = {r["column"]: r["reason"] for r in data["inferences"]}
    assert "COMMENT" in reasons["priority"] and "status" not in reasons and "age" not in reasons


def test_a_literal_default_becomes_the_most_common_value() -> None:
    data = one_table({"name": "holiday", "data_type": "BOOLEAN", "default": "('N')"},
                     {"name": "status", "data_type": "VARCHAR(12)", "default": "'pending'"})  # fmt: skip
    holiday = column(data, "holiday")["distribution"]
    assert holiday["values"][0] is False and holiday["weights"][0] >= 0.6
    status = column(data, "status")["distribution"]
    assert status["values"][0] == "pending" and status["weights"][0] >= 0.6
    assert any("DEFAULT" in r["reason"] for r in data["inferences"] if r["column"] == "status")


def test_entity_names_follow_the_table() -> None:
    nation = one_table({"name": "n_nationkey", "data_type": "INT"}, {"name": "n_name", "data_type": "CHAR(25)"},
                       name="nation")  # fmt: skip
    assert "Germany" in column(nation, "n_name")["distribution"]["values"]
    part = one_table({"name": "p_partkey", "data_type": "INT"}, {"name": "p_name", "data_type": "VARCHAR(55)"},
                     name="part")  # fmt: skip
    assert column(part, "p_name")["semantic"] == "product_name"
    customer = one_table({"name": "c_custkey", "data_type": "INT"}, {"name": "c_name", "data_type": "VARCHAR(25)"},
                         name="customer")  # fmt: skip
    assert column(customer, "c_name")["semantic"] == "person_name"


def test_keys_are_not_given_semantics() -> None:
    data = one_table({"name": "status_id", "data_type": "INT"}, {"name": "order_key", "data_type": "INT"})
    assert not [r for r in data["inferences"] if r["kind"] == "semantic"]


def test_comment_values_and_literal_defaults() -> None:
    assert comment_values("'A', 'B', 'C'", "string", 1) == ["A", "B", "C"]
    assert comment_values("A=active, I=inactive", "string", 1) == ["A", "I"]
    assert comment_values("Y/N", "string", 1) == ["Y", "N"]
    assert comment_values("possible values: 1, 2, 3", "integer", None) == [1, 2, 3]
    assert comment_values("the customer's name", "string", None) is None
    assert comment_values("one of RED, GREEN", "string", 3) is None  # does not fit
    assert literal_default("('N')") == "N" and literal_default("0") == 0 and literal_default("TRUE") is True
    assert literal_default("GETDATE()") is None


def test_names_helpers() -> None:
    assert column_prefix("customer", ["c_custkey", "c_name", "c_nationkey"]) == "c_"
    assert column_prefix("partsupp", ["ps_partkey", "ps_suppkey", "ps_comment"]) == "ps_"
    assert column_prefix("users", ["id", "is_active", "is_deleted", "is_test"]) is None
    assert "customer" in table_forms("customers") and "date" in table_forms("date_dim")
    assert "category" in table_forms("categories")


def test_the_packaged_vocabulary_loads_and_bad_entries_are_named() -> None:
    words = vocabulary()
    assert len(words.semantics) > 80 and words.temporal.stages["shipped"] > words.temporal.stages["ordered"]
    with pytest.raises(VocabularyError, match=r"semantics\[0\].*unknown type family"):
        read_vocabulary("semantics:\n  - {semantic: s, names: x, types: [strnig], values: [a, b]}\n")
    with pytest.raises(VocabularyError, match=r"semantics\[0\].*exactly one domain"):
        read_vocabulary("semantics:\n  - {semantic: s, names: x, types: [string]}\n")
    with pytest.raises(VocabularyError, match="unknown list"):
        read_vocabulary("semantics:\n  - {semantic: s, names: x, types: [string], list: nope}\n")
