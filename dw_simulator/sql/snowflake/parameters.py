"""Session parameters (`ALTER SESSION SET name = value`, `SHOW PARAMETERS`): which ones dw-sim keeps, which change
answers (and are emulated), and which would change answers in a way the embedded endpoint does not reproduce.

https://docs.snowflake.com/en/sql-reference/parameters
https://docs.snowflake.com/en/sql-reference/sql/alter-session
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from dw_simulator.sql.snowflake.errors import UnsupportedFeature


@dataclass(frozen=True)
class Parameter:
    default: str
    kind: str  # NUMBER, STRING, BOOLEAN (as SHOW PARAMETERS reports it)
    description: str
    # None: any value is kept (it changes no answer here); else the values the endpoint reproduces
    emulated: frozenset[str] | None = None


_BOOL = frozenset({"TRUE", "FALSE"})
PARAMETERS: dict[str, Parameter] = {
    "WEEK_START": Parameter("0", "NUMBER", "first day of the week (0: legacy Monday, 1-7: Monday-Sunday)",
                            frozenset(str(n) for n in range(8))),
    "WEEK_OF_YEAR_POLICY": Parameter("0", "NUMBER", "how the first week of a year is chosen", frozenset({"0", "1"})),
    "DEFAULT_NULL_ORDERING": Parameter("LAST", "STRING", "whether NULLs sort after or before other values",
                                       frozenset({"FIRST", "LAST"})),
    "TIMEZONE": Parameter("Etc/UTC", "STRING", "time zone", frozenset({"ETC/UTC", "UTC", "GMT", "Z"})),
    "QUOTED_IDENTIFIERS_IGNORE_CASE": Parameter("false", "BOOLEAN", "if true, the case of quoted identifiers is "
                                                "ignored", frozenset({"FALSE"})),
    "ERROR_ON_NONDETERMINISTIC_MERGE": Parameter("true", "BOOLEAN", "MERGE fails on duplicate source rows", _BOOL),
    "ERROR_ON_NONDETERMINISTIC_UPDATE": Parameter("false", "BOOLEAN", "UPDATE fails on duplicate join rows",
                                                  frozenset({"FALSE"})),
    "DATE_OUTPUT_FORMAT": Parameter("YYYY-MM-DD", "STRING", "display format for DATE", frozenset({"YYYY-MM-DD"})),
    "TIMESTAMP_NTZ_OUTPUT_FORMAT": Parameter("YYYY-MM-DD HH24:MI:SS.FF3", "STRING", "display format for "
                                             "TIMESTAMP_NTZ", frozenset({"YYYY-MM-DD HH24:MI:SS.FF3"})),
    "TIMESTAMP_TYPE_MAPPING": Parameter("TIMESTAMP_NTZ", "STRING", "TIMESTAMP is an alias of",
                                        frozenset({"TIMESTAMP_NTZ"})),
    "BINARY_OUTPUT_FORMAT": Parameter("HEX", "STRING", "display format for BINARY", frozenset({"HEX"})),
    "TWO_DIGIT_CENTURY_START": Parameter("1970", "NUMBER", "century of two-digit years", frozenset({"1970"})),
    "AUTOCOMMIT": Parameter("true", "BOOLEAN", "autocommit", _BOOL),
    "QUERY_TAG": Parameter("", "STRING", "tag for queries of the session"),
    "STATEMENT_TIMEOUT_IN_SECONDS": Parameter("172800", "NUMBER", "statement timeout"),
    "STATEMENT_QUEUED_TIMEOUT_IN_SECONDS": Parameter("0", "NUMBER", "queued statement timeout"),
    "LOCK_TIMEOUT": Parameter("43200", "NUMBER", "lock timeout"),
    "USE_CACHED_RESULT": Parameter("true", "BOOLEAN", "reuse persisted results"),
    "ABORT_DETACHED_QUERY": Parameter("false", "BOOLEAN", "abort a query when its session ends"),
    "MULTI_STATEMENT_COUNT": Parameter("1", "NUMBER", "statements per request"),
    "ROWS_PER_RESULTSET": Parameter("0", "NUMBER", "maximum rows of a result"),
    "TRANSACTION_DEFAULT_ISOLATION_LEVEL": Parameter("READ COMMITTED", "STRING", "isolation level"),
    "JSON_INDENT": Parameter("2", "NUMBER", "indentation of JSON output"),
    "LOG_LEVEL": Parameter("OFF", "STRING", "log level"),
    "TRACE_LEVEL": Parameter("OFF", "STRING", "trace level"),
}  # fmt: skip
_CLIENT_PREFIXES = ("CLIENT_", "JDBC_", "ODBC_", "PYTHON_CONNECTOR_", "GO_", "JS_", "C_API_", "ENABLE_")


def value_text(node: exp.Expr) -> str:
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    if isinstance(node, exp.Neg):
        return "-" + value_text(node.this)
    return str(node.name if isinstance(node, exp.Literal | exp.Identifier | exp.Var | exp.Column) else node.sql())


def validated(name: str, value: str) -> str:
    """The value to keep for `ALTER SESSION SET name = value`; UnsupportedFeature when the endpoint would answer
    differently from Snowflake with it."""
    name = name.upper()
    parameter = PARAMETERS.get(name)
    if parameter is None:
        if name.startswith(_CLIENT_PREFIXES):
            return value
        raise UnsupportedFeature(f"the session parameter {name}")
    if parameter.emulated is not None and value.upper() not in parameter.emulated:
        raise UnsupportedFeature(f"the session parameter {name} = {value}")
    return value


def session_changes(statement: exp.Expr) -> list[tuple[str, str | None]] | None:
    """(name, value) for `ALTER SESSION SET name = value [...]`, (name, None) for `UNSET name [, ...]`; None for
    any other statement."""
    if not (isinstance(statement, exp.Alter) and str(statement.args.get("kind") or "").upper() == "SESSION"):
        return None
    action = statement.find(exp.AlterSession)
    if action is None:
        return None
    changes: list[tuple[str, str | None]] = []
    for item in action.args.get("expressions") or []:
        target = item.this if isinstance(item, exp.SetItem) else item
        if isinstance(target, exp.EQ):
            changes.append((value_text(target.this).upper(), value_text(target.expression)))
        elif action.args.get("unset"):
            changes.append((value_text(target).upper(), None))
        else:
            return None
    return changes


def parameters_rows(values: dict[str, str], like: str | None) -> list[tuple[str, str, str, str, str, str]]:
    """SHOW PARAMETERS rows: key, value, default, level, description, type."""
    import fnmatch

    rows = []
    for name, parameter in sorted(PARAMETERS.items()):
        if like is not None and not fnmatch.fnmatchcase(name, like.upper().replace("%", "*").replace("_", "?")):
            continue
        value = values.get(name, parameter.default)
        level = "SESSION" if name in values else ""
        rows.append((name, value, parameter.default, level, parameter.description, parameter.kind))
    return rows
