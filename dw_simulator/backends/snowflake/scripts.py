"""Snowflake Scripting on the endpoint: anonymous blocks (`EXECUTE IMMEDIATE $$ ... $$`, or a block sent as it
is), `EXECUTE IMMEDIATE '<statement>'`, SQL stored procedures (CREATE / CALL / DROP / SHOW / DESCRIBE PROCEDURE).

A block runs in `dw_simulator.sql.snowflake.scripting`, every statement of it through a cursor of the same session
(so it sees the session's tables, temporary tables and parameters, and goes through the whole Snowflake layer).
Procedures are kept in the `_dwsim` store. Bodies in JavaScript, Python, Java or Scala are refused by name.

https://docs.snowflake.com/en/developer-guide/snowflake-scripting/index
https://docs.snowflake.com/en/sql-reference/sql/create-procedure
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import TokenType

from dw_simulator.backends.snowflake import store
from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.names import normalise
from dw_simulator.sql.snowflake.errors import UnsupportedFeature
from dw_simulator.sql.snowflake.scripting import Outcome, Result, ScriptError, ScriptSyntaxError, run_script

if TYPE_CHECKING:
    from dw_simulator.backends.snowflake.session import SessionCursor

ANONYMOUS = "anonymous block"
_BLOCK = re.compile(r"^\s*(?:DECLARE\b|BEGIN\b(?!\s*(?:;|$|TRANSACTION\b|WORK\b|NAME\b)))", re.I)
_STRINGS = {TokenType.STRING, TokenType.RAW_STRING, TokenType.HEREDOC_STRING}
_CALL = re.compile(r"^\s*CALL\s+(.*?)\s*;?\s*$", re.I | re.S)
_EXECUTE_IMMEDIATE = re.compile(r"^\s*EXECUTE\s+IMMEDIATE\s+(.*?)\s*;?\s*$", re.I | re.S)
_SHOW_PROCEDURES = re.compile(r"^\s*SHOW\s+(?:USER\s+)?PROCEDURES(?:\s+LIKE\s+'((?:[^']|'')*)')?", re.I)


def is_anonymous_block(text: str) -> bool:
    return bool(_BLOCK.match(text)) and re.search(r"\bEND\b", text, re.I) is not None


# -- running blocks --------------------------------------------------------------------------------------------------
def _runner(cursor: SessionCursor) -> Any:
    conn = cursor._conn

    def run(sql: str) -> Result:
        inner = conn.cursor()
        inner.execute(sql)
        columns = [d.name for d in inner.description or []]
        rows = [tuple(r) for r in inner.fetchall()] if columns else []
        dml = bool(columns) and columns[0].lower().startswith("number of rows")
        return Result(columns, rows, sum(int(v) for v in rows[0]) if dml and rows else None)

    return run


def run_block(cursor: SessionCursor, body: str, arguments: dict[str, Any], column: str, returns: str | None) -> None:
    """Run a block and make what it returned the cursor's result (a one-column row, or the returned table)."""
    try:
        outcome, temp_tables = run_script(body, _runner(cursor), arguments)
    except ScriptSyntaxError as exc:
        raise programming_error(f"SQL compilation error:\n{exc}", 1003, "42000") from None
    except ScriptError as exc:
        raise programming_error(exc.uncaught(), abs(exc.code) if exc.code else 100132, "P0001") from None
    _show_outcome(cursor, outcome, column, returns)
    # the resultsets' tables stay until the session's next statement: the result is described after it ran
    cursor._conn.leftover_tables.extend(temp_tables)


def drop_leftovers(cursor: SessionCursor) -> None:
    """Drop the tables the session's last block left (see `run_block`)."""
    tables, cursor._conn.leftover_tables = cursor._conn.leftover_tables, []
    for table in tables:
        cursor._duck_conn.execute(f"DROP TABLE IF EXISTS {table}")


def _show_outcome(cursor: SessionCursor, outcome: Outcome, column: str, returns: str | None) -> None:
    if outcome.table is not None:
        cursor.execute(f"SELECT * FROM {outcome.table}")
        return
    kind = _duck_type(returns) if returns else _type_of(outcome.value)
    value = outcome.value
    if isinstance(value, dict | list):
        value = json.dumps(value)
    cursor._rows([(column, kind)], [(value,)])


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "DECIMAL(38, 0)" if abs(value) < 10**37 else "DOUBLE"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return f"DECIMAL(38, {min(scale, 37)})"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, dict | list):
        return "JSON"
    return "VARCHAR"


def _duck_type(snowflake_type: str) -> str:
    try:
        built = exp.DataType.build(snowflake_type, dialect="snowflake")
    except Exception:  # a type sqlglot cannot read: keep the value as text
        return "VARCHAR"
    if built.this in (exp.DataType.Type.VARIANT, exp.DataType.Type.OBJECT, exp.DataType.Type.ARRAY):
        return "JSON"
    return built.sql(dialect="duckdb")


# -- EXECUTE IMMEDIATE and anonymous blocks ---------------------------------------------------------------------------
def execute_immediate(cursor: SessionCursor, command: str) -> bool:
    """`EXECUTE IMMEDIATE '<statement or block>'` and a block sent as it is; False for other statements."""
    if is_anonymous_block(command):
        run_block(cursor, command, {}, ANONYMOUS, None)
        return True
    found = _EXECUTE_IMMEDIATE.match(command)
    if found is None:
        return False
    rest = found.group(1)
    tokens = Snowflake().tokenize(rest)
    if not tokens or tokens[0].token_type not in _STRINGS:
        raise UnsupportedFeature("EXECUTE IMMEDIATE of an expression other than a string constant")
    if len(tokens) > 1:
        raise UnsupportedFeature("EXECUTE IMMEDIATE ... USING")
    body = tokens[0].text
    if is_anonymous_block(body):
        run_block(cursor, body, {}, ANONYMOUS, None)
    else:
        cursor.execute(body)
    return True


# -- procedures ------------------------------------------------------------------------------------------------------
def _path(cursor: SessionCursor, table: exp.Table) -> tuple[str, str, str]:
    database = normalise(table.args.get("catalog")) or cursor._conn.database or ""
    schema = normalise(table.args.get("db")) or cursor._conn.schema or ""
    return database, schema, normalise(table.this)


def create_procedure(cursor: SessionCursor, statement: exp.Create) -> bool:
    if str(statement.args.get("kind") or "").upper() != "PROCEDURE":
        return False
    properties = statement.args.get("properties")
    props = properties.expressions if properties is not None else []
    language = next((p.this.name.upper() for p in props if isinstance(p, exp.LanguageProperty)), "SQL")
    if language != "SQL":
        raise UnsupportedFeature(f"stored procedures in {language.title()} (only LANGUAGE SQL runs here)")
    signature = statement.this
    if not isinstance(signature, exp.UserDefinedFunction) or not isinstance(signature.this, exp.Table):
        raise UnsupportedFeature("this form of CREATE PROCEDURE")
    arguments = []
    for column in signature.expressions:
        default = next(
            (c.args["kind"].this.sql(dialect="snowflake") for c in column.args.get("constraints") or []
             if isinstance(c.args.get("kind"), exp.DefaultColumnConstraint)),
            None,
        )  # fmt: skip
        kind = column.args.get("kind")
        arguments.append([normalise(column.this), kind.sql(dialect="snowflake") if kind else "VARIANT", default])
    returns = next((p for p in props if isinstance(p, exp.ReturnsProperty)), None)
    returns_text, returns_table = "VARCHAR", None
    if returns is not None and isinstance(returns.this, exp.Schema):
        returns_text = "TABLE"
        returns_table = [[normalise(c.this), c.args["kind"].sql(dialect="snowflake")] for c in returns.this.expressions]
    elif returns is not None and returns.this is not None:
        returns_text = returns.this.sql(dialect="snowflake")
    body = _body(statement)
    database, schema, name = _path(cursor, signature.this)
    exists = _stored(cursor, [database, schema, name, len(arguments)])
    if exists and not statement.args.get("replace"):
        if statement.args.get("exists"):
            cursor._status(f"{name} already exists, statement succeeded.")
            return True
        raise programming_error(f"SQL compilation error:\nObject '{name}' already exists.", 2002, "42710")
    store.write(
        cursor._duck_conn,
        f"INSERT OR REPLACE INTO {store.SCHEMA}.procedures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [database, schema, name, len(arguments), json.dumps(arguments), returns_text,
         json.dumps(returns_table) if returns_table else None, language, body, None],
    )  # fmt: skip
    cursor._status(f"Function {name} successfully created.")
    return True


def _stored(cursor: SessionCursor, key: list[Any]) -> bool:
    """Whether a procedure (database, schema, name, number of arguments) is stored."""
    where = "database_name = ? AND schema_name = ? AND name = ? AND arity = ?"
    return bool(store.rows(cursor._duck_conn, f"SELECT 1 FROM {store.SCHEMA}.procedures WHERE {where}", key))


def _body(statement: exp.Create) -> str:
    body = statement.expression
    if isinstance(body, exp.Block) and body.expressions:
        body = body.expressions[0]
    if isinstance(body, exp.RawString | exp.Literal):
        return str(body.this)
    if body is None:
        raise UnsupportedFeature("CREATE PROCEDURE without a body")
    return str(body.sql(dialect="snowflake"))


def _lookup(cursor: SessionCursor, table: exp.Table, count: int) -> tuple[Any, ...]:
    database, schema, name = _path(cursor, table)
    found = store.rows(
        cursor._duck_conn,
        f"SELECT name, arguments, returns, body FROM {store.SCHEMA}.procedures WHERE database_name = ? "
        "AND schema_name = ? AND name = ? ORDER BY arity",
        [database, schema, name],
    )
    for row in found:
        declared = json.loads(row[1])
        required = sum(1 for _, _, default in declared if default is None)
        if required <= count <= len(declared):
            return row
    raise programming_error(
        f"SQL compilation error:\nProcedure '{database}.{schema}.{name}' does not exist or not authorized.",
        2003,
        "42S02",
    )


def call(cursor: SessionCursor, command: str) -> bool:
    """`CALL name(arguments)`: the procedure's block with its arguments bound (typed as declared)."""
    found = _CALL.match(command)
    if found is None:
        return False
    try:
        parsed = sqlglot.parse_one(f"SELECT {found.group(1)}", read="snowflake")
    except sqlglot.ParseError:
        raise programming_error("SQL compilation error:\nsyntax error in CALL", 1003, "42000") from None
    function = parsed.expressions[0] if isinstance(parsed, exp.Select) and parsed.expressions else None
    target, call_args = _call_target(function)
    positional = [a for a in call_args if not isinstance(a, exp.Kwarg)]
    named = {normalise(a.this): a.expression for a in call_args if isinstance(a, exp.Kwarg)}
    name, arguments_json, returns, body = _lookup(cursor, target, len(call_args))
    declared = json.loads(arguments_json)
    expressions = []
    for index, (arg_name, arg_type, default) in enumerate(declared):
        given = positional[index] if index < len(positional) else named.get(arg_name)
        text = given.sql(dialect="snowflake") if given is not None else default
        expressions.append(f"CAST({text if text is not None else 'NULL'} AS {arg_type})")
    values: list[Any] = []
    if expressions:
        inner = cursor._conn.internal_cursor()
        inner.execute("SELECT " + ", ".join(expressions))
        values = list(inner.fetchone() or [])
    arguments = {arg[0]: value for arg, value in zip(declared, values, strict=True)}
    run_block(cursor, body, arguments, name, None if returns == "TABLE" else returns)
    return True


def _call_target(function: exp.Expr | None) -> tuple[exp.Table, list[exp.Expr]]:
    if isinstance(function, exp.Dot):  # db.schema.name(...)
        parts = [p.name for p in function.flatten()]
        inner = function.expression
        args = list(inner.expressions) if isinstance(inner, exp.Func) else []
        name = inner.name if isinstance(inner, exp.Anonymous) else inner.sql_name()
        table = exp.to_table(".".join([*parts[:-1], name]), dialect="snowflake")
        return table, args
    if isinstance(function, exp.Anonymous):
        return exp.Table(this=exp.to_identifier(function.name)), list(function.expressions)
    if isinstance(function, exp.Func):
        args = [v for v in function.args.values() if isinstance(v, exp.Expr)]
        return exp.Table(this=exp.to_identifier(function.sql_name())), args
    raise programming_error("SQL compilation error:\nCALL needs a procedure name and its arguments", 1003, "42000")


def drop_procedure(cursor: SessionCursor, statement: exp.Drop) -> bool:
    if str(statement.args.get("kind") or "").upper() != "PROCEDURE":
        return False
    table = statement.find(exp.Table)
    if table is None:
        return False
    database, schema, name = _path(cursor, table)
    arity = len(statement.expressions)
    if not _stored(cursor, [database, schema, name, arity]):
        if statement.args.get("exists"):
            cursor._status("Drop statement executed successfully (procedure already dropped).")
            return True
        raise programming_error(
            f"SQL compilation error:\nProcedure '{database}.{schema}.{name}' does not exist or not authorized.",
            2003,
            "42S02",
        )
    store.write(cursor._duck_conn, f"DELETE FROM {store.SCHEMA}.procedures WHERE database_name = ? AND "
                "schema_name = ? AND name = ? AND arity = ?", [database, schema, name, arity])  # fmt: skip
    cursor._status(f"{name} successfully dropped.")
    return True


def show_procedures(cursor: SessionCursor, command: str) -> bool:
    found = _SHOW_PROCEDURES.match(command)
    if found is None:
        return False
    like = found.group(1).replace("''", "'") if found.group(1) is not None else "%"
    rows = store.rows(
        cursor._duck_conn,
        f"SELECT created_on, name, schema_name, 'N', 'N', 'N', arity, arity, arguments, returns, database_name, "
        f"language FROM {store.SCHEMA}.procedures WHERE database_name = ? AND name ILIKE ? ORDER BY name",
        [cursor._conn.database or "", like],
    )
    shown = []
    for created, name, schema, builtin, aggregate, ansi, low, high, arguments, returns, catalog, language in rows:
        types = ", ".join(t for _, t, _ in json.loads(arguments))
        shown.append((created, name, schema, builtin, aggregate, ansi, low, high,
                      f"{name}({types}) RETURN {returns}", "user-defined procedure", catalog, language))  # fmt: skip
    columns = [("created_on", "TIMESTAMPTZ"), ("name", "VARCHAR"), ("schema_name", "VARCHAR"),
               ("is_builtin", "VARCHAR"), ("is_aggregate", "VARCHAR"), ("is_ansi", "VARCHAR"),
               ("min_num_arguments", "INTEGER"), ("max_num_arguments", "INTEGER"), ("arguments", "VARCHAR"),
               ("description", "VARCHAR"), ("catalog_name", "VARCHAR"), ("language", "VARCHAR")]  # fmt: skip
    cursor._rows(columns, shown)
    return True
