"""dbt-snowflake's column lists (persist_docs comments, CTAS column names) made runnable on DuckDB."""

from __future__ import annotations

import duckdb
import sqlglot

from dw_simulator.sql.snowflake.column_lists import (
    alter_column_comments,
    ctas_columns_as_aliases,
    split_column_comments,
)


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


def test_table_definition_comments_are_taken_out_and_types_kept() -> None:
    plain = sqlglot.parse_one("create table t (a int comment 'it''s', b varchar not null)", read="snowflake")
    assert split_column_comments(plain) == [("A", "it's")]
    assert plain.sql(dialect="snowflake") == "CREATE TABLE t (a INT, b VARCHAR NOT NULL)"


def test_other_statements_are_left_alone() -> None:
    plain = sqlglot.parse_one("create table t (a int, b varchar)", read="snowflake")
    before = plain.sql(dialect="snowflake")
    assert split_column_comments(plain) == []
    assert ctas_columns_as_aliases(plain).sql(dialect="snowflake") == before
    assert split_column_comments(sqlglot.parse_one("select 1", read="snowflake")) == []


def test_alter_column_comment_lists() -> None:
    found = alter_column_comments(
        """alter transient table DB."Sch".t alter "Id" COMMENT $$the id's$$, column name comment 'n' ;"""
    )
    assert found is not None
    assert (found.table.catalog, found.table.db, found.table.name) == ("DB", "Sch", "t")
    assert found.comments == [("Id", "the id's"), ("NAME", "n")]
    view = alter_column_comments("ALTER VIEW IF EXISTS v MODIFY COLUMN a COMMENT ''")
    assert view is not None and view.comments == [("A", "")]


def test_other_alters_are_not_comment_lists() -> None:
    for sql in (
        "alter table t alter column a set data type varchar",
        "alter table t add column c int",
        "alter table t alter a comment 'x', b set not null",
        "alter session set timezone = 'UTC'",
        "select 'alter table t alter a comment'",
    ):
        assert alter_column_comments(sql) is None, sql
