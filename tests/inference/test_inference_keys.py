"""Key inference over schema dicts: primary keys named after their table, foreign keys named after their parent."""

from __future__ import annotations

from datetime import date
from typing import Any

from dw_simulator.inference import infer_schema

TODAY = date(2025, 6, 1)


def col(name: str, data_type: str = "INT", **extra: Any) -> dict[str, Any]:
    return {"name": name, "data_type": data_type, **extra}


def table(name: str, *columns: dict[str, Any], rows: int = 100, **extra: Any) -> dict[str, Any]:
    return {"name": name, "target_rows": rows, "columns": list(columns), **extra}


def run(*tables: dict[str, Any], keys: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    data = {"name": "x", "tables": list(tables)}
    result = infer_schema(data, today=TODAY, keys=keys)
    return data, result.records, result.notes


def fk(data: dict[str, Any], t: str, c: str) -> tuple[str, str] | None:
    column = next(x for tb in data["tables"] if tb["name"] == t for x in tb["columns"] if x["name"] == c)
    found = column.get("foreign_key")
    return None if found is None else (found["references_table"], found["references_column"])


def kinds(records: list[dict[str, Any]], kind: str) -> dict[tuple[str, str], str]:
    return {(r["table"], r["column"]): r["reason"] for r in records if r["kind"] == kind}


def test_prefixed_styles_match_the_parent_key() -> None:
    data, records, _ = run(
        table("nation", col("n_nationkey", required=True, is_unique=True), col("n_name", "CHAR(25)")),
        table("customer", col("c_custkey", is_unique=True, required=True), col("c_nationkey", required=True),
              col("c_name", "VARCHAR(25)")),
        table("item", col("i_item_sk", is_unique=True, required=True), col("i_item_id", "CHAR(16)")),
        table("store_sales", col("ss_item_sk", required=True), col("ss_ticket_number", "BIGINT"),
              col("ss_quantity")),
    )  # fmt: skip
    assert fk(data, "customer", "c_nationkey") == ("nation", "n_nationkey")
    assert fk(data, "store_sales", "ss_item_sk") == ("item", "i_item_sk")
    reasons = kinds(records, "foreign_key")
    assert "nationkey" in reasons[("customer", "c_nationkey")]
    assert fk(data, "customer", "c_custkey") is None  # a table's own key references nothing


def test_generic_id_columns_and_plural_tables() -> None:
    data, records, _ = run(
        table("customers", col("id", is_unique=True, required=True), col("email", "VARCHAR(100)")),
        table("products", col("product_id", is_unique=True, required=True)),
        table("orders", col("id", is_unique=True, required=True), col("customer_id", required=True),
              col("product_id"), col("amount", "DECIMAL(10,2)")),
    )  # fmt: skip
    assert fk(data, "orders", "customer_id") == ("customers", "id")
    assert fk(data, "orders", "product_id") == ("products", "product_id")
    assert fk(data, "orders", "id") is None
    # the nullable one gets an explicit, listed 10% NULL share
    orders = data["tables"][2]
    product = next(c for c in orders["columns"] if c["name"] == "product_id")
    assert product["null_rate"] == 0.1
    assert "10%" in kinds(records, "null_rate")[("orders", "product_id")]


def test_only_onto_unique_columns_of_compatible_type() -> None:
    data, _, _ = run(
        table("region", col("region_code", "CHAR(3)", is_unique=True, required=True)),
        table("accounts", col("account_key", "VARCHAR(20)"), col("region_code", "INT")),  # int vs string
        table("ledger", col("ledger_id", is_unique=True, required=True), col("entry_key", "VARCHAR(20)")),
        table("entries", col("entry_key", "VARCHAR(20)")),  # ledger.entry_key is not unique
    )
    assert fk(data, "accounts", "region_code") is None
    assert fk(data, "entries", "entry_key") is None


def test_ambiguous_matches_are_left_alone_with_a_note() -> None:
    data, _, notes = run(
        table("users", col("id", is_unique=True, required=True)),
        table("user", col("id", is_unique=True, required=True)),
        table("events", col("user_id")),
    )
    assert fk(data, "events", "user_id") is None
    assert any("could reference" in n and "user_id" in n for n in notes)


def test_primary_keys_are_inferred_for_tables_without_any_key() -> None:
    data, records, _ = run(
        table("users", col("userid", required=True), col("username", "CHAR(8)")),
        table("category", col("catid", "SMALLINT", required=True), col("catname", "VARCHAR(10)"), rows=11),
        table("sales", col("salesid", required=True), col("buyerid", required=True), col("catid", "SMALLINT")),
    )
    pk = kinds(records, "primary_key")
    assert set(pk) == {("users", "userid"), ("category", "catid"), ("sales", "salesid")}
    assert "abbreviates" in pk[("category", "catid")]
    assert fk(data, "sales", "catid") == ("category", "catid")
    assert fk(data, "sales", "buyerid") == ("users", "userid")  # a person's role -> the one table of people
    assert "buyer" in kinds(records, "foreign_key")[("sales", "buyerid")]


def test_multi_column_keys_are_inferred_onto_composite_keys() -> None:
    data, records, _ = run(
        table("part", col("p_partkey", is_unique=True, required=True)),
        table("supplier", col("s_suppkey", is_unique=True, required=True)),
        table("partsupp", col("ps_partkey", required=True), col("ps_suppkey", required=True),
              col("ps_availqty"), composite_keys=[["ps_partkey", "ps_suppkey"]]),
        table("lineitem", col("l_orderkey", required=True), col("l_partkey"), col("l_suppkey"),
              col("l_linenumber"), composite_keys=[["l_orderkey", "l_linenumber"]]),
    )  # fmt: skip
    lineitem = data["tables"][3]
    assert lineitem["foreign_keys"] == [
        {"columns": ["l_partkey", "l_suppkey"], "references_table": "partsupp",
         "references_columns": ["ps_partkey", "ps_suppkey"]}
    ]  # fmt: skip
    assert ("lineitem", "l_partkey, l_suppkey") in kinds(records, "foreign_key")
    assert fk(data, "partsupp", "ps_partkey") == ("part", "p_partkey")


def test_no_infer_keys_infers_no_keys() -> None:
    data, records, _ = run(
        table("nation", col("n_nationkey", is_unique=True, required=True)),
        table("customer", col("c_custkey", required=True), col("c_nationkey")),
        keys=False,
    )
    assert fk(data, "customer", "c_nationkey") is None
    assert not kinds(records, "foreign_key") and not kinds(records, "primary_key")


def test_required_by_name_or_comment_means_no_nulls() -> None:
    data, records, _ = run(
        table("accounts", col("account_id", is_unique=True, required=True)),
        table("payments", col("account_id", description="Required: the paying account"), col("x")),
    )
    payments = data["tables"][1]
    assert payments["columns"][0]["null_rate"] == 0.0
    assert "required" in kinds(records, "null_rate")[("payments", "account_id")]


def test_an_inferred_key_that_closes_a_required_cycle_is_dropped() -> None:
    data, _, notes = run(
        table("a", col("a_id", is_unique=True, required=True), col("b_id", required=True)),
        table("b", col("b_id", is_unique=True, required=True), col("a_id", required=True)),
    )
    keys = [fk(data, "a", "b_id"), fk(data, "b", "a_id")]
    assert keys.count(None) == 1
    assert any("cycle" in n for n in notes)
