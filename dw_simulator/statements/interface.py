"""The narrow interface the HTTP APIs run SQL through: a `Target` (where statements run) and a `StatementSession`
(one connection's worth of state on it). `session.open_session` picks the implementation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dw_simulator.sql.shaped import ShapedResult

Bindings = Mapping[str, str] | Sequence[Any] | None  # Data API `:name` strings, or SQL API positional values
Family = Literal["redshift", "snowflake"]
REDSHIFT_WAREHOUSES = ("duckdb", "redshift")  # what the Redshift endpoint and the Data API serve
SNOWFLAKE_WAREHOUSES = ("snowflake", "duckdb")


@dataclass(frozen=True)
class Target:
    """Where a statement runs: an experiment (a database of the API), or for Snowflake any engine database."""

    family: Family
    database: str  # as the client named it
    experiment: str | None = None  # the experiment it names, when it names one
    warehouse: str = ""
    schema: str | None = None  # Snowflake: the schema to start in


class StatementSession(ABC):
    """One connection's worth of state on one target: statements run one at a time, in order."""

    target: Target

    @abstractmethod
    def execute(self, sql: str, bindings: Bindings = None) -> ShapedResult:
        """Run one statement (a Redshift text may hold several; the last one's answer is returned)."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def cancel(self) -> bool:
        """Stop the running statement (from another thread); False when the engine cannot be interrupted."""

    @abstractmethod
    def close(self) -> None: ...
