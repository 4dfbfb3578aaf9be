"""Writing batches to Parquet, and removing what a failed or cancelled run wrote.

A batch is rows ``[start, stop)`` of one table: each column plan turns the row indices into an Arrow array, the
arrays become a table with the fixed Arrow schema, and the table is written as one zstd-compressed Parquet file,
``<out_dir>/<table>/part-<batch>.parquet`` (first to a temporary name, then renamed, so a file that exists is
complete).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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


def write_batch(table: TablePlan, start: int, stop: int, path: Path) -> int:
    """Write rows [start, stop) of `table` to `path`; returns the number of rows written."""
    data = build_batch(table, start, stop)
    tmp = path.with_name(path.name + ".tmp")
    dictionary = [c.name for c in table.columns if c.dictionary]
    pq.write_table(data, tmp, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL, use_dictionary=dictionary)
    os.replace(tmp, path)
    return stop - start


class OutputTracker:
    """Remembers the directories and files one generation call creates, to remove them on failure."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.created_dirs: list[Path] = []
        self.files: list[Path] = []

    def _mkdir(self, path: Path) -> None:
        missing: list[Path] = []
        probe = path
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        path.mkdir(parents=True, exist_ok=True)
        self.created_dirs.extend(reversed(missing))

    def table_dir(self, table: str) -> Path:
        path = self.out_dir / table
        self._mkdir(path)
        return path

    def expect(self, path: Path) -> Path:
        self.files.append(path)
        return path

    def cleanup(self) -> None:
        """Remove every file this call wrote (and temporaries), then the directories it created."""
        for path in self.files:
            for candidate in (path, path.with_name(path.name + ".tmp")):
                try:
                    candidate.unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    continue
        for directory in reversed(self.created_dirs):
            shutil.rmtree(directory, ignore_errors=True)
