"""Snowflake's division, on the argument types from `coercion.annotate`.

`a / b` of fixed-point numbers (NUMBER, integers) is a NUMBER whose scale is max(S1, min(S1 + 6, 12)) for a
numerator of scale S1 (`1/3` is 0.333333, `7/2` is 3.5); DuckDB divides as DOUBLE. Dividing by zero is the error
"Division by zero" for every numeric type (DuckDB returns inf or NULL), unless the numerator is NULL (the result is
NULL then); DIV0 and DIV0NULL are the ways to get 0.

https://docs.snowflake.com/en/sql-reference/operators-arithmetic#division
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from dw_simulator.sql.snowflake.coercion import type_of

T = exp.DataType.Type
_INTEGERS = exp.DataType.INTEGER_TYPES
_DECIMALS = {T.DECIMAL, T.BIGDECIMAL, T.DECIMAL32, T.DECIMAL64, T.DECIMAL128, T.DECIMAL256, T.UDECIMAL}
DIVISION_BY_ZERO = "Division by zero"


def fixed_scale(kind: exp.DataType | None) -> int | None:
    """The scale of a fixed-point type (0 for integers); None for floats and unknown types."""
    if kind is None:
        return None
    if kind.this in _INTEGERS:
        return 0
    if kind.this in _DECIMALS:
        params = kind.expressions
        if len(params) >= 2:
            scale = params[1].this if isinstance(params[1], exp.DataTypeParam) else params[1]
            try:
                return int(scale.name if isinstance(scale, exp.Expr) else scale)
            except ValueError:
                return None
        return 0 if params else None
    return None


def division_scale(numerator_scale: int) -> int:
    return max(numerator_scale, min(numerator_scale + 6, 12))


def _nonzero_literal(node: exp.Expr) -> bool:
    if isinstance(node, exp.Paren):
        return _nonzero_literal(node.this)
    if isinstance(node, exp.Neg):
        return _nonzero_literal(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(node.name) != 0
        except ValueError:
            return False
    return False


def checked_divisor(divisor: exp.Expr, numerator: exp.Expr) -> exp.Expr:
    """The divisor, raising "Division by zero" when it is 0 and the numerator is not NULL (NULL / 0 is NULL)."""
    if _nonzero_literal(divisor) or isinstance(numerator, exp.Null):
        return divisor
    zero: exp.Expr = exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0))
    if not isinstance(numerator, exp.Literal):
        zero = exp.And(this=zero, expression=exp.Not(this=exp.Is(this=numerator.copy(), expression=exp.Null())))
    return exp.Case(
        ifs=[exp.If(this=zero, true=exp.Anonymous(this="ERROR", expressions=[exp.Literal.string(DIVISION_BY_ZERO)]))],
        default=divisor,
    )


def snowflake_division(expression: exp.Expr, types: Mapping[int, exp.DataType]) -> exp.Expr:
    """Every `/` of the statement with Snowflake's result type and its division-by-zero error."""
    divisions = [node for node in expression.walk(bfs=False) if isinstance(node, exp.Div)]
    for node in reversed(divisions):  # innermost first: an outer division reads the inner one's new type
        left, right = type_of(node.this, types), type_of(node.expression, types)
        replacement: exp.Expr = exp.Div(this=node.this, expression=checked_divisor(node.expression, node.this))
        left_scale, right_scale = fixed_scale(left), fixed_scale(right)
        if left_scale is not None and right_scale is not None:
            scale = division_scale(left_scale)
            replacement = exp.Cast(
                this=exp.Div(
                    this=exp.Cast(this=node.this, to=exp.DataType.build("DOUBLE")),
                    expression=replacement.expression,
                ),
                to=exp.DataType.build(f"DECIMAL(38, {scale})"),
            )
        node.replace(replacement)
        if node is expression:
            expression = replacement
    return expression
