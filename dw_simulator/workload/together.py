"""A query's filters together: the rows of each table expected to pass every filter a query ANDs on it, and the
boost that lifts a conjunction too thin to be seen at the table's size.

The generator draws a table's columns independently, so a conjunction's share is measured on the per-column
samples row by row (row i of each sample is one joint draw). When fewer than `THIN` rows are expected, the values
the filters select in the categorical domains this fit made (never declared ones) get more weight, each by the
same factor, up to `MAX_VALUE_SHARE` per value, until the conjunction reaches `THIN` rows or the room runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dw_simulator.workload.fit_values import Record, record
from dw_simulator.workload.predicates import Filter
from dw_simulator.workload.shares import selects

THIN = 25.0
MAX_VALUE_SHARE = 0.5
MAX_FACTOR = 4.0


@dataclass
class Conjunction:
    query: str
    table: str
    filters: list[Filter]
    expected: float  # rows of the table expected to pass them all

    def text(self) -> str:
        return " AND ".join(f"`{f.describe()}`" for f in self.filters)


def conjunctions(data: dict[str, Any], filters: list[Filter],
                 values: dict[tuple[str, str], list[Any]]) -> list[Conjunction]:  # fmt: skip
    groups: dict[tuple[str, str], list[Filter]] = {}
    for flt in filters:
        if flt.group and (flt.table, flt.column) in values:
            groups.setdefault((flt.query, flt.group), []).append(flt)
    out = []
    for (query, _group), items in groups.items():
        distinct = list({f.describe(): f for f in items}.values())
        if len(distinct) < 2:
            continue
        samples = [values[(f.table, f.column)] for f in distinct]
        size = min(len(s) for s in samples)
        passing = sum(1 for i in range(size) if all(selects(f, s[i]) for f, s in zip(distinct, samples, strict=True)))
        table = next(t for t in data["tables"] if t["name"] == distinct[0].table)
        expected = passing / max(1, size) * int(table.get("target_rows") or 1000)
        out.append(Conjunction(query, distinct[0].table, distinct, expected))
    return out


def boost(data: dict[str, Any], thin: list[Conjunction], fitted: set[tuple[str, str]]) -> list[Record]:
    """Give the selected values of fitted categorical domains more weight where a conjunction is too thin."""
    records: list[Record] = []
    for conj in thin:
        if conj.expected >= THIN:
            continue
        table = next(t for t in data["tables"] if t["name"] == conj.table)
        targets = []
        for flt in conj.filters:
            column = next(c for c in table["columns"] if c["name"] == flt.column)
            dist = column.get("distribution") or {}
            if (conj.table, flt.column) in fitted and dist.get("type") == "categorical" and not flt.negated:
                targets.append((flt, column, dist))
        if not targets:
            continue
        wanted = THIN / max(conj.expected, 0.5)
        factor = min(MAX_FACTOR, wanted ** (1.0 / len(targets)))
        for flt, column, dist in targets:
            values, weights = dist["values"], list(dist.get("weights") or [1.0] * len(dist["values"]))
            total = sum(weights) or 1.0
            hit = [i for i, v in enumerate(values) if selects(flt, v)]
            if not hit or len(hit) == len(values):
                continue
            for i in hit:
                weights[i] = min(weights[i] * factor, MAX_VALUE_SHARE * total)
            column["distribution"] = {**dist, "weights": [round(w / sum(weights), 6) for w in weights]}
            records.append(record(None, conj.table, flt.column,
                                  f"{conj.text()} leave about {conj.expected:.1f} {conj.table} rows together: "
                                  f"the values `{flt.describe()}` selects weigh {factor:.2f}x more",
                                  ["distribution"], conj.query))  # fmt: skip
    return records
