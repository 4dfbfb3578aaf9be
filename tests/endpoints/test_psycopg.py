"""psycopg 3 through the endpoint, on both engines: parameters, both result formats, transactions, errors with
their SQLSTATEs, multi-statement strings, session commands, authentication and database selection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from endpoint_support import PASSWORD, USER, Endpoint


def connect(endpoint: Endpoint, database: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(endpoint.url(database), autocommit=True, **kwargs)  # type: ignore[arg-type]


def test_server_reports_redshift(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        assert conn.info.parameter_status("server_version") == "8.0.2"
        assert conn.info.server_version == 80002
        version = conn.execute("SELECT version()").fetchone()
        assert version is not None and version[0].startswith("PostgreSQL 8.0.2 on i686-pc-linux-gnu")
        assert "Redshift 1.0." in version[0]
        assert conn.execute("SELECT current_database()").fetchone() == (database,)
        assert conn.pgconn.ssl_in_use


def test_generated_data_and_parameters(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)
        assert conn.execute("SELECT count(*) FROM orders WHERE customer_id IS NOT NULL").fetchone() == (500,)
        row = conn.execute(
            "SELECT count(*) FROM orders o JOIN customers c ON c.customer_id = o.customer_id WHERE o.order_id > %s",
            [250],
        ).fetchone()
        assert row == (250,)
        echoed = conn.execute(
            "SELECT %s::int + 1, %s, %s::date, %s::timestamp",
            [41, "it's", dt.date(2020, 2, 29), dt.datetime(2020, 1, 1, 1, 2, 3, 500000)],
        ).fetchone()
        assert echoed == (42, "it's", dt.date(2020, 2, 29), dt.datetime(2020, 1, 1, 1, 2, 3, 500000))


@pytest.mark.parametrize("binary", [False, True])
def test_value_formats(endpoint: Endpoint, database: str, binary: bool) -> None:
    sql = (
        "SELECT 1::smallint, 2::int, 3::bigint, 1.5::float, 0.1::float, true, false, 'x'::varchar, "
        "DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00:00.25', TIMESTAMP '2020-01-01 10:00:00', "
        "12.34::decimal(10,2), -0.5::decimal(6,3), NULL::int"
    )
    with connect(endpoint, database) as conn, conn.cursor(binary=binary) as cur:
        row = cur.execute(sql).fetchone()
    assert row == (
        1, 2, 3, 1.5, 0.1, True, False, "x",
        dt.date(2020, 1, 1), dt.datetime(2020, 1, 1, 10, 0, 0, 250000), dt.datetime(2020, 1, 1, 10),
        Decimal("12.34"), Decimal("-0.500"), None,
    )  # fmt: skip


def test_text_output_matches_postgres(endpoint: Endpoint, database: str) -> None:
    """Values as PostgreSQL prints them (psql shows the text format)."""
    sql = (
        "SELECT true, 1e20::float, 1.25::float, TIMESTAMP '2020-01-01 10:00:00.5', TIMESTAMP '2020-01-01 10:00:00', "
        "12.30::decimal(10,2)"
    )
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        cur.execute(sql)
        raw = [cur.pgresult.get_value(0, i) for i in range(6)] if cur.pgresult else []
    assert raw == [b"t", b"1e+20", b"1.25", b"2020-01-01 10:00:00.5", b"2020-01-01 10:00:00", b"12.30"]


def test_redshift_sql_goes_through_the_layer(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        row = conn.execute(
            "SELECT DATEADD(year, 1, '2016-02-29'), DATEDIFF(year, '2008-12-31', '2009-01-01'), NVL(NULL, 'a'), "
            "DECODE(2, 1, 'one', 2, 'two'), LEN('français')"
        ).fetchone()
        assert row == (dt.datetime(2017, 3, 1), 1, "a", "two", 8)
        listed = conn.execute(
            "SELECT LISTAGG(customer_id::varchar, ',') WITHIN GROUP (ORDER BY customer_id) FROM customers "
            "WHERE customer_id <= 3"
        ).fetchone()
        assert listed == ("1,2,3",)


def test_transactions(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        conn.execute("DROP TABLE IF EXISTS tx_probe")
        conn.execute("CREATE TABLE tx_probe (id INT)")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO tx_probe VALUES (1), (2)")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.execute("ROLLBACK")
        assert conn.execute("SELECT count(*) FROM tx_probe").fetchone() == (0,)
        conn.execute("BEGIN")
        conn.execute("INSERT INTO tx_probe VALUES (3)")
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT * FROM no_such_table")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.execute("COMMIT")  # ends the failed transaction: nothing is kept
        assert conn.execute("SELECT count(*) FROM tx_probe").fetchone() == (0,)
        conn.execute("BEGIN; INSERT INTO tx_probe VALUES (4); END")
        assert conn.execute("SELECT count(*) FROM tx_probe").fetchone() == (1,)
        conn.execute("DROP TABLE tx_probe")


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("SELECT * FROM no_such_table", "42P01"),
        ("SELECT no_such_column FROM customers", "42703"),
        ("SELEC 1", "42601"),
    ],
)
def test_errors_carry_sqlstate(endpoint: Endpoint, database: str, sql: str, sqlstate: str) -> None:
    with connect(endpoint, database) as conn:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute(sql)
        assert caught.value.sqlstate == sqlstate
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the session goes on


def test_multi_statement_string(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn, psycopg.ClientCursor(conn) as cur:
        cur.execute("CREATE TEMP TABLE #multi (a INT); INSERT INTO #multi VALUES (1), (2); SELECT sum(a) FROM #multi")
        statuses = [cur.statusmessage]
        while cur.nextset():
            statuses.append(cur.statusmessage)
        assert statuses == ["CREATE TABLE", "INSERT 0 2", "SELECT 1"]
        assert cur.fetchone() == (3,)


def test_session_commands(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        conn.execute("SET query_group TO 'etl'")
        assert conn.execute("SHOW query_group").fetchone() == ("etl",)
        assert conn.execute("SHOW server_version").fetchone() == ("8.0.2",)
        conn.execute("SET enable_case_sensitive_identifier TO off")
        conn.execute("VACUUM customers")
        conn.execute("ANALYZE customers")


def test_wrong_password_is_28p01(endpoint: Endpoint) -> None:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(f"postgresql://{USER}:nope@{endpoint.host}:{endpoint.port}/shop_duck?sslmode=disable")
    assert "password authentication failed" in str(caught.value)
    assert "28P01" in str(caught.value) or getattr(caught.value, "sqlstate", None) in (None, "28P01")


def test_unknown_database_is_3d000(endpoint: Endpoint) -> None:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(endpoint.url("no_such_experiment"))
    assert 'database "no_such_experiment" does not exist' in str(caught.value)


def test_experiment_from_search_path(endpoint: Endpoint) -> None:
    url = f"postgresql://{USER}:{PASSWORD}@{endpoint.host}:{endpoint.port}/dev?options=-csearch_path%3Dshop_duck"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)


def test_plain_connection_without_tls(endpoint: Endpoint, database: str) -> None:
    with psycopg.connect(endpoint.url(database, sslmode="disable")) as conn:
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_copy_inside_a_transaction(endpoint: Endpoint, database: str) -> None:
    """The ETL pattern BEGIN; TRUNCATE; COPY; COMMIT: the COPY runs in the client's transaction."""
    from dw_simulator.staging import LocalStage

    stage = LocalStage(endpoint.settings.data_root / "s3")
    stage.write(f"s3://tx-bucket/{database}/ids.csv", b"1\n2\n3\n")
    copy = f"COPY tx_ids FROM 's3://tx-bucket/{database}/ids.csv' IAM_ROLE 'arn:aws:iam::1:role/r' CSV"
    with connect(endpoint, database) as conn:
        conn.execute("DROP TABLE IF EXISTS tx_ids")
        conn.execute("CREATE TABLE tx_ids (id INT)")
        conn.execute("INSERT INTO tx_ids VALUES (9)")
        conn.execute("BEGIN")
        conn.execute("TRUNCATE tx_ids")
        conn.execute(copy)
        assert conn.execute("SELECT count(*) FROM tx_ids").fetchone() == (3,)
        conn.execute("ROLLBACK")  # the COPY was part of the transaction: it is undone with it
        assert conn.execute("SELECT id FROM tx_ids").fetchall() == [(9,)]
        conn.execute("BEGIN")
        conn.execute("TRUNCATE tx_ids")
        conn.execute(copy)
        conn.execute("COMMIT")
        assert conn.execute("SELECT sum(id) FROM tx_ids").fetchone() == (6,)
        conn.execute("DROP TABLE tx_ids")


def test_column_names_as_postgres_gives_them(endpoint: Endpoint, database: str) -> None:
    """Unaliased expressions are named as PostgreSQL/Redshift name them, on both engines (CREATE TABLE AS too)."""
    sql = (
        "SELECT count(*), max(order_id), 1, order_id::int, '5'::int, NVL(NULL, 'x'), "
        "CASE WHEN order_id > 1 THEN 1 END, order_total FROM orders GROUP BY order_id, order_total LIMIT 1"
    )
    with connect(endpoint, database) as conn, conn.cursor() as cur:
        cur.execute(sql)
        names = [d.name for d in cur.description or []]
        assert names == ["count", "max", "?column?", "order_id", "int4", "coalesce", "case", "order_total"]
        cur.execute("DROP TABLE IF EXISTS named_ctas")
        cur.execute("CREATE TABLE named_ctas AS SELECT customer_id, count(*) FROM orders GROUP BY customer_id")
        cur.execute("SELECT * FROM named_ctas LIMIT 1")
        assert [d.name for d in cur.description or []] == ["customer_id", "count"]
        cur.execute("DROP TABLE named_ctas")


def test_search_path_public_means_the_experiment(endpoint: Endpoint, database: str) -> None:
    with connect(endpoint, database) as conn:
        conn.execute("SET search_path TO '$user', public")
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (100,)
        assert conn.execute("SHOW search_path").fetchone() is not None
