"""Sources: files and folders through DuckDB, a real PostgreSQL server, DuckDB databases; clear errors."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow.csv as pcsv
import pytest
from learn_samples import orders_table, write_sample

from dw_simulator.learn import SourceError, learn_schema, read_samples
from dw_simulator.schema import ExperimentSchema

sys.path.insert(0, str(Path(__file__).parents[1] / "backends" / "postgres"))
from pg_server import postgres_server, scratch_database


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as admin, scratch_database(admin) as url:
        yield url


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "orders.parquet"
    with pytest.raises(SourceError, match=r"cannot read source '.*nowhere/orders\.parquet': no such file"):
        read_samples(str(missing))


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not parquet")
    with pytest.raises(SourceError, match=r"cannot read source '.*broken\.parquet'"):
        read_samples(str(bad))
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(SourceError, match=r"notes\.txt.*not a \.parquet, \.csv or \.json file"):
        read_samples(str(other))


def test_unreachable_url_is_named_without_its_password() -> None:
    url = f"postgresql://learner:s3cret@127.0.0.1:{_closed_port()}/shop"
    with pytest.raises(SourceError) as caught:
        read_samples(url)
    message = caught.value.message
    assert f"127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}/shop" in message and "cannot connect" in message
    assert "s3cret" not in message and "***" in message


def test_unknown_kind_of_url() -> None:
    with pytest.raises(SourceError, match="unknown kind 'mysql://'"):
        read_samples("mysql://u@h/db")


def test_unknown_table_lists_the_tables(tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "s")
    with pytest.raises(SourceError, match=r"no table 'invoices' \(tables: customers, orders\)"):
        read_samples(str(folder), tables=["invoices"])


def test_csv_and_json_files_and_a_bounded_sample(tmp_path: Path) -> None:
    table = orders_table(3000)
    pcsv.write_csv(table.select(["order_id", "amount", "category"]), tmp_path / "orders.csv")
    con = duckdb.connect()
    con.register("t", table.select(["order_id", "qty"]))
    con.execute(f"COPY t TO '{tmp_path / 'lines.json'}' (FORMAT json)")
    samples = {s.table: s for s in read_samples(str(tmp_path), sample_rows=1000)}
    assert set(samples) == {"orders", "lines"}
    assert samples["orders"].data.num_rows == 1000 and samples["orders"].total_rows == 3000
    assert samples["lines"].data.num_rows == 1000
    again = read_samples(str(tmp_path / "orders.csv"), sample_rows=1000)[0]
    assert again.data.equals(samples["orders"].data)  # the same seed draws the same sample


def test_duckdb_database(tmp_path: Path) -> None:
    path = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(path))
    con.register("o", orders_table(500).select(["order_id", "category"]))
    con.execute("CREATE TABLE orders AS SELECT * FROM o")
    con.close()
    samples = read_samples(f"duckdb:///{path}")
    assert [s.table for s in samples] == ["orders"] and samples[0].data.num_rows == 500


def test_postgresql_source(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS learnsrc CASCADE")
        conn.execute("CREATE SCHEMA learnsrc")
        conn.execute("CREATE TABLE learnsrc.customers (customer_id int PRIMARY KEY, segment varchar(12) NOT NULL)")
        conn.execute("CREATE TABLE learnsrc.orders (order_id bigint PRIMARY KEY, customer_id int, "
                     "total numeric(10,2), status varchar(20), ordered_at timestamp)")  # fmt: skip
        conn.execute("INSERT INTO learnsrc.customers SELECT g, CASE WHEN g % 5 = 0 THEN 'pro' ELSE 'retail' END "
                     "FROM generate_series(1, 300) g")  # fmt: skip
        conn.execute("INSERT INTO learnsrc.orders SELECT g, 1 + (g * 7919) % 300, "
                     "round((10 + (g % 97) * 3.5)::numeric, 2), "
                     "CASE WHEN g % 10 < 6 THEN 'shipped' WHEN g % 10 < 9 THEN 'pending' ELSE 'returned' END, "
                     "timestamp '2024-01-01' + (g % 365) * interval '1 day' "
                     "FROM generate_series(1, 5000) g")  # fmt: skip
        conn.execute("ANALYZE learnsrc.orders")
    samples = read_samples(pg_url, schema="learnsrc", sample_rows=2000)
    by_name = {s.table: s for s in samples}
    assert set(by_name) == {"customers", "orders"}
    assert by_name["orders"].total_rows == 5000 and 0 < by_name["orders"].data.num_rows <= 2000
    assert by_name["customers"].data.num_rows == 300
    learned = learn_schema(samples, name="shop_pg")
    schema = ExperimentSchema.model_validate(learned.schema)
    orders = schema.table("orders")
    assert orders is not None
    assert orders.column("total").data_type == "DECIMAL(10,2)"  # type: ignore[union-attr]
    assert orders.column("status").varchar_length == 20  # type: ignore[union-attr]
    status = orders.column("status").distribution  # type: ignore[union-attr]
    assert status is not None and status.values == ["pending", "returned", "shipped"]  # type: ignore[union-attr]
    fk = orders.column("customer_id").foreign_key  # type: ignore[union-attr]
    assert fk is not None and fk.references_table == "customers"
    assert orders.target_rows == 2000 and schema.table("customers").target_rows == 120  # type: ignore[union-attr]


def test_postgresql_schema_in_the_url(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS urlschema CASCADE")
        conn.execute("CREATE SCHEMA urlschema")
        conn.execute("CREATE TABLE urlschema.events (kind varchar(8))")
        conn.execute("INSERT INTO urlschema.events SELECT 'click' FROM generate_series(1, 30)")
    samples = read_samples(f"{pg_url}?schema=urlschema")
    assert [s.table for s in samples] == ["events"] and samples[0].data.num_rows == 30


def test_postgresql_unknown_schema_is_named(pg_url: str) -> None:
    with pytest.raises(SourceError, match=r"schema no_such_schema\)': it holds no tables"):
        read_samples(pg_url, schema="no_such_schema")
