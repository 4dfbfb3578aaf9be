"""Keys the workload's joins imply, and group sizes its HAVING clauses need.

* `a.x = b.y` where no key links them yet: the side that is unique (a primary key, a unique column, or every
  column of a composite key for a multi-column join) is the parent, the other side gets the foreign key, when the
  types agree. Joins where neither side is a key, or whose child already references another table, are reported.
* `GROUP BY fk HAVING COUNT(*) > n`: when the child's rows per referenced parent are too few for such groups to
  exist, the key references a share of the parent's rows (`active_share`) small enough that groups of n+1 occur.
"""

from __future__ import annotations

from typing import Any

from dw_simulator.schema.types import parse_type
from dw_simulator.workload.fit_values import Record, inferred_fields, record
from dw_simulator.workload.predicates import GroupCount, Join


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in data["tables"] if t["name"].lower() == name.lower())


def _column(table: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in table["columns"] if c["name"].lower() == name.lower())


def _unique(table: dict[str, Any], columns: list[str]) -> bool:
    names = sorted(c.lower() for c in columns)
    if len(names) == 1 and _column(table, names[0]).get("is_unique"):
        return True
    return any(sorted(c.lower() for c in group) == names for group in table.get("composite_keys") or [])


def _compatible(child: dict[str, Any], parent: dict[str, Any]) -> bool:
    a, b = parse_type(str(child["data_type"])), parse_type(str(parent["data_type"]))
    return (a.is_integer and b.is_integer) or (a.is_string and b.is_string) or a.base == b.base


def _linked(child: dict[str, Any], columns: list[str], parent: str, parent_columns: list[str]) -> str | None:
    """None when no key covers the child columns; 'same' when this one does; else the other table referenced."""
    if len(columns) == 1:
        fk = _column(child, columns[0]).get("foreign_key")
        if fk:
            same = fk["references_table"].lower() == parent.lower() and (
                fk["references_column"].lower() == parent_columns[0].lower()
            )
            return "same" if same else fk["references_table"]
        return None
    for fk in child.get("foreign_keys") or []:
        if sorted(c.lower() for c in fk["columns"]) == sorted(c.lower() for c in columns):
            return "same" if fk["references_table"].lower() == parent.lower() else fk["references_table"]
    return None


def fit_joins(data: dict[str, Any], joins: list[Join]) -> tuple[list[Record], list[str]]:
    records: list[Record] = []
    notes: list[str] = []
    groups: dict[tuple[str, tuple[str, str]], list[Join]] = {}
    for join in joins:
        groups.setdefault((join.query, join.pair), []).append(join)
    done: set[tuple[str, tuple[str, ...], str]] = set()
    for (query, _pair), items in groups.items():
        left_table, right_table = items[0].left[0], items[0].right[0]
        if any(j.left[0] != left_table or j.right[0] != right_table for j in items):
            continue
        left_cols = [j.left[1] for j in items]
        right_cols = [j.right[1] for j in items]
        left, right = _table(data, left_table), _table(data, right_table)
        for attempt in ([(left_cols, right_cols)] if len(items) > 1 else []) + [
            ([a], [b]) for a, b in zip(left_cols, right_cols, strict=True)
        ]:
            lcols, rcols = attempt
            if _unique(right, rcols) and not _unique(left, lcols):
                child, ccols, parent, pcols = left, lcols, right, rcols
            elif _unique(left, lcols) and not _unique(right, rcols):
                child, ccols, parent, pcols = right, rcols, left, lcols
            else:
                if len(lcols) == 1 and not (_unique(left, lcols) and _unique(right, rcols)):
                    text = " AND ".join(j.text for j in items)
                    if not any(
                        _linked(t, c, p, pc)
                        for t, c, p, pc in ((left, lcols, right_table, rcols), (right, rcols, left_table, lcols))
                    ):
                        notes.append(f"{query}: `{text}` joins columns neither of which is a key; no foreign key made")
                continue
            key = (child["name"].lower(), tuple(c.lower() for c in ccols), parent["name"].lower())
            linked = _linked(child, ccols, parent["name"], pcols)
            if linked == "same" or key in done:
                if len(ccols) > 1:
                    break
                continue
            if linked is not None:
                notes.append(
                    f"{query}: joins {child['name']}({', '.join(ccols)}) to {parent['name']}, but the "
                    f"columns reference {linked}; left as declared"
                )
                continue
            if not all(_compatible(_column(child, c), _column(parent, p)) for c, p in zip(ccols, pcols, strict=True)):
                notes.append(
                    f"{query}: joins {child['name']}({', '.join(ccols)}) to {parent['name']}"
                    f"({', '.join(pcols)}) across types that differ; no foreign key made"
                )
                continue
            done.add(key)
            label = f"{parent['name']}({', '.join(pcols)})"
            if len(ccols) == 1:
                _column(child, ccols[0])["foreign_key"] = {
                    "references_table": parent["name"],
                    "references_column": pcols[0],
                }
                fields = ["foreign_key"]
            else:
                child.setdefault("foreign_keys", []).append(
                    {"columns": ccols, "references_table": parent["name"], "references_columns": pcols}
                )
                fields = []
            text = " AND ".join(j.text for j in items)
            records.append(
                record(
                    None,
                    child["name"],
                    ", ".join(ccols),
                    f"`{text}` joins it to the key {label}: a foreign key to it",
                    fields,
                    query,
                )
            )
            if len(ccols) > 1:
                break
    return records, notes


def fit_groups(
    data: dict[str, Any], groups: list[GroupCount], fitted: set[tuple[str, str]]
) -> tuple[list[Record], list[str]]:
    records: list[Record] = []
    notes: list[str] = []
    for group in groups:
        table = _table(data, group.table)
        rows = int(table.get("target_rows") or 1000)
        if group.total is not None:
            records += _fit_total(data, table, group, notes, fitted)
            continue
        if len(group.columns) != 1:
            notes.append(f"{group.query}: `{group.text}` groups by several columns; group sizes left as they are")
            continue
        column = _column(table, group.columns[0])
        fk = column.get("foreign_key")
        if not fk:
            dist = column.get("distribution") or {}
            distinct = len(dist.get("values") or []) if dist.get("type") == "categorical" else None
            if distinct is None or rows / max(distinct, 1) < group.n:
                notes.append(
                    f"{group.query}: `{group.text}` needs groups of {group.n} rows of "
                    f"{table['name']}.{column['name']}, which is not a key with few values; left alone"
                )
            continue
        if fk.get("cardinality") is not None:
            continue
        parent = _table(data, fk["references_table"])
        parent_rows = int(parent.get("target_rows") or 1000)
        share = float(fk.get("active_share") or 1.0)
        per_parent = rows / max(1.0, parent_rows * share)
        wanted = group.n * 1.5
        if per_parent >= wanted:
            continue
        new_share = max(0.01, min(1.0, rows / (parent_rows * wanted)))
        if new_share >= share:
            continue
        fk["active_share"] = round(new_share, 4)
        records.append(
            record(
                None,
                table["name"],
                column["name"],
                f"`{group.text}` needs groups of {group.n}: the key references {new_share:.1%} of "
                f"{parent['name']} (about {rows / (parent_rows * new_share):.1f} rows each)",
                ["foreign_key"],
                group.query,
            )
        )
    return records, notes


def _group_size(data: dict[str, Any], table: dict[str, Any], column: dict[str, Any]) -> float | None:
    rows = int(table.get("target_rows") or 1000)
    fk = column.get("foreign_key")
    if fk:
        parent = _table(data, fk["references_table"])
        return rows / max(1.0, int(parent.get("target_rows") or 1000) * float(fk.get("active_share") or 1.0))
    dist = column.get("distribution") or {}
    if dist.get("type") == "categorical":
        return rows / max(1, len(dist.get("values") or []))
    return None


def _fit_total(
    data: dict[str, Any], table: dict[str, Any], group: GroupCount, notes: list[str], fitted: set[tuple[str, str]]
) -> list[Record]:
    """`GROUP BY key HAVING SUM(x) > n`: x reaches high enough that a group of typical size can pass n."""
    assert group.total is not None
    column = _column(table, group.total)
    size = _group_size(data, table, _column(table, group.columns[0])) if len(group.columns) == 1 else None
    where = f"{table['name']}.{column['name']}"
    if size is None or (column.get("max_value") is None and column.get("distribution")):
        notes.append(f"{group.query}: `{group.text}`: group sizes of {where} unknown; left alone")
        return []
    needed = round(group.n * 1.25 / max(1.0, size), 2)
    current = column.get("max_value")
    if current is not None and float(current) >= needed:
        return []
    if (
        current is not None
        and "max_value" not in inferred_fields(data, table["name"], column["name"])
        and (table["name"], column["name"]) not in fitted
    ):
        notes.append(
            f"{group.query}: `{group.text}` needs {where} up to {needed}, above its declared maximum "
            f"{current}; not widened"
        )
        return []
    spec = parse_type(str(column["data_type"]))
    column["max_value"] = int(needed + 1) if spec.is_integer else needed
    return [
        record(
            None,
            table["name"],
            column["name"],
            f"`{group.text}` over groups of about {size:.1f} rows: values reach {column['max_value']}",
            ["max_value"],
            group.query,
        )
    ]
