"""Constraints parsed by sqlglot -> the drafts: NOT NULL, PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK.

Keys are collected while statements are read (CREATE TABLE, then ALTER TABLE ADD ...) and settled afterwards:
`settle_keys` turns a table's primary key into unique/required columns (a composite key into `_row_id` +
`composite_keys` + the brief's warning), and `resolve_foreign_keys` checks every foreign key against the tables of
the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlglot import exp

from dw_simulator.ddl.checks import CheckFacts, NotUnderstood, analyse, as_date
from dw_simulator.ddl.draft import ColumnDraft, ForeignKeyDraft, TableDraft
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, parse_type

ROW_ID = "_row_id"
Warn = Callable[[TableDraft, str], None]


Locate = Callable[[exp.Expression], int]


class ConstraintProblem(Exception):
    """A constraint that names something the table does not have (an error, located at `start`..`end`)."""

    def __init__(self, message: str, start: int, end: int | None = None, *, silent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end if end is not None else start + 1
        self.silent = silent  # a follow-on of a problem already reported


def identifier_names(nodes: list[exp.Expression]) -> list[str]:
    return [name for name, _ in named_nodes(nodes)]


def named_nodes(nodes: list[exp.Expression]) -> list[tuple[str, exp.Expression]]:
    out: list[tuple[str, exp.Expression]] = []
    for node in nodes:
        inner = node.this if isinstance(node, exp.Ordered) else node
        if isinstance(inner, exp.Identifier):
            out.append((str(inner.this), inner))
        elif isinstance(inner, exp.Column):
            out.append((inner.name, inner))
        else:
            out.append((inner.sql(), inner))
    return out


def reference_target(reference: exp.Reference) -> tuple[str, list[str] | None]:
    target = reference.this
    if isinstance(target, exp.Schema):
        table = target.this
        columns = identifier_names(list(target.expressions)) or None
    else:
        table, columns = target, None
    name = table.name if isinstance(table, exp.Table) else str(table.sql())
    return name, columns


def apply_column_constraint(
    table: TableDraft, column: ColumnDraft, constraint: exp.ColumnConstraint, offset: int, warn: Warn
) -> None:
    kind = constraint.args.get("kind")
    if isinstance(kind, exp.NotNullColumnConstraint):
        if not kind.args.get("allow_null"):
            column.required = True
    elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
        set_primary_key(table, [column.name], warn)
    elif isinstance(kind, exp.UniqueColumnConstraint):
        column.is_unique = True
    elif isinstance(kind, exp.Reference):
        ref_table, ref_columns = reference_target(kind)
        table.foreign_keys.append(ForeignKeyDraft([column.name], ref_table, ref_columns, offset, "REFERENCES"))
    elif isinstance(kind, exp.CheckColumnConstraint):
        apply_check(table, kind.this, warn)
    elif isinstance(kind, exp.CommentColumnConstraint):
        column.description = str(kind.this.this) if isinstance(kind.this, exp.Literal) else kind.this.sql()
    elif isinstance(kind, exp.ForeignKey | exp.DefaultColumnConstraint):
        pass  # Snowflake's inline `FOREIGN KEY REFERENCES t(c)` marker; defaults do not shape generated data
    else:
        warn(table, f"Table '{table.name}': column '{column.name}': {constraint.sql()} is ignored")


def apply_table_constraint(table: TableDraft, node: exp.Expression, locate: Locate, how: str, warn: Warn) -> None:
    if isinstance(node, exp.Constraint):
        for inner in node.expressions:
            apply_table_constraint(table, inner, locate, how, warn)
        return
    if isinstance(node, exp.PrimaryKey):
        set_primary_key(table, _columns(table, list(node.expressions), locate), warn)
        return
    if isinstance(node, exp.UniqueColumnConstraint):
        schema = node.this
        columns = _columns(table, list(schema.expressions), locate) if isinstance(schema, exp.Schema) else []
        if len(columns) == 1:
            column = table.column(columns[0])
            assert column is not None
            column.is_unique = True
        elif columns:
            table.uniques.append(columns)
        return
    if isinstance(node, exp.ForeignKey):
        columns = _columns(table, list(node.expressions), locate)
        reference = node.args.get("reference")
        if not isinstance(reference, exp.Reference):
            raise ConstraintProblem("FOREIGN KEY needs REFERENCES table(column)", locate(node))
        ref_table, ref_columns = reference_target(reference)
        table.foreign_keys.append(ForeignKeyDraft(columns, ref_table, ref_columns, locate(node), how))
        return
    if isinstance(node, exp.CheckColumnConstraint):
        apply_check(table, node.this, warn)
        return
    warn(table, f"Table '{table.name}': constraint {node.sql()} is ignored")


def _columns(table: TableDraft, nodes: list[exp.Expression], locate: Locate) -> list[str]:
    names: list[str] = []
    for name, node in named_nodes(nodes):
        column = table.column(name)
        if column is None:
            start = locate(node)
            silent = name.lower() in table.failed
            raise ConstraintProblem(
                f"table '{table.name}' has no column '{name}'", start, start + len(name), silent=silent
            )
        names.append(column.name)
    return names


def set_primary_key(table: TableDraft, columns: list[str], warn: Warn) -> None:
    if table.primary_key is not None:
        warn(
            table,
            f"Table '{table.name}' declares a second primary key ({', '.join(columns)}); it is kept as a unique key",
        )
        if len(columns) == 1:
            column = table.column(columns[0])
            if column is not None:
                column.is_unique = True
        else:
            table.uniques.append(columns)
        return
    table.primary_key = columns


# -- CHECK -----------------------------------------------------------------------------------------------------


def apply_check(table: TableDraft, expression: exp.Expression, warn: Warn) -> None:
    shown = f"CHECK ({expression.sql()})"
    try:
        facts = analyse(expression)
        column = table.column(facts.column)
        if column is None:
            raise NotUnderstood(f"the table has no column '{facts.column}'")
        apply_facts(column, facts)
    except NotUnderstood as exc:
        warn(table, f"Table '{table.name}': {shown} is not used for generation: {exc}")


def apply_facts(column: ColumnDraft, facts: CheckFacts) -> None:
    """Narrow a column by what a CHECK says. Raises NotUnderstood when it does not fit the column's type."""
    spec = parse_type(column.data_type)
    if facts.not_null:
        column.required = True
    if spec.is_numeric:
        lower = _numeric_bound(facts.lower, spec.base, column.data_type, up=True)
        upper = _numeric_bound(facts.upper, spec.base, column.data_type, up=False)
        values = None
        if facts.values is not None:
            values = [_numeric_value(v, spec.is_integer) for v in facts.values]
        _narrow_numbers(column, lower, upper, values)
    elif spec.is_temporal:
        if facts.values is not None:
            raise NotUnderstood("a list of dates is not generated; use a range")
        start = _date_bound(facts.lower, +1)
        end = _date_bound(facts.upper, -1)
        if start is not None and (column.date_start is None or start > column.date_start):
            column.date_start = start
        if end is not None and (column.date_end is None or end < column.date_end):
            column.date_end = end
        if column.date_start and column.date_end and column.date_start > column.date_end:
            raise NotUnderstood("its date range is empty")
    elif spec.is_string or spec.base is BaseType.BOOLEAN:
        if facts.lower is not None or facts.upper is not None:
            raise NotUnderstood("ranges of text values are not generated")
        if facts.values is not None:
            column.values = _text_values(column, facts.values, spec.base)
    elif facts.lower is not None or facts.upper is not None or facts.values is not None:
        raise NotUnderstood(f"{column.data_type} columns take no ranges or value lists")


def _numeric_bound(bound: tuple[Any, bool] | None, base: BaseType, data_type: str, *, up: bool) -> Any:
    if bound is None:
        return None
    value, inclusive = bound
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise NotUnderstood(f"{value!r} is not a number")
    if base in INTEGER_RANGES:
        number = math.ceil(value) if up else math.floor(value)
        if not inclusive and number == value:
            number += 1 if up else -1
        return int(number)
    if not inclusive:
        step = Decimal(1) / (Decimal(10) ** parse_type(data_type).precision_scale[1]) if base is BaseType.DECIMAL else 0
        value = Decimal(str(value)) + (step if up else -step)
    return _plain_number(value)


def _plain_number(value: Any) -> int | float:
    if isinstance(value, int):
        return value
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _numeric_value(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise NotUnderstood(f"{value!r} is not a number")
    plain = _plain_number(value)
    if integer and not isinstance(plain, int):
        raise NotUnderstood(f"{value} is not a whole number")
    return plain


def _narrow_numbers(column: ColumnDraft, lower: Any, upper: Any, values: list[Any] | None) -> None:
    if lower is not None and (column.min_value is None or lower > column.min_value):
        column.min_value = lower
    if upper is not None and (column.max_value is None or upper < column.max_value):
        column.max_value = upper
    if column.min_value is not None and column.max_value is not None and column.min_value > column.max_value:
        raise NotUnderstood("its range is empty")
    if values is not None:
        column.values = values if column.values is None else [v for v in column.values if v in values]
        if not column.values:
            raise NotUnderstood("no value satisfies it")


def _date_bound(bound: tuple[Any, bool] | None, step: int) -> Any:
    if bound is None:
        return None
    value, inclusive = bound
    day = as_date(value)
    if not inclusive:
        day = day.fromordinal(day.toordinal() + step)
    return day


def _text_values(column: ColumnDraft, values: list[Any], base: BaseType) -> list[Any]:
    if base is BaseType.BOOLEAN:
        if not all(isinstance(v, bool) for v in values):
            raise NotUnderstood("BOOLEAN values must be TRUE or FALSE")
        return list(values)
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise NotUnderstood(f"{value!r} is not a string, but the column is {column.data_type}")
        if column.varchar_length is not None and len(value) > column.varchar_length:
            raise NotUnderstood(f"'{value}' is longer than the column's length {column.varchar_length}")
        out.append(value)
    if column.values is not None:
        out = [v for v in column.values if v in out]
        if not out:
            raise NotUnderstood("no value satisfies it")
    return out


# -- keys ------------------------------------------------------------------------------------------------------


def composite_warning(table: str, columns: list[str]) -> str:
    return (
        f"Table '{table}' has a composite primary key ({', '.join(columns)}). A surrogate key column '{ROW_ID}' has "
        "been added for generation. Original columns are preserved."
    )


def settle_keys(table: TableDraft, warn: Warn, problem: Callable[[str, int], None]) -> None:
    """Primary key -> unique/required; composite primary key -> `_row_id` + composite_keys + the brief's warning."""
    for group in table.uniques:
        warn(
            table,
            f"Table '{table.name}': UNIQUE ({', '.join(group)}) spans several columns; generated data does "
            "not enforce it",
        )
    key = table.primary_key
    if not key:
        return
    if len(key) == 1:
        column = table.column(key[0])
        assert column is not None
        column.is_unique = True
        column.required = True
        return
    for name in key:
        column = table.column(name)
        assert column is not None
        column.required = True
    if table.column(ROW_ID) is not None:
        problem(
            f"table '{table.name}' has a composite primary key and already a column named '{ROW_ID}', the name "
            "dw-sim gives the surrogate key it adds; rename that column",
            table.start,
        )
        return
    row_type = "BIGINT" if table.target_rows > INTEGER_RANGES[BaseType.INT][1] else "INT"
    surrogate = ColumnDraft(ROW_ID, ROW_ID, row_type, table.start, is_unique=True, required=True)
    table.add_column(surrogate, first=True)
    table.composite_keys.append(list(key))
    warn(table, composite_warning(table.name, list(key)))


def resolve_foreign_keys(tables: dict[str, TableDraft], warn: Warn) -> None:
    """Attach every foreign key whose parent exists in the file and is unique; warn about and drop the others."""
    for table in tables.values():
        for fk in table.foreign_keys:
            reason, target = _fk_target(tables, table, fk)
            shown = _fk_text(fk)
            if reason is not None:
                warn(table, f"Table '{table.name}': foreign key {shown} was dropped: {reason}")
                continue
            assert target is not None
            child = table.column(fk.columns[0])
            assert child is not None
            if child.foreign_key is not None:
                warn(
                    table,
                    f"Table '{table.name}': foreign key {shown} was dropped: column '{child.name}' already "
                    f"references {child.foreign_key[0]}.{child.foreign_key[1]}",
                )
                continue
            child.foreign_key = target


def _fk_text(fk: ForeignKeyDraft) -> str:
    refs = f"({', '.join(fk.ref_columns)})" if fk.ref_columns else ""
    return f"({', '.join(fk.columns)}) -> {fk.ref_table}{refs}"


def _fk_target(
    tables: dict[str, TableDraft], table: TableDraft, fk: ForeignKeyDraft
) -> tuple[str | None, tuple[str, str] | None]:
    parent = tables.get(fk.ref_table.lower()) or next(
        (t for t in tables.values() if t.written.lower() == fk.ref_table.lower()), None
    )
    if parent is None:
        return f"table '{fk.ref_table}' is not defined in this file", None
    ref_columns = fk.ref_columns
    if ref_columns is None:
        if parent.composite_keys:
            ref_columns = list(parent.composite_keys[0])
        elif parent.primary_key:
            ref_columns = list(parent.primary_key)
        else:
            return f"'{parent.name}' has no primary key for it to reference", None
    if len(fk.columns) != len(ref_columns):
        return "it names a different number of columns on each side", None
    if len(fk.columns) > 1:
        return "multi-column foreign keys are not generated (each column is generated on its own)", None
    target = parent.column(ref_columns[0])
    if target is None:
        return f"'{parent.name}' has no column '{ref_columns[0]}'", None
    if not target.is_unique:
        return f"'{parent.name}.{target.name}' is neither a single-column primary key nor unique", None
    child = table.column(fk.columns[0])
    assert child is not None
    child_spec, parent_spec = parse_type(child.data_type), parse_type(target.data_type)
    compatible = (
        (child_spec.is_numeric and parent_spec.is_numeric)
        or (child_spec.is_string and parent_spec.is_string)
        or child_spec.base == parent_spec.base
    )
    if not compatible or parent_spec.is_json:
        return f"its type {child.data_type} does not match '{parent.name}.{target.name}' ({target.data_type})", None
    return None, (parent.name, target.name)
