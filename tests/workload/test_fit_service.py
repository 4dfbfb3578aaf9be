"""`Simulator.fit_workload` on an imported DDL schema: after fit + generate every query returns rows (DuckDB and
PostgreSQL), joins become keys, contradictions are reported, the same inputs give the same schema and bytes, and
unreadable queries or unknown tables are clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from shop import DDL, QUERIES

from dw_simulator.config import Settings
from dw_simulator.errors import QueryError
from dw_simulator.service import Simulator


def _setup(sim: Simulator, tmp_path: Path, warehouse: str = "duckdb") -> Path:
    sim.import_sql(DDL, "redshift", name="shop", rows={"customers": 400, "orders": 3000}, target_warehouse=warehouse)
    path = tmp_path / "queries.sql"
    path.write_text(QUERIES)
    return path


def _queries(sim: Simulator) -> list[tuple[str, str]]:
    return [(q.name, q.sql) for q in sim.get_schema("shop").workload]


def _all_return_rows(sim: Simulator) -> None:
    queries = _queries(sim)
    assert len(queries) == 6
    for name, sql in queries:
        result = sim.query("shop", sql)
        assert result.rows, f"{name} returned no rows"
    checks = sim.check_workload("shop")
    assert [c.name for c in checks if not c.rows] == []


def test_before_the_fit_the_filters_find_nothing(sim: Simulator, tmp_path: Path) -> None:
    _setup(sim, tmp_path)
    sim.generate("shop", seed=3)
    empty = sim.query("shop", "SELECT count(*) FROM orders WHERE status = 'shipped' AND promo_code LIKE 'PROMO%'")
    assert empty.rows[0][0] == 0


def test_fit_then_generate_every_query_returns_rows_on_duckdb(sim: Simulator, tmp_path: Path) -> None:
    path = _setup(sim, tmp_path)
    outcome = sim.fit_workload("shop", paths=[path])
    assert outcome.version == 2 and not outcome.dry_run
    sim.generate("shop", seed=3)
    _all_return_rows(sim)
    schema = sim.get_schema("shop")
    fk = schema.table("orders").column("cust_ref").foreign_key  # type: ignore[union-attr]
    assert fk is not None and fk.references_table == "customers" and fk.references_column == "customer_id"
    orphans = sim.query("shop", "SELECT count(*) FROM orders o LEFT JOIN customers c ON o.cust_ref = c.customer_id "
                                "WHERE c.customer_id IS NULL")  # fmt: skip
    assert orphans.rows[0][0] == 0
    # other values stay, so negated predicates select rows too
    others = sim.query("shop", "SELECT count(*) FROM orders WHERE status <> 'shipped'")
    assert 0 < others.rows[0][0] < 3000
    not_promo = sim.query("shop", "SELECT count(*) FROM orders WHERE promo_code NOT LIKE 'PROMO%'")
    assert 0 < not_promo.rows[0][0] < 3000
    # every query's contributions are listed, by query name
    by_query = {q.name: q for q in outcome.queries}
    assert any("'shipped'" in line for line in by_query["shipped_books"].contributed)
    assert any("customers(customer_id)" in line for line in by_query["shipped_books"].contributed)
    assert by_query["loyal"].contributed, "the HAVING count should shape the key's spread"
    kinds = {(i.kind, i.value) for i in schema.inferences}
    assert ("workload", "promo_1995") in kinds
    together = by_query["promo_1995"].together
    assert together and together[0]["table"] == "orders" and 0 < together[0]["rows"] < 3000
    shares = [s["share"] for q in outcome.queries for s in q.shares]
    assert shares and all(0 < s < 1 for s in shares if s is not None)


def test_dry_run_saves_nothing_and_same_inputs_give_the_same_schema(sim: Simulator, tmp_path: Path) -> None:
    path = _setup(sim, tmp_path)
    first = sim.fit_workload("shop", paths=[path], dry_run=True)
    second = sim.fit_workload("shop", paths=[path], dry_run=True)
    assert first.version is None and len(sim.schema_versions("shop")) == 1
    assert first.schema is not None and second.schema is not None
    assert first.schema.model_dump_json() == second.schema.model_dump_json()


def test_same_seed_same_bytes_after_a_fit(settings: Settings, tmp_path: Path) -> None:
    digests = []
    for attempt in range(2):
        with Simulator(Settings(data_root=tmp_path / f"root{attempt}")) as sim:
            path = _setup(sim, tmp_path)
            sim.fit_workload("shop", paths=[path])
            sim.generate("shop", seed=11)
            rows = sim.query("shop", "SELECT * FROM orders ORDER BY order_id", limit=0).rows
            digests.append(json.dumps([list(map(str, r)) for r in rows]))
    assert digests[0] == digests[1]


def test_a_declared_check_is_reported_not_forced(sim: Simulator, tmp_path: Path) -> None:
    ddl = DDL.replace("status      VARCHAR(12),", "status      VARCHAR(12) CHECK (status IN ('new', 'paid')),")
    sim.import_sql(ddl, "redshift", name="shop", target_warehouse="duckdb")
    outcome = sim.fit_workload("shop", texts=[("q", "SELECT * FROM orders WHERE status = 'shipped'")])
    assert any("'shipped'" in line and "declared" in line for line in outcome.contradictions)
    dist = sim.get_schema("shop").table("orders").column("status").distribution  # type: ignore[union-attr]
    assert dist is not None and "shipped" not in dist.values  # type: ignore[union-attr]


def test_unreadable_query_names_file_line_and_column(sim: Simulator, tmp_path: Path) -> None:
    _setup(sim, tmp_path)
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\n\nSELECT order_id\nFROM orders WHERE (status = 'x';\n")
    with pytest.raises(QueryError) as info:
        sim.fit_workload("shop", paths=[bad])
    message = info.value.message
    assert "bad.sql" in message and "line 4" in message and "column" in message


def test_unknown_table_is_named_with_its_line(sim: Simulator, tmp_path: Path) -> None:
    _setup(sim, tmp_path)
    with pytest.raises(QueryError) as info:
        sim.fit_workload("shop", texts=[("q.sql", "SELECT 1;\nSELECT *\nFROM orders o JOIN shipments s ON 1 = 1")])
    assert "shipments" in info.value.message and "line 3" in info.value.message
    with pytest.raises(QueryError):
        sim.fit_workload("shop", paths=[tmp_path / "missing.sql"])


@pytest.fixture
def pg_sim(tmp_path: Path, pg_url: str) -> Iterator[Simulator]:
    with Simulator(Settings(data_root=tmp_path / "pg", redshift_url=pg_url)) as simulator:
        yield simulator
        simulator.delete_experiment("shop")


def test_fit_then_generate_every_query_returns_rows_on_postgresql(pg_sim: Simulator, tmp_path: Path) -> None:
    path = _setup(pg_sim, tmp_path, warehouse="redshift")
    pg_sim.fit_workload("shop", paths=[path])
    pg_sim.generate("shop", seed=5)
    _all_return_rows(pg_sim)
