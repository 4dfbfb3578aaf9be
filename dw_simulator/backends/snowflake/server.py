"""The Snowflake wire protocol (the REST API the connectors speak) in front of an `Engine`.

It follows fakesnow's `fakesnow/server.py` and reuses its helpers for bindings and Arrow results, with these
differences:

* state is per server instance (its engine and its sessions), not module globals, and every session is a cursor
  of the engine's shared DuckDB instance, so any number of clients can connect at once;
* statements of one session run one at a time (a per-session lock), as on Snowflake;
* a failure dw-sim does not anticipate is reported as a SQL error (`success: false`), never as HTTP 500, which
  the connectors retry until their network timeout;
* `PUT` from a client on the same machine (loopback) uploads by copying the file into the stage directory
  (`LOCAL_FS`) instead of an HTTP upload; other clients upload over HTTP like to a GCS presigned URL.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import secrets
import threading
from base64 import b64encode
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import snowflake.connector.errors as sf_errors
from fakesnow.arrow import to_ipc
from fakesnow.converter import from_binding
from fakesnow.dialect import parse_one
from fakesnow.expr import normalise_ident
from fakesnow.rowtype import describe_as_rowtype
from fakesnow.statement_type import DML_TYPE_IDS, statement_type_id
from fakesnow.transforms import SERVER_VERSION
from fakesnow.transforms import stage as fs_stage
from sqlglot import exp
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dw_simulator.backends.snowflake.arrow_results import to_sf
from dw_simulator.backends.snowflake.cursor import DwSimConnection, connect
from dw_simulator.backends.snowflake.error_codes import snowflake_error
from dw_simulator.backends.snowflake.instance import Engine
from dw_simulator.backends.snowflake.result_columns import normalise, with_null_timestamps

log = logging.getLogger(__name__)
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
INTERNAL_ERROR = "000603"  # Snowflake's "SQL execution internal error"


@dataclass
class Session:
    conn: DwSimConnection
    lock: threading.Lock = field(default_factory=threading.Lock)


class SnowflakeProtocolServer:
    """A Starlette app speaking enough of Snowflake's REST API for the Python, JDBC and Go connectors."""

    def __init__(self, engine: Engine, *, local_stage_uploads: bool = True) -> None:
        self.engine = engine
        self.local_stage_uploads = local_stage_uploads
        self.sessions: dict[str, Session] = {}
        self._sessions_lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/session/v1/login-request", self.login_request, methods=["POST"]),
                Route("/session", self.session, methods=["POST"]),
                Route("/session/heartbeat", self.session, methods=["POST"]),
                Route("/session/token-request", self.token_request, methods=["POST"]),
                Route("/queries/v1/query-request", self.query_request, methods=["POST"]),
                Route("/queries/v1/abort-request", self.abort_request, methods=["POST"]),
                Route("/fs_bucket/{path:path}", self.bucket_upload, methods=["PUT"]),
                Route("/monitoring/queries/{sfqid}", self.monitoring_query, methods=["GET"]),
                Route("/telemetry/send", self.telemetry, methods=["POST"]),
                Route("/dwsim/health", self.health, methods=["GET"]),
            ]
        )

    # -- sessions ----------------------------------------------------------------------------------------------------
    async def login_request(self, request: Request) -> JSONResponse:
        database = (d := request.query_params.get("databaseName")) and normalise_ident(d)
        schema = (s := request.query_params.get("schemaName")) and normalise_ident(s)
        body = await _body(request)
        session_params: dict[str, Any] = body.get("data", {}).get("SESSION_PARAMETERS", {}) or {}
        autocommit = bool(session_params.get("AUTOCOMMIT", True))
        try:
            conn = await run_in_threadpool(connect, self.engine, database, schema, autocommit=autocommit)
        except Exception as exc:  # e.g. a database name DuckDB cannot attach
            return _failure("390100", f"Incorrect login: {exc}".splitlines()[0])
        token = secrets.token_urlsafe(32)
        with self._sessions_lock:
            self.sessions[token] = Session(conn)
        log.debug("session login", extra={"database": database, "schema": schema})
        return JSONResponse(
            {
                "data": {
                    "token": token,
                    "masterToken": token,
                    "validityInSeconds": 3600 * 24,
                    "serverVersion": SERVER_VERSION,
                    "parameters": [
                        {"name": "AUTOCOMMIT", "value": autocommit},
                        {"name": "CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY", "value": 3600},
                        # keep array bindings inline (no staging of bind values)
                        {"name": "CLIENT_STAGE_ARRAY_BINDING_THRESHOLD", "value": 0},
                        {"name": "TIMEZONE", "value": "Etc/UTC"},
                    ],
                    "sessionInfo": {
                        "databaseName": conn.database,
                        "schemaName": conn.schema,
                        "warehouseName": self.engine.config.context.warehouse,
                        "roleName": self.engine.config.context.role,
                    },
                },
                "success": True,
            }
        )

    def _session(self, request: Request) -> tuple[str, Session] | JSONResponse:
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith('Snowflake Token="'):
            return _failure("390103", "Session token not found in the request data.", status=401)
        token = auth[len('Snowflake Token="') : -1]
        session = self.sessions.get(token)
        if session is None:
            return _failure("390104", "User must login again to access the service.", status=401)
        return token, session

    async def session(self, request: Request) -> JSONResponse:
        found = self._session(request)
        if isinstance(found, JSONResponse):
            return found
        token, session = found
        if request.query_params.get("delete"):
            with self._sessions_lock:
                self.sessions.pop(token, None)
            await run_in_threadpool(_close_quietly, session.conn)
        return JSONResponse({"data": None, "code": None, "message": None, "success": True})

    async def token_request(self, request: Request) -> JSONResponse:
        found = self._session(request)
        if isinstance(found, JSONResponse):
            return found
        token, _ = found
        return JSONResponse(
            {"data": {"sessionToken": token, "validityInSecondsST": 3600 * 24}, "success": True, "message": None}
        )

    async def abort_request(self, request: Request) -> JSONResponse:
        return JSONResponse({"success": True})

    async def telemetry(self, request: Request) -> JSONResponse:
        return JSONResponse({"success": True})

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "sessions": len(self.sessions)})

    async def monitoring_query(self, request: Request) -> JSONResponse:
        found = self._session(request)
        if isinstance(found, JSONResponse):
            return found
        _, session = found
        if not session.conn.results_cache.get(request.path_params["sfqid"]):
            return JSONResponse({"data": {"queries": []}, "success": True})
        return JSONResponse({"data": {"queries": [{"status": "SUCCESS"}]}, "success": True})

    # -- statements ----------------------------------------------------------------------------------------------------
    async def query_request(self, request: Request) -> JSONResponse:
        found = self._session(request)
        if isinstance(found, JSONResponse):
            return found
        _, session = found
        body = await _body(request)
        sql_text: str = body.get("sqlText", "")
        try:
            params, batch = _bindings(body.get("bindings"))
        except Exception as exc:
            return _failure("002049", f"cannot read the bind values: {exc}")
        session.conn.client_is_local = request.client is not None and request.client.host in LOOPBACK
        try:
            return await run_in_threadpool(self._run, request, session, sql_text, params, batch, body)
        except (sf_errors.ProgrammingError, sf_errors.OperationalError, sf_errors.DatabaseError) as exc:
            errno = exc.errno if isinstance(exc.errno, int) and exc.errno > 0 else 2140
            code, message, sqlstate = snowflake_error(f"{errno:06d}", exc.msg or str(exc), exc.sqlstate, sql_text)
            return _failure(code, message, sqlstate=sqlstate)
        except Exception as exc:  # a gap of the emulator: report it as a SQL error, never as HTTP 500
            log.warning("statement failed in the embedded Snowflake endpoint", exc_info=exc)
            message = f"{type(exc).__name__}: {exc}".splitlines()[0]
            return _failure(INTERNAL_ERROR, f"the embedded Snowflake endpoint cannot run this statement ({message})")

    def _run(
        self,
        request: Request,
        session: Session,
        sql_text: str,
        params: Any,
        batch: list[tuple[Any, ...]] | None,
        body: dict[str, Any],
    ) -> JSONResponse:
        conn = session.conn
        with session.lock:
            expression = parse_one(sql_text)
            type_id = statement_type_id(expression)
            cur = conn.cursor()
            if body.get("describeOnly") and (described := cur._describe_only(sql_text)) is not None:
                return _describe_only_response(conn, cur, describe_as_rowtype(described), expression, type_id)
            batch_rowcount = 0
            if batch is None:
                cur.execute(sql_text, binding_params=params, server=True)
            else:
                for row in batch:
                    cur.execute(sql_text, binding_params=row, server=True)
                    batch_rowcount += cur.rowcount or 0
            described, cur._arrow_table = normalise(cur._describe_last_sql(), cur._arrow_table)
            rowtype = describe_as_rowtype(described)
            transformed = cur._last_transformed
            if transformed is not None and (put_stage_data := transformed.args.get("put_stage_data")):
                if not params and not self._client_is_local(request):
                    put_stage_data["stageInfo"] = _gcs_stage_info(request, transformed, put_stage_data)
                return JSONResponse({"data": put_stage_data, "success": True})
            arrow_table = cur._arrow_table
            result: dict[str, Any]
            if batch is not None and arrow_table is not None and type_id in DML_TYPE_IDS:
                result = {"queryResultFormat": "json", "rowset": [[str(batch_rowcount)]]}
            elif arrow_table is not None and type_id in DML_TYPE_IDS:
                result = {
                    "queryResultFormat": "json",
                    "rowset": [
                        [None if v is None else str(v) for v in row]
                        for row in zip(*[c.to_pylist() for c in arrow_table.columns], strict=True)
                    ],
                }
            elif arrow_table is not None:
                payload = to_ipc(with_null_timestamps(to_sf(arrow_table, rowtype), arrow_table))
                result = {"queryResultFormat": "arrow", "rowsetBase64": b64encode(payload).decode("ascii")}
            else:
                result = {"queryResultFormat": "arrow", "rowsetBase64": ""}
            total = 1 if batch is not None else (arrow_table.num_rows if arrow_table is not None else 0)
            return JSONResponse(
                {
                    "data": {
                        "parameters": [{"name": "TIMEZONE", "value": "Etc/UTC"}],
                        "rowtype": rowtype,
                        "total": total,
                        "returned": total,
                        "queryId": cur.sfqid,
                        "statementTypeId": type_id,
                        "finalDatabaseName": conn.database,
                        "finalSchemaName": conn.schema,
                        "finalWarehouseName": self.engine.config.context.warehouse,
                        "finalRoleName": self.engine.config.context.role,
                        **result,
                    },
                    "success": True,
                }
            )

    def _client_is_local(self, request: Request) -> bool:
        client = request.client
        return self.local_stage_uploads and client is not None and client.host in LOOPBACK

    async def bucket_upload(self, request: Request) -> Response:
        """Store a file PUT over HTTP in the local bucket that backs internal stages."""
        body = await request.body()
        target = os.path.normpath(os.path.join(fs_stage.LOCAL_BUCKET_PATH, request.path_params["path"]))
        if not target.startswith(fs_stage.LOCAL_BUCKET_PATH + os.sep):
            return Response(status_code=400)
        await run_in_threadpool(_write_file, target, body)
        return Response()

    def close(self) -> None:
        with self._sessions_lock:
            sessions = list(self.sessions.values())
            self.sessions.clear()
        for session in sessions:
            _close_quietly(session.conn)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


def _bindings(bindings: dict[str, Any] | None) -> tuple[Any, list[tuple[Any, ...]] | None]:
    """Positional, named or array (executemany) bindings, as fakesnow's cursor takes them."""
    if not bindings:
        return None, None
    if not all(k.isdigit() for k in bindings):
        return {name: from_binding(b) for name, b in bindings.items()}, None
    ordered = [bindings[str(pos)] for pos in range(1, len(bindings) + 1)]
    if any(isinstance(b["value"], list) for b in ordered):
        columns = [[from_binding({**b, "value": v}) for v in b["value"]] for b in ordered]
        return None, list(zip(*columns, strict=True))
    return tuple(from_binding(b) for b in ordered), None


def _failure(code: str, message: str, *, sqlstate: str | None = None, status: int = 200) -> JSONResponse:
    return JSONResponse(
        {
            "data": {"errorCode": code, "sqlState": sqlstate or "42000"},
            "code": code,
            "message": message,
            "success": False,
            "headers": None,
        },
        status_code=status,
    )


def _describe_only_response(
    conn: DwSimConnection, cur: Any, rowtype: list[Any], expression: exp.Expr, type_id: int
) -> JSONResponse:
    from fakesnow import statement_type

    result = (
        {"queryResultFormat": "arrow", "rowsetBase64": ""}
        if type_id == statement_type.SELECT
        else {"queryResultFormat": "json", "rowset": []}
    )
    return JSONResponse(
        {
            "data": {
                "rowtype": rowtype,
                "total": 0,
                "returned": 0,
                "queryId": cur.sfqid,
                "statementTypeId": type_id,
                "numberOfBinds": len(list(expression.find_all(exp.Placeholder))),
                "arrayBindSupported": type_id == statement_type.INSERT,
                "finalDatabaseName": conn.database,
                "finalSchemaName": conn.schema,
                **result,
            },
            "success": True,
        }
    )


def _gcs_stage_info(request: Request, expression: exp.Expr, put_stage_data: dict[str, Any]) -> dict[str, Any]:
    """Upload over HTTP to this server, the way the connector uploads to a GCS presigned URL."""
    stage_dir = put_stage_data["stageInfo"]["location"]
    dst = os.path.basename(put_stage_data["src_locations"][0])
    path = quote(os.path.relpath(os.path.join(stage_dir, dst), fs_stage.LOCAL_BUCKET_PATH))
    return {
        "locationType": "GCS",
        "location": f"{expression.args['put_stage_name']}/",
        "creds": {},
        "presignedUrl": f"{request.url.scheme}://{request.url.netloc}/fs_bucket/{path}",
    }


def _write_file(target: str, body: bytes) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(body)


def _close_quietly(conn: DwSimConnection) -> None:
    try:
        conn.close()
    except Exception:  # already closed with its engine
        log.debug("closing a session failed", exc_info=True)
