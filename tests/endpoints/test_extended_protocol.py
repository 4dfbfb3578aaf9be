"""The extended query protocol as drivers use it, on both engines: `$n` placeholders without spaces (what psycopg 3,
redshift_connector and pgjdbc send for `%s,%s` / `?,?`, and what `dbt seed` inserts with), error recovery in
psycopg's pipeline mode (messages up to Sync are discarded, the batch's implicit transaction is rolled back, the
session goes on with the right transaction status), and multi-statement Query strings as one implicit transaction."""

from __future__ import annotations

import uuid

import psycopg
import pytest
import redshift_connector
from endpoint_support import PASSWORD, USER, Endpoint


def connect(endpoint: Endpoint, database: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(endpoint.url(database), autocommit=True, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def table(endpoint: Endpoint, database: str):
    name = f"xp_{uuid.uuid4().hex[:8]}"
    with connect(endpoint, database) as conn:
        conn.execute(f"CREATE TABLE {name} (id integer, label varchar(20))")
    yield name
    with connect(endpoint, database) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def test_placeholders_without_spaces_psycopg(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn:
        assert conn.execute("select %s,%s, %s+%s, %s::int||%s", (1, "a", 2, 3, 4, "x")).fetchone() == (
            1,
            "a",
            5,
            "4x",
        )
        with conn.cursor() as cur:
            cur.executemany(f"insert into {table} (id,label) values (%s,%s)", [(i, f"r{i}") for i in range(7)])
        conn.execute(f"insert into {table} values (%s,%s),(%s,%s)", (10, "$1,$2", 11, "it's"))
        rows = conn.execute(f"select id, label from {table} where id in (%s,%s) order by id", (10, 11)).fetchall()
        assert rows == [(10, "$1,$2"), (11, "it's")]  # a literal that looks like parameters stays a literal
        assert conn.execute(f"select count(*) from {table} where id<%s", (7,)).fetchone() == (7,)


def test_placeholders_without_spaces_redshift_connector(endpoint: Endpoint, database: str, table: str) -> None:
    conn = redshift_connector.connect(
        host=endpoint.host, port=endpoint.port, database=database, user=USER, password=PASSWORD, ssl=False
    )
    try:
        cur = conn.cursor()
        cur.execute("select %s,%s, %s+%s", (1, "a", 2, 3))
        assert list(cur.fetchone()) == [1, "a", 5]
        cur.executemany(f"insert into {table} values (%s,%s)", [(1, "x"), (2, "y")])
        conn.commit()
        cur.execute(f"select count(*) from {table}")
        assert cur.fetchone()[0] == 2
    finally:
        conn.close()


def test_pipeline_error_discards_to_sync_and_rolls_the_batch_back(
    endpoint: Endpoint, database: str, table: str
) -> None:
    with connect(endpoint, database) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable), conn.pipeline() as pipeline:
            conn.execute(f"insert into {table} values (%s,%s)", (1, "kept"))
            conn.execute(f"insert into {table} values (%s,%s)", (2, "kept"))
            pipeline.sync()
            conn.execute(f"insert into {table} values (%s,%s)", (3, "same batch"))
            conn.execute("insert into no_such_table_here values (%s)", (4,))
            conn.execute(f"insert into {table} values (%s,%s)", (5, "discarded"))
            pipeline.sync()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        conn.execute(f"insert into {table} values (%s,%s)", (6, "after"))
        assert [r[0] for r in conn.execute(f"select id from {table} order by id")] == [1, 2, 6]


def test_pipeline_error_inside_a_transaction(endpoint: Endpoint, database: str, table: str) -> None:
    with psycopg.connect(endpoint.url(database)) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable), conn.pipeline():
            conn.execute(f"insert into {table} values (%s,%s)", (1, "rolled back"))
            conn.execute("select * from no_such_table_here")
            conn.execute(f"insert into {table} values (%s,%s)", (2, "discarded"))
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("select 1")
        conn.rollback()
        conn.execute(f"insert into {table} values (%s,%s)", (3, "committed"))
        conn.commit()
        assert [r[0] for r in conn.execute(f"select id from {table} order by id")] == [3]


def test_multi_statement_query_is_one_implicit_transaction(endpoint: Endpoint, database: str, table: str) -> None:
    with connect(endpoint, database) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute(
                f"insert into {table} values (1, 'a'); insert into no_such_table_here values (2); "
                f"insert into {table} values (3, 'c')",
                prepare=False,
            )
        assert conn.execute(f"select count(*) from {table}").fetchone() == (0,)
        conn.execute(f"insert into {table} values (1, 'a'); insert into {table} values (2, 'b')", prepare=False)
        assert conn.execute(f"select count(*) from {table}").fetchone() == (2,)
