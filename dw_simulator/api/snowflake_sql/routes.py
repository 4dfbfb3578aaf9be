"""The Snowflake SQL API v2: `POST /api/v2/statements`, `GET /api/v2/statements/{handle}`,
`POST /api/v2/statements/{handle}/cancel`.

Statements run in the background through the service layer's statement registry, on the embedded Snowflake engine
(experiments on snowflake) or the Snowflake layer on DuckDB (Snowflake-dialect experiments on duckdb). A synchronous
request waits up to 45 s (`DW_SIM_API_STATEMENT_SYNC_WAIT_S`) and answers 202 with the handle past that.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dw_simulator.api.snowflake_sql import responses
from dw_simulator.api.state import AppState
from dw_simulator.errors import DwSimError
from dw_simulator.sql.binding import BindingError, count_positional, is_block, snowflake_value, split_statements
from dw_simulator.statements import resolve_target
from dw_simulator.statements.registry import Run, TooManyActive

router = APIRouter(prefix=responses.STATEMENTS, include_in_schema=False)
TOKEN_TYPES = ("KEYPAIR_JWT", "OAUTH", "PROGRAMMATIC_ACCESS_TOKEN")
MAX_TIMEOUT_S = 604_800  # Snowflake's STATEMENT_TIMEOUT_IN_SECONDS maximum (7 days)
# session parameters a request may set: the ones that do not change an answer's values in jsonv2
ACCEPTED_PARAMETERS = {
    "MULTI_STATEMENT_COUNT",
    "QUERY_TAG",
    "USE_CACHED_RESULT",
    "BINARY_OUTPUT_FORMAT",
    "DATE_OUTPUT_FORMAT",
    "TIME_OUTPUT_FORMAT",
    "TIMESTAMP_OUTPUT_FORMAT",
    "TIMESTAMP_LTZ_OUTPUT_FORMAT",
    "TIMESTAMP_NTZ_OUTPUT_FORMAT",
    "TIMESTAMP_TZ_OUTPUT_FORMAT",
    "CLIENT_RESULT_CHUNK_SIZE",
    "TIMEZONE",
}
UTC_NAMES = {"UTC", "ETC/UTC", "GMT", "Z"}


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "391902", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.dwsim
    return state


def _authenticate(request: Request) -> Response | None:
    """The SQL API's headers: `Authorization: Bearer <JWT, OAuth token or programmatic access token>` and
    `X-Snowflake-Authorization-Token-Type`. Without DW_SIM_API_TOKEN (loopback only) any well-formed one is accepted
    as the local mock credentials; with it, the middleware has already required the token as the bearer."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return responses.failure(401, "390101", "Authorization header (Bearer <token>) not found in the request data.")
    kind = request.headers.get("x-snowflake-authorization-token-type", "").upper()
    if kind and kind not in TOKEN_TYPES:
        return responses.failure(401, "390101", f"unsupported X-Snowflake-Authorization-Token-Type {kind!r}")
    if (kind == "KEYPAIR_JWT" or token.count(".") == 2) and (problem := _jwt_problem(token.strip())) is not None:
        return responses.failure(401, "390144", f"JWT token is invalid: {problem}")
    return None


def _jwt_problem(token: str) -> str | None:
    parts = token.split(".")
    if len(parts) != 3:
        return "a JWT has three dot-separated parts"
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return "its payload is not base64url JSON"
    if not isinstance(claims, dict):
        return "its payload is not a JSON object"
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp < time.time():
        return "it has expired"
    return None


def _bindings(raw: Any) -> list[Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(isinstance(k, str) and k.isdigit() for k in raw):
        raise BadRequest('bindings must be an object keyed by position: {"1": {"type": "FIXED", "value": "1"}}')
    count = len(raw)
    if sorted(int(k) for k in raw) != list(range(1, count + 1)):
        raise BadRequest("bindings must be numbered 1, 2, ... without gaps")
    try:
        return [snowflake_value(str(i), raw[str(i)]) for i in range(1, count + 1)]
    except BindingError as exc:
        raise BadRequest(exc.message, "002049") from None


def _parameters(raw: Any) -> int:
    """MULTI_STATEMENT_COUNT (1 by default, 0 for any number); refuses parameters that would change answers."""
    if raw is None:
        return 1
    if not isinstance(raw, dict):
        raise BadRequest("parameters must be an object of session parameters")
    upper = {str(k).upper(): v for k, v in raw.items()}
    unknown = sorted(set(upper) - ACCEPTED_PARAMETERS)
    if unknown:
        raise BadRequest(f"session parameter {unknown[0]} is not supported by dw-sim's SQL API", "000002")
    if "TIMEZONE" in upper and str(upper["TIMEZONE"]).upper() not in UTC_NAMES:
        raise BadRequest("the TIMEZONE parameter: dw-sim's Snowflake sessions run in UTC only", "000002")
    try:
        count = int(upper.get("MULTI_STATEMENT_COUNT", 1))
    except (TypeError, ValueError):
        raise BadRequest("MULTI_STATEMENT_COUNT must be an integer") from None
    if count < 0:
        raise BadRequest("MULTI_STATEMENT_COUNT must be 0 (any number) or more")
    return count


def _timeout(raw: Any) -> float | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise BadRequest("timeout must be a whole number of seconds (0 for the maximum)")
    return float(raw if raw else MAX_TIMEOUT_S)


def _split(statement: str, wanted: int, bindings: list[Any] | None) -> tuple[list[str], list[Any] | None]:
    """The request's statements (and each one's share of the bind values)."""
    statements = [statement] if wanted == 1 or is_block(statement) else split_statements(statement)
    if wanted == 1 and not is_block(statement):
        found = len(split_statements(statement))
        if found > 1:
            raise BadRequest(
                f"Actual statement count {found} did not match the desired statement count 1.", "000008", 422
            )
    elif wanted > 1 and len(statements) != wanted:
        raise BadRequest(
            f"Actual statement count {len(statements)} did not match the desired statement count {wanted}.",
            "000008",
            422,
        )
    if not statements:
        raise BadRequest("the statement is empty", "000900")
    if len(statements) == 1:
        return statements, None if bindings is None else [bindings]
    if not bindings:
        return statements, None
    shares, start = [], 0
    for sql in statements:
        needed = count_positional(sql)
        shares.append(bindings[start : start + needed])
        start += needed
    return statements, shares


def _submit(state: AppState, body: dict[str, Any], query: dict[str, str]) -> Run:
    statement = body.get("statement")
    if not isinstance(statement, str) or not statement.strip():
        raise BadRequest("statement is required: the SQL to run", "391903")
    wanted = _parameters(body.get("parameters"))
    bindings = _bindings(body.get("bindings"))
    sqls, shares = _split(statement, wanted, bindings)
    for key in ("database", "schema", "warehouse", "role"):
        if body.get(key) is not None and not isinstance(body.get(key), str):
            raise BadRequest(f"{key} must be a string")
    sim = state.sibling()
    try:
        target = resolve_target(sim, "snowflake", body.get("database"), body.get("schema"))
    finally:
        sim.release_backends()
    multi = len(sqls) > 1
    meta = {"requestId": query.get("requestId") or str(uuid.uuid4()), "multi": multi}
    registry = state.statements
    return registry.submit(
        target,
        sqls,
        bindings=None if shares is None else shares[0],
        part_bindings=shares if multi else None,
        stop_on_error=True,
        part_ids=(lambda _rid, _i: str(uuid.uuid4())) if multi else (lambda rid, _i: rid),
        timeout_s=_timeout(body.get("timeout")),
        meta=meta,
    )


def _respond(
    state: AppState, run: Run, handle: str, *, partition: int = 0, nullable: bool = True, gzipped: bool = False
) -> Response:
    if handle == run.id and run.meta.get("multi"):
        return responses.for_multi(run)
    part = next(p for p in run.parts if p.id == handle)
    return responses.for_part(
        run, part, partition=partition, nullable=nullable, page_rows=state.api.api_statement_page_rows, gzipped=gzipped
    )


@router.post("")
@router.post("/")
async def submit(request: Request) -> Response:
    if (denied := _authenticate(request)) is not None:
        return denied
    state = _state(request)
    query = dict(request.query_params)
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return responses.failure(400, "391902", "the request body is not JSON")
    if not isinstance(body, dict):
        return responses.failure(400, "391902", "the request body must be a JSON object")
    request_id = query.get("requestId")
    if request_id and query.get("retry", "").lower() == "true":
        for run in state.statements.runs():
            if run.meta.get("requestId") == request_id:
                return _respond(state, run, run.id)
    try:
        run = await run_in_threadpool(_submit, state, body, query)
    except BadRequest as exc:
        return responses.failure(exc.status, exc.code, exc.message)
    except TooManyActive as exc:
        return responses.failure(429, "000625", exc.message)
    except DwSimError as exc:
        return responses.failure(422, "002003", exc.message, "02000")
    if query.get("async", "").lower() != "true":
        # a statement past its `timeout` is cancelled and ends, so waiting the sync time is enough for both
        await run_in_threadpool(run.wait, state.api.api_statement_sync_wait_s)
    nullable = query.get("nullable", "true").lower() != "false"
    if run.active:
        return responses.running(run, run.id)
    return _respond(state, run, run.id, nullable=nullable)


def _find(state: AppState, handle: str) -> Run | Response:
    try:
        run, _ = state.statements.get(handle)
    except DwSimError:
        return responses.failure(404, "000709", f"Statement {handle} not found (or its results have expired).", "02000")
    return run


@router.get("/{handle}")
async def status(request: Request, handle: str) -> Response:
    if (denied := _authenticate(request)) is not None:
        return denied
    state = _state(request)
    found = _find(state, handle)
    if isinstance(found, Response):
        return found
    raw = request.query_params.get("partition", "0")
    if not raw.isdigit():
        return responses.failure(400, "391902", "partition must be a non-negative integer")
    gzipped = int(raw) > 0 and "gzip" in request.headers.get("accept-encoding", "")
    return _respond(state, found, handle, partition=int(raw), gzipped=gzipped)


@router.post("/{handle}/cancel")
async def cancel(request: Request, handle: str) -> Response:
    if (denied := _authenticate(request)) is not None:
        return denied
    state = _state(request)
    found = _find(state, handle)
    if isinstance(found, Response):
        return found
    if state.statements.cancel(found.id):
        await run_in_threadpool(found.wait, state.api.api_cancel_wait_s)
    return responses.cancelled(found, handle)
