"""How the CLI lists what dw-sim inferred (import output, `experiment show`): one line per inference, with its
kind, where it applies and why, grouped by kind so keys come first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from dw_simulator.schema import INFERENCE_KINDS

TITLES = {
    "time_window": "date window",
    "primary_key": "primary key",
    "foreign_key": "foreign key",
    "null_rate": "NULLs",
    "coverage": "coverage",
    "semantic": "semantic",
    "temporal_order": "time order",
}
ORDER = ("time_window", "primary_key", "foreign_key", "null_rate", "coverage", "semantic", "temporal_order")


def print_inferences(inferences: Sequence[dict[str, Any]], console: Console) -> None:
    """A table of every inference (kind, where, reason); nothing when there is none."""
    if not inferences:
        return
    rank = {kind: i for i, kind in enumerate(ORDER)}
    ordered = sorted(inferences, key=lambda i: rank.get(i["kind"], len(INFERENCE_KINDS)))
    grid = Table(title=f"inferred ({len(ordered)}; edit the schema to change, --no-infer-keys to refuse keys)",
                 title_justify="left", show_lines=False)  # fmt: skip
    for name in ("kind", "where", "reason"):
        grid.add_column(name, overflow="fold")
    for item in ordered:
        where = ".".join(p for p in (item.get("table"), item.get("column")) if p) or "experiment"
        grid.add_row(TITLES.get(item["kind"], item["kind"]), where, item["reason"])
    console.print(grid)
