"""The typed rewrites (dw_simulator.sql.snowflake.typed): format models, division and implicit casts decided by the
argument types, run on DuckDB with the results Snowflake's documentation gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot

from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.format_models import render
from dw_simulator.sql.snowflake.typed import typed_rewrites

CATALOG = {"DB": {"PUBLIC": {"EV": {"ID": "INTEGER", "DAY": "DATE", "TS": "TIMESTAMP", "AMOUNT": "DECIMAL(12,3)"}}}}


def run(sql: str) -> list[Any]:
    statement = typed_rewrites(sqlglot.parse_one(sql, read="snowflake"), CATALOG, "DB", "PUBLIC")
    with duckdb.connect() as con:
        con.execute("CREATE TABLE ev (id INTEGER, day DATE, ts TIMESTAMP, amount DECIMAL(12,3))")
        con.execute("INSERT INTO ev VALUES (1, '2024-01-05', '2024-01-05 15:04:05.123', 1234567.891)")
        con.execute("INSERT INTO ev VALUES (2, '2013-04-05', '2013-04-05 09:30:00', 5)")
        row = con.execute(statement.sql(dialect="duckdb")).fetchone()
    assert row is not None
    return list(row)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT TO_CHAR(day, 'YYYYMMDD') FROM ev WHERE id = 1", ["20240105"]),
        ("SELECT TO_VARCHAR(day, 'mon dd, yyyy') FROM ev WHERE id = 2", ["Apr 05, 2013"]),
        ("SELECT TO_VARCHAR('2013-04-05'::DATE, 'mon dd, yyyy')", ["Apr 05, 2013"]),
        ("SELECT TO_CHAR(ts, 'HH12:MI AM'), TO_CHAR(ts, 'DY') FROM ev WHERE id = 1", ["03:04 PM", "Fri"]),
        ("SELECT TO_VARCHAR(ts), ts::VARCHAR FROM ev WHERE id = 2", ["2013-04-05 09:30:00.000"] * 2),
        ("SELECT TO_CHAR(amount, 'FM9,999,999.99') FROM ev WHERE id = 1", ["1,234,567.89"]),
        ("SELECT TO_CHAR(amount, '$999,999,999.99') FROM ev WHERE id = 1", ["    $1,234,567.89"]),
        ("SELECT TO_CHAR(5, 'FM000')", ["005"]),
        ("SELECT TO_NUMBER('$1,234', '$9,999'), TRY_TO_NUMBER('12x', '99.9')", [1234, None]),
        ("SELECT 1/3, 7/2, amount/4 FROM ev WHERE id = 2", [Decimal("0.333333"), Decimal("3.5"), Decimal("1.25")]),
        ("SELECT LOWER(id), id || '-x' FROM ev WHERE id = 1", ["1", "1-x"]),
    ],
)
def test_results_as_snowflake_documents(sql: str, expected: list[Any]) -> None:
    assert run(sql) == expected


@pytest.mark.parametrize("model", ["99.9MI", "999S", "$9,999.00", "FM$9,999.00", "000.0", "FM9,999"])
@pytest.mark.parametrize("value", [-12.5, 0, 1234.56])
def test_number_formats_on_columns_follow_the_reference_rendering(model: str, value: float) -> None:
    assert run(f"SELECT TO_CHAR(CAST({value} AS DOUBLE), '{model}')") == [render(value, model)]


def test_division_by_zero_is_an_error_and_div0_is_not() -> None:
    with pytest.raises(duckdb.Error, match="Division by zero"):
        run("SELECT id / (id - 1) FROM ev WHERE id = 1")
    assert run("SELECT DIV0(id, id - 1), id / NULL FROM ev WHERE id = 1") == [0, None]
    # NULL / 0 is NULL (a SUM of no values divided by a count of zero)
    assert run("SELECT SUM(CASE WHEN id > 5 THEN amount END) / SUM(CASE WHEN id > 5 THEN 1 ELSE 0 END) FROM ev") == [
        None
    ]


def test_a_format_the_engine_cannot_reproduce_is_named() -> None:
    with pytest.raises(UnsupportedFeature, match="format element"):
        run("SELECT TO_CHAR(day, 'YYYY-WW') FROM ev")
