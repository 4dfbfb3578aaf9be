"""Sessions on the embedded DuckDB warehouse: Redshift SQL through dw-sim's Redshift layer, results encoded as
PostgreSQL would send them. Each session has a DuckDB connection of its own (a cursor of the endpoint's shared
database handle); every DuckDB call runs on a worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.commands import statement_tag
from dw_simulator.endpoints.redshift.duckdb_statements import DuckDBStatements, Portal, close_reader
from dw_simulator.endpoints.redshift.encode import decode_parameter
from dw_simulator.endpoints.redshift.errors import (
    INVALID_CURSOR,
    INVALID_PREPARED_STATEMENT,
    PROTOCOL_VIOLATION,
    QUERY_CANCELED,
    EndpointError,
    from_message,
)
from dw_simulator.endpoints.redshift.type_oids import TEXT
from dw_simulator.errors import DwSimError
from dw_simulator.sql.redshift.split import split_statements

T = TypeVar("T")


class DuckDBEngine(DuckDBStatements):
    """A session's messages: the simple and extended query protocols, with rows streamed from worker threads."""

    # -- threads ----------------------------------------------------------------------------------------------------
    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        import duckdb

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.session.server.pool, self.session.server.track(fn), *args)
        while True:
            done, _ = await asyncio.wait({future}, timeout=0.2)
            if done:
                break
            if self.session.peer_gone():
                self.cancel()  # the client went away mid-query: stop the work
        try:
            return future.result()
        except EndpointError:
            raise
        except duckdb.InterruptException:
            raise EndpointError(QUERY_CANCELED, "canceling statement due to user request") from None
        except duckdb.Error as exc:
            raise from_message(str(exc)) from None
        except DwSimError as exc:
            raise from_message(exc.message) from None

    async def start(self) -> None:
        self.con = await self._run(self._open)

    def cancel(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):  # nothing running, or already closed
                self.con.interrupt()

    async def close(self) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            for portal in self.portals.values():
                close_reader(portal)
            await asyncio.get_running_loop().run_in_executor(None, self.session.server.release_duckdb, con)

    # -- simple query protocol -----------------------------------------------------------------------------------
    async def simple_query(self, sql: str) -> None:
        pieces = split_statements(sql)
        if not pieces:
            self.session.send(pg.EMPTY_QUERY)
            return
        for piece in pieces:
            cached = self._cached(piece, None)
            prepared = cached if cached is not None else await self._run(self._prepare, piece)
            portal = Portal(prepared, [], [])
            await self._run(self._execute, portal)
            if portal.reader is not None:
                assert portal.fields is not None
                self.session.send(pg.row_description(portal.fields))
            await self._stream(portal, 0)

    async def _stream(self, portal: Portal, max_rows: int) -> None:
        """Send a portal's rows (up to max_rows, 0 = all) and its CommandComplete or PortalSuspended."""
        session = self.session
        if portal.prepared.kind == "empty":
            session.send(pg.EMPTY_QUERY)
            return
        if portal.reader is not None or portal.pending is not None:
            while True:
                want = max_rows - portal.rows_in_call if max_rows else 0
                data, rows, finished = await self._run(self._next_rows, portal, want)
                if data:
                    session.send(data)
                    portal.rows += rows
                    portal.rows_in_call += rows
                    await session.maybe_drain()
                if finished:
                    break
                if max_rows and portal.rows_in_call >= max_rows:
                    session.send(pg.PORTAL_SUSPENDED)
                    return
            portal.tag = (
                statement_tag(portal.prepared.sql, portal.rows) if portal.prepared.kind != "command" else "SHOW"
            )
        session.send(pg.command_complete(portal.tag or statement_tag(portal.prepared.sql, portal.rows)))

    # -- extended query protocol -----------------------------------------------------------------------------------
    async def parse(self, msg: pg.Parse) -> None:
        pieces = split_statements(msg.query)
        if len(pieces) > 1:
            raise EndpointError(PROTOCOL_VIOLATION, "cannot insert multiple commands into a prepared statement")
        text = pieces[0] if pieces else ""
        cached = self._cached(text, msg.param_oids)
        prepared = cached if cached is not None else await self._run(self._prepare, text, msg.param_oids)
        self.statements[msg.name] = prepared
        self.session.send(pg.PARSE_COMPLETE)

    async def bind(self, msg: pg.Bind) -> None:
        prepared = self.statements.get(msg.statement)
        if prepared is None:
            raise EndpointError(INVALID_PREPARED_STATEMENT, f'prepared statement "{msg.statement}" does not exist')
        params = []
        for i, value in enumerate(msg.params):
            oid = prepared.param_oids[i] if i < len(prepared.param_oids) else 0
            try:
                params.append(decode_parameter(value, oid, msg.param_format(i) == 1))
            except (ValueError, UnicodeDecodeError) as exc:
                raise EndpointError("22P02", f"invalid value for parameter ${i + 1}: {exc}") from None
        old = self.portals.pop(msg.portal, None)
        if old is not None:
            close_reader(old)
        portal = Portal(prepared, params, msg.result_formats, fields=prepared.fields)
        self.portals[msg.portal] = portal
        self.session.send(pg.BIND_COMPLETE)

    async def describe(self, kind: str, name: str) -> None:
        if kind == "S":
            prepared = self.statements.get(name)
            if prepared is None:
                raise EndpointError(INVALID_PREPARED_STATEMENT, f'prepared statement "{name}" does not exist')
            oids = [
                prepared.param_oids[i] if i < len(prepared.param_oids) and prepared.param_oids[i] else TEXT
                for i in range(prepared.param_count)
            ]
            self.session.send(pg.parameter_description(oids))
            if prepared.fields is None:
                prepared.fields = await self._run(self._describe, prepared, None)
            self.session.send(pg.row_description(prepared.fields) if prepared.fields else pg.NO_DATA)
            return
        portal = self.portals.get(name)
        if portal is None:
            raise EndpointError(INVALID_CURSOR, f'portal "{name}" does not exist')
        if not portal.executed and portal.prepared.returns_rows:
            # run it now (its rows stream at Execute): the description is then the result's own
            await self._run(self._execute, portal)
        if portal.fields is None and portal.prepared.returns_rows and portal.reader is None:
            portal.fields = await self._run(self._describe, portal.prepared, portal.params)
        fields = portal.fields if portal.reader is not None or portal.prepared.returns_rows else None
        self.session.send(pg.row_description(fields, portal.formats) if fields else pg.NO_DATA)

    async def execute(self, portal_name: str, max_rows: int) -> None:
        portal = self.portals.get(portal_name)
        if portal is None:
            raise EndpointError(INVALID_CURSOR, f'portal "{portal_name}" does not exist')
        if not portal.executed:
            await self._run(self._execute, portal)
        portal.rows_in_call = 0
        await self._stream(portal, max_rows)

    async def close_object(self, kind: str, name: str) -> None:
        if kind == "S":
            self.statements.pop(name, None)
        else:
            portal = self.portals.pop(name, None)
            if portal is not None:
                close_reader(portal)
        self.session.send(pg.CLOSE_COMPLETE)

    async def sync(self) -> None:
        unnamed = self.portals.pop("", None)
        if unnamed is not None:
            close_reader(unnamed)
        if self.tx_status == b"I":  # outside a transaction block every batch ends its portals
            for name in list(self.portals):
                close_reader(self.portals.pop(name))
        self.session.send(pg.ready_for_query(self.tx_status))
