"""TPC-H (8 tables) and TPC-DS (24 tables), in Redshift and Snowflake style, import without errors."""

from __future__ import annotations

import time

import pytest
from ddl_support import FIXTURES, TPC_FIXTURES, import_fixture

from dw_simulator.ddl import ImportResult

COMPOSITE = {
    "tpch": {"partsupp": ["ps_partkey", "ps_suppkey"], "lineitem": ["l_orderkey", "l_linenumber"]},
    "tpcds": {
        "inventory": ["inv_date_sk", "inv_item_sk", "inv_warehouse_sk"],
        "store_sales": ["ss_item_sk", "ss_ticket_number"],
        "store_returns": ["sr_item_sk", "sr_ticket_number"],
        "catalog_sales": ["cs_item_sk", "cs_order_number"],
        "catalog_returns": ["cr_item_sk", "cr_order_number"],
        "web_sales": ["ws_item_sk", "ws_order_number"],
        "web_returns": ["wr_item_sk", "wr_order_number"],
    },
}
TABLE_COUNTS = {"tpch": 8, "tpcds": 24}
FOREIGN_KEYS = {"tpch": 9, "tpcds": 104}
MULTI_COLUMN_KEYS = {"tpch": 1, "tpcds": 3}


def _import(name: str) -> ImportResult:
    return import_fixture(FIXTURES / f"{name}.sql", TPC_FIXTURES[name])


@pytest.mark.parametrize("name", sorted(TPC_FIXTURES))
def test_tpc_schema_imports(name: str) -> None:
    started = time.perf_counter()
    result = _import(name)
    assert time.perf_counter() - started < 5
    bench = name.split("_")[0]
    schema = result.schema
    assert len(schema.tables) == TABLE_COUNTS[bench]
    tables = {t.name.lower(): t for t in schema.tables}
    for table, key in COMPOSITE[bench].items():
        imported = tables[table]
        assert [[c.lower() for c in g] for g in imported.composite_keys] == [key]
        assert all(c.name != "_row_id" for c in imported.columns)  # no surrogate column
    single = [t for t in schema.tables if not t.composite_keys]
    assert all(sum(c.is_unique and c.required for c in t.columns) == 1 for t in single)
    assert sum(c.foreign_key is not None for t in schema.tables for c in t.columns) == FOREIGN_KEYS[bench]
    assert sum(len(t.foreign_keys) for t in schema.tables) == MULTI_COLUMN_KEYS[bench]  # honoured, not dropped
    assert result.warnings == []
    assert schema.dialect == TPC_FIXTURES[name]


@pytest.mark.parametrize("name", ["tpch_redshift", "tpcds_redshift"])
def test_redshift_layout_is_kept(name: str) -> None:
    tables = {t.name: t for t in _import(name).schema.tables}
    if name == "tpch_redshift":
        lineitem = tables["lineitem"].layout
        assert lineitem is not None
        assert (lineitem.dist_style, lineitem.dist_key) == ("KEY", "l_orderkey")
        assert (lineitem.sort_style, lineitem.sort_keys) == ("INTERLEAVED", ["l_shipdate", "l_receiptdate"])
        assert tables["nation"].layout is not None and tables["nation"].layout.dist_style == "ALL"
    else:
        sales = tables["store_sales"].layout
        assert sales is not None
        assert sales.sort_keys == ["ss_sold_date_sk", "ss_item_sk"] and sales.dist_key == "ss_item_sk"
        assert tables["web_returns"].layout is not None and tables["web_returns"].layout.sort_style == "AUTO"


def test_snowflake_clustering_and_comments_are_kept() -> None:
    tables = {t.name: t for t in _import("tpcds_snowflake").schema.tables}
    sales = tables["STORE_SALES"]
    assert sales.layout is not None and sales.layout.cluster_by == ["SS_SOLD_DATE_SK"]
    assert sales.description == "TPC table store_sales"


def test_tpc_data_looks_realistic_without_editing() -> None:
    tables = {t.name: t for t in _import("tpcds_redshift").schema.tables}
    customer = {c.name: c for c in tables["customer"].columns}
    assert customer["c_email_address"].faker_rule == "internet.email"
    assert customer["c_email_address"].semantic == "email"  # composed, near-unique addresses
    assert customer["c_first_name"].faker_rule == "person.first_name"
    assert (customer["c_birth_year"].min_value, customer["c_birth_year"].max_value) == (1935, 2007)
    sales = {c.name: c for c in tables["store_sales"].columns}
    assert (sales["ss_quantity"].min_value, sales["ss_quantity"].max_value) == (1, 100)
    assert sales["ss_sales_price"].min_value is not None and sales["ss_sales_price"].min_value > 0
    net_profit = sales["ss_net_profit"]
    assert net_profit.min_value is not None and net_profit.min_value < 0  # profits can be negative
    address = {c.name: c for c in tables["customer_address"].columns}
    state = address["ca_state"].distribution
    assert state is not None and state.values[:4] == ["CA", "TX", "FL", "NY"]  # by population: a few dominate
