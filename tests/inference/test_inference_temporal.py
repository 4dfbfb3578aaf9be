"""Temporal orders: within a row (created <= updated, start <= end, order <= ship <= receipt) and child after
parent."""

from __future__ import annotations

from datetime import date
from typing import Any

from dw_simulator.inference import infer_schema
from dw_simulator.inference.temporal import event_of
from dw_simulator.inference.vocabulary import vocabulary

TODAY = date(2025, 6, 1)


def orders_of(*tables: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    data = {"name": "x", "tables": list(tables)}
    records = infer_schema(data, today=TODAY).records
    return {t["name"]: t.get("temporal_orders", []) for t in data["tables"]}, records


def cols(*spec: str) -> list[dict[str, Any]]:
    out = []
    for item in spec:
        name, _, data_type = item.partition(":")
        out.append({"name": name, "data_type": data_type or "DATE"})
    return out


def test_events_are_read_from_names() -> None:
    words = vocabulary().temporal
    assert event_of("shipdate", words) == "ship"
    assert event_of("created_at", words) == "created"
    assert event_of("registration_date", words) == "registration"
    assert event_of("valid_from", words) == "valid_from"
    assert event_of("listtime", words) == "list"


def test_in_row_orders() -> None:
    orders, records = orders_of(
        {"name": "subscriptions", "columns": [{"name": "id", "data_type": "INT", "is_unique": True},
                                              *cols("created_at:TIMESTAMP", "updated_at:TIMESTAMP", "start_date",
                                                    "end_date", "valid_from", "valid_to", "plan_name:VARCHAR(20)")]},
        {"name": "shipments", "columns": [{"name": "id", "data_type": "INT", "is_unique": True},
                                          *cols("order_date", "ship_date", "receipt_date", "promised_date")]},
    )  # fmt: skip
    pairs = {(o["before"], o["after"], bool(o.get("strict"))) for o in orders["subscriptions"]}
    assert ("created_at", "updated_at", False) in pairs
    assert ("start_date", "end_date", False) in pairs
    assert ("valid_from", "valid_to", True) in pairs
    ship = {(o["before"], o["after"]) for o in orders["shipments"]}
    assert {("order_date", "ship_date"), ("ship_date", "receipt_date"), ("order_date", "promised_date")} <= ship
    assert ("ship_date", "promised_date") not in ship  # a promise is in no order with the shipping
    assert all(r["reason"] for r in records if r["kind"] == "temporal_order")


def test_child_events_follow_the_parent() -> None:
    orders, records = orders_of(
        {"name": "orders", "columns": [{"name": "o_orderkey", "data_type": "INT", "is_unique": True},
                                       *cols("o_orderdate")]},
        {"name": "lineitem", "composite_keys": [["l_orderkey", "l_linenumber"]],
         "columns": [{"name": "l_orderkey", "data_type": "INT", "required": True,
                      "foreign_key": {"references_table": "orders", "references_column": "o_orderkey"}},
                     {"name": "l_linenumber", "data_type": "INT", "required": True},
                     *cols("l_shipdate", "l_commitdate", "l_receiptdate")]},
    )  # fmt: skip
    child = {(o["before"], o["after"], o.get("via")) for o in orders["lineitem"]}
    assert ("o_orderdate", "l_shipdate", "l_orderkey") in child
    assert ("o_orderdate", "l_commitdate", "l_orderkey") in child
    assert ("l_shipdate", "l_receiptdate", None) in child
    reason = next(r["reason"] for r in records if r["column"] == "l_shipdate" and r["kind"] == "temporal_order")
    assert "orders.o_orderdate" in reason


def test_unnamed_dates_get_no_order() -> None:
    orders, _ = orders_of({"name": "t", "columns": cols("d1", "caldate", "x_date")})
    assert orders["t"] == []
