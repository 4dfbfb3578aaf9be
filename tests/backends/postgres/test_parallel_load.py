"""Loads at scale on a real PostgreSQL: one COPY per part over several connections into new tables, then one swap."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.backends.postgres.parallel_load import LOAD_SCHEMA_PREFIX, load_schema_stem
from dw_simulator.config import Settings
from dw_simulator.errors import QueryError
from dw_simulator.schema import load_schema_data

SCHEMA = load_schema_data({"name": "Par_Load", "tables": [
    {"name": "Items", "columns": [{"name": "id", "data_type": "BIGINT", "required": True},
                                  {"name": "label", "data_type": "VARCHAR(20)"}]},
    {"name": "Tags", "columns": [{"name": "tag", "data_type": "VARCHAR(10)"}]},
]})  # fmt: skip


def parts(folder: Path, table: str, count: int, rows: int, offset: int = 0) -> list[Path]:
    (folder / table).mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        start = offset + i * rows
        data = pa.table({"id": pa.array(range(start, start + rows), pa.int64()),
                         "label": pa.array([f"row {n}" for n in range(start, start + rows)])})  # fmt: skip
        path = folder / table / f"part-{i:05d}.parquet"
        pq.write_table(data, path)
        out.append(path)
    return out


def tag_part(folder: Path, tags: list[str]) -> list[Path]:
    (folder / "Tags").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"tag": tags}), folder / "Tags" / "part-00000.parquet")
    return [folder / "Tags" / "part-00000.parquet"]


@pytest.fixture
def backend(tmp_path: Path, pg_url: str):
    b = RedshiftBackend(Settings(data_root=tmp_path, load_connections=3), url=pg_url)
    b.create_experiment(SCHEMA)
    yield b
    with b.drop_experiment(SCHEMA.name):
        pass
    b.close()


def load_schemas(url: str) -> list[str]:
    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                            (LOAD_SCHEMA_PREFIX.replace("_", r"\_") + "%",)).fetchall()  # fmt: skip
    return [r[0] for r in rows]


def test_many_parts_over_several_connections_then_one_swap(backend: RedshiftBackend, tmp_path: Path,
                                                             pg_url: str) -> None:  # fmt: skip
    files = {"Items": parts(tmp_path / "run1", "Items", 9, 500), "Tags": tag_part(tmp_path / "run1", ["a", "b"])}
    assert backend.load_tables(SCHEMA, files) == {"Items": 4500, "Tags": 2}
    rows = backend.execute_raw("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM par_load.items")
    assert rows == [(4500, 4500, 0, 4499)]
    backend.execute_raw("CREATE VIEW par_load.big_items AS SELECT id FROM par_load.items WHERE id >= 4000")
    files = {"Items": parts(tmp_path / "run2", "Items", 4, 250, offset=10_000), "Tags": tag_part(tmp_path / "run2", [])}
    assert backend.load_tables(SCHEMA, files) == {"Items": 1000, "Tags": 0}
    assert backend.execute_raw("SELECT count(*), min(id) FROM par_load.big_items") == [(1000, 10_000)]  # view kept
    assert backend.existing_tables(SCHEMA.name) == ["big_items", "items", "tags"]
    assert load_schemas(pg_url) == []


def test_a_failing_part_leaves_the_old_data_and_no_load_schema(backend: RedshiftBackend, tmp_path: Path,
                                                                pg_url: str) -> None:  # fmt: skip
    backend.load_tables(SCHEMA, {"Items": parts(tmp_path / "ok", "Items", 2, 100), "Tags": []})
    broken = parts(tmp_path / "bad", "Items", 6, 100, offset=1000)
    broken[4].write_bytes(b"this is not parquet")
    with pytest.raises(QueryError, match="Parquet"):
        backend.load_tables(SCHEMA, {"Items": broken, "Tags": []})
    assert backend.execute_raw("SELECT count(*), max(id) FROM par_load.items") == [(200, 199)]
    assert load_schemas(pg_url) == []


def test_readers_see_the_old_rows_until_the_swap(backend: RedshiftBackend, tmp_path: Path, pg_url: str) -> None:
    backend.load_tables(SCHEMA, {"Items": parts(tmp_path / "a", "Items", 1, 10), "Tags": []})
    seen: list[int] = []
    started = threading.Event()
    original = backend.new_connection

    def slow_connection():
        conn = original()
        started.set()
        with psycopg.connect(pg_url, connect_timeout=10) as reader:  # a reader while the COPYs run
            reader.execute("SET statement_timeout = '5s'")
            seen.append(reader.execute("SELECT count(*) FROM par_load.items").fetchone()[0])
        return conn

    backend.new_connection = slow_connection  # type: ignore[method-assign]
    backend.load_tables(SCHEMA, {"Items": parts(tmp_path / "b", "Items", 3, 50), "Tags": []})
    assert started.is_set() and seen and set(seen) == {10}
    assert backend.execute_raw("SELECT count(*) FROM par_load.items") == [(150,)]


def test_a_crashed_loads_schema_is_dropped_by_the_next_load(backend: RedshiftBackend, tmp_path: Path,
                                                              pg_url: str) -> None:  # fmt: skip
    leftover = load_schema_stem(SCHEMA.name) + "deadbeef"
    backend.execute_raw(f'CREATE SCHEMA "{leftover}"')
    backend.execute_raw(f'CREATE TABLE "{leftover}".items (id bigint)')
    backend.load_tables(SCHEMA, {"Items": parts(tmp_path / "c", "Items", 1, 5), "Tags": []})
    assert load_schemas(pg_url) == []
