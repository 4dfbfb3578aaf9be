"""Building batches and the Parquet options every part is written with.

A batch is rows ``[start, stop)`` of one table: each column plan turns the row indices into an Arrow array, the
arrays become a table with the fixed Arrow schema, and a destination (`destination`) writes the table as one
zstd-compressed Parquet part, ``<root>/<table>/part-<batch>.parquet``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from dw_simulator.generator.plan import TablePlan

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1


def part_name(batch_index: int) -> str:
    return f"part-{batch_index:05d}.parquet"


def build_batch(table: TablePlan, start: int, stop: int) -> pa.Table:
    """Rows [start, stop) of a table as an Arrow table (every value a pure function of its row index)."""
    rows = np.arange(start, stop, dtype=np.uint64)
    arrays = [column.values(rows) for column in table.columns]
    return pa.Table.from_arrays(arrays, schema=table.schema)


def dictionary_columns(table: TablePlan) -> list[str]:
    return [c.name for c in table.columns if c.dictionary]


def parquet_options(dictionary: list[str]) -> dict[str, Any]:
    """The `pyarrow.parquet.write_table` options every part is written with (the same bytes wherever it runs)."""
    return {"compression": COMPRESSION, "compression_level": COMPRESSION_LEVEL, "use_dictionary": dictionary}
