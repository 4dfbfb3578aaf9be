"""Documents of a declared `json_shape`, built column-wise and serialised by DuckDB's `to_json`.

Each value leaf is an ordinary column plan (so faker rules, bounds, distributions and null rates mean what they
mean on a column); objects become Arrow structs, arrays Arrow lists. Element j of row i's array is generated as
"row" i * max_items + j of the item's plan, so every value still depends only on (seed, table, column, row).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from dw_simulator.generator.columns import ColumnPlan, ValueGen
from dw_simulator.generator.random import U64, below

_local = threading.local()


class ShapeNode(ABC):
    @abstractmethod
    def arrow(self, rows: U64) -> pa.Array: ...


@dataclass
class LeafNode(ShapeNode):
    plan: ColumnPlan

    def arrow(self, rows: U64) -> pa.Array:
        return self.plan.values(rows)


@dataclass
class ObjectNode(ShapeNode):
    fields: list[tuple[str, ShapeNode]]

    def arrow(self, rows: U64) -> pa.Array:
        children = [node.arrow(rows) for _, node in self.fields]
        return pa.StructArray.from_arrays(children, names=[name for name, _ in self.fields])


@dataclass
class ArrayNode(ShapeNode):
    item: ShapeNode
    min_items: int
    max_items: int
    length_key: int

    def arrow(self, rows: U64) -> pa.Array:
        n = len(rows)
        span = self.max_items - self.min_items + 1
        lengths = (below(self.length_key, rows, span) + np.uint64(self.min_items)).astype(np.int64)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        if self.max_items == 0 or n == 0:
            empty = self.item.arrow(np.zeros(0, dtype=np.uint64))
            return pa.ListArray.from_arrays(pa.array(offsets), empty)
        width = np.uint64(self.max_items)
        per_position = [self.item.arrow(rows * width + np.uint64(j)) for j in range(self.max_items)]
        stacked = pa.concat_arrays(per_position)  # position-major: element (i, j) sits at j * n + i
        grid = np.arange(self.max_items, dtype=np.int64)[None, :] * n + np.arange(n, dtype=np.int64)[:, None]
        keep = np.arange(self.max_items)[None, :] < lengths[:, None]
        flat = stacked.take(pa.array(grid[keep]))
        return pa.ListArray.from_arrays(pa.array(offsets), flat)


def to_json_text(values: pa.Array) -> pa.Array:
    """JSON text of every value (structs -> objects, lists -> arrays), vectorised by DuckDB."""
    import duckdb

    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        _local.con = con
    table = pa.table({"v": values})
    con.register("__dwsim_shape", table)
    try:
        out = con.sql("SELECT to_json(v)::VARCHAR AS j FROM __dwsim_shape").to_arrow_table()
    finally:
        con.unregister("__dwsim_shape")
    return out.column("j").combine_chunks()


@dataclass
class ShapedJsonGen(ValueGen):
    root: ShapeNode
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        return to_json_text(self.root.arrow(rows))
