"""Snowflake's implicit casts made explicit (dw_simulator.sql.snowflake.coercion), typed against a catalog."""

from __future__ import annotations

import pytest
import sqlglot

from dw_simulator.sql.snowflake.coercion import annotate, implicit_casts

CATALOG = {
    "DB": {
        "PUBLIC": {
            "NUMS": {"ID": "BIGINT", "AMOUNT": "DECIMAL(10,2)", "FLAG": "BOOLEAN", "DAY": "DATE", "CODE": "VARCHAR",
                     "DOC": "JSON"},
        }
    }
}  # fmt: skip


def coerced(sql: str) -> str:
    statement = sqlglot.parse_one(sql, read="snowflake")
    before = statement.sql(dialect="snowflake")
    types = annotate(statement, CATALOG, "DB", "PUBLIC")
    assert statement.sql(dialect="snowflake") == before, "annotating leaves the statement as written"
    return implicit_casts(statement, types).sql(dialect="snowflake")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT LOWER(id) FROM nums", "SELECT LOWER(CAST(id AS VARCHAR)) FROM nums"),
        ("SELECT RIGHT(12345, 2)", "SELECT RIGHT(CAST(12345 AS VARCHAR), 2)"),
        ("SELECT id FROM nums WHERE id LIKE '6%'", "SELECT id FROM nums WHERE CAST(id AS VARCHAR) LIKE '6%'"),
        ("SELECT CONCAT('x', flag) FROM nums", "SELECT CONCAT('x', CAST(flag AS VARCHAR)) FROM nums"),
        ("SELECT 'day ' || day FROM nums", "SELECT 'day ' || CAST(day AS VARCHAR) FROM nums"),
        ("SELECT '3' + 4, '2.5' * 2", "SELECT 3 + 4, 2.5 * 2"),
        ("SELECT code + 1 FROM nums", "SELECT CAST(code AS DOUBLE) + 1 FROM nums"),
        (
            "WITH b AS (SELECT id AS n FROM nums) SELECT MD5(n) FROM b",
            "WITH b AS (SELECT id AS n FROM nums) SELECT MD5(CAST(n AS VARCHAR)) FROM b",
        ),
    ],
)
def test_casts_what_snowflake_casts(sql: str, expected: str) -> None:
    assert coerced(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT LOWER(code) FROM nums",  # already text
        "SELECT LOWER(doc:name) FROM nums",  # semi-structured: left to the VARIANT rules
        "SELECT LOWER(x) FROM unknown_table",  # unknown type
        "SELECT id + 1 FROM nums",  # numbers stay numbers
    ],
)
def test_leaves_alone_what_needs_no_cast(sql: str) -> None:
    assert "CAST(" not in coerced(sql).replace("GET_PATH", "")
