"""Prepared statements and cursors of a session on the embedded DuckDB warehouse (the statements:
`cursor_commands.py`), run on worker threads. FETCH/MOVE rows are streamed by the session (`duckdb_sessions.py`).

A cursor is a portal of the session: DECLARE runs its query and keeps the result open; FETCH reads on from it;
COMMIT/ROLLBACK close every cursor but the WITH HOLD ones, which a COMMIT reads to the end (PostgreSQL materializes
them too). SQL PREPARE and the extended protocol's named statements share one namespace, as in PostgreSQL.
"""

from __future__ import annotations

from dw_simulator.endpoints.redshift.cursor_commands import CursorCommand
from dw_simulator.endpoints.redshift.duckdb_statements import DuckDBStatements, Portal, close_reader
from dw_simulator.endpoints.redshift.errors import INVALID_CURSOR, INVALID_PREPARED_STATEMENT, EndpointError

_TAGS = {"prepare": "PREPARE", "characteristics": "SET"}


def run_cursor_command(engine: DuckDBStatements, portal: Portal) -> None:
    """Run DECLARE/CLOSE/PREPARE/EXECUTE/DEALLOCATE/DISCARD (worker thread); FETCH/MOVE only find their cursor."""
    command: CursorCommand = portal.prepared.action
    kind = command.kind
    if kind in ("fetch", "move"):
        portal.fields = cursor_portal(engine, command.name).fields if kind == "fetch" else None
        return
    if kind == "declare":
        _declare(engine, portal, command)
    elif kind == "close":
        _close(engine, command.name)
        portal.tag = "CLOSE CURSOR" if command.name else "CLOSE CURSOR ALL"
    elif kind == "prepare":
        if command.name in engine.statements:
            raise EndpointError("42P05", f'prepared statement "{command.name}" already exists')
        assert portal.prepared.inner is not None
        engine.statements[command.name] = portal.prepared.inner
    elif kind == "execute":
        _execute(engine, portal, command)
    elif kind == "deallocate":
        if command.name and engine.statements.pop(command.name, None) is None:
            raise EndpointError(INVALID_PREPARED_STATEMENT, f'prepared statement "{command.name}" does not exist')
        if not command.name:
            engine.statements.clear()
        portal.tag = "DEALLOCATE" if command.name else "DEALLOCATE ALL"
    elif kind == "discard":
        _discard(engine, command.what)
        portal.tag = f"DISCARD {'TEMP' if command.what == 'TEMPORARY' else command.what}"
    if not portal.tag:
        portal.tag = _TAGS.get(kind, kind.upper())


def cursor_portal(engine: DuckDBStatements, name: str) -> Portal:
    portal = engine.portals.get(name)
    if portal is None or not portal.executed:
        raise EndpointError(INVALID_CURSOR, f'cursor "{name}" does not exist')
    return portal


def _declare(engine: DuckDBStatements, portal: Portal, command: CursorCommand) -> None:
    if engine.tx_status == b"I" and not command.hold:
        raise EndpointError("25P01", "DECLARE CURSOR can only be used in transaction blocks")
    if command.name in engine.portals:
        raise EndpointError("42P03", f'cursor "{command.name}" already exists')
    inner = portal.prepared.inner
    assert inner is not None
    cursor = Portal(inner, portal.params, [], fields=None, cursor=True, hold=command.hold)
    engine._execute(cursor)
    engine.portals[command.name] = cursor
    portal.tag = "DECLARE CURSOR"


def _close(engine: DuckDBStatements, name: str) -> None:
    if name:
        cursor = engine.portals.get(name)
        if cursor is None:
            raise EndpointError(INVALID_CURSOR, f'cursor "{name}" does not exist')
        close_reader(engine.portals.pop(name))
        return
    for key in [k for k, p in engine.portals.items() if p.cursor]:
        close_reader(engine.portals.pop(key))


def _execute(engine: DuckDBStatements, portal: Portal, command: CursorCommand) -> None:
    prepared = engine.statements.get(command.name)
    if prepared is None:
        raise EndpointError(INVALID_PREPARED_STATEMENT, f'prepared statement "{command.name}" does not exist')
    params: list[object] = []
    if command.args:
        engine.park_readers()
        row = engine.con.execute("SELECT " + ", ".join(f"({a})" for a in command.args)).fetchone()
        params = list(row) if row else []
    inner = Portal(prepared, params, portal.formats)
    engine._execute(inner)
    portal.reader, portal.fields, portal.tag, portal.tag_sql = inner.reader, inner.fields, inner.tag, prepared.sql


def _discard(engine: DuckDBStatements, what: str) -> None:
    if what == "ALL" and engine.tx_status != b"I":
        raise EndpointError("25001", "DISCARD ALL cannot run inside a transaction block")
    if what in ("ALL", "TEMP", "TEMPORARY"):
        engine.park_readers()
        temporary = engine.con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE temporary").fetchall()
        for schema, table in temporary:
            engine.con.execute(f'DROP TABLE IF EXISTS "{schema}"."{table}"')
    if what == "ALL":
        for key in [k for k in engine.portals if k]:
            close_reader(engine.portals.pop(key))
        engine.statements = {k: v for k, v in engine.statements.items() if not k}
        engine.session.settings.clear()
        engine.reset_search_path()
