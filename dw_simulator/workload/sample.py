"""A small sample of what the generator would write for some columns, made by the generator itself, so a fit can
measure each predicate's share of rows under the domain it chose (and find realistic values to keep beside the
workload's literals). Keys and uniqueness are left out: only the value domain matters here."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from dw_simulator.generator import build_plan
from dw_simulator.schema import load_schema_data

SAMPLE_ROWS = 4000
SAMPLE_SEED = 7
_DROP = ("foreign_key", "identity", "default")


def sample_columns(data: dict[str, Any], columns: list[dict[str, Any]], rows: int = SAMPLE_ROWS) -> list[list[Any]]:
    """`rows` values of each column (column dicts as in the schema), under the experiment's date window."""
    if not columns:
        return []
    cols = []
    for index, column in enumerate(columns):
        clean = {k: copy.deepcopy(v) for k, v in column.items() if k not in _DROP}
        clean["name"] = f"c{index}"
        clean["is_unique"] = False
        clean["null_rate"] = 0.0
        clean.pop("required", None)
        cols.append(clean)
    schema_data: dict[str, Any] = {
        "name": "workload_sample",
        "tables": [{"name": "sample", "target_rows": rows, "columns": cols}],
    }
    for key in ("date_start", "date_end"):
        if data.get(key) is not None:
            schema_data[key] = data[key]
    schema = load_schema_data(schema_data, source="workload sample")
    plan = build_plan(schema, SAMPLE_SEED)
    indices = np.arange(rows, dtype=np.uint64)
    return [column.gen.values(indices).to_pylist() for column in plan.tables[0].columns]
