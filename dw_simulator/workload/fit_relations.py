"""Columns compared with other columns' magnitudes: `ps_availqty > (SELECT 0.5 * SUM(l_quantity) ...)`,
`price > 2 * cost`. A numeric column whose range (or skewed inferred domain) stays below what it is compared with
could never pass `>`, so its range reaches past the other side's (a sum counts a few rows) and its values spread
evenly. Declared ranges are left as they are, and said so."""

from __future__ import annotations

from typing import Any

from dw_simulator.schema.types import parse_type
from dw_simulator.workload.fit_values import Record, inferred_fields, record
from dw_simulator.workload.predicates import Relation

SUM_ROWS = 2.0  # a SUM over a correlated subquery adds up a few rows
HEADROOM = 2.0


def _column(data: dict[str, Any], table: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    t = next(t for t in data["tables"] if t["name"] == table)
    return t, next(c for c in t["columns"] if c["name"] == name)


def _top(column: dict[str, Any]) -> float | None:
    dist = column.get("distribution") or {}
    if dist.get("type") == "categorical":
        numbers = [float(v) for v in dist.get("values") or [] if isinstance(v, int | float)]
        return max(numbers) if numbers else None
    return float(column["max_value"]) if column.get("max_value") is not None else None


def fit_relations(data: dict[str, Any], relations: list[Relation],
                  fitted: set[tuple[str, str]]) -> tuple[list[Record], list[str]]:  # fmt: skip
    records: list[Record] = []
    notes: list[str] = []
    for rel in relations:
        if rel.op not in (">", ">="):
            continue
        table, a = _column(data, *rel.a)
        _t, b = _column(data, *rel.b)
        if not (parse_type(str(a["data_type"])).is_numeric and parse_type(str(b["data_type"])).is_numeric):
            continue
        b_top = _top(b)
        if b_top is None or b_top <= 0:
            continue
        needed = HEADROOM * rel.factor * b_top * (SUM_ROWS if rel.agg == "sum" else 1.0)
        a_top = a.get("max_value")
        skewed = (a.get("distribution") or {}).get("type") not in (None, "uniform")
        if a_top is not None and float(a_top) >= needed and not skewed:
            continue
        inferred = inferred_fields(data, table["name"], a["name"])
        declared = [f for f in ("max_value", "distribution") if a.get(f) is not None and f not in inferred
                    and (table["name"], a["name"]) not in fitted]  # fmt: skip
        if declared:
            notes.append(f"{rel.query}: `{rel.text}` needs {rel.a[0]}.{rel.a[1]} to reach {needed:g}; its "
                         f"declared {', '.join(declared)} kept")  # fmt: skip
            continue
        spec = parse_type(str(a["data_type"]))
        top = max(needed, float(a_top) if a_top is not None else 0.0)
        a["max_value"] = int(top) + 1 if spec.is_integer else round(top, 2)
        if a.get("min_value") is None:
            a["min_value"] = 0 if spec.is_integer else 0.0
        a.pop("distribution", None)
        records.append(record(None, rel.a[0], rel.a[1], f"`{rel.text}` compares it with {rel.b[0]}.{rel.b[1]}: "
                              f"values spread evenly up to {a['max_value']}", ["max_value", "distribution"],
                              rel.query))  # fmt: skip
    return records, notes
