"""Schemas and digests shared by the scale-out tests."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "generator"))
from generator_helpers import col, experiment, fk, table

from dw_simulator.generator import GenerationResult
from dw_simulator.schema import ExperimentSchema


def shop(scale: int = 1, name: str = "exp") -> ExperimentSchema:
    return experiment(
        table("customers", 1500 * scale,
              col("customer_id", is_unique=True, required=True),
              col("email", "VARCHAR(80)", is_unique=True),
              col("first_name", "VARCHAR(30)", faker_rule="first_name"),
              col("score", "FLOAT", distribution={"type": "normal", "mean": 10, "stddev": 2})),
        table("orders", 1,
              col("order_id", "BIGINT", is_unique=True, required=True),
              col("customer_id", required=True,
                  foreign_key=fk("customers", "customer_id", cardinality={"type": "poisson", "lam": 3})),
              col("line_no", required=True),
              col("total", "DECIMAL(10,2)", distribution={"type": "lognormal", "mean": 4, "sigma": 0.5}),
              col("ship_email", "VARCHAR(80)", foreign_key=fk("customers", "email")),
              composite_keys=[["customer_id", "line_no"]]),
        table("visits", 6000 * scale,
              col("store", "SMALLINT", min_value=1, max_value=40, required=True),
              col("day", "DATE", required=True, date_start="2024-01-01", date_end="2024-12-31"),
              col("customer_id", foreign_key=fk("customers", "customer_id")),
              composite_keys=[["store", "day", "customer_id"]]),
        name=name,
    )  # fmt: skip


def digests(result: GenerationResult, root: Path) -> dict[str, str]:
    return {str(Path(p).relative_to(root)): hashlib.sha256(Path(p).read_bytes()).hexdigest()
            for t in result.tables.values() for p in t.parts}  # fmt: skip
