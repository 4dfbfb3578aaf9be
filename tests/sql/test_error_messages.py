"""Errors about users' SQL read like SQL errors: what failed, where, near which text; never library internals."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from dw_simulator.errors import QueryError
from dw_simulator.service import Simulator
from dw_simulator.sql.engine_errors import duckdb_message
from dw_simulator.sql.translate import translate

INTERNALS = ("<class", "sqlglot", "TokenType", "Did you mean", "pg_", "duckdb_", "LINE 1:", "Catalog Error", "\n")


def assert_readable(message: str) -> None:
    for internal in INTERNALS:
        assert internal not in message, f"{internal!r} in {message!r}"


@pytest.fixture
def shop(sim: Simulator, examples: Path) -> Simulator:
    info = sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    assert info.target_warehouse == "duckdb"  # the default warehouse; the experiment's dialect is Redshift
    return sim


def test_syntax_error_names_line_column_and_the_text_near_it(shop: Simulator) -> None:
    script = "SELECT 1;\nSELECT customer_id,\n       customer_id +\nFROM customers"
    with pytest.raises(QueryError) as caught:
        shop.query("ecommerce_experiment", script)
    message = caught.value.message
    assert_readable(message)
    # the position is the script's (line 4 is where FROM sits after the dangling '+'), not the statement's
    assert message.startswith("cannot parse the redshift SQL at line 4, column 4 near ")
    assert "customer_id + FROM" in message
    assert caught.value.details[0]["line"] == 4


def test_unclosed_string_points_at_its_opening_quote(shop: Simulator) -> None:
    with pytest.raises(QueryError) as caught:
        shop.query("ecommerce_experiment", "SELECT customer_id\nFROM customers WHERE email = 'a@b.c")
    message = caught.value.message
    assert_readable(message)
    assert message == (
        'cannot read the redshift SQL at line 2, column 30 near "\'a@b.c": a string literal is not closed '
        "(no ' after it)"
    )


@pytest.mark.parametrize("dialect", ["redshift", "duckdb"])
def test_unknown_table_on_duckdb_names_it_without_engine_hints(shop: Simulator, dialect: str) -> None:
    with pytest.raises(QueryError) as caught:
        shop.query("ecommerce_experiment", "SELECT * FROM no_such_table", dialect=dialect)
    message = caught.value.message
    assert_readable(message)
    assert message == 'DuckDB: Table with name no_such_table does not exist! (near "no_such_table")'


def test_a_hint_naming_the_users_own_table_is_kept() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(duckdb.Error) as caught:
        con.execute("SELECT * FROM custmers")
    message = duckdb_message(str(caught.value))
    assert message == 'DuckDB: Table with name custmers does not exist! Did you mean "customers"? (near "custmers")'


def test_library_names_are_the_users_function_names() -> None:
    raw = (
        "Binder Error: No function matches the given name and argument types 'dwsim_redshift.date_part(VARCHAR)'.\n"
        "Did you mean \"dwsim_redshift.date_part\"?\n\nLINE 1: SELECT dwsim_redshift.date_part('x')\n"
        "               ^"
    )
    message = duckdb_message(raw)
    assert "dwsim_redshift" not in message
    assert message.startswith("DuckDB: No function matches the given name and argument types 'date_part(VARCHAR)'")


def test_construct_sqlglot_cannot_read_is_named_in_sql_words(shop: Simulator) -> None:
    # sqlglot's own message here is "Required keyword: 'this' missing for <class '...Lateral'>"
    with pytest.raises(QueryError) as caught:
        shop.query("ecommerce_experiment", "SELECT 1 FROM customers c, LATERAL")
    message = caught.value.message
    assert_readable(message)
    assert message.endswith('near "SELECT 1 FROM customers c, LATERAL": LATERAL is incomplete')
    with pytest.raises(QueryError) as operand:
        translate("SELECT 1 +", read="redshift", write="postgres")
    assert operand.value.message.endswith("'+' is missing its right-hand operand")


def test_construct_sqlglot_reads_but_cannot_write_is_named(shop: Simulator) -> None:
    # sqlglot reads this MATCH_RECOGNIZE and its generator then fails with a TypeError of its own
    sql = "SELECT * FROM customers MATCH_RECOGNIZE (PARTITION BY customer_id)"
    with pytest.raises(QueryError) as caught:
        shop.query("ecommerce_experiment", sql, dialect="snowflake")
    message = caught.value.message
    assert_readable(message)
    # Snowflake SQL runs through the Snowflake layer on the DuckDB target too: its message for a missing feature
    assert message == "Snowflake: not supported on the embedded Snowflake endpoint: MATCH_RECOGNIZE"


def test_statement_after_text_rewrites_is_named_by_number() -> None:
    # DISTKEY is dropped by a text rewrite before parsing, so columns would not match what the user wrote
    script = "SELECT 1;\nCREATE TABLE t (a INT DISTKEY, b INT +)"
    with pytest.raises(QueryError) as caught:
        translate(script, read="redshift", write="duckdb")
    message = caught.value.message
    assert_readable(message)
    assert message.startswith("cannot parse the redshift SQL in statement 2 near ")
    assert caught.value.details[0]["line"] is None


def test_a_statement_sqlglot_passes_through_prints_no_library_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        statements = translate("CREATE TABLE t (a INT) WITH SOMETHING ODD", read="duckdb", write="duckdb")
    assert [s.returns_rows for s in statements] == [False]  # handed to the engine as written, which answers
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
