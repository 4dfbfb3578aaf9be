"""S3 staging against a real moto server, and generate -> stage to S3 -> COPY -> query end to end on PostgreSQL."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dw_simulator.config import Settings
from dw_simulator.errors import QueryError
from dw_simulator.service import Simulator
from dw_simulator.staging import LocalStage, S3Stage, parse_s3_url, stage_for

EXAMPLES = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"


def test_parse_s3_url_names_the_bad_input() -> None:
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    with pytest.raises(QueryError, match="'http://x' is not an S3 URL"):
        parse_s3_url("http://x")


def test_s3_stage_round_trip_and_prefix_listing(s3_endpoint: str, tmp_path: Path) -> None:
    stage = S3Stage(s3_endpoint, access_key_id="test", secret_access_key="test")
    stage.write("s3://rt-bucket/exp/run-1/t/a.txt", b"hello")
    local = tmp_path / "b.txt"
    local.write_bytes(b"world")
    stage.upload(local, "s3://rt-bucket/exp/run-1/t/b.txt")
    stage.write("s3://rt-bucket/other/c.txt", b"!")
    assert stage.list("s3://rt-bucket/exp/") == ["s3://rt-bucket/exp/run-1/t/a.txt", "s3://rt-bucket/exp/run-1/t/b.txt"]
    assert stage.read("s3://rt-bucket/exp/run-1/t/b.txt") == b"world"
    assert stage.delete_prefix("s3://rt-bucket/exp/") == 2
    assert stage.list("s3://rt-bucket/exp/") == []
    with pytest.raises(QueryError, match="NoSuchKey"):
        stage.read("s3://rt-bucket/missing")


def test_stage_for_uses_the_local_folder_without_an_endpoint(tmp_path: Path) -> None:
    stage = stage_for(Settings(data_root=tmp_path))
    assert isinstance(stage, LocalStage)
    stage.write("s3://b/k/x.csv", b"1\n")
    assert (tmp_path / "s3" / "b" / "k" / "x.csv").read_bytes() == b"1\n"
    with pytest.raises(QueryError, match="outside"):
        stage.write("s3://b/../../escape", b"")


@pytest.fixture
def s3_sim(tmp_path: Path, pg_url: str, s3_endpoint: str) -> Simulator:
    settings = Settings(
        data_root=tmp_path / "data", redshift_url=pg_url, s3_endpoint_url=s3_endpoint, s3_bucket="e2e-staging"
    )
    sim = Simulator(settings)
    yield sim
    sim.close()


@pytest.mark.parametrize(
    ("example", "checks"),
    [
        (
            "ecommerce_experiment.json",
            "SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id "
            "WHERE c.customer_id IS NULL AND o.customer_id IS NOT NULL",
        ),
        (
            "retail_analytics.json",
            "SELECT COUNT(*) FROM order_items i LEFT JOIN orders o ON o.order_id = i.order_id "
            "WHERE o.order_id IS NULL AND i.order_id IS NOT NULL",
        ),
        ("sales_experiment.json", "SELECT COUNT(*) - COUNT(DISTINCT _row_id) FROM sales"),
    ],
)
def test_generate_stage_copy_query_delete(s3_sim: Simulator, example: str, checks: str) -> None:
    info = s3_sim.create_experiment_from_file(EXAMPLES / example, target_warehouse="redshift")
    assert info.target_warehouse == "redshift"
    run = s3_sim.generate(info.name, seed=7)
    assert run.status == "COMPLETED", run.error_message
    schema = s3_sim.get_schema(info.name)
    stage = s3_sim.backend("redshift").stage  # type: ignore[attr-defined]
    for table in schema.tables:
        assert run.row_counts[table.name] == table.target_rows
        staged = stage.list(f"s3://e2e-staging/{info.name}/run-{run.id:06d}/{table.name}/")
        assert staged and all(u.endswith(".parquet") for u in staged)
        count = s3_sim.query(info.name, f"SELECT COUNT(*) FROM {table.name}").rows[0][0]
        assert count == table.target_rows
    assert s3_sim.query(info.name, checks).rows == [(0,)]
    # Redshift SQL on the loaded data, through the same layer users' queries take
    first = schema.tables[0]
    top = s3_sim.query(info.name, f"SELECT TOP 3 * FROM {first.name}")
    assert len(top.rows) == 3
    # a second run replaces the data
    again = s3_sim.generate(info.name, seed=8, rows={first.name: 5})
    assert again.status == "COMPLETED", again.error_message
    assert s3_sim.query(info.name, f"SELECT COUNT(*) FROM {first.name}").rows == [(5,)]
    assert s3_sim.delete_experiment(info.name) == len(schema.tables)
    assert stage.list(f"s3://e2e-staging/{info.name}/") == []


def test_user_copy_and_unload_through_s3(s3_sim: Simulator, tmp_path: Path) -> None:
    s3_sim.create_experiment_from_file(
        EXAMPLES / "ecommerce_experiment.json", name="copy_s3", target_warehouse="redshift"
    )
    stage = s3_sim.backend("redshift").stage  # type: ignore[attr-defined]
    stage.write("s3://user-bucket/in/customers.csv.gz", gzip.compress(b"customer_id,email\n1,a@x.io\n2,b@x.io\n"))
    s3_sim.query(
        "copy_s3",
        "COPY customers FROM 's3://user-bucket/in/' IAM_ROLE 'arn:aws:iam::1:role/r' CSV IGNOREHEADER 1 GZIP "
        "REGION 'us-east-1'",
    )
    assert s3_sim.query(
        "copy_s3", "SELECT LISTAGG(email, ';') WITHIN GROUP (ORDER BY customer_id) FROM customers"
    ).rows == [("a@x.io;b@x.io",)]
    s3_sim.query("copy_s3", "UNLOAD ('SELECT * FROM customers ORDER BY 1') TO 's3://user-bucket/out/c_' FORMAT PARQUET")
    [url] = stage.list("s3://user-bucket/out/")
    assert url == "s3://user-bucket/out/c_0000_part_00.parquet"
    path = tmp_path / "c.parquet"
    path.write_bytes(stage.read(url))
    assert pq.read_table(path).to_pylist() == [
        {"customer_id": 1, "email": "a@x.io"},
        {"customer_id": 2, "email": "b@x.io"},
    ]
    s3_sim.delete_experiment("copy_s3")


def test_failed_load_keeps_the_previous_data(s3_sim: Simulator, tmp_path: Path) -> None:
    """Atomic replacement: a load that fails on its second table leaves both tables as they were."""
    s3_sim.create_experiment_from_file(
        EXAMPLES / "ecommerce_experiment.json", name="atomic_s3", target_warehouse="redshift"
    )
    run = s3_sim.generate("atomic_s3", seed=1)
    assert run.status == "COMPLETED"
    backend = s3_sim.backend("redshift")
    schema = s3_sim.get_schema("atomic_s3")
    good = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"customer_id": pa.array([1], pa.int32()), "email": ["z@z.io"]}), good)
    bad = tmp_path / "orders.parquet"  # order_id is NOT NULL: a null makes the COPY fail
    pq.write_table(
        pa.table(
            {"order_id": pa.array([None], pa.int32()), "customer_id": pa.array([1], pa.int32()), "order_total": [1.0]}
        ),
        bad,
    )
    with pytest.raises(QueryError, match="Load into table 'orders' failed"):
        backend.load_tables(schema, {"customers": [good], "orders": [bad]})
    assert s3_sim.query("atomic_s3", "SELECT COUNT(*) FROM customers").rows == [(100,)]
    assert s3_sim.query("atomic_s3", "SELECT COUNT(*) FROM orders").rows == [(500,)]
    errors = s3_sim.query("atomic_s3", "SELECT err_code FROM stl_load_errors WHERE filename LIKE '%atomic_s3%orders%'")
    assert errors.rows
    s3_sim.delete_experiment("atomic_s3")


def test_staging_is_traced(s3_sim: Simulator, examples: Path) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from dw_simulator import observability

    exporter = InMemorySpanExporter()
    assert observability.configure_tracing(exporter=exporter)
    try:
        s3_sim.create_experiment_from_file(examples / "ecommerce_experiment.json", name="traced_stage")
        assert s3_sim.generate("traced_stage", seed=1).status == "COMPLETED"
        observability.flush_tracing()
        names = [s.name for s in exporter.get_finished_spans()]
        assert {"dwsim.stage", "dwsim.load", "dwsim.generation"} <= set(names)
        stage = next(s for s in exporter.get_finished_spans() if s.name == "dwsim.stage")
        assert stage.attributes is not None and stage.attributes.get("warehouse") == "redshift"
    finally:
        observability.shutdown_tracing()
        s3_sim.delete_experiment("traced_stage")
