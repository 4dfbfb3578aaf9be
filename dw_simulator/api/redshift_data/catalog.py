"""The Data API's catalog actions: ListDatabases, ListSchemas, ListTables and DescribeTable (answered at once, as
the real service does, from the warehouse's information_schema through the service layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dw_simulator.api.redshift_data import records
from dw_simulator.api.redshift_data.errors import DataApiError, from_service, validation
from dw_simulator.errors import DwSimError
from dw_simulator.statements import catalog, resolve_target

if TYPE_CHECKING:
    from dw_simulator.api.state import AppState
    from dw_simulator.service import Simulator
    from dw_simulator.statements import Target


def _limit(body: dict[str, Any]) -> int:
    limit = body.get("MaxResults") or 1000
    if not isinstance(limit, int) or not 0 <= limit <= 1000:
        raise validation("MaxResults must be between 0 and 1000")
    return limit


def _page(items: list[Any], kind: str, body: dict[str, Any]) -> tuple[list[Any], str | None]:
    token = body.get("NextToken")
    try:
        return records.page(items, kind, token if isinstance(token, str) else None, _limit(body))
    except records.BadToken:
        raise validation("NextToken is not valid") from None


def _with(state: AppState, body: dict[str, Any], fn: Any) -> Any:
    """`fn(simulator, target)` on the database the request names."""
    database = body.get("Database")
    if not isinstance(database, str) or not database:
        raise validation("Database is required")
    sim = state.sibling()
    try:
        target: Target = resolve_target(sim, "redshift", database)
        return fn(sim, target)
    except DwSimError as exc:
        raise from_service(exc) from None
    finally:
        sim.release_backends()


def list_databases(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    def run(sim: Simulator, _target: Target) -> list[str]:
        return catalog.databases(sim)

    names = _with(state, body, run)
    shown, token = _page(names, "databases", body)
    return {"Databases": shown, **({"NextToken": token} if token else {})}


def list_schemas(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    pattern = body.get("SchemaPattern")
    names = _with(state, body, lambda sim, target: catalog.schemas(sim, target, pattern))
    shown, token = _page(names, "schemas", body)
    return {"Schemas": shown, **({"NextToken": token} if token else {})}


def list_tables(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    entries = _with(
        state,
        body,
        lambda sim, target: catalog.tables(sim, target, body.get("SchemaPattern"), body.get("TablePattern")),
    )
    shown, token = _page(entries, "tables", body)
    return {
        "Tables": [{"name": e.name, "schema": e.schema, "type": e.type} for e in shown],
        **({"NextToken": token} if token else {}),
    }


def describe_table(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    schema, table = body.get("Schema"), body.get("Table")
    entries = _with(state, body, lambda sim, target: catalog.columns(sim, target, schema, table))
    if table and not entries:
        raise DataApiError("ResourceNotFoundException", f'relation "{table}" does not exist', ResourceId=str(table))
    shown, token = _page(entries, "columns", body)
    out: dict[str, Any] = {
        "ColumnList": [records.column_metadata(e.column, with_default=e.default) for e in shown],
        **({"NextToken": token} if token else {}),
    }
    if table:
        out["TableName"] = str(table)
    return out
