"""The benchmark workload of issue 3: customers -> orders -> order_items, scalable."""

from __future__ import annotations

from typing import Any

from dw_simulator.schema import ExperimentSchema, load_schema_data

BASE_ROWS = {"customers": 100_000, "orders": 500_000, "order_items": 1_000_000}


def table_rows(scale: float = 1.0, order_items: int | None = None) -> dict[str, int]:
    rows = {name: max(1, round(count * scale)) for name, count in BASE_ROWS.items()}
    if order_items is not None:
        rows["order_items"] = order_items
    return rows


def workload_data(rows: dict[str, int]) -> dict[str, Any]:
    return {
        "name": "bench",
        "tables": [
            {
                "name": "customers",
                "target_rows": rows["customers"],
                "columns": [
                    {"name": "customer_id", "data_type": "INT", "is_unique": True, "required": True},
                    {"name": "first_name", "data_type": "VARCHAR(50)", "faker_rule": "person.first_name"},
                    {"name": "last_name", "data_type": "VARCHAR(50)", "faker_rule": "person.last_name"},
                    {"name": "email", "data_type": "VARCHAR(120)", "is_unique": True, "faker_rule": "internet.email"},
                    {"name": "signup_date", "data_type": "DATE", "date_start": "2023-01-01", "date_end": "2024-12-31"},
                ],
            },
            {
                "name": "orders",
                "target_rows": rows["orders"],
                "columns": [
                    {"name": "order_id", "data_type": "INT", "is_unique": True, "required": True},
                    {
                        "name": "customer_id",
                        "data_type": "INT",
                        "required": True,
                        "foreign_key": {"references_table": "customers", "references_column": "customer_id"},
                    },
                    {
                        "name": "order_total",
                        "data_type": "FLOAT",
                        "distribution": {"type": "normal", "mean": 150, "stddev": 50},
                    },
                    {"name": "order_date", "data_type": "DATE", "date_start": "2023-01-01", "date_end": "2024-12-31"},
                ],
            },
            {
                "name": "order_items",
                "target_rows": rows["order_items"],
                "columns": [
                    {"name": "item_id", "data_type": "BIGINT", "is_unique": True, "required": True},
                    {
                        "name": "order_id",
                        "data_type": "INT",
                        "required": True,
                        "foreign_key": {"references_table": "orders", "references_column": "order_id"},
                    },
                    {"name": "product_name", "data_type": "VARCHAR(100)"},
                    {"name": "quantity", "data_type": "INT", "min_value": 1, "max_value": 10},
                ],
            },
        ],
    }


def workload(rows: dict[str, int]) -> ExperimentSchema:
    return load_schema_data(workload_data(rows))


def cells(rows: dict[str, int]) -> int:
    width = {t["name"]: len(t["columns"]) for t in workload_data(rows)["tables"]}
    return sum(rows[name] * width[name] for name in rows)
