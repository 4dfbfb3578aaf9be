"""Sessions on PostgreSQL (the `redshift` warehouse): each client gets a PostgreSQL connection of its own, with
`search_path` set to the experiment's schema. Statements are translated by dw-sim's Redshift layer and sent on;
PostgreSQL's responses are relayed as they come. The server reads only message headers (5 bytes each) and passes
DataRow messages through untouched, so rows arrive in exactly the format (text or binary) the client asked for.

COPY ... FROM 's3://...' and UNLOAD run in dw-sim's emulation over the session's own connection (`postgres_actions.py`),
so they belong to the client's transaction; how each statement runs (translated and sent on, or answered here) is
decided in `postgres_statements.py`.
"""

from __future__ import annotations

import asyncio
import struct

from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.backends.postgres.backend import DEFAULT_URL
from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget
from dw_simulator.endpoints.redshift import protocol as pg
from dw_simulator.endpoints.redshift.commands import command_tag
from dw_simulator.endpoints.redshift.errors import PROTOCOL_VIOLATION, EndpointError, from_message
from dw_simulator.endpoints.redshift.postgres_actions import Exchange, RelayConnection
from dw_simulator.endpoints.redshift.postgres_statements import PostgresStatements, Prepared
from dw_simulator.endpoints.redshift.session import Engine, Session
from dw_simulator.endpoints.redshift.type_oids import JSON, JSONB, SUPER, TEXT
from dw_simulator.endpoints.redshift.upstream import Upstream, UpstreamAddress
from dw_simulator.errors import DwSimError
from dw_simulator.sql.redshift import translate_redshift
from dw_simulator.sql.redshift.copy_unload import run_action
from dw_simulator.sql.redshift.split import mask, split_statements
from dw_simulator.staging import stage_for

_HEADER = struct.Struct("!i")
_DATA_ROW = 0x44


class PostgresRelay(Engine):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        assert session.target is not None
        self.experiment = session.target.experiment
        self.schema = self.experiment.lower()
        self.url = session.server.settings.redshift_url or DEFAULT_URL
        self.statements = PostgresStatements(session, self.url)
        self.upstream: Upstream | None = None
        self.pending = 0  # forwarded extended-protocol messages whose responses are still to come
        self.failed = False  # PostgreSQL reported an error in this batch: it skips to Sync
        self.local_statements: dict[str, Prepared] = {}
        self.local_portals: dict[str, Prepared] = {}
        self._buffer = bytearray()
        self.errors = 0

    # -- lifecycle -------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.session.server.pool, self.statements.install)
        address = UpstreamAddress.from_url(self.url)
        search_path = '\\"' + self.schema.replace('"', '\\"') + '\\",public'
        options = {
            "client_encoding": "UTF8",
            "DateStyle": "ISO, MDY",
            "TimeZone": "UTC",
            "application_name": ("dw-sim redshift endpoint " + self.session.params.get("application_name", ""))[:63],
            "options": f"-c search_path={search_path}",
        }
        self.upstream = await Upstream.connect(address, options)

    def cancel(self) -> None:
        upstream = self.upstream
        if upstream is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            loop.create_task(upstream.cancel())

    async def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None

    # -- relaying ---------------------------------------------------------------------------------------------------
    async def _read_upstream(self) -> bytes:
        upstream = self.upstream
        assert upstream is not None
        read = asyncio.ensure_future(upstream.reader.read(1 << 20))
        while True:
            done, _ = await asyncio.wait({read}, timeout=0.25)
            if done:
                break
            if self.session.peer_gone():
                await upstream.cancel()
        data = read.result()
        if not data:
            raise EndpointError("08006", "the PostgreSQL server behind this experiment closed the connection")
        return data

    async def _relay(self, *, until_ready: bool, forward_ready: bool) -> None:
        """Pass PostgreSQL's responses to the client: until ReadyForQuery, or until no forwarded message is
        pending. Only message headers are read; DataRows are forwarded in bulk."""
        session = self.session
        buffer = self._buffer
        unpack = _HEADER.unpack_from
        if not until_ready and self.pending <= 0:
            return
        while True:
            if len(buffer) < 5 or len(buffer) < 1 + unpack(buffer, 1)[0]:
                buffer += await self._read_upstream()
            n = len(buffer)
            i = 0
            start = 0
            finished = False
            while i + 5 <= n:
                kind = buffer[i]
                end = i + 1 + unpack(buffer, i + 1)[0]
                if end > n:
                    break
                if kind != _DATA_ROW:
                    if kind == 0x5A:  # Z ReadyForQuery
                        self.tx_status = bytes(buffer[i + 5 : i + 6])
                        self.pending = 0
                        self.failed = False
                        if not forward_ready:
                            if i > start:
                                session.send(bytes(buffer[start:i]))
                            start = end
                        i = end
                        finished = True
                        break
                    if kind == 0x54:  # T RowDescription: SUPER values travel as Redshift's SUPER type
                        self.pending -= 1  # (it answers a Describe; in a simple Query nothing is pending)
                        replaced = _super_row_description(bytes(buffer[i + 5 : end]))
                        if replaced is not None:
                            if i > start:
                                session.send(bytes(buffer[start:i]))
                            session.send(replaced)
                            start = end
                    elif kind == 0x45:  # E ErrorResponse: PostgreSQL now skips to Sync
                        self.errors += 1
                        if self.pending > 0:
                            self.failed = True
                            self.session.skipping = True  # the client's messages up to Sync are void too
                        self.pending = 0
                    elif kind in (
                        0x31,
                        0x32,
                        0x33,
                        0x6E,
                        0x43,
                        0x49,
                        0x73,
                    ):  # 1 2 3 n C I s complete a message (T too, below)
                        self.pending -= 1
                    elif kind in (0x47, 0x48, 0x57):  # COPY ... FROM STDIN / TO STDOUT: Redshift has neither
                        pass
                i = end
                if not until_ready and self.pending <= 0:
                    finished = True
                    break
            if i > start:
                session.send(bytes(buffer[start:i]))
            del buffer[:i]
            await session.maybe_drain()
            if finished:
                return

    async def _settle(self) -> None:
        """Before the endpoint answers a message itself: every forwarded one has had its answer."""
        if self.pending > 0 and self.upstream is not None:
            self.upstream.send(pg.message(b"H"))
            await self.upstream.writer.drain()
            await self._relay(until_ready=False, forward_ready=True)

    # -- simple query protocol -----------------------------------------------------------------------------------
    async def simple_query(self, sql: str) -> None:
        assert self.upstream is not None
        pieces = split_statements(sql)
        if not pieces:
            self.session.send(pg.EMPTY_QUERY)
            return
        group: list[str] = []
        for piece in pieces:
            prepared = await self.statements.translate(piece)
            if not prepared.local:
                group.append(prepared.sql)
                if prepared.ddl:  # run it now: the statements after it are translated against the new catalog
                    ok = await self._run_group(group)
                    group = []
                    self.statements.forget_catalog()
                    if not ok:
                        return
                continue
            if group and not await self._run_group(group):
                return
            group = []
            await self._local(prepared, describe=True)
        if group:
            await self._run_group(group)

    async def _run_group(self, statements: list[str]) -> bool:
        """Send statements as one Query and relay their results, up to (not including) ReadyForQuery; False when
        one of them failed (PostgreSQL then skipped the rest, and so does the endpoint)."""
        assert self.upstream is not None
        self.upstream.send(pg.message(b"Q", pg.cstr(";\n".join(statements))))
        await self.upstream.writer.drain()
        self.pending = 0
        errors = self.errors
        await self._relay(until_ready=True, forward_ready=False)
        return self.errors == errors

    async def _local(self, prepared: Prepared, *, describe: bool, formats: list[int] | None = None) -> None:
        """Answer a statement here: rows (SHOW) and the command tag."""
        session = self.session
        if prepared.local == "empty":
            session.send(pg.EMPTY_QUERY)
        elif prepared.local == "set":
            if prepared.value:
                session.settings[prepared.name] = prepared.value
            else:
                session.settings.pop(prepared.name, None)
            session.send(pg.command_complete(command_tag("set")))
        elif prepared.local == "show":
            if describe:
                session.send(pg.row_description([pg.Field(prepared.name, TEXT)], formats or []))
            value = session.setting(prepared.name).encode()
            session.send(pg.message(b"D", struct.pack("!hi", 1, len(value)) + value))
            session.send(pg.command_complete("SHOW"))
        elif prepared.local == "action":
            tag = await self._action(prepared.client_sql)
            session.send(pg.command_complete(tag))

    async def _action(self, sql: str) -> str:
        """COPY/UNLOAD through dw-sim's emulation, on this session's own PostgreSQL connection (so inside the
        client's transaction, if one is open)."""
        assert self.upstream is not None
        settings = self.session.server.settings
        loop = asyncio.get_running_loop()
        exchange = Exchange(self.upstream, self._buffer)
        exchange.tx_status = self.tx_status
        relay = RelayConnection(exchange, loop)

        def run() -> int:
            (statement,) = translate_redshift(sql, engine="postgres")
            backend = RedshiftBackend(settings, url=self.url)  # UNLOAD translates its query with the catalog
            try:
                _, rows, _ = relay.run(exchange.query("SELECT nextval('dwsim_redshift.query_id')"))
                target = PostgresCopyTarget(backend, relay, self.experiment)
                return run_action(statement.action, target, stage_for(settings), query_id=int(rows[0][0]))
            finally:
                backend.close()

        try:
            rows = await loop.run_in_executor(self.session.server.pool, run)
        except DwSimError as exc:
            raise from_message(exc.message) from None
        finally:
            self.tx_status = exchange.tx_status
        first = mask(sql).text.split()[0].upper()
        return f"COPY {rows}" if first == "COPY" else "UNLOAD"

    # -- extended query protocol -----------------------------------------------------------------------------------
    def _forward(self, kind: bytes, payload: bytes, responses: int = 1) -> None:
        assert self.upstream is not None
        self.upstream.send(pg.message(kind, payload))
        self.pending += responses

    async def parse(self, msg: pg.Parse) -> None:
        pieces = split_statements(msg.query)
        if len(pieces) > 1:
            raise EndpointError(PROTOCOL_VIOLATION, "cannot insert multiple commands into a prepared statement")
        prepared = await self.statements.translate(pieces[0] if pieces else "")
        if prepared.local:
            await self._settle()
            self.local_statements[msg.name] = prepared
            self.session.send(pg.PARSE_COMPLETE)
            return
        self.local_statements.pop(msg.name, None)
        if prepared.ddl:
            self.statements.catalog_dirty = True
        payload = (
            pg.cstr(msg.name)
            + pg.cstr(prepared.sql)
            + struct.pack(f"!h{len(msg.param_oids)}i", len(msg.param_oids), *msg.param_oids)
        )
        self._forward(b"P", payload)

    async def bind(self, msg: pg.Bind) -> None:
        prepared = self.local_statements.get(msg.statement)
        if prepared is not None:
            await self._settle()
            self.local_portals[msg.portal] = prepared
            self.session.send(pg.BIND_COMPLETE)
            return
        self.local_portals.pop(msg.portal, None)
        self._forward(b"B", _bind_payload(msg))

    async def describe(self, kind: str, name: str) -> None:
        local = (self.local_statements if kind == "S" else self.local_portals).get(name)
        if local is not None:
            await self._settle()
            if kind == "S":
                self.session.send(pg.parameter_description([]))
            if local.local == "show":
                self.session.send(pg.row_description([pg.Field(local.name, TEXT)]))
            else:
                self.session.send(pg.NO_DATA)
            return
        self._forward(b"D", kind.encode() + pg.cstr(name))

    async def execute(self, portal: str, max_rows: int) -> None:
        local = self.local_portals.get(portal)
        if local is not None:
            await self._settle()
            await self._local(local, describe=False)
            return
        self._forward(b"E", pg.cstr(portal) + struct.pack("!i", max_rows))
        await self._relay_if_buffered()

    async def close_object(self, kind: str, name: str) -> None:
        store = self.local_statements if kind == "S" else self.local_portals
        if store.pop(name, None) is not None:
            await self._settle()
            self.session.send(pg.CLOSE_COMPLETE)
            return
        self._forward(b"C", kind.encode() + pg.cstr(name))

    async def _relay_if_buffered(self) -> None:
        """Send forwarded messages on now (PostgreSQL starts working before the client's Sync arrives)."""
        assert self.upstream is not None
        await self.upstream.writer.drain()

    async def flush(self) -> None:
        assert self.upstream is not None
        if self.pending > 0:
            await self._settle()
        await self.session.drain()

    async def sync(self) -> None:
        assert self.upstream is not None
        self.upstream.send(pg.message(b"S"))
        await self.upstream.writer.drain()
        await self._relay(until_ready=True, forward_ready=True)
        self.local_portals.pop("", None)


def _bind_payload(msg: pg.Bind) -> bytes:
    parts = [
        pg.cstr(msg.portal),
        pg.cstr(msg.statement),
        struct.pack(f"!h{len(msg.param_formats)}h", len(msg.param_formats), *msg.param_formats),
    ]
    parts.append(struct.pack("!h", len(msg.params)))
    parts.extend(struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v for v in msg.params)
    parts.append(struct.pack(f"!h{len(msg.result_formats)}h", len(msg.result_formats), *msg.result_formats))
    return b"".join(parts)


def _super_row_description(payload: bytes) -> bytes | None:
    """A RowDescription with json/jsonb columns reported as SUPER (Redshift's type), or None when it has none."""
    (count,) = struct.unpack_from("!h", payload)
    pos = 2
    fields: list[tuple[bytes, list[int]]] = []
    changed = False
    for _ in range(count):
        end = payload.index(b"\x00", pos)
        name = payload[pos:end]
        values = list(struct.unpack_from("!ihihih", payload, end + 1))
        if values[2] in (JSONB, JSON):
            values[2], values[3] = SUPER, -1
            changed = True
        fields.append((name, values))
        pos = end + 1 + 18
    if not changed:
        return None
    body = struct.pack("!h", count) + b"".join(n + b"\x00" + struct.pack("!ihihih", *v) for n, v in fields)
    return pg.message(b"T", body)
