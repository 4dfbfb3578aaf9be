"""The embedded Snowflake endpoint through the real snowflake-connector-python over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import snowflake.connector
from sfhelpers import connect_kwargs, write_parquet
from snowflake.connector import DictCursor
from snowflake.connector.errors import ProgrammingError

from dw_simulator.backends.snowflake.endpoint import EmbeddedEndpoint
from dw_simulator.backends.snowflake.instance import EngineConfig


def rows(cursor: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in cursor.execute(sql).fetchall()]


def test_connect_create_insert_query(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    assert rows(cur, "SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")[0][1] == "PUBLIC"
    cur.execute("CREATE TABLE customers (id INT, name VARCHAR(40), joined DATE, balance NUMBER(10, 2))")
    cur.execute(
        "INSERT INTO customers VALUES (1, 'Ada', '2024-01-02', 10.50), (2, 'Grace', '2024-02-03', 20.25), "
        "(3, 'Linus', NULL, NULL)"
    )
    assert rows(cur, "SELECT COUNT(*), SUM(balance) FROM customers") == [(3, pytest.approx(30.75))]
    dict_cur = fresh_db.cursor(DictCursor)
    dict_cur.execute("SELECT name, COUNT(*) FROM customers WHERE joined IS NOT NULL GROUP BY name ORDER BY name")
    assert dict_cur.fetchall() == [{"NAME": "Ada", "COUNT(*)": 1}, {"NAME": "Grace", "COUNT(*)": 1}]


def test_sum_of_integers_is_an_exact_number(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE big (n BIGINT)")
    cur.execute("INSERT INTO big VALUES (9007199254740993), (1)")
    # 2**53 + 2 is not representable as a double: the sum must stay an integer
    assert rows(cur, "SELECT SUM(n) FROM big") == [(9007199254740994,)]
    # a VARIANT path is cast to a number implicitly, as on Snowflake
    cur.execute("CREATE TABLE docs (v VARIANT)")
    cur.execute(
        """INSERT INTO docs SELECT PARSE_JSON('{"amount": 2.5}') UNION ALL SELECT PARSE_JSON('{"amount": 4}')"""
    )
    assert rows(cur, "SELECT SUM(v:amount) FROM docs") == [(pytest.approx(6.5),)]


def test_errors_are_sql_errors_not_retries(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    with pytest.raises(ProgrammingError, match="does not exist"):
        cur.execute("SELECT * FROM no_such_table")
    with pytest.raises(ProgrammingError, match="LANGUAGE JAVASCRIPT"):
        cur.execute("CREATE FUNCTION js_udf(x FLOAT) RETURNS FLOAT LANGUAGE JAVASCRIPT AS 'return X'")
    assert rows(cur, "SELECT 1") == [(1,)]  # the session still works


def test_context_functions_report_configured_names(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    assert rows(cur, "SELECT CURRENT_WAREHOUSE(), CURRENT_ROLE(), CURRENT_USER()") == [("TEST_WH", "ANALYST", "TESTER")]


def test_sql_udf_computes_its_body(fresh_db: Any) -> None:
    cur = fresh_db.cursor()
    cur.execute("CREATE FUNCTION add_tax(amount NUMBER(10, 2)) RETURNS NUMBER(10, 2) AS 'amount * 1.2'")
    assert rows(cur, "SELECT add_tax(10)") == [(pytest.approx(12.0),)]
    cur.execute("DROP FUNCTION add_tax(NUMBER)")
    with pytest.raises(ProgrammingError):
        cur.execute("SELECT add_tax(10)")


def test_put_and_copy_into_from_internal_stage(fresh_db: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    for i in range(2):
        write_parquet(
            tmp_path / "batch" / f"part-{i}.parquet",
            {
                "id": pa.array([i * 10 + k for k in range(10)], pa.int64()),
                "label": pa.array([f"row {i * 10 + k}" for k in range(10)]),
                "payload": pa.array([json.dumps({"customer": {"id": k}, "tags": ["a", "b"]}) for k in range(10)]),
            },
        )
    cur = fresh_db.cursor()
    cur.execute("CREATE TABLE events (id BIGINT, label VARCHAR, payload VARIANT)")
    cur.execute("CREATE STAGE load_stage")
    put = rows(cur, f"PUT 'file://{tmp_path}/batch/*.parquet' @load_stage/run1/ AUTO_COMPRESS = FALSE")
    assert sorted(r[0] for r in put) == ["part-0.parquet", "part-1.parquet"]
    assert len(rows(cur, "LIST @load_stage")) == 2
    copied = rows(
        cur,
        "COPY INTO events (id, label, payload) FROM (SELECT $1:id, $1:label, PARSE_JSON($1:payload) "
        "FROM @load_stage/run1/) FILE_FORMAT = (TYPE = PARQUET)",
    )
    assert sorted((r[0], r[1], r[3]) for r in copied) == [
        ("load_stage/run1/part-0.parquet", "LOADED", 10),
        ("load_stage/run1/part-1.parquet", "LOADED", 10),
    ]
    assert rows(cur, "SELECT COUNT(*), COUNT(DISTINCT id) FROM events") == [(20, 20)]
    # semi-structured paths on the loaded VARIANT
    assert rows(cur, "SELECT payload:customer.id::string FROM events WHERE id = 13") == [("3",)]
    assert rows(cur, "SELECT COUNT(*) FROM events, LATERAL FLATTEN(input => payload:tags) t") == [(40,)]
    # the load history skips files already loaded unless FORCE = TRUE
    again = rows(
        cur,
        "COPY INTO events FROM @load_stage/run1/ FILE_FORMAT = (TYPE = PARQUET) "
        "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE",
    )
    assert {r[1] for r in again} == {"LOAD_SKIPPED"}
    forced = rows(
        cur,
        "COPY INTO events FROM @load_stage/run1/ FILE_FORMAT = (TYPE = PARQUET) "
        "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FORCE = TRUE PURGE = TRUE",
    )
    assert sum(r[3] for r in forced) == 20
    assert rows(cur, "SELECT COUNT(*) FROM events") == [(40,)]
    # matched by name, a Parquet string stays a string in the VARIANT, as on Snowflake
    assert rows(cur, "SELECT TYPEOF(payload) FROM events WHERE id = 1 ORDER BY 1") == [("OBJECT",), ("VARCHAR",)]
    assert rows(cur, "LIST @load_stage") == []  # PURGE removed the files


def test_copy_into_from_an_s3_stage_on_moto(fresh_db: Any, tmp_path: Path, moto_s3: str, s3_client: Any) -> None:
    import pyarrow as pa

    bucket = f"stage-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=bucket)
    for i in range(3):
        path = write_parquet(
            tmp_path / f"p{i}.parquet",
            {"order_id": pa.array([i * 100 + k for k in range(5)]), "amount": pa.array([1.5] * 5)},
        )
        s3_client.upload_file(str(path), bucket, f"exports/orders/part-{i}.parquet")
    s3_client.put_object(Bucket=bucket, Key="exports/other/ignored.parquet", Body=b"not parquet")
    # a dedicated endpoint that knows the S3 endpoint (settings.s3_endpoint_url in dw-sim)
    endpoint = EmbeddedEndpoint(EngineConfig(db_dir=tmp_path / "db", s3_endpoint_url=moto_s3, work_dir=tmp_path / "w"))
    address = endpoint.start()
    try:
        conn = snowflake.connector.connect(**connect_kwargs(address, database="S3TEST", schema="PUBLIC"))
        cur = conn.cursor()
        cur.execute("CREATE TABLE orders (order_id INT, amount FLOAT)")
        cur.execute(
            f"CREATE STAGE ext URL = 's3://{bucket}/exports/' "
            "CREDENTIALS = (AWS_KEY_ID = 'testing' AWS_SECRET_KEY = 'testing')"
        )
        loaded = rows(
            cur,
            "COPY INTO orders FROM @ext/orders/ FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE",
        )
        assert sorted(r[0] for r in loaded) == [f"s3://{bucket}/exports/orders/part-{i}.parquet" for i in range(3)]
        assert rows(cur, "SELECT COUNT(*), SUM(amount) FROM orders") == [(15, pytest.approx(22.5))]
        # a literal s3:// location with PATTERN and PURGE
        cur.execute("TRUNCATE TABLE orders")
        rows(
            cur,
            f"COPY INTO orders FROM 's3://{bucket}/exports/orders/' FILE_FORMAT = (TYPE = PARQUET) "
            "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE PATTERN = '.*part-[01][.]parquet' FORCE = TRUE PURGE = TRUE",
        )
        assert rows(cur, "SELECT COUNT(*) FROM orders") == [(10,)]
        left = s3_client.list_objects_v2(Bucket=bucket, Prefix="exports/orders/")["Contents"]
        assert [o["Key"] for o in left] == ["exports/orders/part-2.parquet"]
        # other formats go to fakesnow's COPY, reading a local copy; history and results name the S3 objects
        s3_client.put_object(Bucket=bucket, Key="exports/csv/a.csv", Body=b"order_id,amount\n1,2.5\n2,3.5\n")
        cur.execute("CREATE TABLE csv_orders (order_id INT, amount FLOAT)")
        first = rows(cur, "COPY INTO csv_orders FROM @ext/csv/ FILE_FORMAT = (TYPE = CSV SKIP_HEADER = 1)")
        assert [(r[0], r[1], r[3]) for r in first] == [(f"s3://{bucket}/exports/csv/a.csv", "LOADED", 2)]
        assert rows(cur, "COPY INTO csv_orders FROM @ext/csv/ FILE_FORMAT = (TYPE = CSV SKIP_HEADER = 1)") == [
            ("Copy executed with 0 files processed.",)
        ]
        assert rows(cur, "SELECT COUNT(*), SUM(amount) FROM csv_orders") == [(2, pytest.approx(6.0))]
        conn.close()
    finally:
        endpoint.stop()


def test_eight_concurrent_connections(connect: Any) -> None:
    """Eight clients at once, each with its own session, creating, writing and reading (fakesnow alone fails at 4)."""
    name = f"CONC_{uuid.uuid4().hex[:8].upper()}"
    setup = connect(database=name, schema="PUBLIC")
    setup.cursor().execute("CREATE TABLE shared (worker INT, n INT)")
    errors: list[str] = []
    results: dict[int, tuple[Any, ...]] = {}
    barrier = threading.Barrier(8)

    def work(worker: int) -> None:
        try:
            conn = snowflake.connector.connect(**connect_kwargs(setup_address, database=name, schema="PUBLIC"))
            barrier.wait(timeout=30)
            cur = conn.cursor()
            cur.execute(f"CREATE TABLE own_{worker} (n INT)")
            for n in range(5):
                cur.execute(f"INSERT INTO own_{worker} VALUES ({n})")
                cur.execute(f"INSERT INTO shared VALUES ({worker}, {n})")
            results[worker] = tuple(cur.execute(f"SELECT COUNT(*), SUM(n) FROM own_{worker}").fetchone())
            conn.close()
        except Exception as exc:
            errors.append(f"worker {worker}: {exc}")

    setup_address = _address_of(setup)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == {i: (5, 10) for i in range(8)}
    assert rows(setup.cursor(), "SELECT COUNT(*), COUNT(DISTINCT worker) FROM shared") == [(40, 8)]


def _address_of(conn: Any) -> Any:
    from dw_simulator.backends.snowflake.endpoint import EndpointAddress

    return EndpointAddress(conn.host, conn.port, 0, conn._protocol)


def test_databases_survive_a_restart(tmp_path: Path) -> None:
    config = EngineConfig(db_dir=tmp_path / "db")
    first = EmbeddedEndpoint(config)
    conn = snowflake.connector.connect(**connect_kwargs(first.start(), database="KEEP", schema="PUBLIC"))
    conn.cursor().execute("CREATE TABLE t (v VARCHAR(10))")
    conn.cursor().execute("INSERT INTO t VALUES ('kept')")
    conn.close()
    first.stop()
    second = EmbeddedEndpoint(config)
    try:
        conn = snowflake.connector.connect(**connect_kwargs(second.start()))
        cur = conn.cursor()
        assert rows(cur, "SELECT v FROM keep.public.t") == [("kept",)]
        cur.execute("DROP DATABASE keep")
        assert not (tmp_path / "db" / "KEEP.db").exists()
        conn.close()
    finally:
        second.stop()
