"""Foreign keys between sampled tables, found by value inclusion.

A column references a key (a unique column of another table) when its distinct values fall inside the key's
sampled values: all of them when the parent was read whole, else at least the share a random sample of the parent
can be expected to cover (less a margin). Inclusion alone can be chance (small whole numbers fall inside any id
range), so the pair must also be named alike (`customer_id` -> `customers.id` or `customers.customer_id`) or the
child must hold many distinct values spread over most of the parent's range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.learn.columns import ColumnFit

MARGIN = 0.9
MANY = 100


@dataclass
class TableFit:
    name: str
    columns: list[ColumnFit]
    data: pa.Table
    total_rows: int

    @property
    def coverage(self) -> float:
        """The share of the table's rows the sample holds."""
        return min(1.0, self.data.num_rows / self.total_rows) if self.total_rows else 1.0


@dataclass
class FoundKey:
    table: str
    column: str
    parent: str
    parent_column: str
    inclusion: float


def _stem(name: str) -> str:
    low = name.lower()
    for suffix in ("ies", "ses", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            return low[: -len(suffix)] + ("y" if suffix == "ies" else "s" if suffix == "ses" else "")
    return low


def _named_alike(child: str, parent_table: str, parent_column: str) -> bool:
    c, p = child.lower(), parent_column.lower()
    stem = _stem(parent_table)
    return (
        (c == p and p != "id")
        or c in (f"{stem}_{p}", f"{stem}{p}", f"{stem}_id", f"{stem}_key")
        or (c.endswith(f"_{p}") and p != "id" and stem in c)
    )


def find_foreign_keys(tables: list[TableFit]) -> list[FoundKey]:
    keys = [(t, c) for t in tables for c in t.columns if c.kind == "key"]
    found: list[FoundKey] = []
    for table in tables:
        for column in table.columns:
            if column.kind == "key":
                continue  # keys are parents here; one-to-one links between keys are not guessed
            best: FoundKey | None = None
            child = _distinct(table.data.column(column.name))
            if child is None or len(child) == 0:
                continue
            for parent, key in keys:
                if parent is table or not _same_family(child.type, parent.data.column(key.name).type):
                    continue
                parent_values = _distinct(parent.data.column(key.name))
                if parent_values is None:
                    continue
                inside = pc.sum(pc.is_in(child, value_set=parent_values).cast(pa.int64())).as_py() or 0
                share = inside / len(child)
                if share < min(1.0, parent.coverage) * MARGIN:
                    continue
                if not (_named_alike(column.name, parent.name, key.name) or _spread(child, parent_values)):
                    continue
                if best is None or share > best.inclusion:
                    best = FoundKey(table.name, column.name, parent.name, key.name, round(share, 4))
            if best is not None:
                found.append(best)
    return found


def _distinct(arr: pa.ChunkedArray) -> pa.Array | None:
    if not (pa.types.is_integer(arr.type) or pa.types.is_string(arr.type) or pa.types.is_dictionary(arr.type)):
        return None
    values = pc.unique(arr.combine_chunks().drop_null())
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_integer(values.type) or pa.types.is_string(values.type)):
        return None
    return values


def _same_family(a: pa.DataType, b: pa.DataType) -> bool:
    ints = bool(pa.types.is_integer(a)) and bool(pa.types.is_integer(b))
    return ints or (bool(pa.types.is_string(a)) and bool(pa.types.is_string(b)))


def _spread(child: pa.Array, parent: pa.Array) -> bool:
    if len(child) < MANY:
        return False
    if not pa.types.is_integer(child.type):
        return True
    c = np.asarray(child.to_numpy(zero_copy_only=False), dtype=np.float64)
    p = np.asarray(parent.to_numpy(zero_copy_only=False), dtype=np.float64)
    span = p.max() - p.min()
    return bool(span > 0 and float(c.max() - c.min()) >= 0.5 * span)
