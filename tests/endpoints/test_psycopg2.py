"""psycopg2 (libpq, client-side parameter interpolation) through the endpoint, on both engines: queries with
parameters, executemany, a named (server-side) cursor, COPY with copy_expert, transactions and SQLSTATEs."""

from __future__ import annotations

import io
import uuid

import pytest
from endpoint_support import Endpoint, require

require("psycopg2")
import psycopg2  # noqa: E402
import psycopg2.errors  # noqa: E402


@pytest.fixture
def conn(endpoint: Endpoint, database: str):
    connection = psycopg2.connect(endpoint.url(database), connect_timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def test_queries_parameters_and_executemany(conn) -> None:
    table = f"p2_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute("SELECT %s,%s, %s+%s", (1, "it's", 2, 3))
        assert cur.fetchone() == (1, "it's", 5)
        cur.execute(f"CREATE TABLE {table} (id integer, label varchar(20))")
        cur.executemany(f"INSERT INTO {table} VALUES (%s,%s)", [(i, f"r{i}") for i in range(5)])
        conn.commit()
        cur.execute(f"SELECT count(*), sum(id) FROM {table}")
        assert cur.fetchone() == (5, 10)
        buffer = io.StringIO()
        cur.copy_expert(f"COPY (SELECT id, label FROM {table} ORDER BY id) TO STDOUT WITH CSV", buffer)
        assert buffer.getvalue().splitlines()[:2] == ["0,r0", "1,r1"]
        cur.copy_expert(f"COPY {table} FROM STDIN WITH CSV", io.StringIO("9,nine\n"))
        conn.commit()
        cur.execute(f"SELECT label FROM {table} WHERE id = 9")
        assert cur.fetchone() == ("nine",)
        cur.execute(f"DROP TABLE {table}")
        conn.commit()


def test_named_cursor_and_errors(conn) -> None:
    with conn.cursor(name="orders_cur") as cur:
        cur.itersize = 100
        cur.execute("SELECT order_id FROM orders ORDER BY order_id")
        assert sum(row[0] for row in cur) == sum(range(1, 501))
    conn.rollback()
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM no_such_table_here")
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
        conn.rollback()
        cur.execute("SELECT count(*) FROM customers")
        assert cur.fetchone() == (100,)
