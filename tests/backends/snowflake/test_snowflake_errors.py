"""Engine errors restated in Snowflake's words (dw_simulator.sql.snowflake.errors); the engine messages are the
ones DuckDB raises for these statements."""

from __future__ import annotations

import duckdb
import pytest

from dw_simulator.sql.snowflake.errors import UNSUPPORTED, UnsupportedFeature, qualified_name, restate


def engine_message(sql: str) -> str:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (a INTEGER, s VARCHAR)")
        with pytest.raises(duckdb.Error) as raised:
            con.execute(sql)
    return str(raised.value)


@pytest.mark.parametrize(
    ("sql", "expected", "errno"),
    [
        ("SELECT * FROM no_such_table", "Object 'DB.PUBLIC.NO_SUCH_TABLE' does not exist or not authorized.", 2003),
        ("SELECT * FROM other.t", "Object 'DB.OTHER.T' does not exist or not authorized.", 2003),
        ("SELECT missing_col FROM t", "invalid identifier 'MISSING_COL'", 904),
        ("SELECT no_such_fn(1)", "Unknown function NO_SUCH_FN", 2140),
        ("SELECT soundex('a')", UNSUPPORTED + "function SOUNDEX", UnsupportedFeature.errno),
        ("SELECT CAST('abc' AS INTEGER)", "Numeric value 'abc' is not recognized", 100038),
    ],
)
def test_engine_errors_in_snowflake_words(sql: str, expected: str, errno: int) -> None:
    restated = restate(engine_message(sql), database="DB", schema="PUBLIC")
    assert restated is not None, engine_message(sql)
    assert expected in restated.message and restated.errno == errno


def test_unknown_engine_errors_are_not_guessed() -> None:
    assert restate("Some other failure", database="DB", schema="PUBLIC") is None


def test_names_are_completed_from_the_session() -> None:
    assert qualified_name("T", "DB", "S") == "DB.S.T"
    assert qualified_name("X.T", "DB", "S") == "DB.X.T"
    assert qualified_name("A.B.T", "DB", "S") == "A.B.T"
    assert str(UnsupportedFeature("streams")) == UNSUPPORTED + "streams"
