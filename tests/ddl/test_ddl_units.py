"""Unit tests of the importer's parts: lexer, rewriter, type tables, names, inference, export details."""

from __future__ import annotations

import re
from datetime import date

import pytest
from ddl_support import TODAY

from dw_simulator.ddl import export_ddl, identifier_from, import_sql
from dw_simulator.ddl.cursor import Rewriter
from dw_simulator.ddl.infer import DDL_NAME_RULES, MIN_LENGTH, SHORT_FORMS
from dw_simulator.ddl.lexer import Kind, LexError, split_statements, string_value, tokenize
from dw_simulator.ddl.names import quote, safe_identifier
from dw_simulator.ddl.typemap import MULTI_WORD_TYPES, TYPE_TABLES
from dw_simulator.errors import SchemaValidationError
from dw_simulator.schema.faker_rules import validate_rule
from dw_simulator.schema.types import parse_type


def _import(sql: str, dialect: str = "redshift", **kwargs: object) -> object:
    return import_sql(sql, dialect, name="t", today=TODAY, **kwargs)  # type: ignore[arg-type]


def _table(sql: str, dialect: str = "redshift") -> dict[str, object]:
    result = import_sql(sql, dialect, name="t", today=TODAY)
    return result.schema.tables[0].model_dump(mode="json", exclude_defaults=True)


def _columns(sql: str, dialect: str = "redshift") -> dict[str, dict[str, object]]:
    table = _table(sql, dialect)
    return {c["name"]: c for c in table["columns"]}  # type: ignore[union-attr, index]


# -- lexer and rewriter ------------------------------------------------------------------------------------------
def test_lexer_splits_statements_outside_strings_comments_and_dollar_quotes() -> None:
    sql = "a ';' \"x;y\" -- c;\n; b /* ; */ $$ ; $$ $t$ ; $t$; c"
    statements = split_statements(tokenize(sql))
    texts = [" ".join(t.text for t in s if t.kind is not Kind.COMMENT) for s in statements]
    assert texts == ["a ';' \"x;y\"", "b $$ ; $$ $t$ ; $t$", "c"]


@pytest.mark.parametrize(
    ("literal", "value"),
    [("'it''s'", "it's"), ("'a\\'b'", "a'b"), ("$$x$$", "x"), ("$tag$ y $tag$", " y "), ("E'a\\nb'", "a\nb")],
)
def test_string_values(literal: str, value: str) -> None:
    assert string_value(literal) == value


def test_postgres_strings_have_no_backslash_escapes_and_comments_nest() -> None:
    tokens = tokenize("'a\\' /* x /* y */ z */ b", backslash_escapes=False, nested_comments=True)
    assert [t.kind for t in tokens] == [Kind.STRING, Kind.COMMENT, Kind.WORD]


@pytest.mark.parametrize("sql", ["'open", '"ident', "/* open", "$$ body"])
def test_lexer_reports_where_an_unterminated_token_starts(sql: str) -> None:
    with pytest.raises(LexError) as info:
        tokenize("x " + sql)
    assert info.value.offset == 2


def test_rewriter_keeps_every_offset_and_line() -> None:
    text = "ab\ncd ef\ngh"
    rewriter = Rewriter(text)
    rewriter.blank(1, 7)
    rewriter.replace(7, 11, "XY")
    out = rewriter.slice(0, len(text))
    assert out == "a \n    X\nY "
    assert len(out) == len(text) and [i for i, c in enumerate(out) if c == "\n"] == [2, 8]
    with pytest.raises(ValueError, match="longer"):
        rewriter.replace(0, 1, "toolong")


# -- type tables -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dialect", sorted(TYPE_TABLES))
def test_type_tables_are_well_formed(dialect: str) -> None:
    for name, rule in TYPE_TABLES[dialect].items():
        assert name == name.upper() and "  " not in name, name
        if rule.refused is not None:
            assert rule.base is None and len(rule.refused) > 30
            continue
        assert rule.base is not None
        parse_type(rule.base)  # a base type the schema model knows
        if " " in name:
            head, *tail = name.split()
            assert tuple(tail) in MULTI_WORD_TYPES[head], name


@pytest.mark.parametrize(
    ("written", "dialect", "expected"),
    [
        ("NUMBER(38,0)", "snowflake", {"data_type": "BIGINT"}),
        ("NUMBER", "snowflake", {"data_type": "BIGINT"}),
        ("NUMBER(9,0)", "snowflake", {"data_type": "INT", "min_value": -999999999, "max_value": 999999999}),
        ("NUMBER(12,4)", "snowflake", {"data_type": "DECIMAL(12,4)"}),
        ("DECIMAL", "redshift", {"data_type": "DECIMAL(18,0)"}),
        ("VARCHAR(MAX)", "redshift", {"data_type": "VARCHAR", "varchar_length": 65535}),
        ("VARCHAR", "redshift", {"data_type": "VARCHAR", "varchar_length": 256}),
        ("VARCHAR", "snowflake", {"data_type": "VARCHAR"}),
        ("TIMESTAMP", "snowflake", {"data_type": "TIMESTAMP"}),
        ("TIMESTAMP_LTZ", "snowflake", {"data_type": "TIMESTAMPTZ"}),
        ("TIMETZ", "redshift", {"data_type": "TIME"}),
        ("SUPER", "redshift", {"data_type": "SUPER"}),
        ("UUID", "postgres", {"data_type": "VARCHAR", "varchar_length": 36, "faker_rule": "misc.uuid4"}),
    ],
)
def test_type_mapping(written: str, dialect: str, expected: dict[str, object]) -> None:
    column = _columns(f"CREATE TABLE t (x {written})", dialect)["x"]
    assert {k: column.get(k) for k in expected} == expected
    assert {k for k in ("min_value", "max_value") if k in column} <= set(expected)


def test_timetz_is_a_warning_on_the_table_and_in_the_result() -> None:
    result = import_sql("CREATE TABLE t (x TIMETZ)", "redshift", name="t")
    assert result.schema.tables[0].warnings == result.warnings
    assert "TIME WITH TIME ZONE is imported as TIME" in result.warnings[0]


# -- names -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "safe"),
    [("Order Date", "Order_Date"), ("#temp", "_temp"), ("2fa", "_2fa"), ("a-b", "a_b"), ("x" * 70, "x" * 63)],
)
def test_safe_identifier(raw: str, safe: str) -> None:
    assert safe_identifier(raw) == safe


def test_quote_only_reserved_words() -> None:
    assert quote("select") == '"select"' and quote("order") == '"order"' and quote("amount") == "amount"


def test_identifier_from_a_file_stem() -> None:
    assert identifier_from("tpc-ds schema") == "tpc_ds_schema"
    assert identifier_from("2024 sales") == "_2024_sales"
    assert identifier_from("---") == "imported_experiment"


def test_names_that_sanitise_to_the_same_identifier_are_an_error() -> None:
    with pytest.raises(SchemaValidationError, match="appears twice"):
        _import('CREATE TABLE t ("a b" INT, a_b INT)')


# -- inference ---------------------------------------------------------------------------------------------------
def test_ddl_name_rules_name_real_faker_methods() -> None:
    for _, rule in DDL_NAME_RULES:
        assert validate_rule(rule) is None, rule
    for rule in [*MIN_LENGTH, *SHORT_FORMS.values()]:
        assert validate_rule(rule) is None, rule


def test_inference_leaves_keys_signed_amounts_and_plain_dates_alone() -> None:
    columns = _columns(
        "CREATE TABLE t (id INT PRIMARY KEY, customer_id INT, amount DECIMAL(10,2), balance DECIMAL(10,2), "
        "net_profit DECIMAL(7,2), sale_date DATE, region_id INT, order_key BIGINT)"
    )
    for name in ("customer_id", "amount", "balance", "net_profit", "sale_date", "region_id", "order_key"):
        assert set(columns[name]) == {"name", "data_type"}, columns[name]


def test_inference_is_listed_in_notes_and_inferences() -> None:
    result = import_sql("CREATE TABLE t (email VARCHAR(100), qty INT)", "redshift", name="t", today=TODAY)
    assert [(i.column, i.field) for i in result.inferences] == [("email", "faker_rule"), ("qty", "range")]
    assert any("email.faker_rule=internet.email" in n and "qty.range=1..100" in n for n in result.notes)


def test_short_columns_get_short_forms_or_no_faker_rule() -> None:
    columns = _columns("CREATE TABLE t (state CHAR(2), country CHAR(3), email VARCHAR(5), city VARCHAR(3))")
    assert columns["state"]["faker_rule"] == "address.state_abbr"
    assert columns["country"]["faker_rule"] == "address.country_code"
    assert "faker_rule" not in columns["email"] and "faker_rule" not in columns["city"]


def test_inferred_dates_never_run_into_the_future() -> None:
    columns = _columns("CREATE TABLE t (created_at TIMESTAMP, birth_date DATE)")
    assert columns["created_at"]["date_end"] == TODAY.isoformat()
    assert columns["birth_date"]["date_end"] == date(2007, 6, 30).isoformat()


def test_check_bounds_win_over_inference_and_precision_limits_clamp_it() -> None:
    columns = _columns(
        "CREATE TABLE t (quantity INT CHECK (quantity BETWEEN 5 AND 7), age NUMBER(2,0), item_key NUMBER(3,0))",
        "snowflake",
    )
    assert (columns["quantity"]["min_value"], columns["quantity"]["max_value"]) == (5, 7)
    assert (columns["age"]["min_value"], columns["age"]["max_value"]) == (18, 90)
    assert (columns["item_key"]["min_value"], columns["item_key"]["max_value"]) == (0, 999)


# -- constraints, identity, dialect hints ---------------------------------------------------------------------------
def test_identity_is_unique_sequential_and_starts_at_its_seed() -> None:
    columns = _columns("CREATE TABLE t (a BIGINT IDENTITY(0, 1), b INT GENERATED BY DEFAULT AS IDENTITY(5, -1))")
    assert columns["a"] == {
        "name": "a",
        "data_type": "BIGINT",
        "is_unique": True,
        "required": True,
        "min_value": 0,
        "identity": {"start": 0},
    }
    assert "min_value" not in columns["b"] and columns["b"]["identity"] == {"start": 5, "increment": -1}


def test_identity_on_a_non_integer_column_is_ignored_with_a_warning() -> None:
    result = import_sql("CREATE TABLE t (a VARCHAR(10) IDENTITY(1,1))", "snowflake", name="t")
    assert "IDENTITY applies to integer columns" in result.warnings[0]


def test_layout_clauses_of_the_other_dialect_are_accepted_with_a_hint() -> None:
    result = import_sql("CREATE TABLE t (a INT DISTKEY ENCODE zstd) SORTKEY (a)", "snowflake", name="t")
    assert result.schema.tables[0].layout is not None
    assert "did you mean --dialect redshift?" in result.warnings[0]
    result = import_sql("CREATE TABLE t (a INT) CLUSTER BY (a)", "redshift", name="t")
    assert "did you mean --dialect snowflake?" in result.warnings[0]


def test_a_table_whose_unique_column_cannot_hold_the_rows_is_made_smaller() -> None:
    result = import_sql(
        "CREATE TABLE flags (flag CHAR(1) PRIMARY KEY CHECK (flag IN ('Y', 'N')))", "redshift", name="t"
    )
    assert result.schema.tables[0].target_rows == 2
    assert "target_rows lowered from 1000 to 2" in result.warnings[0]


def test_rows_and_default_rows() -> None:
    result = import_sql(
        "CREATE TABLE a (x INT); CREATE TABLE b (y INT);", "redshift", name="t", rows={"B": 7}, default_rows=50
    )
    assert [t.target_rows for t in result.schema.tables] == [50, 7]


def test_description_and_target_warehouse_are_passed_through() -> None:
    schema = import_sql(
        "CREATE TABLE a (x INT)", "snowflake", name="t", description="d", target_warehouse="duckdb"
    ).schema
    assert (schema.description, schema.target_warehouse, schema.dialect) == ("d", "duckdb", "snowflake")
    assert import_sql("CREATE TABLE a (x INT)", "postgres", name="t").schema.dialect == "redshift"


def test_today_defaults_to_the_current_date() -> None:
    column = import_sql("CREATE TABLE a (created_at DATE)", "redshift", name="t").schema.tables[0].columns[0]
    assert column.date_end == date.today()


# -- export details ----------------------------------------------------------------------------------------------
def test_export_quotes_reserved_words_and_escapes_strings() -> None:
    sql = "CREATE TABLE t (\"select\" VARCHAR(10) COMMENT 'it''s a \\\\ path', \"order\" INT)"
    schema = import_sql(sql, "snowflake", name="t").schema
    ddl = export_ddl(schema, "snowflake")
    assert '"select" VARCHAR(10)' in ddl and '"order" INT' in ddl
    assert "COMMENT 'it''s a \\\\ path'" in ddl
    assert import_sql(ddl, "snowflake", name="t").schema.tables[0].columns[0].description == "it's a \\ path"
    postgres = export_ddl(schema, "postgres")
    assert "COMMENT ON COLUMN t.\"select\" IS 'it''s a \\ path';" in postgres


def test_export_puts_forward_references_in_alter_table_except_for_duckdb() -> None:
    sql = (
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT REFERENCES parent (id));"
        "CREATE TABLE parent (id INT PRIMARY KEY);"
    )
    schema = import_sql(sql, "redshift", name="t").schema
    ddl = export_ddl(schema, "redshift")
    assert ddl.index("CREATE TABLE child") < ddl.index("CREATE TABLE parent")
    assert "ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id);" in ddl
    duck = export_ddl(schema, "duckdb")
    assert duck.index("CREATE TABLE parent") < duck.index("CREATE TABLE child")
    assert "REFERENCES parent (id)" in duck


def test_export_restores_snowflake_number_precision_and_the_layout() -> None:
    sql = "CREATE TABLE t (n NUMBER(4,0), m NUMBER(38,0)) CLUSTER BY (n)"
    ddl = export_ddl(import_sql(sql, "snowflake", name="t").schema, "snowflake")
    assert "n NUMBER(4,0)," in ddl and "m BIGINT" in ddl and "CLUSTER BY (n)" in ddl


def test_export_refuses_an_unknown_dialect() -> None:
    schema = import_sql("CREATE TABLE t (a INT)", "redshift", name="t").schema
    with pytest.raises(SchemaValidationError, match="unknown SQL dialect 'oracle'"):
        export_ddl(schema, "oracle")


def test_exported_ddl_has_one_statement_per_table_plus_extras() -> None:
    schema = import_sql("CREATE TABLE a (x INT); CREATE TABLE b (y INT);", "redshift", name="t").schema
    ddl = export_ddl(schema, "redshift")
    assert len(re.findall(r"^CREATE TABLE", ddl, flags=re.M)) == 2


def test_progress_counts_every_statement_in_order() -> None:
    sql = """
        CREATE TABLE a (id INT PRIMARY KEY);
        GRANT SELECT ON a TO analyst;
        CREATE TABLE b (id INT, a_id INT);
        ALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a (id);
        COMMENT ON TABLE a IS 'parents';
        CREATE VIEW v AS SELECT 1;
    """
    calls: list[tuple[int, int]] = []

    def on_progress(done: int, total: int) -> None:
        calls.append((done, total))

    result = import_sql(sql, "redshift", name="p", today=TODAY, on_progress=on_progress)
    assert calls == [(n, 6) for n in range(7)]  # (0, total) first, then one call per statement
    b = result.schema.table("b")
    a_id = b.column("a_id") if b is not None else None
    assert a_id is not None and a_id.foreign_key is not None  # the ALTER TABLE, applied after every CREATE
    assert result.schema.table("a").description == "parents"  # type: ignore[union-attr]


def test_progress_is_reported_before_a_problem_is_raised() -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(SchemaValidationError, match="missing comma"):
        import_sql(
            "CREATE TABLE a (id INT);\nCREATE TABLE b (x INT\n y INT);",
            "redshift",
            name="p",
            on_progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(0, 2), (1, 2), (2, 2)]  # every statement is still read, so all problems are reported at once
