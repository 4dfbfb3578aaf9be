"""Failure cases: every fixtures/errors/*.sql fails with the message, line and column in its header."""

from __future__ import annotations

from pathlib import Path

import pytest
from ddl_support import FIXTURES, TODAY, header

from dw_simulator.ddl import import_sql
from dw_simulator.errors import SchemaValidationError

ERROR_FIXTURES = sorted((FIXTURES / "errors").glob("*.sql"))


@pytest.mark.parametrize("path", ERROR_FIXTURES, ids=lambda p: p.stem)
def test_error_fixture(path: Path) -> None:
    expect = header(path)
    with pytest.raises(SchemaValidationError) as info:
        import_sql(path.read_text(encoding="utf-8"), expect["dialect"], name="broken", today=TODAY)
    error = info.value
    first = error.details[0]
    assert expect["error"] in error.message
    assert expect["error"] in first["message"]
    if "line" in expect:
        assert (first.get("line"), first.get("col")) == (int(expect["line"]), int(expect["col"])), first
        assert f"line {expect['line']}, column {expect['col']}" in error.message
    if "text" in expect:
        assert first["text"] == expect["text"]
    if "problems" in expect:
        assert len(error.details) == int(expect["problems"])
    assert error.to_dict()["error"] == "validation_error"


def test_the_error_fixtures_cover_the_promised_refusals() -> None:
    names = {p.stem for p in ERROR_FIXTURES}
    assert {
        "redshift_variant",
        "snowflake_super",
        "redshift_geometry",
        "snowflake_geography",
        "redshift_hllsketch",
        "redshift_external_table",
        "snowflake_external_table",
    } <= names


def test_every_problem_carries_line_column_text_and_dialect() -> None:
    sql = "CREATE TABLE a (id INT, g GEOMETRY);\nCREATE TABLE b (id INT, v VARIANT);\n"
    with pytest.raises(SchemaValidationError) as info:
        import_sql(sql, "redshift", name="x")
    for detail in info.value.details:
        assert {"message", "line", "col", "text", "dialect"} <= set(detail)
        assert detail["dialect"] == "redshift"
    assert [d["line"] for d in info.value.details] == [1, 2]
    assert "hint" in info.value.details[1] and "--dialect snowflake" in info.value.details[1]["hint"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dialect": "mysql"}, "unknown SQL dialect 'mysql'"),
        ({"rows": {"nope": 5}}, "--rows names table(s) not in the SQL: nope"),
        ({"rows": {"t": -1}}, "rows must be between 0"),
        ({"name": "pg_catalog"}, "reserved"),
        ({"target_warehouse": "oracle"}, "target_warehouse"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"dialect": "redshift", "name": "ok"} | kwargs
    with pytest.raises(SchemaValidationError) as info:
        import_sql("CREATE TABLE t (id INT);", **args)  # type: ignore[arg-type]
    assert message in str(info.value.message) + str(info.value.details)


def test_model_validation_problems_point_at_the_table() -> None:
    sql = "CREATE TABLE flags (\n  code CHAR(1) PRIMARY KEY\n);"
    with pytest.raises(SchemaValidationError) as info:
        import_sql(sql, "redshift", name="x", rows={"flags": 100})  # 36 possible codes, 100 rows asked for
    detail = info.value.details[0]
    assert detail["table"] == "flags" and detail["column"] == "code"
    assert (detail["line"], detail["col"]) == (2, 3)
    assert "36" in detail["message"]
