"""Time in order: which dates of a row follow which, and which follow their parent row's dates.

A date/timestamp column's *event* is its stem without type words (`o_orderdate` -> `order`, `created_at` ->
`created`, `l_receiptdate` -> `receipt`); the vocabulary puts events in stages (created/ordered/listed < paid/sold <
shipped < received/closed < updated). In a row, each staged column follows the columns of the nearest earlier
stage; promised dates (commit, due, expected) follow the creation stage only; start/end pairs with otherwise equal
names are ordered (`valid_from < valid_to` strictly). A child table's earliest staged columns follow its parent's
latest staged column at or before their stage (an order's items ship after the order), through the foreign key
that lays the child out (a composite key's leading key) or else the first one that leads to such a column.

The result is `temporal_orders` entries on the tables: `{"before": col, "after": col}` within a row, plus
`"via": fk_column` when `before` is the parent's column; and one record per ordered column.
"""

from __future__ import annotations

import re
from typing import Any

from dw_simulator.inference.keys import Record, record
from dw_simulator.inference.names import column_prefix, stem
from dw_simulator.inference.vocabulary import Temporal, Vocabulary
from dw_simulator.schema.types import BaseType, parse_type

_TEMPORAL = (BaseType.DATE, BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ)


def event_of(column_stem: str, temporal: Temporal) -> str:
    """`shipdate` -> `ship`, `created_at` -> `created`, `valid_from` -> `valid_from`: the stem without type words
    (a type word glued to the end is cut off only when what remains is a known event)."""
    words = [p for p in column_stem.split("_") if p]
    parts = [p for p in words if p not in temporal.type_words]
    if parts and parts == words:
        last = parts[-1]
        for word in sorted(temporal.type_words, key=len, reverse=True):
            if last.endswith(word) and len(last) > len(word) + 1:
                candidate = "_".join([*parts[:-1], last[: -len(word)]])
                if stage_of(candidate, temporal) is not None or is_deadline(candidate, temporal):
                    return candidate
    return "_".join(parts)


def stage_of(event: str, temporal: Temporal) -> int | None:
    if event in temporal.stages:
        return temporal.stages[event]
    for word in reversed(event.split("_")):
        if word in temporal.stages:
            return temporal.stages[word]
    return None


def is_deadline(event: str, temporal: Temporal) -> bool:
    return any(word in temporal.deadlines for word in event.split("_"))


def _range_base(event: str, word: str) -> str | None:
    pattern = re.compile(rf"(^|_){re.escape(word)}(_|$)")
    if pattern.search(event) is None:
        return None
    return pattern.sub(r"\1{}\2", event, count=1)


class _Table:
    def __init__(self, table: dict[str, Any], temporal: Temporal) -> None:
        self.table = table
        prefix = column_prefix(table["name"], [c["name"] for c in table["columns"]])
        members = {c.lower() for group in table.get("composite_keys") or [] for c in group}
        self.events: dict[str, str] = {}
        for column in table["columns"]:
            spec = parse_type(str(column["data_type"]))
            if spec.base not in _TEMPORAL or column.get("is_unique") or column.get("foreign_key"):
                continue
            if column["name"].lower() in members or column.get("distribution") is not None:
                continue
            self.events[column["name"]] = event_of(stem(column["name"], prefix), temporal)
        self.stages = {n: s for n, e in self.events.items() if (s := stage_of(e, temporal)) is not None}
        self.deadlines = [n for n, e in self.events.items() if n not in self.stages and is_deadline(e, temporal)]

    def in_row(self, temporal: Temporal) -> list[tuple[str, str, bool, str]]:
        """(before, after, strict, why) pairs."""
        pairs: list[tuple[str, str, bool, str]] = []
        seen: set[tuple[str, str]] = set()
        for first, second in temporal.ranges:
            for a_name, a_event in self.events.items():
                base = _range_base(a_event, first)
                if base is None:
                    continue
                for b_name, b_event in self.events.items():
                    if b_name != a_name and _range_base(b_event, second) == base and (a_name, b_name) not in seen:
                        strict = any(_range_base(a_event, word) is not None for word in temporal.strict)
                        seen.add((a_name, b_name))
                        pairs.append((a_name, b_name, strict, f"'{first}' and '{second}' of the same thing"))
        ordered = sorted(self.stages.items(), key=lambda item: item[1])
        for name, stage in ordered:
            earlier = [s for _, s in ordered if s < stage]
            if not earlier:
                continue
            nearest = max(earlier)
            for before, s in ordered:
                if s == nearest and (before, name) not in seen and (name, before) not in seen:
                    seen.add((before, name))
                    pairs.append((before, name, False, f"'{self.events[name]}' comes after '{self.events[before]}'"))
        starts = [n for n, s in self.stages.items() if s == 0]
        for deadline in self.deadlines:
            for before in starts:
                if (before, deadline) not in seen:
                    seen.add((before, deadline))
                    pairs.append(
                        (
                            before,
                            deadline,
                            False,
                            f"'{self.events[deadline]}' is promised after '{self.events[before]}'",
                        )
                    )
        return pairs

    def roots(self, pairs: list[tuple[str, str, bool, str]]) -> list[str]:
        """Staged (or promised) columns that follow nothing in their row."""
        followers = {after for _, after, _, _ in pairs}
        staged = [*self.stages, *self.deadlines]
        return [n for n in staged if n not in followers]


def infer_temporal_orders(data: dict[str, Any], vocab: Vocabulary) -> list[Record]:
    temporal = vocab.temporal
    tables = {t["name"].lower(): _Table(t, temporal) for t in data["tables"]}
    out: list[Record] = []
    for key, info in tables.items():
        table = info.table
        orders = table.setdefault("temporal_orders", [])
        pairs = info.in_row(temporal)
        for before, after, strict, why in pairs:
            entry: dict[str, Any] = {"before": before, "after": after}
            if strict:
                entry["strict"] = True
            orders.append(entry)
            relation = "after" if strict else "on or after"
            out.append(
                record(
                    "temporal_order",
                    table["name"],
                    after,
                    f"{why}: {after} is {relation} {before} in every row",
                    f"{before} <= {after}",
                )
            )
        for root in info.roots(pairs):
            found = _parent_column(info, root, tables, key, temporal)
            if found is None:
                continue
            via, parent_name, parent_col = found
            orders.append({"before": parent_col, "after": root, "via": via})
            out.append(
                record(
                    "temporal_order",
                    table["name"],
                    root,
                    f"a child row's '{info.events[root]}' comes after its parent's "
                    f"'{tables[parent_name.lower()].events[parent_col]}': {root} is on or after "
                    f"{parent_name}.{parent_col} of the row {via} references",
                    f"{parent_name}.{parent_col} <= {root}",
                )
            )
        if not orders:
            table.pop("temporal_orders")
    return out


def _parent_column(
    info: _Table, root: str, tables: dict[str, _Table], own: str, temporal: Temporal
) -> tuple[str, str, str] | None:
    stage = info.stages.get(root)
    table = info.table
    lead = [g[0].lower() for g in table.get("composite_keys") or [] if g]
    columns = sorted(table["columns"], key=lambda c: c["name"].lower() not in lead)
    for column in columns:
        fk = column.get("foreign_key")
        if not fk or fk["references_table"].lower() == own:
            continue
        parent = tables.get(fk["references_table"].lower())
        if parent is None:
            continue
        if stage is None:  # a promised date follows the parent's creation
            candidates = [n for n, s in parent.stages.items() if s == 0]
        else:
            candidates = [n for n, s in parent.stages.items() if s <= stage]
        if not candidates:
            continue
        best = max(candidates, key=lambda n: parent.stages[n])
        return column["name"], parent.table["name"], best
    return None
