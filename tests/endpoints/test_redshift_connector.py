"""redshift_connector, Amazon's driver, on its default connect path (ssl=True, sslmode='verify-ca'; the local
certificate is trusted through SSL_CERT_FILE) and its metadata calls, on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from endpoint_support import PASSWORD, USER, Endpoint, require

require("redshift_connector")
import redshift_connector  # noqa: E402


@pytest.fixture
def conn(endpoint: Endpoint, database: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(endpoint.bundle))
    connection = redshift_connector.connect(
        host=endpoint.host, port=endpoint.port, database=database, user=USER, password=PASSWORD
    )
    try:
        yield connection
    finally:
        connection.close()


def test_default_connect_and_query(conn, database: str) -> None:
    cursor = conn.cursor()
    cursor.execute("SELECT count(*), min(order_id), max(order_id) FROM orders WHERE order_id > %s", (100,))
    assert cursor.fetchall() == ([400, 101, 500],)
    cursor.execute("SELECT DATEADD(day, 1, '2020-02-28'::date), TRUE, 1.5::float, 'x', NULL")
    assert cursor.fetchall() == ([dt.datetime(2020, 2, 29), True, 1.5, "x", None],)
    cursor.execute("SELECT customer_id, email FROM customers ORDER BY customer_id LIMIT 2")
    assert [d[0] for d in cursor.description] == ["customer_id", "email"]
    assert [row[0] for row in cursor.fetchall()] == [1, 2]
    conn.rollback()


def test_metadata_calls(conn, database: str) -> None:
    cursor = conn.cursor()
    tables = cursor.get_tables(table_name_pattern="%")
    names = {(row[1], row[2]) for row in tables}
    assert {(database.lower(), "customers"), (database.lower(), "orders")} <= names
    columns = cursor.get_columns(tablename_pattern="orders")
    by_name = {row[3]: row for row in columns if row[1] == database.lower()}
    assert list(by_name) == ["order_id", "customer_id", "order_total"]
    assert by_name["order_id"][5] == "int4" and by_name["order_total"][5] == "float8"
    schemas = {row[0] for row in cursor.get_schemas()}
    assert database.lower() in schemas


def test_copy_and_unload_over_the_extended_protocol(conn, endpoint: Endpoint, database: str) -> None:
    from dw_simulator.staging import LocalStage

    stage = LocalStage(endpoint.settings.data_root / "s3")
    stage.write(f"s3://rc-bucket/{database}/in/people.csv", b"id,name\n1,ann\n2,bob\n")
    conn.autocommit = True
    cursor = conn.cursor()
    cursor.execute("DROP TABLE IF EXISTS rc_people")
    cursor.execute("CREATE TABLE rc_people (id INT, name VARCHAR(10))")
    cursor.execute(
        f"COPY rc_people FROM 's3://rc-bucket/{database}/in/people.csv' "
        "IAM_ROLE 'arn:aws:iam::123456789012:role/x' FORMAT AS CSV IGNOREHEADER 1"
    )
    cursor.execute("SELECT id, name FROM rc_people ORDER BY id")
    assert cursor.fetchall() == ([1, "ann"], [2, "bob"])
    cursor.execute(
        f"UNLOAD ('SELECT name FROM rc_people ORDER BY id') TO 's3://rc-bucket/{database}/out/' "
        "IAM_ROLE 'arn:aws:iam::123456789012:role/x' FORMAT CSV PARALLEL OFF ALLOWOVERWRITE"
    )
    written = stage.list(f"s3://rc-bucket/{database}/out/")
    assert written and b"ann" in stage.read(written[0])
    cursor.execute("DROP TABLE rc_people")


def test_metadata_with_a_schema_pattern(conn, database: str) -> None:
    # a schema_pattern first asks svv_external_schemas, then filters on select-list aliases (TABLE_SCHEM LIKE ?)
    cursor = conn.cursor()
    tables = [(row[1], row[2], row[3]) for row in cursor.get_tables(schema_pattern=database, table_name_pattern="%")]
    assert (database, "orders", "TABLE") in tables and (database, "customers", "TABLE") in tables
    assert all(schema == database for schema, _, _ in tables)
    columns = [row[3] for row in cursor.get_columns(schema_pattern=database, tablename_pattern="orders")]
    assert columns == ["order_id", "customer_id", "order_total"]
    assert cursor.get_tables(schema_pattern="no_such_schema") == ()


def test_write_and_fetch_dataframe(conn, database: str) -> None:
    pd = pytest.importorskip("pandas")
    cursor = conn.cursor()
    cursor.execute("DROP TABLE IF EXISTS rc_frame")
    cursor.execute("CREATE TABLE rc_frame (id integer, label varchar(10))")
    cursor.write_dataframe(pd.DataFrame({"id": [1, 2, 3], "label": ["a", "b", None]}), "rc_frame")
    conn.commit()
    frame = cursor.execute("SELECT id, label FROM rc_frame ORDER BY id").fetch_dataframe()
    assert frame["id"].tolist() == [1, 2, 3] and frame["label"].tolist()[:2] == ["a", "b"]
    cursor.execute("DROP TABLE rc_frame")
    conn.commit()
