"""`literal_select` answers exactly what the translator would, and declines everything outside its grammar."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dw_simulator.sql.literal_select import READS, literal_select
from dw_simulator.sql.translate import translate

WS = st.text(alphabet=" \t\r\n", max_size=3)
ITEMS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.text(alphabet="abcXYZ019 _.,:@/-", max_size=8).map(lambda s: f"'{s}'"),
    st.sampled_from(["TRUE", "true", "False", "NULL", "null", "0", "-0", "0.0"]),
)


@st.composite
def literal_selects(draw: st.DrawFn) -> str:
    items = draw(st.lists(ITEMS, min_size=1, max_size=4))
    keyword = draw(st.sampled_from(["select", "SELECT", "Select", "sElEcT"]))
    body = "".join((draw(WS) + "," + draw(WS) if i else "") + item for i, item in enumerate(items))
    end = draw(st.sampled_from(["", ";", " ;", ";\n"]))
    return draw(WS) + keyword + draw(WS.filter(bool)) + body + draw(WS) + end + draw(WS)


@settings(max_examples=300, deadline=None)
@given(sql=literal_selects(), read=st.sampled_from(READS))
def test_a_literal_select_translates_as_the_translator_does(sql: str, read: str) -> None:
    fast = literal_select(sql, read=read, write="duckdb")
    assert fast is not None, sql
    assert fast == translate(sql, read=read, write="duckdb")


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize(
    "sql",
    [
        "select 1",  # the start-up benchmark's statement
        "SELECT 1, 'ok', TRUE, NULL, -2.50",
        "select 99999999999999999999999999999999999999",
    ],
)
def test_the_answer_on_duckdb_is_the_translators(sql: str, read: str) -> None:
    fast = literal_select(sql, read=read, write="duckdb")
    assert fast is not None
    con = duckdb.connect()
    mine = con.execute(fast[0].engine_sql)
    got = (mine.description, mine.fetchall())
    theirs = con.execute(translate(sql, read=read, write="duckdb")[0].engine_sql)
    assert got == (theirs.description, theirs.fetchall())


@pytest.mark.parametrize(
    "sql",
    [
        "select 1 -- a comment",
        "select /* c */ 1",
        "select 1 as x",
        "select x",
        "select 1 + 1",
        "select - 1",
        "select 1e3",
        "select .5",
        "select 1.",
        "select 00",
        "select 'it''s'",
        "select 'a\\nb'",
        "select 'é'",
        "select 1; select 2",
        "select 1;;",
        "select",
        "select 1,",
        "select now()",
        "select current_date",
        "select\f1",
        "values (1)",
        "",
    ],
)
def test_anything_else_goes_to_the_translator(sql: str) -> None:
    for read in READS:
        assert literal_select(sql, read=read, write="duckdb") is None, (sql, read)


def test_only_checked_dialects_and_engines_are_answered() -> None:
    assert literal_select("select 1", read="redshift", write="postgres") is None
    assert literal_select("select 1", read="bigquery", write="duckdb") is None
