"""Users' SQL reaches only its experiment and the staging area: no file reads or writes elsewhere, no other
experiment's data, no way out of the staging area through `..`; DW_SIM_SQL_SANDBOX=false lifts it."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
import pytest

from dw_simulator.config import Settings
from dw_simulator.errors import QueryError
from dw_simulator.service import Simulator
from dw_simulator.staging import parse_s3_url
from dw_simulator.staging.s3 import LocalStage

EXAMPLES = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"


@pytest.fixture
def two(sim: Simulator) -> Simulator:
    for name in ("mine", "theirs"):
        sim.create_experiment_from_file(EXAMPLES / "ecommerce_experiment.json", name=name, target_warehouse="duckdb")
        sim.generate(name, seed=1, rows={"customers": 10, "orders": 20})
    return sim


def _refused(sim: Simulator, sql: str, *, dialect: str | None = None, match: str = "sandbox") -> str:
    with pytest.raises(QueryError, match=match) as caught:
        sim.query("mine", sql, dialect=dialect)
    return caught.value.message


@pytest.mark.parametrize("dialect", ["duckdb", "redshift"])
def test_duckdb_file_reads_are_refused(two: Simulator, tmp_path: Path, dialect: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    message = _refused(two, f"SELECT * FROM read_csv('{secret}')", dialect=dialect)
    assert "DW_SIM_SQL_SANDBOX=false" in message
    _refused(two, "SELECT * FROM read_text('/etc/passwd')", dialect="duckdb")
    _refused(two, "SELECT * FROM read_csv('/etc/passwd')", dialect="duckdb")
    _refused(two, f"SELECT * FROM read_parquet('{tmp_path}/*.parquet')", dialect="duckdb")


def test_duckdb_file_writes_are_refused(two: Simulator, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    _refused(two, f"COPY customers TO '{target}'", dialect="duckdb")
    _refused(two, f"COPY (SELECT 1) TO '{two.settings.data_root / 'metadata.sqlite'}'", dialect="duckdb")
    assert not target.exists()
    _refused(two, "INSTALL httpfs", dialect="duckdb")
    _refused(two, "SET enable_external_access = true", dialect="duckdb", match="external access")


def test_other_experiments_are_out_of_reach(two: Simulator) -> None:
    theirs = two.settings.warehouse_dir / "duckdb" / "theirs"
    [data_file] = theirs.glob("*/warehouse.duckdb")
    two.query("theirs", "SELECT 1")  # their file is open in this process too
    _refused(two, f"ATTACH '{data_file}' AS t", dialect="duckdb", match="already attached")
    two.release_backends()
    _refused(two, f"ATTACH '{data_file}' AS t", dialect="duckdb")
    for sql in ("SELECT count(*) FROM theirs.customers", "DELETE FROM theirs.customers", "DROP SCHEMA theirs CASCADE"):
        with pytest.raises(QueryError):
            two.query("mine", sql, dialect="duckdb")
    assert two.query("theirs", "SELECT count(*) FROM customers").rows == [(10,)]
    listed = two.query("mine", "SELECT DISTINCT table_schema FROM information_schema.tables", dialect="duckdb").rows
    assert ("theirs",) not in listed


def test_the_staging_folder_stays_reachable(two: Simulator) -> None:
    staged = two.settings.data_root / "s3" / "bucket" / "out.csv"
    staged.parent.mkdir(parents=True)
    two.query("mine", f"COPY (SELECT 42 AS x) TO '{staged}'", dialect="duckdb")
    assert two.query("mine", f"SELECT x FROM read_csv('{staged}')", dialect="duckdb").rows == [(42,)]
    two.query("mine", "UNLOAD ('SELECT customer_id FROM customers') TO 's3://bucket/unloaded/c_' FORMAT PARQUET")
    assert list((two.settings.data_root / "s3" / "bucket" / "unloaded").iterdir())


def test_the_setting_lifts_the_sandbox(tmp_path: Path) -> None:
    secret = tmp_path / "readable.csv"
    secret.write_text("a\n1\n")
    with Simulator(Settings(data_root=tmp_path / "data", sql_sandbox=False)) as sim:
        sim.create_experiment_from_file(EXAMPLES / "ecommerce_experiment.json", name="open")
        assert sim.query("open", f"SELECT a FROM read_csv('{secret}')", dialect="duckdb").rows == [(1,)]


@pytest.mark.parametrize(
    "url",
    [
        "s3://bucket/exp/../../etc/passwd",
        "s3://bucket/../other-bucket/x",
        "s3://bucket/./x",
        "s3://bucket/a/..",
        "s3://../x",
        "s3://bucket/a\\..\\b",
        "s3://bucket/a\x00b",
        "s3://bu/cket" + "/" * 0 + "/../x",
    ],
)
def test_traversal_in_staged_urls_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"outside|bucket name"):
        parse_s3_url(url)
    stage = LocalStage(tmp_path / "s3")
    with pytest.raises(QueryError):
        stage.write(url, b"x")
    assert not list(tmp_path.rglob("passwd")) and not (tmp_path / "x").exists()


def test_unload_with_dotdot_writes_nothing(two: Simulator) -> None:
    with pytest.raises(QueryError, match="outside the staging area"):
        two.query("mine", "UNLOAD ('SELECT 1') TO 's3://bucket/exp/../../../escape_' FORMAT PARQUET")
    assert not list(two.settings.data_root.parent.rglob("escape_*"))


def test_unload_to_s3_with_dotdot_is_refused_before_any_object(tmp_path: Path, pg_url: str, s3_endpoint: str) -> None:
    settings = Settings(data_root=tmp_path / "d", redshift_url=pg_url, s3_endpoint_url=s3_endpoint, s3_bucket="stg")
    with Simulator(settings) as sim:
        sim.create_experiment_from_file(
            EXAMPLES / "ecommerce_experiment.json", name="unload_pg", target_warehouse="redshift"
        )
        stage = sim.backend("redshift").stage  # type: ignore[attr-defined]
        with pytest.raises(QueryError, match="outside the staging area"):
            sim.query("unload_pg", "UNLOAD ('SELECT 1') TO 's3://stg/unload_pg/../../other/x_' FORMAT PARQUET")
        stage.write("s3://stg/marker", b"")  # the bucket exists: the listing below is real
        assert stage.list("s3://stg/") == ["s3://stg/marker"]
        sim.delete_experiment("unload_pg")


def test_postgres_superuser_url_is_warned_about(tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with psycopg.connect(pg_url, connect_timeout=10) as conn:
        row = conn.execute("SELECT current_setting('is_superuser')").fetchone()
    if not row or row[0] != "on":
        pytest.fail("the test database's role is expected to be a superuser")
    from dw_simulator.backends.postgres import backend as pg_backend

    pg_backend._WARNED_SUPERUSER.discard(pg_url)
    with caplog.at_level(logging.WARNING), Simulator(Settings(data_root=tmp_path / "d", redshift_url=pg_url)) as sim:
        sim.backend("redshift").ping()
    warnings = [r.getMessage() for r in caplog.records if "superuser" in r.getMessage()]
    assert warnings and "pg_read_file" in warnings[0] and "DW_SIM_SQL_SANDBOX=false" in warnings[0]
    pg_backend._WARNED_SUPERUSER.discard(pg_url)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        quiet = Settings(data_root=tmp_path / "e", redshift_url=pg_url, sql_sandbox=False)
        with Simulator(quiet) as sim:
            sim.backend("redshift").ping()
    assert not [r for r in caplog.records if "superuser" in r.getMessage()]


def test_redshift_endpoint_sessions_are_sandboxed_too(two: Simulator) -> None:
    from dw_simulator.endpoints.redshift.runner import EndpointThread
    from dw_simulator.endpoints.redshift.server import EndpointConfig

    two.release_backends()
    config = EndpointConfig.from_settings(two.settings, host="127.0.0.1", port=0, tls=False)
    with EndpointThread(two, config) as thread:
        url = f"postgresql://mockuser:mockpass@127.0.0.1:{thread.port}/mine?sslmode=disable"
        with psycopg.connect(url, connect_timeout=10, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM customers").fetchone() == (10,)
            with pytest.raises(psycopg.Error, match="sandbox"):
                conn.execute("SELECT * FROM read_csv('/etc/passwd')")
            with pytest.raises(psycopg.Error):
                conn.execute("SELECT count(*) FROM theirs.customers")
