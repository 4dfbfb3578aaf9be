"""Foreign keys, cardinalities, self-references and composite keys, checked on the generated data."""

from __future__ import annotations

from pathlib import Path

import pytest
from generator_helpers import col, experiment, fk, table

from dw_simulator.errors import SchemaValidationError
from dw_simulator.generator import generate_experiment
from dw_simulator.schema import load_schema_file

EXAMPLES = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples"


def orphans(g, child: str, column: str, parent: str, key: str) -> int:
    return g.one(f'select count(*) from "{child}" c where c.{column} is not null and not exists '
                 f'(select 1 from "{parent}" p where p.{key} = c.{column})')  # fmt: skip


def test_every_fk_value_exists_in_its_parent(generate) -> None:
    schema = experiment(
        table("customers", 2000,
              col("customer_id", "BIGINT", is_unique=True, min_value=10**9, max_value=10**10),
              col("email", "VARCHAR(60)", is_unique=True, faker_rule="internet.email"),
              col("handle", "VARCHAR(12)", is_unique=True)),
        table("orders", 20_000,
              col("order_id", is_unique=True),
              col("customer_id", "BIGINT", required=True, foreign_key=fk("customers", "customer_id")),
              col("billing_email", "VARCHAR(60)", foreign_key=fk("customers", "email")),
              col("handle", "VARCHAR(12)", foreign_key=fk("customers", "handle", nullable=False))),
        table("items", 50_000,
              col("item_id", is_unique=True),
              col("order_id", foreign_key=fk("orders", "order_id"), null_rate=0.25)),
    )  # fmt: skip
    g = generate(schema, batch_size=9000)
    assert orphans(g, "orders", "customer_id", "customers", "customer_id") == 0
    assert orphans(g, "orders", "billing_email", "customers", "email") == 0
    assert orphans(g, "orders", "handle", "customers", "handle") == 0
    assert orphans(g, "items", "order_id", "orders", "order_id") == 0
    nulls = g.q("select count(*) - count(customer_id), count(*) - count(billing_email), count(*) - count(handle) "
                "from orders")[0]  # fmt: skip
    assert nulls[0] == 0 and nulls[2] == 0
    assert nulls[1] == pytest.approx(2000, rel=0.1)  # nullable FK: 10% NULLs by default
    assert g.one("select avg((order_id is null)::int) from items") == pytest.approx(0.25, abs=0.01)
    assert g.one("select count(distinct customer_id) from orders") > 1900  # spread over the parents


def test_fk_skips_parent_rows_whose_key_is_null(generate) -> None:
    g = generate(experiment(
        table("p", 500, col("code", "VARCHAR", is_unique=True, null_rate=0.6)),
        table("c", 5000, col("code", "VARCHAR", required=True, foreign_key=fk("p", "code"))),
    ))  # fmt: skip
    assert g.one("select count(*) from c where code is null") == 0
    assert orphans(g, "c", "code", "p", "code") == 0


def test_fk_to_empty_parent(generate, tmp_path: Path) -> None:
    schema = experiment(table("p", 0, col("id", is_unique=True)), table("c", 10, col("pid", foreign_key=fk("p", "id"))))
    g = generate(schema)
    assert g.one("select count(*) from c where pid is null") == 10
    required = experiment(table("p", 0, col("id", is_unique=True)),
                          table("c", 10, col("pid", required=True, foreign_key=fk("p", "id"))))  # fmt: skip
    with pytest.raises(SchemaValidationError, match="no rows"):
        generate_experiment(required, tmp_path / "x", seed=1)


@pytest.mark.parametrize(
    ("cardinality", "low", "high", "mean"),
    [
        ({"type": "uniform", "low": 1, "high": 10}, 1, 10, 5.5),
        ({"type": "uniform", "low": 0, "high": 2}, 0, 2, 1.0),
        ({"type": "poisson", "lam": 3}, 0, None, 3.0),
        ({"type": "categorical", "values": [0, 1, 5], "weights": [1, 1, 2]}, 0, 5, 2.75),
        ({"type": "zipf", "a": 2.5, "n": 50}, 1, 50, None),
    ],
)
def test_cardinality_decides_children_per_parent(generate, cardinality, low, high, mean) -> None:
    parents = 4000
    schema = experiment(
        table("customers", parents, col("customer_id", is_unique=True)),
        table("orders", 1, col("order_id", is_unique=True),
              col("customer_id", required=True, foreign_key=fk("customers", "customer_id", cardinality=cardinality))),
    )  # fmt: skip
    g = generate(schema, batch_size=1500)
    rows = g.result.tables["orders"].rows
    assert g.one("select count(*) from orders") == rows
    counts = g.q("""select coalesce(n, 0) from customers c left join
                    (select customer_id, count(*) n from orders group by 1) o using (customer_id)""")
    per_parent = [c for (c,) in counts]
    assert sum(per_parent) == rows
    assert min(per_parent) >= low
    if low == 0:
        assert min(per_parent) == 0  # some parents have no children
    if high is not None:
        assert max(per_parent) <= high
    if mean is not None:
        assert rows / parents == pytest.approx(mean, rel=0.05)
    else:
        assert per_parent.count(1) / parents == pytest.approx(1 / 1.3415, abs=0.03)  # zipf(2.5): P(1) = 1/zeta(2.5)
    assert orphans(g, "orders", "customer_id", "customers", "customer_id") == 0
    same = generate(schema, batch_size=100_000, workers=2)
    assert same.fingerprints() == g.fingerprints()


def test_cardinality_with_composite_line_numbers(generate) -> None:
    schema = experiment(
        table("orders", 3000, col("order_id", is_unique=True)),
        table("order_lines", 1,
              col("order_id", required=True,
                  foreign_key=fk("orders", "order_id", cardinality={"type": "poisson", "lam": 4})),
              col("line_no", required=True),
              col("sku", "VARCHAR"),
              composite_keys=[["order_id", "line_no"]]),
    )  # fmt: skip
    g = generate(schema, batch_size=1000)
    assert g.one("select count(*) - count(distinct (order_id, line_no)) from order_lines") == 0
    bad = g.one("select count(*) from (select order_id, max(line_no) m, min(line_no) lo, count(*) n "
                "from order_lines group by order_id) where m <> n or lo <> 1")  # fmt: skip
    assert bad == 0  # each order's lines are numbered 1..n


def test_self_reference_points_at_other_rows(generate) -> None:
    schema = experiment(table(
        "employees", 3000,
        col("employee_id", is_unique=True, required=True),
        col("manager_id", foreign_key=fk("employees", "employee_id")),
        col("mentor_id", is_unique=True, foreign_key=fk("employees", "employee_id")),
    ))  # fmt: skip
    g = generate(schema, batch_size=700)
    assert g.one("select manager_id from employees where employee_id = 1") is None
    assert g.one("select count(*) from employees where manager_id = employee_id") == 0
    assert g.one("select count(*) from employees where manager_id >= employee_id") == 0  # a tree, no cycles
    assert orphans(g, "employees", "manager_id", "employees", "employee_id") == 0
    assert g.one("select avg((manager_id is null)::int) from employees") == pytest.approx(0.1, abs=0.02)
    non_null, distinct = g.q("select count(mentor_id), count(distinct mentor_id) from employees")[0]
    assert non_null == distinct
    assert g.one("select count(*) from employees where mentor_id = employee_id") == 0


def test_unique_fk_is_one_to_one(generate, tmp_path: Path) -> None:
    schema = experiment(
        table("users", 1000, col("user_id", is_unique=True)),
        table("profiles", 800, col("user_id", is_unique=True, required=True, foreign_key=fk("users", "user_id"))),
    )  # fmt: skip
    g = generate(schema)
    assert g.q("select count(*), count(distinct user_id) from profiles") == [(800, 800)]
    assert orphans(g, "profiles", "user_id", "users", "user_id") == 0
    with pytest.raises(SchemaValidationError, match="at most one row per parent"):
        generate_experiment(schema, tmp_path / "x", seed=1, row_overrides={"profiles": 1001})


def test_fk_values_must_fit_the_child_column(tmp_path: Path) -> None:
    schema = experiment(
        table("p", 10, col("id", "BIGINT", is_unique=True, min_value=2**40, max_value=2**41)),
        table("c", 10, col("pid", "INT", foreign_key=fk("p", "id"))),
    )
    with pytest.raises(SchemaValidationError, match="does not fit INT"):
        generate_experiment(schema, tmp_path / "x", seed=1)
    schema = experiment(
        table("p", 10, col("email", "VARCHAR", is_unique=True)),
        table("c", 10, col("email", "VARCHAR(10)", foreign_key=fk("p", "email"))),
    )
    with pytest.raises(SchemaValidationError, match="varchar_length"):
        generate_experiment(schema, tmp_path / "x", seed=1)
    assert not (tmp_path / "x").exists()


def test_composite_keys_are_unique_as_tuples(generate) -> None:
    schema = experiment(
        table("stores", 50, col("store_id", is_unique=True)),
        table("sales", 20_000,
              col("_row_id", is_unique=True, required=True),
              col("region_id", required=True),
              col("store_id", required=True, foreign_key=fk("stores", "store_id")),
              col("day", "DATE", required=True, date_start="2024-01-01", date_end="2024-12-31"),
              col("amount", "DECIMAL(10,2)"),
              composite_keys=[["region_id", "store_id", "day"]]),
        table("pairs", 1000,
              col("a", "SMALLINT", min_value=1, max_value=5),
              col("b", "CHAR(2)"),
              col("flag", "BOOLEAN"),
              composite_keys=[["a", "b", "flag"]]),
    )  # fmt: skip
    g = generate(schema, batch_size=3000)
    assert g.q("select min(_row_id), max(_row_id), count(distinct _row_id) from sales") == [(1, 20_000, 20_000)]
    assert g.one("select count(*) - count(distinct (region_id, store_id, day)) from sales") == 0
    assert g.one("select count(*) from sales where region_id is null or store_id is null or day is null") == 0
    assert orphans(g, "sales", "store_id", "stores", "store_id") == 0
    assert g.q("select min(day) >= date '2024-01-01', max(day) <= date '2024-12-31' from sales") == [(True, True)]
    assert g.one("select count(*) - count(distinct (a, b, flag)) from pairs") == 0
    assert g.q("select min(a), max(a) from pairs") == [(1, 5)]


def test_composite_capacity_is_checked_up_front(tmp_path: Path) -> None:
    schema = experiment(table("t", 100, col("a", min_value=1, max_value=5), col("b", "BOOLEAN"),
                              composite_keys=[["a", "b"]]))  # fmt: skip
    with pytest.raises(SchemaValidationError, match="cannot hold 100 distinct tuples"):
        generate_experiment(schema, tmp_path / "x", seed=1)
    assert not (tmp_path / "x").exists()


def test_only_one_cardinality_per_table(tmp_path: Path) -> None:
    card = {"type": "uniform", "low": 1, "high": 2}
    schema = experiment(
        table("a", 5, col("id", is_unique=True)),
        table("c", 5, col("x", foreign_key=fk("a", "id", cardinality=card)),
              col("y", foreign_key=fk("a", "id", cardinality=card))),
    )  # fmt: skip
    with pytest.raises(SchemaValidationError, match="only one foreign key"):
        generate_experiment(schema, tmp_path / "x", seed=1)


@pytest.mark.parametrize("name", ["ecommerce_experiment.json", "retail_analytics.json", "sales_experiment.json",
                                  "draft_customers.yaml"])  # fmt: skip
def test_bundled_examples(generate, name: str) -> None:
    schema = load_schema_file(EXAMPLES / name)
    g = generate(schema, batch_size=3000)
    for t in schema.tables:
        assert g.one(f'select count(*) from "{t.name}"') == t.target_rows
        for c in t.columns:
            if c.is_unique:
                assert g.one(f'select count({c.name}) - count(distinct {c.name}) from "{t.name}"') == 0
            if c.foreign_key is not None:
                parent = schema.table(c.foreign_key.references_table)
                assert parent is not None
                assert orphans(g, t.name, c.name, parent.name, c.foreign_key.references_column) == 0
        for group in t.composite_keys:
            cols = ", ".join(group)
            assert g.one(f'select count(*) - count(distinct ({cols})) from "{t.name}"') == 0


def test_cardinality_layout_spans_many_parent_blocks(generate) -> None:
    card = {"type": "uniform", "low": 0, "high": 2}
    schema = experiment(
        table("p", 150_000, col("id", is_unique=True, null_rate=0.2), col("tag", "CHAR(1)")),
        table("c", 1, col("cid", is_unique=True),
              col("pid", required=True, foreign_key=fk("p", "id", cardinality=card))),
        table("one", 1, col("pid", is_unique=True, required=True,
                            foreign_key=fk("p", "id", cardinality={"type": "categorical", "values": [0, 1]}))),
        table("g", 20_000, col("cid", foreign_key=fk("c", "cid")), col("one_pid", foreign_key=fk("one", "pid"))),
    )  # fmt: skip
    big = generate(schema, batch_size=1_000_000)
    small = generate(schema, batch_size=40_000, workers=2)
    assert big.fingerprints() == small.fingerprints()
    rows = big.result.tables["c"].rows
    assert rows == pytest.approx(150_000 * 0.8, rel=0.02)  # parents with a NULL key get no children
    assert big.one("select count(*) from c where pid is null") == 0
    assert orphans(big, "c", "pid", "p", "id") == 0
    assert big.one("select max(k) from (select count(*) k from c group by pid)") == 2
    assert big.q("select count(*) = count(distinct pid) from one") == [(True,)]
    assert big.result.tables["one"].rows == pytest.approx(150_000 * 0.4, rel=0.03)
    assert orphans(big, "g", "cid", "c", "cid") == 0
    assert orphans(big, "g", "one_pid", "one", "pid") == 0


def test_cycle_through_a_nullable_fk(generate) -> None:
    schema = experiment(
        table("a", 300, col("id", is_unique=True), col("b_id", foreign_key=fk("b", "id"))),
        table("b", 200, col("id", is_unique=True), col("a_id", required=True, foreign_key=fk("a", "id"))),
    )  # fmt: skip
    g = generate(schema)
    assert list(g.result.tables) == ["a", "b"] or list(g.result.tables) == ["b", "a"]
    assert orphans(g, "a", "b_id", "b", "id") == 0
    assert orphans(g, "b", "a_id", "a", "id") == 0


def test_identity_columns_follow_start_and_increment(tmp_path) -> None:
    from dw_simulator.generator import generate_experiment
    from dw_simulator.schema import load_schema_data

    schema = load_schema_data(
        {
            "name": "ident",
            "tables": [
                {
                    "name": "events",
                    "target_rows": 2500,
                    "columns": [
                        {"name": "event_id", "data_type": "BIGINT", "is_unique": True, "required": True,
                         "identity": {"start": 100, "increment": 5}},
                        {"name": "down", "data_type": "INT", "is_unique": True,
                         "identity": {"start": 0, "increment": -2}},
                        {"name": "label", "data_type": "VARCHAR(10)"},
                    ],
                }
            ],
        }
    )  # fmt: skip
    result = generate_experiment(schema, tmp_path / "out", seed=3, batch_size=1000)
    import pyarrow.parquet as pq

    table = pq.read_table(result.tables["events"].files)
    assert table.column("event_id").to_pylist() == [100 + 5 * i for i in range(2500)]
    assert table.column("down").to_pylist() == [-2 * i for i in range(2500)]
