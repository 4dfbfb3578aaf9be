"""The Data API's statement actions: ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult,
GetStatementResultV2, CancelStatement, ListStatements and ListSessions, over the service layer's statement registry.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import TYPE_CHECKING, Any

from dw_simulator.api.redshift_data import records
from dw_simulator.api.redshift_data.errors import DataApiError, from_service, not_found, validation
from dw_simulator.errors import DwSimError, NotFoundError
from dw_simulator.sql.binding import placeholders_named, split_statements
from dw_simulator.statements import Target, resolve_target
from dw_simulator.statements.registry import ACTIVE, Part, Run, SessionBusy, Status, TooManyActive

if TYPE_CHECKING:
    from dw_simulator.api.state import AppState

IDENTITY = ("ClusterIdentifier", "WorkgroupName", "Database", "DbUser", "SecretArn")
_PARAMETER_NAME = re.compile(r"^[0-9a-zA-Z_]+$")
_QUERY_IDS = itertools.count(100_000)
MAX_BATCH = 40
NO_RESULT = "Query does not have result. Please check query status with DescribeStatement."


def _str(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise validation(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise validation(f"{key} must be a string")
    return value


def _parameters(body: dict[str, Any]) -> tuple[dict[str, str] | None, list[dict[str, str]]]:
    raw = body.get("Parameters")
    if raw is None:
        return None, []
    if not isinstance(raw, list) or not raw:
        raise validation("Parameters must be a non-empty list of {name, value}")
    values: dict[str, str] = {}
    for item in raw:
        name, value = (item.get("name"), item.get("value")) if isinstance(item, dict) else (None, None)
        if not isinstance(name, str) or not _PARAMETER_NAME.match(name):
            raise validation(f"Parameters: invalid parameter name {name!r} (letters, digits and _ only)")
        if not isinstance(value, str) or not value:
            raise validation(f"Parameters: the value of {name} must be a non-empty string")
        values[name] = value
    return values, [{"name": k, "value": v} for k, v in values.items()]


def _wait(body: dict[str, Any]) -> float | None:
    wait = body.get("WaitTimeSeconds")
    if wait is None:
        return None
    if not isinstance(wait, int) or not 1 <= wait <= 30:
        raise validation("WaitTimeSeconds must be between 1 and 30")
    return float(wait)


def _target(state: AppState, body: dict[str, Any]) -> Target:
    database = _str(body, "Database")
    if not database:
        raise validation("Database is required (each dw-sim experiment on duckdb or redshift is a database)")
    sim = state.sibling()
    try:
        return resolve_target(sim, "redshift", database)
    except NotFoundError:
        return Target("redshift", database)  # fails when it runs, as a missing database does on Redshift
    finally:
        sim.release_backends()


def _submit(state: AppState, body: dict[str, Any], sqls: list[str], *, batch: bool) -> dict[str, Any]:
    registry = state.statements
    token = _str(body, "ClientToken")
    if token:
        for run in registry.runs():
            if run.meta.get("ClientToken") == token:
                return _submitted(run, None)
    fmt = (_str(body, "ResultFormat") or "JSON").upper()
    if fmt not in ("JSON", "CSV"):
        raise validation("ResultFormat must be JSON or CSV")
    bindings, shown = _parameters(body)
    if bindings is not None:
        if not batch and len(split_statements(sqls[0])) > 1:
            raise validation("cannot insert multiple commands into a prepared statement (Parameters)")
        for sql in sqls:
            missing = [name for name in placeholders_named(sql) if name not in bindings]
            if missing:
                raise validation(f"no value was given for the parameter :{missing[0]} (Parameters)")
    session_id = _str(body, "SessionId")
    keep_alive = body.get("SessionKeepAliveSeconds")
    if keep_alive is not None and (not isinstance(keep_alive, int) or not 0 <= keep_alive <= 86_400):
        raise validation("SessionKeepAliveSeconds must be between 0 and 86400")
    meta: dict[str, Any] = {k: body[k] for k in IDENTITY if isinstance(body.get(k), str)}
    try:
        if session_id:
            kept = registry.kept_session(session_id)
            target = kept.target
            meta.setdefault("Database", target.database)
        else:
            target = _target(state, body)
            if keep_alive:
                if target.experiment is None:
                    raise from_service(NotFoundError(f'database "{target.database}" does not exist'))
                session_id = registry.open_kept_session(target, float(keep_alive))
        mode = (_str(body, "ExecutionMode") or "TRANSACTION").upper()
        if mode not in ("TRANSACTION", "AUTO_COMMIT"):
            raise validation("ExecutionMode must be TRANSACTION or AUTO_COMMIT")
        meta.update(
            StatementName=body.get("StatementName"),
            WithEvent=bool(body.get("WithEvent")),
            ResultFormat=fmt,
            QueryParameters=shown,
            ClientToken=token,
            IsBatchStatement=batch,
            SessionId=session_id,
            query_ids=[next(_QUERY_IDS) for _ in sqls],
            pid=1_073_000_000 + os.getpid() % 100_000,
        )
        run = registry.submit(
            target,
            sqls,
            bindings=bindings,
            atomic=batch and mode == "TRANSACTION",
            stop_on_error=not (batch and mode == "AUTO_COMMIT"),
            part_ids=(lambda rid, i: f"{rid}:{i}") if batch else (lambda rid, _i: rid),
            session_id=session_id,
            meta=meta,
        )
    except TooManyActive as exc:
        raise DataApiError("ActiveStatementsExceededException", exc.message) from None
    except SessionBusy as exc:
        raise DataApiError("ActiveSessionsExceededException", exc.message) from None
    except DwSimError as exc:
        raise from_service(exc) from None
    return _submitted(run, _wait(body))


def _submitted(run: Run, wait: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": run.id, "CreatedAt": run.created_at, "DbGroups": []}
    out.update({k: run.meta[k] for k in IDENTITY if run.meta.get(k)})
    if run.meta.get("SessionId"):
        out["SessionId"] = run.meta["SessionId"]
    if wait is not None:
        run.wait(wait)
        out.update(Status=run.status.value, RedshiftPid=run.meta["pid"], HasResultSet=_has_result(run))
    return out


def execute_statement(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    sql = _str(body, "Sql", required=True)
    if not sql or not sql.strip():
        raise validation("Sql must not be empty")
    return _submit(state, body, [sql], batch=False)


def batch_execute_statement(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    sqls = body.get("Sqls")
    if not isinstance(sqls, list) or not sqls or not all(isinstance(s, str) and s.strip() for s in sqls):
        raise validation("Sqls must be a list of 1 to 40 non-empty SQL statements")
    if len(sqls) > MAX_BATCH:
        raise validation(f"Sqls holds {len(sqls)} statements; a batch takes at most {MAX_BATCH}")
    return _submit(state, body, list(sqls), batch=True)


# -- describing ------------------------------------------------------------------------------------------------------
def _lookup(state: AppState, statement_id: str | None) -> tuple[Run, Part | None]:
    if not statement_id:
        raise validation("Id is required")
    try:
        return state.statements.get(statement_id)
    except NotFoundError:
        raise not_found("Query does not exist.", statement_id) from None


def _error(part_or_run: Part | Run) -> str | None:
    failure = part_or_run.failure
    if failure is None:
        return None
    message = failure.message
    return message if message.startswith(("ERROR:", "FATAL:")) else f"ERROR: {message}"


def _rows(part: Part) -> int:
    if part.status in ACTIVE or part.result is None:
        return -1
    result = part.result
    return len(result.rows) if result.has_result_set else (result.rows_affected or 0)


def _size(run: Run, part: Part) -> int:
    if part.result is None or part.status in ACTIVE:
        return -1
    if not part.result.has_result_set:
        return 0
    sizes = run.meta.setdefault("sizes", {})
    if part.id not in sizes:  # once: every DescribeStatement asks
        sizes[part.id] = records.result_size(part.result.rows)
    return int(sizes[part.id])


def _part_fields(run: Run, part: Part, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": part.id,
        "CreatedAt": part.created_at,
        "UpdatedAt": part.updated_at,
        "Duration": part.duration_ns if part.status not in ACTIVE else -1,
        "Status": part.status.value,
        "QueryString": part.sql,
        "ResultRows": _rows(part),
        "ResultSize": _size(run, part),
        "RedshiftQueryId": run.meta["query_ids"][index] if part.started_at is not None else 0,
        "HasResultSet": part.status == Status.FINISHED and part.result is not None and part.result.has_result_set,
    }
    if (error := _error(part)) is not None:
        out["Error"] = error
    return out


def _has_result(run: Run) -> bool:
    return any(p.status == Status.FINISHED and p.result is not None and p.result.has_result_set for p in run.parts)


def describe_statement(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    run, _ = _lookup(state, _str(body, "Id"))
    if (wait := _wait(body)) is not None:
        run.wait(wait)
    out: dict[str, Any] = {k: run.meta[k] for k in IDENTITY if run.meta.get(k)}
    out.update(
        Id=run.id,
        CreatedAt=run.created_at,
        UpdatedAt=run.updated_at,
        Status=run.status.value,
        Duration=int(((run.ended_at or 0) - run.created_at) * 1e9) if run.ended_at else -1,
        RedshiftPid=run.meta["pid"],
        HasResultSet=_has_result(run),
        ResultFormat=run.meta.get("ResultFormat", "JSON"),
    )
    if run.meta.get("QueryParameters"):
        out["QueryParameters"] = run.meta["QueryParameters"]
    if run.meta.get("SessionId"):
        out["SessionId"] = run.meta["SessionId"]
    if (error := _error(run)) is not None:
        out["Error"] = error
    if run.meta.get("IsBatchStatement"):
        out["SubStatements"] = [_part_fields(run, p, i) for i, p in enumerate(run.parts)]
        done = run.status == Status.FINISHED
        out["ResultRows"] = sum(max(_rows(p), 0) for p in run.parts) if done else -1
        out["ResultSize"] = sum(max(_size(run, p), 0) for p in run.parts) if done else -1
    else:
        part = _part_fields(run, run.parts[0], 0)
        out.update({k: part[k] for k in ("QueryString", "ResultRows", "ResultSize", "RedshiftQueryId")})
    return out


# -- results ---------------------------------------------------------------------------------------------------------
def _result_part(state: AppState, body: dict[str, Any], fmt: str) -> tuple[Run, Part]:
    statement_id = _str(body, "Id")
    run, part = _lookup(state, statement_id)
    if (wait := _wait(body)) is not None:
        run.wait(wait)
    if part is None:
        if len(run.parts) > 1:
            raise validation(f"{statement_id} is a batch; ask for one of its statements, e.g. {statement_id}:1")
        part = run.parts[0]
    if run.meta.get("ResultFormat", "JSON") != fmt:
        action = "GetStatementResultV2" if fmt == "JSON" else "GetStatementResult"
        raise validation(f"the statement was run with ResultFormat {run.meta.get('ResultFormat')}; use {action}")
    if part.status != Status.FINISHED or part.result is None or not part.result.has_result_set:
        raise not_found(NO_RESULT, part.id)
    return run, part


def get_statement_result(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    _run, part = _result_part(state, body, "JSON")
    assert part.result is not None and part.result.columns is not None
    try:
        rows, next_token = records.page(
            part.result.rows, part.id, _str(body, "NextToken"), state.api.api_statement_page_rows
        )
    except records.BadToken:
        raise validation("NextToken is not valid for this statement") from None
    out: dict[str, Any] = {
        "Records": records.records(rows, part.result.columns),
        "ColumnMetadata": [records.column_metadata(c) for c in part.result.columns],
        "TotalNumRows": len(part.result.rows),
    }
    if next_token:
        out["NextToken"] = next_token
    return out


def get_statement_result_v2(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    _run, part = _result_part(state, body, "CSV")
    assert part.result is not None and part.result.columns is not None
    try:
        rows, next_token = records.page(
            part.result.rows, part.id, _str(body, "NextToken"), state.api.api_statement_page_rows
        )
    except records.BadToken:
        raise validation("NextToken is not valid for this statement") from None
    out: dict[str, Any] = {
        "Records": [{"CSVRecords": records.csv_records(rows, part.result.columns)}],
        "ColumnMetadata": [records.column_metadata(c) for c in part.result.columns],
        "TotalNumRows": len(part.result.rows),
        "ResultFormat": "CSV",
    }
    if next_token:
        out["NextToken"] = next_token
    return out


def cancel_statement(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    run, _ = _lookup(state, _str(body, "Id"))
    if not state.statements.cancel(run.id):
        raise validation(f"Could not cancel a query that is already in {run.status.value} state with ID: {run.id}")
    run.wait(state.api.api_cancel_wait_s)
    return {"Status": True}


def list_statements(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    status = (_str(body, "Status") or "ALL").upper()
    if status not in {s.value for s in Status} | {"ALL"}:
        raise validation(f"Status must be one of {', '.join(s.value for s in Status)} or ALL")
    name = _str(body, "StatementName")
    wanted = {k: body[k] for k in ("Database", "ClusterIdentifier", "WorkgroupName") if isinstance(body.get(k), str)}
    runs = [
        r
        for r in state.statements.runs()
        if (status == "ALL" or r.status.value == status)
        and (not name or str(r.meta.get("StatementName") or "").startswith(name))
        and all(str(r.meta.get(k, "")) == v for k, v in wanted.items())
    ]
    limit = body.get("MaxResults") or 100
    if not isinstance(limit, int) or not 0 <= limit <= 100:
        raise validation("MaxResults must be between 0 and 100")
    try:
        shown, next_token = records.page(runs, "statements", _str(body, "NextToken"), limit)
    except records.BadToken:
        raise validation("NextToken is not valid") from None
    out: dict[str, Any] = {"Statements": [_listed(r) for r in shown]}
    if next_token:
        out["NextToken"] = next_token
    return out


def _listed(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": run.id,
        "Status": run.status.value,
        "CreatedAt": run.created_at,
        "UpdatedAt": run.updated_at,
        "IsBatchStatement": bool(run.meta.get("IsBatchStatement")),
        "ResultFormat": run.meta.get("ResultFormat", "JSON"),
    }
    if run.meta.get("IsBatchStatement"):
        out["QueryStrings"] = [p.sql for p in run.parts]
    else:
        out["QueryString"] = run.parts[0].sql
    for key in ("StatementName", "SecretArn", "SessionId"):
        if run.meta.get(key):
            out[key] = run.meta[key]
    if run.meta.get("QueryParameters"):
        out["QueryParameters"] = run.meta["QueryParameters"]
    return out


def list_sessions(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    wanted = _str(body, "SessionId")
    sessions = [s for s in state.statements.kept_sessions() if not wanted or s.id == wanted]
    try:
        shown, next_token = records.page(sessions, "sessions", _str(body, "NextToken"), body.get("MaxResults") or 100)
    except records.BadToken:
        raise validation("NextToken is not valid") from None
    out: dict[str, Any] = {
        "Sessions": [
            {
                "SessionId": s.id,
                "Status": "BUSY" if s.busy else "AVAILABLE",
                "CreatedAt": s.created_at,
                "UpdatedAt": s.updated_at,
                "Database": s.target.database,
                "SessionAliveSeconds": int(s.keep_alive_s),
                "SessionTtl": s.expires_at,
                **({"CurrentStatementId": s.current} if s.current else {}),
            }
            for s in shown
        ]
    }
    if next_token:
        out["NextToken"] = next_token
    return out
