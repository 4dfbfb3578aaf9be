"""dbt-snowflake's column lists (persist_docs comments, CTAS column names) made runnable on DuckDB."""

from __future__ import annotations

import duckdb
import sqlglot

from dw_simulator.sql.snowflake.column_lists import ctas_columns_as_aliases, split_column_comments


def test_view_column_comments_are_taken_out() -> None:
    statement = sqlglot.parse_one(
        """create or replace view v ("ID" COMMENT $$The id's value$$, "NAME") as (select 1 as a, 'x' as b)""",
        read="snowflake",
    )
    assert split_column_comments(statement) == [("ID", "The id's value")]
    with duckdb.connect() as con:
        con.execute(statement.sql(dialect="duckdb"))
        assert [d[0] for d in con.execute("SELECT * FROM v").description] == ["ID", "NAME"]


def test_ctas_column_list_becomes_aliases() -> None:
    statement = sqlglot.parse_one(
        'create or replace transient table t ("K" COMMENT $$key$$, v) as (select 1, 2)', read="snowflake"
    )
    assert split_column_comments(statement) == [("K", "key")]
    rewritten = ctas_columns_as_aliases(statement)
    assert rewritten.this.name == "t" and "_dwsim_columns" in rewritten.sql(dialect="snowflake")
    with duckdb.connect() as con:
        con.execute(rewritten.sql(dialect="duckdb"))
        assert con.execute("SELECT K, V FROM t").fetchall() == [(1, 2)]


def test_other_statements_are_left_alone() -> None:
    plain = sqlglot.parse_one("create table t (a int comment 'x')", read="snowflake")
    before = plain.sql(dialect="snowflake")
    assert split_column_comments(plain) == []
    assert ctas_columns_as_aliases(plain).sql(dialect="snowflake") == before
