"""From samples to an experiment schema: every column fitted, keys linked, each table's copula fitted.

`learn_schema(samples, name=..., options=...)` returns the schema (in its dict form, validated by the caller),
the fit's report (what each column became, the kept pairs, the foreign keys) and the reference the fidelity
report compares generated data with. Row counts keep the tables' proportions: the largest table gets as many rows
as were sampled from it (`--rows` at generation sets any other number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dw_simulator.learn.columns import ColumnFit, FitOptions, fit_column
from dw_simulator.learn.dependence import fit_dependence
from dw_simulator.learn.links import FoundKey, TableFit, find_foreign_keys
from dw_simulator.learn.reference import table_reference
from dw_simulator.learn.sources import Sample

COPULA_KINDS = ("numeric", "temporal", "boolean", "categorical")
MAX_COPULA_COLUMNS = 64
ACTIVE_FULL = 0.98


@dataclass
class Learned:
    schema: dict[str, Any]
    report: dict[str, Any]
    reference: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def column_name(raw: str, used: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", raw.strip())[:63] or "col"
    if not (name[0].isalpha() or name[0] == "_"):
        name = f"c_{name}"[:63]
    base, n = name, 1
    while name.lower() in used:
        name, n = f"{base[:58]}_{n}", n + 1
    used.add(name.lower())
    return name


def learn_schema(samples: list[Sample], *, name: str, options: FitOptions | None = None, seed: int = 7,
                 dialect: str | None = None) -> Learned:  # fmt: skip
    options = options or FitOptions()
    fits: list[TableFit] = []
    notes: list[str] = []
    for sample in samples:
        used: set[str] = set()
        renamed = {c: column_name(c, used) for c in sample.data.column_names}
        data = sample.data.rename_columns([renamed[c] for c in sample.data.column_names])
        if data.num_rows == 0:
            notes.append(f"{sample.table}: the sample is empty; its columns keep only their types")
        columns = [fit_column(renamed[c], data.column(renamed[c]), sample.declared.get(c.lower()), options)
                   for c in sample.data.column_names]  # fmt: skip
        fits.append(TableFit(sample.table, columns, data, sample.total_rows))
    keys = find_foreign_keys(fits)
    _link(fits, keys)
    largest = max((t.total_rows for t in fits), default=0)
    sampled = max((t.data.num_rows for t in fits), default=0)
    tables: list[dict[str, Any]] = []
    table_reports: list[dict[str, Any]] = []
    references: dict[str, Any] = {}
    for table in fits:
        dependence = _copula(table, seed)
        target = max(1, round(table.total_rows * sampled / largest)) if largest else table.data.num_rows
        entry: dict[str, Any] = {"name": table.name, "target_rows": target, "columns": [c.column for c in
                                 table.columns]}  # fmt: skip
        if dependence is not None:
            entry["copula"] = {"columns": dependence.columns, "correlation": dependence.correlation}
        tables.append(entry)
        pairs = [] if dependence is None else [{"columns": [a, b], "correlation": r} for a, b, r in dependence.pairs]
        table_reports.append(
            {
                "table": table.name,
                "sampled_rows": table.data.num_rows,
                "source_rows": table.total_rows,
                "target_rows": target,
                "columns": [_column_report(c) for c in table.columns],
                "kept_pairs": pairs,
                "weak_pairs_dropped": 0 if dependence is None else dependence.dropped,
                "foreign_keys": [
                    {"column": k.column, "references": f"{k.parent}.{k.parent_column}", "inclusion": k.inclusion}
                    for k in keys
                    if k.table == table.name
                ],
            }
        )
        references[table.name] = table_reference(table, pairs, options.min_count)
    schema: dict[str, Any] = {"name": name, "tables": tables,
                              "description": f"learned from a sample of {len(fits)} table(s)"}  # fmt: skip
    if dialect:
        schema["dialect"] = dialect
    report = {"tables": table_reports, "min_count": options.min_count, "values_kept": options.keep_values}
    return Learned(schema, report, {"tables": references, "min_count": options.min_count}, notes)


def _link(fits: list[TableFit], keys: list[FoundKey]) -> None:
    by_table = {t.name: t for t in fits}
    for key in keys:
        column = next(c for c in by_table[key.table].columns if c.name == key.column)
        column.column.pop("distribution", None)
        column.column["foreign_key"] = {"references_table": key.parent, "references_column": key.parent_column}
        if not column.nulls:
            column.column["foreign_key"]["nullable"] = False  # not the default share of NULL keys
        child, parent = by_table[key.table], by_table[key.parent]
        if child.coverage >= 1.0 and parent.coverage >= 1.0 and parent.data.num_rows:
            # both read whole: the share of parents that have children (customers who ordered) is known
            share = column.distinct / parent.data.num_rows
            if share < ACTIVE_FULL:
                column.column["foreign_key"]["active_share"] = round(max(share, 1e-6), 4)
        column.kind = "foreign_key"
        column.order = None


def _copula(table: TableFit, seed: int) -> Any:
    candidates = [c for c in table.columns if c.kind in COPULA_KINDS and c.order is not None and c.distinct > 1]
    candidates = candidates[:MAX_COPULA_COLUMNS]
    if len(candidates) < 2:
        return None
    found = fit_dependence([c.name for c in candidates], [c.order for c in candidates if c.order is not None],
                           seed=seed)  # fmt: skip
    return found if found.columns else None


def _column_report(column: ColumnFit) -> dict[str, Any]:
    dist = column.column.get("distribution") or {}
    out: dict[str, Any] = {"column": column.name, "data_type": column.column["data_type"], "kind": column.kind,
                           "null_rate": round(column.null_rate, 4),
                           "distinct_ratio": round(column.distinct_ratio, 4)}  # fmt: skip
    if dist.get("values"):
        out["values_kept"] = len(dist["values"])
    if dist.get("patterns"):
        out["patterns"] = len(dist["patterns"])
    if dist.get("quantiles"):
        out["quantiles"] = len(dist["quantiles"])
    return out
