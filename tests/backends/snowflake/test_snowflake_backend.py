"""SnowflakeBackend against the embedded endpoint it starts itself (real connector, PUT + COPY INTO loading)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dw_simulator.backends import backend_for
from dw_simulator.backends.snowflake import SnowflakeBackend
from dw_simulator.backends.snowflake.connection import resolve_endpoint
from dw_simulator.backends.snowflake.endpoint import snowflake_dir, stop_shared_endpoints
from dw_simulator.config import Settings
from dw_simulator.errors import BackendUnavailableError, QueryError
from dw_simulator.schema import ExperimentSchema, load_schema_data

TYPES = {
    "name": "sf_types",
    "target_warehouse": "snowflake",
    "tables": [
        {
            "name": "all_types",
            "columns": [
                {"name": "id", "data_type": "BIGINT", "required": True},
                {"name": "small", "data_type": "SMALLINT"},
                {"name": "qty", "data_type": "INT"},
                {"name": "price", "data_type": "DECIMAL(10,2)"},
                {"name": "score", "data_type": "FLOAT"},
                {"name": "code", "data_type": "CHAR(2)"},
                {"name": "label", "data_type": "VARCHAR(20)"},
                {"name": "active", "data_type": "BOOLEAN"},
                {"name": "day", "data_type": "DATE"},
                {"name": "at_time", "data_type": "TIME"},
                {"name": "created", "data_type": "TIMESTAMP"},
                {"name": "created_tz", "data_type": "TIMESTAMPTZ"},
                {"name": "raw", "data_type": "BINARY"},
                {"name": "doc", "data_type": "VARIANT"},
                {"name": "attrs", "data_type": "OBJECT"},
                {"name": "tags", "data_type": "ARRAY"},
            ],
        },
        {
            "name": "notes",
            "columns": [{"name": "note_id", "data_type": "INT"}, {"name": "body", "data_type": "VARCHAR"}],
        },
    ],
}


def types_table(ids: list[int]) -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "small": pa.array([i % 7 for i in ids], pa.int16()),
            "qty": pa.array([i * 2 for i in ids], pa.int32()),
            "price": pa.array([Decimal(f"{i}.25") for i in ids], pa.decimal128(10, 2)),
            "score": pa.array([i / 4 for i in ids], pa.float64()),
            "code": pa.array(["AB"] * n),
            "label": pa.array([f"item {i}" for i in ids]),
            "active": pa.array([i % 2 == 0 for i in ids]),
            "day": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in ids], pa.date32()),
            "at_time": pa.array([dt.time(12, 30, i % 60) for i in ids], pa.time64("us")),
            "created": pa.array(
                [dt.datetime(2024, 1, 1, 8, 0) + dt.timedelta(hours=i) for i in ids], pa.timestamp("us")
            ),
            "created_tz": pa.array(
                [dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i) for i in ids],
                pa.timestamp("us", "UTC"),
            ),
            "raw": pa.array([bytes([i % 256, 1]) for i in ids], pa.binary()),
            "doc": pa.array([json.dumps({"customer": {"id": i, "name": f"c{i}"}}) for i in ids]),
            "attrs": pa.array([json.dumps({"color": "red" if i % 2 else "blue"}) for i in ids]),
            "tags": pa.array([json.dumps(["x", "y", "z"][: 1 + i % 3]) for i in ids]),
        }
    )


def write(path: Path, table: pa.Table) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings(data_root=tmp_path_factory.mktemp("sf-backend"))
    yield settings
    stop_shared_endpoints({snowflake_dir(settings)})


@pytest.fixture(scope="module")
def backend(module_settings: Settings) -> Iterator[SnowflakeBackend]:
    instance = backend_for("snowflake", module_settings)
    assert isinstance(instance, SnowflakeBackend)
    yield instance
    instance.close()


@pytest.fixture
def schema(backend: SnowflakeBackend) -> Iterator[ExperimentSchema]:
    model = load_schema_data(TYPES)
    backend.create_experiment(model)
    yield model
    with backend.drop_experiment(model.name):
        pass


def test_create_experiment_maps_types(backend: SnowflakeBackend, schema: ExperimentSchema) -> None:
    assert backend.existing_tables(schema.name) == ["ALL_TYPES", "NOTES"]
    assert backend.physical_name(schema.name, "all_types") == '"SF_TYPES"."PUBLIC"."ALL_TYPES"'
    described = backend.query(schema.name, "DESCRIBE TABLE all_types", dialect="snowflake", limit=None)
    types = {row[0]: row[1] for row in described.rows}
    assert types["ID"] == "NUMBER(38,0)"
    assert types["PRICE"] == "NUMBER(10,2)"
    assert types["CODE"] == "VARCHAR(2)"
    assert types["LABEL"] == "VARCHAR(20)"
    assert types["CREATED"].startswith("TIMESTAMP_NTZ")
    assert types["CREATED_TZ"].startswith("TIMESTAMP_TZ")
    assert {types["DOC"], types["ATTRS"], types["TAGS"]} == {"VARIANT"}


def test_load_all_types_and_query_semi_structured(
    backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path
) -> None:
    files = [
        write(tmp_path / "run" / "all_types" / f"part-{i}.parquet", types_table(list(range(i * 5, i * 5 + 5))))
        for i in range(2)
    ]
    loaded = backend.load_tables(schema, {"all_types": files, "notes": []})
    assert loaded == {"all_types": 10, "notes": 0}
    result = backend.query(
        schema.name,
        "SELECT id, small, qty, price, score, code, label, active, day, at_time, created, created_tz, raw "
        "FROM all_types WHERE id = 3",
        dialect="snowflake",
        limit=None,
    )
    row = dict(zip(result.columns, result.rows[0], strict=True))
    assert row["ID"] == 3 and row["SMALL"] == 3 and row["QTY"] == 6
    assert row["PRICE"] == Decimal("3.25") and row["SCORE"] == pytest.approx(0.75)
    assert row["CODE"] == "AB" and row["LABEL"] == "item 3" and row["ACTIVE"] is False
    assert row["DAY"] == dt.date(2024, 1, 4) and row["AT_TIME"] == dt.time(12, 30, 3)
    assert row["CREATED"] == dt.datetime(2024, 1, 1, 11, 0)
    assert row["CREATED_TZ"] == dt.datetime(2024, 1, 1, 0, 3, tzinfo=dt.UTC)
    assert bytes(row["RAW"]) == bytes([3, 1])
    paths = backend.query(
        schema.name,
        "SELECT doc:customer.id::int AS cid, doc:customer.name::string AS name, attrs:color::string AS color, "
        "TYPEOF(doc), ARRAY_SIZE(tags) FROM all_types WHERE id = 4",
        dialect="snowflake",
        limit=None,
    )
    assert paths.rows == [(4, "c4", "blue", "OBJECT", 2)]
    flattened = backend.query(
        schema.name,
        "SELECT t.value::string AS tag, COUNT(*) AS n FROM all_types, LATERAL FLATTEN(input => tags) t "
        "GROUP BY 1 ORDER BY 1",
        dialect="snowflake",
        limit=None,
    )
    assert flattened.rows == [("x", 10), ("y", 6), ("z", 3)]


def test_replacement_is_atomic(backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "all_types.parquet", types_table([1, 2, 3]))
    notes = write(tmp_path / "a" / "notes.parquet", pa.table({"note_id": pa.array([1], pa.int32()), "body": ["old"]}))
    assert backend.load_tables(schema, {"all_types": [first], "notes": [notes]}) == {"all_types": 3, "notes": 1}
    good = write(tmp_path / "b" / "all_types.parquet", types_table([7, 8, 9, 10]))
    broken = tmp_path / "b" / "notes.parquet"
    broken.write_bytes(b"this is not parquet")
    with pytest.raises(QueryError, match="notes"):
        backend.load_tables(schema, {"all_types": [good], "notes": [broken]})
    # the failed run left both tables as they were, including the one loaded before the failure
    assert backend.row_counts(schema.name, ["all_types", "notes"]) == {"all_types": 3, "notes": 1}
    ids = backend.query(schema.name, "SELECT id FROM all_types ORDER BY id", dialect="snowflake", limit=None)
    assert ids.rows == [(1,), (2,), (3,)]
    # a successful run replaces everything
    assert backend.load_tables(schema, {"all_types": [good]}) == {"all_types": 4}
    assert backend.row_counts(schema.name, ["all_types", "notes"]) == {"all_types": 4, "notes": 1}


def test_replacement_through_staging_tables(
    module_settings: Settings, schema: ExperimentSchema, tmp_path: Path
) -> None:
    """The strategy used on real Snowflake and LocalStack, whose DDL commits on its own."""
    endpoint = dataclasses.replace(resolve_endpoint(module_settings), transactional_ddl=False)
    backend = SnowflakeBackend(module_settings, endpoint=endpoint)
    try:
        one = write(tmp_path / "one.parquet", types_table([1, 2]))
        assert backend.load_tables(schema, {"all_types": [one]}) == {"all_types": 2}
        broken = tmp_path / "broken.parquet"
        broken.write_bytes(b"PAR1 nope")
        with pytest.raises(QueryError):
            backend.load_tables(
                schema, {"all_types": [write(tmp_path / "two.parquet", types_table([5]))], "notes": [broken]}
            )
        assert backend.row_counts(schema.name, ["all_types"]) == {"all_types": 2}
        assert backend.existing_tables(schema.name) == ["ALL_TYPES", "NOTES"]  # no staging table left behind
        assert backend.load_tables(schema, {"all_types": [write(tmp_path / "three.parquet", types_table([9]))]}) == {
            "all_types": 1
        }
    finally:
        backend.close()


def test_load_validates_inputs(backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="no table 'missing'"):
        backend.load_tables(schema, {"missing": []})
    with pytest.raises(QueryError, match="does not exist"):
        backend.load_tables(schema, {"notes": [tmp_path / "nope.parquet"]})


def test_query_limits_errors_arrow_and_dialects(
    backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path
) -> None:
    backend.load_tables(schema, {"all_types": [write(tmp_path / "q.parquet", types_table(list(range(20))))]})
    limited = backend.query(schema.name, "SELECT id FROM all_types ORDER BY id", dialect="snowflake", limit=5)
    assert len(limited.rows) == 5 and limited.truncated
    assert limited.columns == ["ID"] and limited.types == ["FIXED"]
    multi = backend.query(
        schema.name, "SET n = 3; SELECT COUNT(*) FROM all_types WHERE id < $n", dialect="snowflake", limit=None
    )
    assert multi.rows == [(3,)] and multi.statements == 2
    redshift = backend.query(
        schema.name, "SELECT TOP 2 id FROM all_types ORDER BY id DESC", dialect="redshift", limit=None
    )
    assert redshift.rows == [(19,), (18,)]
    arrow = backend.query_arrow(
        schema.name, "SELECT id, label FROM all_types WHERE id < 3 ORDER BY id", dialect="snowflake"
    )
    assert arrow.column_names == ["ID", "LABEL"] and arrow.num_rows == 3
    with pytest.raises(QueryError, match=r"(?i)no_such_column"):
        backend.query(schema.name, "SELECT no_such_column FROM all_types", dialect="snowflake", limit=None)
    with pytest.raises(BackendUnavailableError, match="no database"):
        backend.query("never_created", "SELECT 1", dialect="snowflake", limit=None)


def test_profile_uses_warehouse_sql(backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path) -> None:
    backend.load_tables(schema, {"all_types": [write(tmp_path / "p.parquet", types_table(list(range(10))))]})
    profiles = {p.column: p for p in backend.profile_table(schema.name, schema.tables[0])}
    assert profiles["qty"].rows == 10 and profiles["qty"].min == 0 and profiles["qty"].max == 18
    assert profiles["qty"].mean == pytest.approx(9.0)
    assert profiles["label"].distinct == 10
    assert profiles["doc"].nulls == 0


def test_drop_experiment_only_after_the_block(backend: SnowflakeBackend, tmp_path: Path) -> None:
    model = load_schema_data({**TYPES, "name": "sf_drop"})
    backend.create_experiment(model)
    with pytest.raises(RuntimeError), backend.drop_experiment(model.name) as dropped:
        assert dropped == 2
        raise RuntimeError("metadata delete failed")
    assert backend.existing_tables(model.name) == ["ALL_TYPES", "NOTES"]
    with backend.drop_experiment(model.name) as dropped:
        assert dropped == 2
    assert backend.existing_tables(model.name) == []
    db_dir = backend.settings.warehouse_dir / "snowflake" / "databases"
    assert not (db_dir / "SF_DROP.db").exists()


def test_s3_staging_on_moto(tmp_path: Path, moto_s3: str, s3_client: Any, stop_endpoints: None) -> None:
    settings = Settings(data_root=tmp_path / "root", s3_endpoint_url=moto_s3, s3_bucket="dwsim-sf-test")
    backend = SnowflakeBackend(settings)
    try:
        model = load_schema_data({**TYPES, "name": "sf_s3"})
        backend.create_experiment(model)
        files = [
            write(tmp_path / "s3run" / f"part-{i}.parquet", types_table([i * 10 + k for k in range(4)]))
            for i in range(2)
        ]
        assert backend.load_tables(model, {"all_types": files}) == {"all_types": 8}
        keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket="dwsim-sf-test")["Contents"]]
        assert len(keys) == 2 and all(k.startswith("snowflake/sf_s3/") for k in keys)
        # a second run replaces the rows and the staged copies of the first run
        assert backend.load_tables(model, {"all_types": files[:1]}) == {"all_types": 4}
        keys_after = [o["Key"] for o in s3_client.list_objects_v2(Bucket="dwsim-sf-test")["Contents"]]
        assert len(keys_after) == 1 and keys_after[0] not in keys
        with backend.drop_experiment(model.name):
            pass
        assert s3_client.list_objects_v2(Bucket="dwsim-sf-test").get("KeyCount") == 0
    finally:
        backend.close()


def test_schema_per_experiment_in_a_shared_database(tmp_path: Path, stop_endpoints: None) -> None:
    settings = Settings(data_root=tmp_path / "root", snowflake_database="analytics", snowflake_url="embedded")
    backend = SnowflakeBackend(settings)
    try:
        one = load_schema_data({**TYPES, "name": "exp_one"})
        two = load_schema_data({**TYPES, "name": "exp_two"})
        backend.create_experiment(one)
        backend.create_experiment(two)
        assert backend.physical_name("exp_one", "notes") == '"ANALYTICS"."EXP_ONE"."NOTES"'
        with backend.drop_experiment("exp_one") as dropped:
            assert dropped == 2
        assert backend.existing_tables("exp_one") == []
        assert backend.existing_tables("exp_two") == ["ALL_TYPES", "NOTES"]
    finally:
        backend.close()


def test_readers_see_old_rows_until_the_load_commits(
    backend: SnowflakeBackend, schema: ExperimentSchema, tmp_path: Path
) -> None:
    """The mechanism `load_tables` relies on: the replaced table is invisible to other sessions until COMMIT."""
    backend.load_tables(schema, {"all_types": [write(tmp_path / "old.parquet", types_table([1, 2]))]})
    new = write(tmp_path / "new" / "all_types.parquet", types_table([5, 6, 7]))
    table = backend.physical_name(schema.name, "all_types")
    with backend.connection() as writer, backend.connection() as reader:
        w, r = writer.cursor(), reader.cursor()
        w.execute(f"USE SCHEMA {backend._schema_ref(schema.name)}")
        w.execute("CREATE OR REPLACE TEMPORARY STAGE iso_stage")
        w.execute(f"PUT 'file://{new}' @iso_stage/ALL_TYPES/ AUTO_COMPRESS = FALSE")
        w.execute("BEGIN")
        w.execute(backend._table_ddl(schema.name, schema.tables[0], verb="CREATE OR REPLACE TABLE"))
        w.execute(backend._copy_sql(schema.name, schema.tables[0], f"{backend._schema_ref(schema.name)}.ISO_STAGE"))
        assert w.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (3,)
        assert r.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (2,)
        w.execute("COMMIT")
        assert r.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (3,)
