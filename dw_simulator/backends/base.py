"""The warehouse contract: one small abstract class, a capabilities record, and result types.

A backend owns the physical side of experiments: creating their tables, loading a run's Parquet files with
atomic replacement, running users' SQL, profiling columns and dropping everything. The service layer decides
what to do; backends only know how to do it on their engine.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dw_simulator.errors import QueryError

if TYPE_CHECKING:
    import pyarrow as pa

    from dw_simulator.config import Settings
    from dw_simulator.schema import ExperimentSchema, TableSchema


@dataclass(frozen=True)
class Capabilities:
    """Facts about an engine, kept as data so that callers branch on facts, not on backend names."""

    engine_dialect: str  # sqlglot dialect of the SQL the engine itself runs
    embedded: bool  # runs in-process with no server to start
    schemas: bool  # one namespace (schema/database) per experiment
    transactional_ddl: bool  # CREATE/DROP roll back with the transaction
    native_json: bool
    staging_formats: tuple[str, ...] = ("parquet",)
    max_identifier_length: int = 63


@dataclass(frozen=True)
class BackendFactory:
    """What the registry knows of a backend without importing it: its name, its capabilities and where its class
    lives. The backend's module, and with it the engine's driver, is imported only when a backend is made."""

    name: str
    capabilities: Capabilities
    module: str  # the module defining the backend class
    class_name: str
    description: str = ""

    def backend_class(self) -> type[WarehouseBackend]:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        if not (isinstance(cls, type) and issubclass(cls, WarehouseBackend)):
            raise TypeError(f"{self.module}.{self.class_name} is not a WarehouseBackend")
        return cls

    def create(self, settings: Settings) -> WarehouseBackend:
        return self.backend_class()(settings)


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_s: float
    statements: int = 1
    sql_executed: list[str] = field(default_factory=list)
    rows_affected: int | None = None
    total_rows: int | None = None  # rows in the whole result when `truncated` (None: the engine did not say)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=False)) for row in self.rows]


@dataclass
class ColumnProfile:
    column: str
    data_type: str
    rows: int
    nulls: int
    distinct: int
    min: Any = None
    max: Any = None
    mean: float | None = None
    stddev: float | None = None
    histogram: list[dict[str, Any]] = field(default_factory=list)  # [{"low", "high", "count"}] or top values

    @property
    def null_fraction(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "data_type": self.data_type,
            "rows": self.rows,
            "nulls": self.nulls,
            "null_fraction": round(self.null_fraction, 6),
            "distinct": self.distinct,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "stddev": self.stddev,
            "histogram": self.histogram,
        }


class WarehouseBackend(ABC):
    """One warehouse engine. Instances are cheap; connections open lazily and close with `close()`."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- lifecycle -------------------------------------------------------------------------------------------
    @abstractmethod
    def ping(self) -> None:
        """Raise BackendUnavailableError when the engine cannot be reached."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def interrupt(self) -> bool:
        """Cancel the statement running on this backend's connection, from another thread. False when the
        engine cannot be interrupted (the statement then runs to its end)."""
        return False

    def __enter__(self) -> WarehouseBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- experiments -----------------------------------------------------------------------------------------
    @abstractmethod
    def physical_name(self, experiment: str, table: str) -> str:
        """How a table is addressed on the engine (e.g. `"exp"."customers"`), for display and metadata."""

    @abstractmethod
    def create_experiment(self, schema: ExperimentSchema) -> None:
        """Create the experiment's namespace and its empty tables, all or nothing."""

    @abstractmethod
    def drop_experiment(self, experiment: str) -> AbstractContextManager[int]:
        """Drop the experiment's tables inside a transaction; yields how many tables were dropped.

        The drop commits when the `with` block ends normally and rolls back if it raises, so a caller can
        make the drop and its own metadata change succeed or fail together.
        """

    @abstractmethod
    def existing_tables(self, experiment: str) -> list[str]:
        """Tables that physically exist for the experiment."""

    # -- data ----------------------------------------------------------------------------------------------------
    @abstractmethod
    def load_tables(self, schema: ExperimentSchema, files: Mapping[str, Sequence[Path | str]]) -> dict[str, int]:
        """Replace the listed tables' data with their Parquet parts, atomically: readers see the old data until
        every table is loaded, and a failure leaves the old data. Returns rows loaded per table.

        A part is a local file (`Path`) or an object on S3 (an `s3://` URL string, on the settings' S3 endpoint),
        as the generator's destination wrote it; a load takes one kind or the other."""

    def row_counts(self, experiment: str, tables: list[str]) -> dict[str, int]:
        """Rows in each of `tables` that exists (tables that do not are left out)."""
        existing = {t.lower() for t in self.existing_tables(experiment)}
        return {table: self.count_rows(experiment, table) for table in tables if table.lower() in existing}

    @abstractmethod
    def count_rows(self, experiment: str, table: str) -> int: ...

    @abstractmethod
    def profile_table(self, experiment: str, table: TableSchema) -> list[ColumnProfile]: ...

    # -- SQL -------------------------------------------------------------------------------------------------------
    @abstractmethod
    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        """Run the user's SQL (in `dialect`) scoped to the experiment; keep at most `limit` rows."""

    # A transaction over several `query` calls (the HTTP APIs' batches and BEGIN ... COMMIT): between `begin()` and
    # `commit()` / `rollback()` the backend's connection keeps the work of every `query` uncommitted. Backends whose
    # engine cannot do that keep these defaults, which refuse with a clear error.
    def begin(self) -> None:
        raise QueryError(f"transactions over several statements are not supported on the {self.name} warehouse")

    def commit(self) -> None:
        raise QueryError(f"transactions over several statements are not supported on the {self.name} warehouse")

    def rollback(self) -> None:
        raise QueryError(f"transactions over several statements are not supported on the {self.name} warehouse")

    def query_arrow(self, experiment: str, sql: str, *, dialect: str) -> pa.Table:
        """The full result of the last statement as Arrow (for exports). Backends may stream better."""
        import pyarrow as pa

        result = self.query(experiment, sql, dialect=dialect, limit=None)
        return pa.Table.from_pylist(result.as_dicts())

    def query_batches(self, experiment: str, sql: str, *, dialect: str, batch_rows: int) -> pa.RecordBatchReader:
        """The full result of the last statement as a stream of Arrow batches (exports of any size). This default
        reads the whole result first; backends whose engine can stream override it."""
        import pyarrow as pa

        table = self.query_arrow(experiment, sql, dialect=dialect)
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=batch_rows))

    def iter_tables(self, schema: ExperimentSchema) -> Iterator[TableSchema]:
        yield from schema.tables
