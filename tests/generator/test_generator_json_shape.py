"""Declared shapes of semi-structured columns: validation, generated documents, determinism."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dw_simulator.errors import SchemaValidationError
from dw_simulator.generator import generate_experiment
from dw_simulator.schema import load_schema_data

SHAPE: dict[str, Any] = {
    "properties": {
        "customer": {"properties": {"id": {"data_type": "INT", "min_value": 1, "max_value": 50},
                                    "email": {"faker_rule": "internet.email"}, "first_name": {}}},
        "total": {"data_type": "DECIMAL(10,2)", "min_value": 0, "max_value": 500},
        "placed": {"data_type": "DATE", "date_start": "2024-01-01", "date_end": "2024-03-31"},
        "gift": {"data_type": "BOOLEAN", "null_rate": 0.5},
        "tags": {"items": {"faker_rule": "lorem.word"}, "min_items": 1, "max_items": 4},
    }
}  # fmt: skip


def _schema(shape: dict[str, Any] = SHAPE, data_type: str = "VARIANT", rows: int = 3000) -> dict[str, Any]:
    return {
        "name": "shaped",
        "tables": [{"name": "events", "target_rows": rows, "columns": [
            {"name": "event_id", "data_type": "INT", "is_unique": True},
            {"name": "payload", "data_type": data_type, "json_shape": copy.deepcopy(shape)},
        ]}],
    }  # fmt: skip


def _docs(tmp: Path, data: dict[str, Any], **kwargs: Any) -> list[Any]:
    result = generate_experiment(load_schema_data(data), tmp, **{"seed": 4, **kwargs})
    files = [str(p) for p in result.tables["events"].files]
    return [json.loads(r[0]) for r in duckdb.sql(f"SELECT payload FROM read_parquet({files})").fetchall()]


def test_documents_follow_the_shape(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "a", _schema())
    assert len(docs) == 3000
    assert all(set(d) == {"customer", "total", "placed", "gift", "tags"} for d in docs)
    assert all(1 <= d["customer"]["id"] <= 50 for d in docs)
    assert all("@" in d["customer"]["email"] for d in docs)
    assert all(0 <= d["total"] <= 500 and round(d["total"], 2) == d["total"] for d in docs)
    assert all("2024-01-01" <= d["placed"] <= "2024-03-31" for d in docs)
    assert all(1 <= len(d["tags"]) <= 4 and all(isinstance(t, str) for t in d["tags"]) for d in docs)
    nulls = sum(d["gift"] is None for d in docs)
    assert 1300 < nulls < 1700  # null_rate 0.5 inside documents
    assert len({d["customer"]["first_name"] for d in docs}) > 50  # name-based default applies inside shapes


def test_same_seed_same_documents_whatever_the_batching(tmp_path: Path) -> None:
    one = _docs(tmp_path / "a", _schema(), batch_size=1000)
    two = _docs(tmp_path / "b", _schema(), batch_size=1700, workers=2)
    assert one == two
    assert _docs(tmp_path / "c", _schema(), seed=5) != one


def test_array_column_shape(tmp_path: Path) -> None:
    shape = {"items": {"properties": {"sku": {"data_type": "CHAR(6)"}, "qty": {"data_type": "INT", "min_value": 1,
                                                                               "max_value": 3}}},
             "min_items": 0, "max_items": 2}  # fmt: skip
    docs = _docs(tmp_path / "a", _schema(shape, "ARRAY"))
    assert all(isinstance(d, list) and len(d) <= 2 for d in docs)
    assert {len(d) for d in docs} == {0, 1, 2}
    assert all(len(item["sku"]) <= 6 and 1 <= item["qty"] <= 3 for d in docs for item in d)


@pytest.mark.parametrize(
    ("data_type", "shape", "words"),
    [
        ("INT", SHAPE, ["field 'json_shape'", "semi-structured"]),
        ("ARRAY", SHAPE, ["json_shape.type", "ARRAY column"]),
        ("OBJECT", {"items": {}}, ["OBJECT column"]),
        ("VARIANT", {"properties": {"a": {"data_type": "INT", "min_value": 5, "max_value": 1}}},
         ["json_shape.properties.a", "min_value (5) must be <= max_value (1)"]),
        ("VARIANT", {"properties": {"a": {"faker_rule": "internet.emial"}}},
         ["json_shape.properties.a", "did you mean"]),
        ("VARIANT", {"properties": {"bad key!": {}}}, ["json_shape", "bad key!"]),
        ("VARIANT", {"items": {}, "min_items": 3, "max_items": 1}, ["min_items (3) must be <= max_items (1)"]),
        ("VARIANT", {"properties": {"a": {"data_type": "VARIANT"}}}, ["cannot itself be semi-structured"]),
    ],
)  # fmt: skip
def test_invalid_shapes_name_the_path(data_type: str, shape: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(SchemaValidationError) as info:
        load_schema_data(_schema(shape, data_type))
    for word in words:
        assert word in info.value.message, info.value.message
    assert "column 'payload'" in info.value.message
