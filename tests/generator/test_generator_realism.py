"""Issue 13 on generated data: believable data from real DDL with no hand edits.

Composite-key children cover their parents, inferred keys join, semantic defaults appear with skew, temporal
orders hold on every row, exported CHECKs accept every generated row, near-unique columns stay near-unique, nullable
keys get their listed NULL share, DEFAULTs fill rows, and all of it is the same with 1 and 2 workers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from generator_helpers import Generated

from dw_simulator.ddl import export_ddl, import_sql
from dw_simulator.schema import ExperimentSchema

ROOT = Path(__file__).resolve().parents[2]
TPCH = (ROOT / "bench" / "realism_schemas" / "tpch_redshift.sql").read_text()
TICKIT = (ROOT / "bench" / "realism_schemas" / "tickit_redshift.sql").read_text()
TODAY = date(2025, 6, 30)
TPCH_ROWS = {"region": 5, "nation": 25, "part": 400, "supplier": 40, "partsupp": 1600, "customer": 300,
             "orders": 3000, "lineitem": 12000}  # fmt: skip
TICKIT_ROWS = {"users": 2000, "venue": 202, "category": 11, "date": 365, "event": 800, "listing": 6000,
               "sales": 5000}  # fmt: skip


def imported(sql: str, rows: dict[str, int], **kwargs: object) -> ExperimentSchema:
    return import_sql(sql, "redshift", name="exp", rows=rows, today=TODAY, **kwargs).schema  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tpch(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExperimentSchema, Generated]:
    from dw_simulator.generator import generate_experiment

    schema = imported(TPCH, TPCH_ROWS)
    root = tmp_path_factory.mktemp("tpch")
    return schema, Generated(generate_experiment(schema, root, seed=3), root)


def q1(g: Generated, sql: str) -> object:
    return g.one(sql)


def test_composite_key_children_cover_their_parents_numbered_within_each(tpch) -> None:
    schema, g = tpch
    assert q1(g, "select count(*) from lineitem") == TPCH_ROWS["lineitem"]  # exactly the rows asked for
    assert q1(g, "select count(*) from orders o where not exists "
                 "(select 1 from lineitem l where l.l_orderkey = o.o_orderkey)") == 0  # fmt: skip
    per_order = g.q("select count(*), min(l_linenumber), max(l_linenumber), count(distinct l_linenumber) "
                    "from lineitem group by l_orderkey")  # fmt: skip
    assert all(lo == 1 and hi == n and d == n for n, lo, hi, d in per_order)  # 1..k within the parent
    sizes = [n for n, *_ in per_order]
    assert min(sizes) >= 1 and max(sizes) > 4 and 3.5 < sum(sizes) / len(sizes) < 4.5  # 4 per order, varying
    assert q1(g, "select count(*) - count(distinct (l_orderkey, l_linenumber)) from lineitem") == 0
    # partsupp follows part; its suppliers are distinct within a part and spread over all suppliers
    assert q1(g, "select count(*) from part p where not exists "
                 "(select 1 from partsupp s where s.ps_partkey = p.p_partkey)") == 0  # fmt: skip
    assert q1(g, "select count(*) - count(distinct (ps_partkey, ps_suppkey)) from partsupp") == 0
    assert q1(g, "select count(distinct ps_suppkey) from partsupp") == TPCH_ROWS["supplier"]
    assert all(c.name != "_row_id" for t in schema.tables for c in t.columns)


def test_inferred_foreign_keys_join_one_hundred_percent(tpch) -> None:
    schema, g = tpch
    inferred = {(i.table, i.column) for i in schema.inferences if i.kind == "foreign_key"}
    assert ("customer", "c_nationkey") in inferred and ("lineitem", "l_partkey, l_suppkey") in inferred
    assert len(inferred) == 10
    checked = 0
    for table in schema.tables:
        pairs = [([c.name], c.foreign_key.references_table, [c.foreign_key.references_column])
                 for c in table.columns if c.foreign_key]  # fmt: skip
        pairs += [(fk.columns, fk.references_table, fk.references_columns) for fk in table.foreign_keys]
        for columns, parent, parent_columns in pairs:
            on = " and ".join(f"c.{a} = p.{b}" for a, b in zip(columns, parent_columns, strict=True))
            orphans = q1(g, f"select count(*) from {table.name} c where not exists "
                            f"(select 1 from {parent} p where {on})")  # fmt: skip
            assert orphans == 0, (table.name, columns)
            checked += 1
    assert checked == 10


def test_semantic_defaults_appear_with_skew(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = ("create table orders (order_id int primary key, status varchar(20), priority char(1), "
           "discount decimal(5,2), order_month int, is_deleted boolean, currency char(3))")  # fmt: skip
    schema = imported(sql, {"orders": 20_000})
    g = Generated(generate_experiment(schema, tmp_path, seed=1), tmp_path)
    statuses = g.q("select status, count(*) from orders group by 1 order by 2 desc")
    assert 3 <= len(statuses) <= 8 and all(s.isalpha() or "_" in s for s, _ in statuses)
    assert statuses[0][1] > 2 * statuses[-1][1]  # a few dominate
    assert {s for s, _ in statuses} <= {"delivered", "shipped", "processing", "pending", "cancelled", "returned"}
    assert q1(g, "select max(discount) from orders") <= 1
    assert g.q("select min(order_month), max(order_month) from orders") == [(1, 12)]
    assert q1(g, "select avg(is_deleted::int) from orders") < 0.15
    assert q1(g, "select count(distinct currency) from orders") > 3
    assert q1(g, "select mode(currency) from orders") == "USD"


def test_temporal_orders_hold_on_every_row(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = (TICKIT + "\ncreate table subscriptions (subscription_id int primary key, userid int not null, "
           "created_at timestamp, updated_at timestamp, valid_from date, valid_to date, start_date date, "
           "end_date date);")  # fmt: skip
    schema = imported(sql, {**TICKIT_ROWS, "subscriptions": 3000})
    g = Generated(generate_experiment(schema, tmp_path, seed=5), tmp_path)
    checked = 0
    for table in schema.tables:
        for order in table.temporal_orders:
            op = "<" if order.strict else "<="
            if order.via is None:
                bad = q1(g, f"select count(*) from {table.name} where not ({order.before} {op} {order.after})")
            else:
                via = table.column(order.via)
                assert via is not None and via.foreign_key is not None
                parent = via.foreign_key
                bad = q1(g, f"select count(*) from {table.name} c join {parent.references_table} p "
                            f"on c.{order.via} = p.{parent.references_column} "
                            f"where not (p.{order.before} {op} c.{order.after})")  # fmt: skip
            assert bad == 0, (table.name, order)
            checked += 1
    subscriptions = {(o.before, o.after, o.strict) for o in schema.table("subscriptions").temporal_orders}  # type: ignore[union-attr]
    assert {("created_at", "updated_at", False), ("valid_from", "valid_to", True),
            ("start_date", "end_date", False)} <= subscriptions  # fmt: skip
    assert checked >= 4
    # and every date stays in the experiment's window
    window_start, window_end = schema.window  # type: ignore[misc]
    assert q1(g, "select min(listtime)::date from listing") >= window_start
    assert q1(g, "select max(saletime)::date from sales") <= window_end


def test_exported_checks_accept_every_generated_row(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = ("create table events (event_id int primary key, kind varchar(10) check (kind in ('a', 'b', 'c')), "
           "score int check (score between 0 and 10), happened_at timestamp check (happened_at between "
           "'2024-01-01' and '2024-12-31'), happened_on date check (happened_on >= '2024-06-01'), "
           "amount decimal(8,2) check (amount >= 0 and amount <= 99.5))")  # fmt: skip
    schema = imported(sql, {"events": 50_000})
    result = generate_experiment(schema, tmp_path, seed=9)
    ddl = export_ddl(schema, "duckdb", checks=True)
    assert "happened_at < TIMESTAMP '2025-01-01 00:00:00'" in ddl  # the whole last day is in range
    con = duckdb.connect()
    con.execute(ddl)
    con.execute(f"insert into events select * from read_parquet('{tmp_path / 'events'}/*.parquet')")  # no violation
    assert con.execute("select count(*) from events").fetchone() == (result.tables["events"].rows,)
    assert con.execute("select max(happened_at)::date from events").fetchone() == (date(2024, 12, 31),)


def test_near_unique_columns_stay_near_unique(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = ("create table people (person_id int primary key, email varchar(100), phone varchar(20), "
           "username varchar(30), street_address varchar(60), full_name varchar(60))")  # fmt: skip
    schema = imported(sql, {"people": 50_000})
    g = Generated(generate_experiment(schema, tmp_path, seed=2), tmp_path)
    for column in ("email", "phone", "username", "street_address"):
        share = q1(g, f"select count(distinct {column}) / count(*) from people")
        assert share > 0.99, column
    assert 0.3 < q1(g, "select count(distinct full_name) / count(*) from people") < 1.0  # names do repeat
    assert q1(g, "select count(*) from people where email not like '%_@_%.__%'") == 0


def test_nullable_keys_get_their_listed_share_unless_required(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = ("create table accounts (account_id int primary key, name varchar(40));"
           "create table payments (payment_id int primary key, account_id int, refund_of int, "
           "payer_account_id int);"
           "comment on column payments.account_id is 'the paying account; required';")  # fmt: skip
    schema = imported(sql, {"accounts": 500, "payments": 20_000})
    nulls = {(i.table, i.column): i.reason for i in schema.inferences if i.kind == "null_rate"}
    assert "required" in nulls[("payments", "account_id")]
    g = Generated(generate_experiment(schema, tmp_path, seed=4), tmp_path)
    assert q1(g, "select count(*) from payments where account_id is null") == 0


def test_defaults_survive_and_fill_the_rows_left_empty(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    sql = (
        "create table tickets (ticket_id int primary key, state varchar(10) default 'new', "
        "opened_at timestamp default getdate(), channel varchar(10) default 'web', bucket int default 1)"
    )
    schema = imported(sql, {"tickets": 10_000})
    columns = {c.name: c for c in schema.tables[0].columns}
    assert columns["state"].default == "'new'" and columns["opened_at"].default == "getdate()"
    ddl = export_ddl(schema, "redshift", checks=False)
    assert "DEFAULT 'new'" in ddl and "DEFAULT getdate()" in ddl
    assert "DEFAULT CURRENT_TIMESTAMP" in export_ddl(schema, "snowflake", checks=False)
    data = schema.model_dump(mode="json")
    data["tables"][0]["columns"][4]["null_rate"] = 0.25  # a quarter of the rows leave `bucket` empty
    data["tables"][0]["columns"][2]["null_rate"] = 0.25
    schema = ExperimentSchema.model_validate(data)
    g = Generated(generate_experiment(schema, tmp_path, seed=8), tmp_path)
    assert q1(g, "select count(*) from tickets where bucket is null or opened_at is null") == 0
    assert 0.2 < q1(g, "select avg((bucket = 1)::int) from tickets") < 0.5
    assert q1(g, "select mode(channel) from tickets") == "web"  # the literal default is the most common value


def test_same_bytes_with_one_and_two_workers(tmp_path: Path) -> None:
    from dw_simulator.generator import generate_experiment

    schema = imported(TPCH, TPCH_ROWS)
    one = Generated(generate_experiment(schema, tmp_path / "one", seed=7, workers=1), tmp_path / "one")
    two = Generated(generate_experiment(schema, tmp_path / "two", seed=7, workers=2, batch_size=1000),
                    tmp_path / "two")  # fmt: skip
    assert one.fingerprints() == two.fingerprints()


def test_keys_into_tables_of_people_reference_a_listed_share_of_them(tpch) -> None:
    schema, g = tpch
    coverage = {(i.table, i.column): i.reason for i in schema.inferences if i.kind == "coverage"}
    assert set(coverage) == {("orders", "o_custkey")} and "70%" in coverage[("orders", "o_custkey")]
    share = q1(g, "select count(distinct o_custkey) / (select count(*) from customer) from orders")
    assert share == pytest.approx(0.7, abs=0.01)  # customers who never ordered, as in production
    assert q1(g, "select count(distinct l_orderkey) from lineitem") == TPCH_ROWS["orders"]  # not for other keys
