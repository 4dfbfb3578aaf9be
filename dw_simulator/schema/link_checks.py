"""Checks of what links tables, across the experiment: multi-column foreign keys and parent-to-child temporal
orders (the single-column foreign keys are checked in `experiment_schema`)."""

from __future__ import annotations

from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.validation import fail


def same_key_family(child: ColumnSchema, parent: ColumnSchema) -> bool:
    c, p = child.type_spec, parent.type_spec
    return (
        (c.is_integer and p.is_integer)
        or (c.is_string and p.is_string)
        or c.base == p.base
        or (c.is_numeric and p.is_numeric)
    ) and not p.is_json


def check_multi_column_keys(table: TableSchema, tables: dict[str, TableSchema]) -> None:
    for index, fk in enumerate(table.foreign_keys):
        where = f"foreign_keys.{index}"
        parent = tables.get(fk.references_table.lower())
        if parent is None:
            fail(f"foreign key references table '{fk.references_table}', which the experiment does not define",
                 table=table.name, field=f"{where}.references_table")  # fmt: skip
            return
        targets = []
        for name in fk.references_columns:
            target = parent.column(name)
            if target is None:
                fail(f"foreign key references column '{parent.name}.{name}', which does not exist",
                     table=table.name, field=f"{where}.references_columns")  # fmt: skip
                return
            targets.append(target)
        wanted = sorted(c.name.lower() for c in targets)
        groups = [sorted(g.lower() for g in group) for group in parent.composite_keys]
        if wanted not in groups:
            fail(f"foreign key references ({', '.join(fk.references_columns)}) of '{parent.name}', which is not one "
                 "of its composite keys (composite_keys); a multi-column foreign key must point at one",
                 table=table.name, field=f"{where}.references_columns")  # fmt: skip
        for name, target in zip(fk.columns, targets, strict=True):
            column = table.column(name)
            assert column is not None  # the table checked its own columns
            if not same_key_family(column, target):
                fail(f"foreign key column '{name}' ({column.data_type}) does not match '{parent.name}.{target.name}' "
                     f"({target.data_type})", table=table.name, column=name, field=where)  # fmt: skip


def check_parent_orders(table: TableSchema, tables: dict[str, TableSchema]) -> None:
    for index, order in enumerate(table.temporal_orders):
        if order.via is None:
            continue
        via = table.column(order.via)
        assert via is not None and via.foreign_key is not None  # the table checked it
        parent = tables.get(via.foreign_key.references_table.lower())
        if parent is None:
            return  # reported with the foreign key
        before = parent.column(order.before)
        if before is None or not before.type_spec.is_temporal:
            fail(f"temporal order follows '{parent.name}.{order.before}', which is not a date or timestamp column of "
                 f"the table '{order.via}' references", table=table.name,
                 field=f"temporal_orders.{index}.before")  # fmt: skip


def multi_column_parents(table: TableSchema) -> list[tuple[str, bool]]:
    """(parent table, required) of each multi-column foreign key: required when every column is NOT NULL."""
    out = []
    for fk in table.foreign_keys:
        columns = [table.column(c) for c in fk.columns]
        out.append((fk.references_table.lower(), all(c is not None and c.required for c in columns)))
    return out
