"""The one function that picks the implementation of the HTTP APIs' statement sessions, and target resolution.

`open_session(factory, target)` is the switch point: today a Redshift target (and a Snowflake-dialect experiment on
DuckDB) runs on `Simulator.query` (`query_session.QuerySession`), and a Snowflake target on the embedded endpoint's
engine and cursor, the layer users' connectors reach (`backends.snowflake.statements.EngineSession`). When the
shared Redshift and Snowflake session layers land, this function is what changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dw_simulator.errors import BackendUnavailableError, MissingDependencyError, NotFoundError
from dw_simulator.statements.interface import (
    REDSHIFT_WAREHOUSES,
    SNOWFLAKE_WAREHOUSES,
    Bindings,
    Family,
    StatementSession,
    Target,
)
from dw_simulator.statements.query_session import QuerySession

if TYPE_CHECKING:
    from dw_simulator.service import Simulator
    from dw_simulator.sql.shaped import ShapedResult

log = logging.getLogger("dw_simulator.statements")


def resolve_target(simulator: Simulator, family: Family, database: str | None, schema: str | None = None) -> Target:
    """The target a client names. Redshift: `database` must be an experiment on duckdb or redshift. Snowflake: an
    experiment's database, or (on the embedded endpoint) any database, or none."""
    name = (database or "").strip()
    experiment = None
    if name:
        try:
            experiment = simulator.get_experiment_info(name)
        except NotFoundError:
            experiment = None
    if family == "redshift":
        if experiment is None or experiment.target_warehouse not in REDSHIFT_WAREHOUSES:
            names = sorted(e.name for e in simulator.list_experiments() if e.target_warehouse in REDSHIFT_WAREHOUSES)
            listing = ", ".join(names[:20]) if names else "none yet (create one with `dw-sim experiment create`)"
            where = " does not exist" if experiment is None else f" is on the {experiment.target_warehouse} warehouse"
            raise NotFoundError(
                f'database "{name}"{where}; each experiment on duckdb or redshift is a database here: {listing}'
            )
        return Target("redshift", name, experiment.name, experiment.target_warehouse)
    if experiment is not None and (
        experiment.target_warehouse not in SNOWFLAKE_WAREHOUSES
        or (experiment.target_warehouse == "duckdb" and experiment.dialect != "snowflake")
    ):
        raise NotFoundError(
            f"experiment '{experiment.name}' is a {experiment.dialect} experiment on the {experiment.target_warehouse} "
            "warehouse; the Snowflake SQL API serves experiments on snowflake, and Snowflake-dialect ones on duckdb"
        )
    if experiment is None:
        return Target("snowflake", name, None, "snowflake", schema)
    return Target("snowflake", name, experiment.name, experiment.target_warehouse, schema)


def open_session(factory: Callable[[], Simulator], target: Target) -> StatementSession:
    """A session on `target`, on the layer that runs its warehouse's SQL everywhere else."""
    if target.family == "snowflake" and target.warehouse == "snowflake":
        simulator = factory()
        engine_session = _snowflake_engine_session(simulator, target)
        if engine_session is not None:
            simulator.release_backends()
            return engine_session
        if target.experiment is None:
            simulator.release_backends()
            raise BackendUnavailableError(
                "the embedded Snowflake endpoint is served by another process, so only experiments' databases can "
                "be queried here; name one in `database`"
            )
        return QuerySession(simulator, target)
    return QuerySession(factory(), target)


def _snowflake_engine_session(simulator: Simulator, target: Target) -> StatementSession | None:
    settings = simulator.settings
    if (settings.snowflake_url or "embedded") != "embedded":
        return None  # LocalStack or a real account: through the connector (Simulator.query)
    try:
        from dw_simulator.backends.snowflake.statements import EngineSession, local_engine
    except ImportError as exc:
        raise MissingDependencyError("the Snowflake SQL API", "snowflake", exc.name or "fakesnow") from None

    engine = local_engine(settings)
    if engine is None:
        return None
    database, schema = target.database or None, target.schema
    if target.experiment is not None:
        from dw_simulator.backends.snowflake.namespaces import Namespaces

        database, default_schema = Namespaces(settings).namespace(target.experiment)
        schema = schema or default_schema
    return _Engine(EngineSession(engine, database=database, schema=schema), target)


class _Engine(StatementSession):
    """The embedded engine's session (a domain object) as a `StatementSession` of `target`."""

    def __init__(self, session: Any, target: Target) -> None:
        self.session = session
        self.target = target

    def execute(self, sql: str, bindings: Bindings = None) -> ShapedResult:
        if isinstance(bindings, Mapping):
            raise BackendUnavailableError("the Snowflake engine takes positional bind values only")
        result: ShapedResult = self.session.execute(sql, bindings)
        return result

    def begin(self) -> None:
        self.session.begin()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @property
    def in_transaction(self) -> bool:
        return bool(self.session.in_transaction)

    def cancel(self) -> bool:
        return bool(self.session.cancel())

    def close(self) -> None:
        self.session.close()
