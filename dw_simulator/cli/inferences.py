"""How the CLI lists what dw-sim inferred (import output, `experiment show`): one line per inference, with its
kind, where it applies and why, keys first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

TITLES = {
    "time_window": "date window",
    "primary_key": "primary key",
    "foreign_key": "foreign key",
    "null_rate": "NULLs",
    "coverage": "coverage",
    "semantic": "semantic",
    "temporal_order": "time order",
    "workload": "from queries",
}
ORDER = ("time_window", "primary_key", "foreign_key", "null_rate", "coverage", "semantic", "temporal_order", "workload")


def print_inferences(inferences: Sequence[dict[str, Any]], console: Console) -> None:
    """Every inference, one line each (`inferred <kind> <table.column>: <reason>`); nothing when there is none."""
    if not inferences:
        return
    rank = {kind: i for i, kind in enumerate(ORDER)}
    for item in sorted(inferences, key=lambda i: rank.get(i["kind"], len(ORDER))):
        where = ".".join(p for p in (item.get("table"), item.get("column")) if p) or "experiment"
        kind = TITLES.get(item["kind"], item["kind"])
        if item["kind"] == "workload" and item.get("value") not in (None, "workload"):
            kind = f"from query {item['value']}"
        console.print(f"[cyan]inferred {kind}[/] [bold]{escape(where)}[/]: {escape(item['reason'])}", highlight=False)
    console.print("[dim]edit the schema to change an inference; --no-infer-keys refuses inferred keys[/]")
