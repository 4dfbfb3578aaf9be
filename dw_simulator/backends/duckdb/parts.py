"""Reading a run's Parquet parts into a DuckDB table: `read_parquet` over the run's folder glob (or its file list)
for local parts, an Arrow dataset for parts on S3."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dw_simulator.staging.parts import is_s3_url, parts_dataset

if TYPE_CHECKING:
    import duckdb

    from dw_simulator.config import Settings


def insert_parts(
    con: duckdb.DuckDBPyConnection, relation: str, columns: str, parts: Sequence[Path | str], settings: Settings
) -> None:
    """`INSERT INTO relation (columns) SELECT columns FROM` the parts."""
    if any(is_s3_url(p) for p in parts):
        con.register("__dwsim_parts", parts_dataset(parts, settings))
        try:
            con.execute(f"INSERT INTO {relation} ({columns}) SELECT {columns} FROM __dwsim_parts")
        finally:
            con.unregister("__dwsim_parts")
        return
    source = parquet_source([Path(p) for p in parts])
    con.execute(f"INSERT INTO {relation} ({columns}) SELECT {columns} FROM read_parquet({source})")


def parquet_source(paths: list[Path]) -> str:
    """`read_parquet`'s argument: the folder's glob when the parts are exactly the files it matches (one short
    statement however many parts a run has), else the list of files."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    folders = {p.parent for p in paths}
    if len(folders) == 1 and not any(c in str(paths[0].parent) for c in "*?[]{}"):
        folder = folders.pop()
        pattern = folder / "part-*.parquet"
        if sorted(folder.glob("part-*.parquet")) == sorted(paths):
            return literal(str(pattern))
    return "[" + ", ".join(literal(str(p)) for p in paths) + "]"


def remaining_rows(cursor: duckdb.DuckDBPyConnection) -> int:
    """Count the rows a (materialised) result still holds, without making Python objects of them."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Arrow output on a DB-API result makes an extra copy": batch by batch
        reader = cursor.to_arrow_reader(100_000)
        return 0 if reader is None else sum(batch.num_rows for batch in reader)
