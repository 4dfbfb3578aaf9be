"""The pieces of the fit on their own: constant folding, name resolution through CTEs, LIKE matches, and a dbt
project read from files (seeds' headers, dbt_utils tests, a CTE named like a model, LEFT JOINed aggregates)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlglot
from sqlglot import exp

from dw_simulator.service import Simulator
from dw_simulator.workload.fit_values import synthesize
from dw_simulator.workload.literals import fold
from dw_simulator.workload.predicates import extract
from dw_simulator.workload.resolve import Catalog, Resolver
from dw_simulator.workload.shares import like_regex

TODAY = date(2026, 6, 30)


def _fold(text: str) -> object:
    return fold(sqlglot.parse_one(f"SELECT {text}", read="redshift").selects[0], TODAY)


def test_constants_fold_like_the_warehouse() -> None:
    assert _fold("DATE '1995-03-15' + INTERVAL '1' YEAR") == date(1996, 3, 15)
    assert _fold("CAST('1998-12-01' AS DATE) - INTERVAL '90' DAY") == date(1998, 9, 2)
    assert _fold("DATEADD(month, 3, '1995-01-31')") == date(1995, 4, 30)
    assert _fold("CURRENT_DATE - 30") == date(2026, 5, 31)
    assert str(_fold("0.06 - 0.01")) == "0.05"
    assert _fold("some_column + 1") is None


def test_names_resolve_through_ctes_aliases_and_correlated_subqueries() -> None:
    data = {"tables": [{"name": "orders", "columns": [{"name": "o_id"}, {"name": "o_date"}, {"name": "cust"}]},
                       {"name": "customers", "columns": [{"name": "c_id"}, {"name": "seg"}]}]}  # fmt: skip
    sql = """WITH recent AS (SELECT cust AS who, o_date AS d FROM public.orders)
             SELECT * FROM customers c WHERE seg = 'B' AND EXISTS (
                SELECT 1 FROM recent r WHERE r.who = c.c_id AND r.d >= DATE '2020-01-01')"""
    tree = sqlglot.parse_one(sql, read="redshift")
    assert isinstance(tree, exp.Query)
    found = extract(tree, "q", Resolver(Catalog.of(data)), "redshift", TODAY)
    filters = {(f.table, f.column, f.op) for f in found.filters}
    assert filters == {("customers", "seg", "="), ("orders", "o_date", ">=")}
    assert [(j.left, j.right) for j in found.joins] == [(("customers", "c_id"), ("orders", "cust"))]
    probe = next(f.probe for f in found.filters if f.column == "o_date")
    assert probe.startswith('SELECT COUNT(*) FROM orders WHERE "o_date" >=')


def test_like_matches_are_built_from_realistic_values() -> None:
    for pattern, base in (("PROMO%", "steel"), ("%BRASS", "large"), ("%special%requests%", "x"), ("13%", "415-555")):
        made = synthesize(pattern, "item", 40, base)
        assert made is not None and like_regex(pattern, False).match(made), (pattern, made)
    assert synthesize("13%", "item", 40, "415-555-0199") == "135-555-0199"
    assert synthesize("%abcdef%", "item", 3) is None


def _project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text("name: p\nconfig-version: 2\nprofile: p\n")
    (root / "seeds" / "raw_orders.csv").write_text("id,user_id,order_date,status,amount\n1,2,2018-01-01,x,5\n")
    (root / "seeds" / "raw_payments.csv").write_text("id,order_id,amount\n1,1,500\n")
    (root / "models" / "orders.sql").write_text(
        "with orders as (select * from {{ ref('raw_orders') }}),\n"
        "pay as (select order_id, sum(amount) as paid from {{ ref('raw_payments') }} group by order_id)\n"
        "select orders.id as order_id, orders.amount, pay.paid from orders left join pay on orders.id = pay.order_id\n"
    )
    (root / "models" / "schema.yml").write_text(json.dumps({"version": 2, "models": [{"name": "orders", "columns": [
        {"name": "order_id", "data_tests": ["unique", "not_null"]},
        {"name": "paid", "data_tests": ["not_null"]},
        {"name": "amount", "data_tests": [{"dbt_utils.accepted_range": {"min_value": 0, "max_value": 900}},
                                          {"dbt_utils.expression_is_true": {"expression": ">= 1"}}]},
    ]}]}))  # fmt: skip
    return root


def test_a_dbt_project_with_seeds_and_utils_tests(sim: Simulator, tmp_path: Path) -> None:
    outcome = sim.fit_workload("p", dbt=_project(tmp_path / "p"))
    schema = sim.get_schema("p")
    orders, payments = schema.table("raw_orders"), schema.table("raw_payments")
    assert orders and payments  # from the seeds' headers (their rows are never read)
    assert orders.column("id").is_unique and orders.column("id").required  # type: ignore[union-attr]
    amount = orders.column("amount")
    assert amount is not None and amount.min_value == 1 and amount.max_value == 900
    fk = payments.column("order_id").foreign_key  # type: ignore[union-attr]
    assert fk is not None and fk.references_table == "raw_orders" and fk.cardinality is not None
    assert fk.cardinality.low == 1  # type: ignore[union-attr]  # every order gets a payment: `paid` is never NULL
    assert outcome.version == 2
    sim.generate("p", seed=1)
    nulls = sim.query("p", "SELECT count(*) FROM raw_orders o LEFT JOIN raw_payments p ON p.order_id = o.id "
                           "WHERE p.id IS NULL")  # fmt: skip
    assert nulls.rows[0][0] == 0
    assert [c.name for c in sim.check_workload("p") if not c.rows] == []


def test_a_calendar_table_gets_one_row_per_day_from_the_year_the_queries_name(sim: Simulator) -> None:
    ddl = "CREATE TABLE date (dateid SMALLINT NOT NULL PRIMARY KEY, caldate DATE NOT NULL, day CHAR(3));"
    sim.import_sql(ddl, "redshift", name="cal", rows={"date": 365}, target_warehouse="duckdb")
    sim.fit_workload("cal", texts=[("q", "SELECT * FROM date WHERE caldate = '2008-01-05'")])
    column = sim.get_schema("cal").table("date").column("caldate")  # type: ignore[union-attr]
    assert column is not None and str(column.date_start) == "2008-01-01" and column.is_unique
    sim.generate("cal", seed=1)
    assert sim.query("cal", "SELECT count(DISTINCT caldate), min(caldate) FROM date").rows[0][0] == 365
    assert sim.query("cal", "SELECT count(*) FROM date WHERE caldate = '2008-01-05'").rows[0][0] == 1


def test_a_column_compared_with_an_aggregate_reaches_past_it(sim: Simulator) -> None:
    ddl = ("CREATE TABLE stock (item INT PRIMARY KEY, quantity INT NOT NULL);\n"
           "CREATE TABLE moves (move_id INT PRIMARY KEY, item INT NOT NULL, amount INT NOT NULL);")  # fmt: skip
    sim.import_sql(ddl, "redshift", name="inv", target_warehouse="duckdb")
    before = sim.get_schema("inv").table("moves").column("amount")  # type: ignore[union-attr]
    sql = "SELECT * FROM stock s WHERE s.quantity > (SELECT 0.5 * SUM(m.amount) FROM moves m WHERE m.item = s.item)"
    outcome = sim.fit_workload("inv", texts=[("q", sql)])
    quantity = sim.get_schema("inv").table("stock").column("quantity")  # type: ignore[union-attr]
    assert quantity is not None and quantity.distribution is None and quantity.max_value is not None
    top = before.max_value if before is not None and before.max_value is not None else 1000
    assert quantity.max_value >= top
    assert any("compares it with moves.amount" in line for q in outcome.queries for line in q.contributed)


def test_odd_queries_are_reported_not_crashed_on(sim: Simulator) -> None:
    from shop import DDL

    sim.import_sql(DDL, "redshift", name="shop", target_warehouse="duckdb")
    outcome = sim.fit_workload("shop", texts=[("q", "SELECT * FROM orders WHERE priority = 99999999999999")],
                               dry_run=True)  # fmt: skip
    assert any("cannot hold" in line for line in outcome.contradictions)
    for sql in ("SELECT * FROM orders WHERE status IN (NULL)", "WITH a AS (SELECT 1) SELECT * FROM a, a",
                "SELECT * FROM orders WHERE amount BETWEEN 'a' AND 5", "SELECT 1 UNION SELECT 2"):  # fmt: skip
        sim.fit_workload("shop", texts=[("q", sql)], dry_run=True)
