"""SQL UDFs: `CREATE FUNCTION f(x NUMBER) RETURNS NUMBER AS 'x + 1'` becomes a DuckDB macro.

fakesnow accepts CREATE FUNCTION but creates a function that returns its body *as a string*, so `f(5)` silently
returns `'x + 1'`. dw-sim reads the definition here and the endpoint creates a macro from the body, translated like
any other statement. Non-SQL languages (JavaScript, Python, Java, Scala) cannot run locally: they fail loudly.

https://docs.snowflake.com/en/developers/udf/sql/udf-sql-introduction
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp


class UnsupportedUdf(ValueError):
    """A function definition the endpoint cannot run (message names the function and the reason)."""


@dataclass
class UdfParam:
    name: str
    data_type: exp.DataType
    default: exp.Expr | None = None


@dataclass
class UdfDefinition:
    name: str
    schema: str | None
    catalog: str | None
    params: list[UdfParam]
    body: str
    returns: exp.DataType | None  # None for table functions
    table_columns: list[tuple[str, exp.DataType]] = field(default_factory=list)
    replace: bool = False
    if_not_exists: bool = False

    @property
    def is_table(self) -> bool:
        return self.returns is None


def _ident_name(identifier: exp.Expr | None) -> str | None:
    if identifier is None:
        return None
    if isinstance(identifier, exp.Identifier):
        text = str(identifier.this)
        return text if identifier.quoted else text.upper()
    return identifier.name.upper()


def parse_udf(expression: exp.Expr) -> UdfDefinition | None:
    """The definition in a `CREATE FUNCTION` statement; None for any other statement."""
    if not (
        isinstance(expression, exp.Create)
        and str(expression.args.get("kind") or "").upper() == "FUNCTION"
        and isinstance(expression.this, exp.UserDefinedFunction)
    ):
        return None
    udf = expression.this
    table = udf.this
    name = _ident_name(table.this) or ""
    language = "SQL"
    returns: exp.DataType | None = None
    table_columns: list[tuple[str, exp.DataType]] = []
    properties = expression.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LanguageProperty):
            language = prop.name.upper()
        elif isinstance(prop, exp.ReturnsProperty):
            target = prop.this
            if prop.args.get("is_table") and isinstance(target, exp.Schema):
                table_columns.extend(
                    (_ident_name(column.this) or column.name, column.args["kind"])
                    for column in target.expressions
                    if isinstance(column, exp.ColumnDef) and isinstance(column.args.get("kind"), exp.DataType)
                )
            elif isinstance(target, exp.DataType):
                returns = target
    if language != "SQL":
        raise UnsupportedUdf(
            f"function {name}: LANGUAGE {language} UDFs cannot run on the embedded Snowflake endpoint "
            "(only SQL UDFs are translated); use a SQL UDF, or a real or LocalStack Snowflake endpoint"
        )
    body_node = expression.args.get("expression")
    if isinstance(body_node, exp.Literal | exp.RawString):
        body = str(body_node.this)
    else:
        raise UnsupportedUdf(f"function {name}: the body must be a string or $$ ... $$ literal")
    if returns is None and not table_columns:
        raise UnsupportedUdf(f"function {name}: RETURNS <type> or RETURNS TABLE (...) is required")
    params: list[UdfParam] = []
    for column in udf.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        kind = column.args.get("kind")
        default = None
        for constraint in column.args.get("constraints") or []:
            if isinstance(constraint.args.get("kind"), exp.DefaultColumnConstraint):
                default = constraint.args["kind"].this
        params.append(
            UdfParam(
                _ident_name(column.this) or column.name,
                kind if isinstance(kind, exp.DataType) else exp.DataType.build("VARIANT"),
                default,
            )
        )
    return UdfDefinition(
        name=name,
        schema=_ident_name(table.args.get("db")),
        catalog=_ident_name(table.args.get("catalog")),
        params=params,
        body=body.strip(),
        returns=returns,
        table_columns=table_columns,
        replace=bool(expression.args.get("replace")),
        if_not_exists=bool(expression.args.get("exists")),
    )


def dropped_function(expression: exp.Expr) -> tuple[str | None, str | None, str, bool] | None:
    """(catalog, schema, name, if_exists) of a `DROP FUNCTION` statement; None for any other statement."""
    if not (isinstance(expression, exp.Drop) and str(expression.args.get("kind") or "").upper() == "FUNCTION"):
        return None
    tables = expression.args.get("tables") or []
    table = tables[0] if tables else expression.this
    if not isinstance(table, exp.Table):
        return None
    return (
        _ident_name(table.args.get("catalog")),
        _ident_name(table.args.get("db")),
        _ident_name(table.this) or "",
        bool(expression.args.get("exists")),
    )
