"""Runs a Snowflake Scripting block (see `parse`) with the session's SQL layer.

Every expression and SQL statement of the block is run through `run`, the caller's way of executing one Snowflake
statement in the session (so the block sees the session's tables, variables and rewrites). Variables are bound
into the text as literals: bare names in expressions, `:name` in SQL statements, `record.field` in loops over
cursors. Resultsets are kept in temporary tables, so `RETURN TABLE(rs)` returns the rows as they were when the
resultset was made.

https://docs.snowflake.com/en/developer-guide/snowflake-scripting/index
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import TokenType

from dw_simulator.sql.snowflake.scripting import parse as p

MAX_ITERATIONS = 1_000_000
_NAME_TOKENS = (TokenType.VAR, TokenType.IDENTIFIER)
_VALUE_BEFORE = {  # a ':' after one of these is a path (`v:k`), not a bind variable
    TokenType.VAR,
    TokenType.IDENTIFIER,
    TokenType.R_PAREN,
    TokenType.R_BRACKET,
    TokenType.STRING,
    TokenType.NUMBER,
}


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    rowcount: int | None = None


Runner = Callable[[str], Result]


@dataclass
class Outcome:
    """What the block returned: a value, or a table (`SELECT * FROM <table>` gives its rows)."""

    value: Any = None
    table: str | None = None


class ScriptError(Exception):
    """An exception raised in a block (RAISE, or a failed statement) that no handler caught."""

    def __init__(self, name: str, code: int, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.code = code
        self.message = message

    def uncaught(self) -> str:
        return f"Uncaught exception of type '{self.name}': {self.message}"


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


@dataclass
class _Cursor:
    query: str
    rows: Iterator[dict[str, Any]] | None = None


@dataclass(frozen=True)
class _ResultSet:
    table: str  # the temporary table holding its rows


@dataclass
class _Scope:
    values: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    exceptions: dict[str, tuple[int, str]] = field(default_factory=dict)


def literal(value: Any) -> str:
    """A Snowflake literal for a value read back from the engine."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return f"CAST({value!r} AS FLOAT)"
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat(sep=' ')}'::TIMESTAMP_NTZ"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'::DATE"
    if isinstance(value, dt.time):
        return f"'{value.isoformat()}'::TIME"
    if isinstance(value, bytes | bytearray):
        return f"TO_BINARY('{bytes(value).hex()}', 'HEX')"
    if isinstance(value, dict | list):
        return "PARSE_JSON(" + _quote(json.dumps(value)) + ")"
    return _quote(str(value))


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


class Interpreter:
    def __init__(self, run: Runner) -> None:
        self.run = run
        self.scopes: list[_Scope] = []
        self.rowcount: int | None = None
        self.found: bool | None = None
        self.error: ScriptError | None = None  # the exception a handler is handling (SQLERRM, SQLCODE)
        self.temp_tables: list[str] = []

    # -- entry -------------------------------------------------------------------------------------------------------
    def execute(self, block: p.Block, arguments: dict[str, Any] | None = None) -> Outcome:
        self.scopes.append(_Scope(values={k.upper(): v for k, v in (arguments or {}).items()}))
        try:
            self.block(block)
        except _Return as done:
            return done.outcome
        except ScriptError:
            raise
        except (_Break, _Continue):
            raise ScriptError("STATEMENT_ERROR", -20000, "BREAK or CONTINUE outside a loop") from None
        return Outcome(None)

    # -- variables ---------------------------------------------------------------------------------------------------
    def lookup(self, name: str) -> tuple[bool, Any]:
        key = name.upper()
        if key == "SQLROWCOUNT":
            return True, self.rowcount
        if key in ("SQLFOUND", "SQLNOTFOUND"):
            return True, None if self.found is None else (self.found if key == "SQLFOUND" else not self.found)
        if key in ("SQLERRM", "SQLCODE", "SQLSTATE") and self.error is not None:
            return True, {"SQLERRM": self.error.message, "SQLCODE": self.error.code, "SQLSTATE": "P0001"}[key]
        for scope in reversed(self.scopes):
            if key in scope.values:
                return True, scope.values[key]
        return False, None

    def assign(self, name: str, value: Any, *, declare: bool = False) -> None:
        key = name.upper()
        if not declare:
            for scope in reversed(self.scopes):
                if key in scope.values:
                    scope.values[key] = self._typed(scope, key, value)
                    return
        self.scopes[-1].values[key] = value

    def _typed(self, scope: _Scope, key: str, value: Any) -> Any:
        wanted = scope.types.get(key)
        if wanted is None or isinstance(value, _Cursor | _ResultSet):
            return value
        return self.value(f"CAST({literal(value)} AS {wanted})")

    def exception(self, name: str) -> tuple[int, str] | None:
        for scope in reversed(self.scopes):
            if name.upper() in scope.exceptions:
                return scope.exceptions[name.upper()]
        return None

    # -- binding -----------------------------------------------------------------------------------------------------
    def bind(self, text: str, *, bare: bool) -> str:
        """`text` with variables replaced by literals: `:name` always, bare names (and record.field) in
        expressions (`bare`)."""
        tokens = Snowflake().tokenize(text)
        out: list[str] = []
        last = 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            replacement: str | None = None
            span_end = i
            before = tokens[i - 1].token_type if i else None
            if (
                token.token_type == TokenType.COLON
                and i + 1 < len(tokens)
                and tokens[i + 1].token_type in _NAME_TOKENS
                and before not in _VALUE_BEFORE
            ):
                found, value = self.lookup(tokens[i + 1].text)
                if found:
                    replacement, span_end = self._render(value, tokens, i + 1)
            elif (
                bare
                and token.token_type in _NAME_TOKENS
                and before != TokenType.DOT
                and not (i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.L_PAREN)
            ):
                found, value = self.lookup(token.text)
                if found:
                    replacement, span_end = self._render(value, tokens, i)
            if replacement is None:
                i += 1
                continue
            out.append(text[last : token.start])
            out.append(replacement)
            last = tokens[span_end].end + 1
            i = span_end + 1
        out.append(text[last:])
        return "".join(out)

    def _render(self, value: Any, tokens: list[Any], index: int) -> tuple[str, int]:
        """The literal for the variable at tokens[index] (a record's field when `.field` follows)."""
        if isinstance(value, dict) and index + 2 < len(tokens) and tokens[index + 1].token_type == TokenType.DOT:
            field_name = tokens[index + 2].text
            key = field_name if tokens[index + 2].token_type == TokenType.IDENTIFIER else field_name.upper()
            if key not in value:
                raise ScriptError("EXPRESSION_ERROR", -20000, f"the record has no field {field_name}")
            return literal(value[key]), index + 2
        if isinstance(value, _Cursor | _ResultSet):
            raise ScriptError("EXPRESSION_ERROR", -20000, "a cursor or resultset cannot be used as a value")
        return literal(value), index

    # -- evaluation --------------------------------------------------------------------------------------------------
    def value(self, expr: str) -> Any:
        result = self.sql(f"SELECT {self.bind(expr, bare=True)}")
        return result.rows[0][0] if result.rows else None

    def truth(self, expr: str) -> bool:
        return self.value(expr) is True

    def sql(self, text: str) -> Result:
        try:
            result = self.run(text)
        except ScriptError:
            raise
        except Exception as exc:
            message = " ".join(str(getattr(exc, "msg", None) or exc).split())
            raise ScriptError("STATEMENT_ERROR", int(getattr(exc, "errno", -20000) or -20000), message) from None
        self.rowcount = result.rowcount
        self.found = bool(result.rows) if result.rowcount is None else result.rowcount > 0
        return result

    def query_rows(self, query: str) -> Iterator[dict[str, Any]]:
        result = self.sql(self.bind(query, bare=False))
        names = [c.upper() if c == c.lower() or c == c.upper() else c for c in result.columns]
        for row in result.rows:
            yield dict(zip(names, row, strict=False))

    def resultset(self, query: str) -> _ResultSet:
        """Materialise a query (or `EXECUTE IMMEDIATE <expr>`) in a temporary table; returns its name."""
        query = query.strip()
        while query.startswith("(") and query.endswith(")"):
            query = query[1:-1].strip()
        if query.upper().startswith("EXECUTE IMMEDIATE"):
            query = str(self.value(query[len("EXECUTE IMMEDIATE") :]))
        name = f"DWSIM_RESULTSET_{uuid.uuid4().hex[:12].upper()}"
        self.sql(f"CREATE TEMPORARY TABLE {name} AS {self.bind(query, bare=False)}")
        self.temp_tables.append(name)
        return _ResultSet(name)

    # -- statements --------------------------------------------------------------------------------------------------
    def block(self, block: p.Block) -> None:
        self.scopes.append(_Scope())
        try:
            for declare in block.declares:
                self.declare(declare)
            self.statements(block.body)
        except ScriptError as error:
            handler = self._handler(block, error)
            if handler is None:
                raise
            outer, self.error = self.error, error
            try:
                self.statements(handler)
            finally:
                self.error = outer
        finally:
            self.scopes.pop()

    def _handler(self, block: p.Block, error: ScriptError) -> list[p.Stmt] | None:
        for names, body in block.handlers:
            for name in names:
                upper = name.upper()
                if upper == "OTHER" or upper == error.name:
                    return body
                if upper in ("STATEMENT_ERROR", "EXPRESSION_ERROR") and error.name == upper:
                    return body
        return None

    def declare(self, declare: p.Declare) -> None:
        scope = self.scopes[-1]
        key = declare.name.upper()
        if declare.kind == "exception":
            scope.exceptions[key] = (declare.code or -20000, declare.message or "")
        elif declare.kind == "cursor":
            scope.values[key] = _Cursor(declare.default or "")
        elif declare.kind == "resultset":
            scope.values[key] = self.resultset(declare.default) if declare.default else None
        else:
            if declare.type:
                scope.types[key] = declare.type
            value = self.value(declare.default) if declare.default else None
            scope.values[key] = self._typed(scope, key, value) if value is not None else None

    def statements(self, body: list[p.Stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, s: p.Stmt) -> None:
        if isinstance(s, p.Sql):
            if s.text:
                self.run_sql(s.text)
        elif isinstance(s, p.Block):
            self.block(s)
        elif isinstance(s, p.Declare):
            self.declare(s)
        elif isinstance(s, p.Assign):
            self.assign_statement(s)
        elif isinstance(s, p.If):
            for cond, body in s.branches:
                if self.truth(cond):
                    self.statements(body)
                    return
            if s.otherwise is not None:
                self.statements(s.otherwise)
        elif isinstance(s, p.Case):
            subject = None if s.subject is None else literal(self.value(s.subject))
            for when, body in s.whens:
                test = f"({subject}) = ({when})" if subject is not None else when
                if self.truth(test):
                    self.statements(body)
                    return
            if s.otherwise is not None:
                self.statements(s.otherwise)
        elif isinstance(s, p.ForRange):
            start, end = int(self.value(s.start)), int(self.value(s.end))
            numbers = range(end, start - 1, -1) if s.reverse else range(start, end + 1)
            self.loop(s.body, ({s.var: n} for n in numbers))
        elif isinstance(s, p.ForCursor):
            _, source = self.lookup(s.source)
            if isinstance(source, _Cursor):
                rows = self.query_rows(source.query)
            elif isinstance(source, _ResultSet):
                rows = self.query_rows(f"SELECT * FROM {source.table}")
            else:
                raise ScriptError("STATEMENT_ERROR", -20000, f"{s.source} is not a cursor or a resultset")
            self.loop(s.body, ({s.var: row} for row in rows))
        elif isinstance(s, p.While):
            self.loop(s.body, None, cond=s.cond)
        elif isinstance(s, p.Repeat):
            self.loop(s.body, None, until=s.until)
        elif isinstance(s, p.Loop):
            self.loop(s.body, None)
        elif isinstance(s, p.Break):
            raise _Break()
        elif isinstance(s, p.Continue):
            raise _Continue()
        elif isinstance(s, p.Return):
            self.do_return(s)
        elif isinstance(s, p.Raise):
            self.do_raise(s)
        elif isinstance(s, p.Open):
            self.open_cursor(s)
        elif isinstance(s, p.Fetch):
            self.fetch(s)
        elif isinstance(s, p.Close):
            _, cursor = self.lookup(s.name)
            if isinstance(cursor, _Cursor):
                cursor.rows = None

    def loop(
        self,
        body: list[p.Stmt],
        bindings: Iterator[dict[str, Any]] | None,
        *,
        cond: str | None = None,
        until: str | None = None,
    ) -> None:
        for count in range(MAX_ITERATIONS + 1):
            if count == MAX_ITERATIONS:
                raise ScriptError("STATEMENT_ERROR", -20000, f"a loop ran more than {MAX_ITERATIONS} times")
            if bindings is not None:
                binding = next(bindings, None)
                if binding is None:
                    return
                for name, value in binding.items():
                    self.assign(name, value, declare=not self.lookup(name)[0])
            if cond is not None and not self.truth(cond):
                return
            try:
                self.statements(body)
            except _Break:
                return
            except _Continue:
                pass
            if until is not None and self.truth(until):
                return

    def assign_statement(self, s: p.Assign) -> None:
        if s.kind == "cursor":
            self.assign(s.name, _Cursor(s.expr), declare=True)
            return
        found, current = self.lookup(s.name)
        is_resultset = s.kind == "resultset" or isinstance(current, _ResultSet)
        if is_resultset or s.expr.lstrip("( ").upper().startswith(("SELECT", "WITH", "EXECUTE IMMEDIATE")):
            self.assign(s.name, self.resultset(s.expr), declare=not found)
            return
        if s.type:
            self.scopes[-1].types[s.name.upper()] = s.type
            self.assign(s.name, self._typed(self.scopes[-1], s.name.upper(), self.value(s.expr)), declare=True)
            return
        self.assign(s.name, self.value(s.expr), declare=not found)

    def run_sql(self, text: str) -> None:
        targets, statement = _split_into(text)
        result = self.sql(self.bind(statement, bare=False))
        if targets:
            row = result.rows[0] if result.rows else (None,) * len(targets)
            for target, value in zip(targets, row, strict=False):
                self.assign(target, value)

    def do_return(self, s: p.Return) -> None:
        if s.table is not None:
            _, source = self.lookup(s.table)
            if not isinstance(source, _ResultSet):
                source = self.resultset(s.table)  # RETURN TABLE(<query>)
            raise _Return(Outcome(table=source.table))
        raise _Return(Outcome(None if s.expr is None else self.value(s.expr)))

    def do_raise(self, s: p.Raise) -> None:
        if s.name is None:
            if self.error is None:
                raise ScriptError("STATEMENT_ERROR", -20000, "RAISE outside an exception handler")
            raise self.error
        declared = self.exception(s.name)
        if declared is None:
            raise ScriptError("STATEMENT_ERROR", -20000, f"exception {s.name} is not declared")
        raise ScriptError(s.name.upper(), *declared)

    def open_cursor(self, s: p.Open) -> None:
        _, cursor = self.lookup(s.name)
        if not isinstance(cursor, _Cursor):
            raise ScriptError("STATEMENT_ERROR", -20000, f"{s.name} is not a cursor")
        query = cursor.query
        for value in (self.value(u) for u in s.using):  # USING (a, b) binds the cursor's ? placeholders in order
            query = query.replace("?", literal(value), 1)
        cursor.rows = self.query_rows(query)

    def fetch(self, s: p.Fetch) -> None:
        _, cursor = self.lookup(s.name)
        if not isinstance(cursor, _Cursor):
            raise ScriptError("STATEMENT_ERROR", -20000, f"{s.name} is not a cursor")
        if cursor.rows is None:
            cursor.rows = self.query_rows(cursor.query)
        row = next(cursor.rows, None)
        self.found = row is not None
        values = list(row.values()) if row else [None] * len(s.into)
        for target, value in zip(s.into, values, strict=False):
            self.assign(target, value)


def _split_into(text: str) -> tuple[list[str], str]:
    """`SELECT a, b INTO :x, :y FROM t` -> (['X', 'Y'], 'SELECT a, b FROM t'); other statements unchanged."""
    tokens = Snowflake().tokenize(text)
    if not tokens or tokens[0].token_type not in (TokenType.SELECT, TokenType.WITH):
        return [], text
    depth = 0
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif token.token_type == TokenType.INTO and depth == 0:
            j = i + 1
            targets: list[str] = []
            while j < len(tokens):
                if tokens[j].token_type == TokenType.COLON:
                    j += 1
                    continue
                if tokens[j].token_type in _NAME_TOKENS:
                    targets.append(tokens[j].text.upper())
                    j += 1
                    if j < len(tokens) and tokens[j].token_type == TokenType.COMMA:
                        j += 1
                        continue
                break
            end = tokens[j].start if j < len(tokens) else len(text)
            return targets, (text[: token.start] + " " + text[end:]).strip()
    return [], text
