"""The Snowflake corpus (corpus/*.yaml, results from Snowflake's documentation) through every path users take:

* the real snowflake-connector-python against the embedded endpoint (what dbt, DBeaver and users' code do);
* the CLI/service path, `Simulator.query` on a `snowflake`-target experiment (`dw-sim query`);
* `Simulator.query` on a Snowflake-dialect experiment whose target is the embedded DuckDB warehouse.

The cases that fail through the connector must be exactly those listed in corpus/known_gaps.yaml, and the service
path must give the same outcome as the connector for every case (one Snowflake session layer). The DuckDB-target
path is tallied (see `test_duckdb_target_tally`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sfcorpus import Area, Outcome, judge, known_gaps, load_areas, tally

from dw_simulator.config import Settings
from dw_simulator.errors import NotFoundError
from dw_simulator.schema import load_schema_data
from dw_simulator.service import Simulator

Connect = Callable[..., Any]
MIN_CASES = 105  # with the 145 of fidelity_corpus.yaml: the 250 statements
AREAS = load_areas()
ALL_CASES = [case for area in AREAS for case in area.cases]


def _fetch(cursor: Any) -> tuple[list[str], list[list[Any]]]:
    if not cursor.description:
        return [], []
    return [d.name for d in cursor.description], [list(r) for r in cursor.fetchall()]


def run_through_connector(connect: Connect) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for area in AREAS:
        database = f"CORPUS_{area.name.upper()}_{uuid.uuid4().hex[:6].upper()}"
        setup = connect(database=database, schema="PUBLIC")
        try:
            with setup.cursor() as cursor:
                for statement in area.setup:
                    cursor.execute(statement)
        except Exception as exc:  # every case of the area fails, with the reason
            outcomes.update(_setup_failed(area, exc))
            continue
        finally:
            setup.close()
        for case in area.cases:
            conn = connect(database=database, schema="PUBLIC")

            def run(statements: Sequence[str], conn: Any = conn) -> tuple[list[str], list[list[Any]]]:
                cursor = conn.cursor()
                for statement in statements:
                    cursor.execute(statement)
                return _fetch(cursor)

            try:
                outcomes[case.id] = judge(case, run)
            finally:
                conn.close()
    return outcomes


def _setup_failed(area: Area, exc: Exception) -> dict[str, Outcome]:
    reason = f"the setup of {area.name} failed: {type(exc).__name__}: {exc}".splitlines()[0]
    return {case.id: Outcome(False, reason) for case in area.cases}


def _experiment(area: Area, target: str) -> dict[str, Any]:
    return {
        "name": f"corpus_{area.name}_{target}",
        "target_warehouse": target,
        "dialect": "snowflake",
        "tables": [{"name": "corpus_anchor", "target_rows": 1, "columns": [{"name": "id", "data_type": "INT"}]}],
    }


def run_through_service(simulator: Simulator, target: str) -> dict[str, Outcome]:
    """Each case is one `Simulator.query` call holding all its statements (one session, as `dw-sim query`)."""
    outcomes: dict[str, Outcome] = {}
    for area in AREAS:
        schema = load_schema_data(_experiment(area, target))
        with contextlib.suppress(NotFoundError):
            simulator.delete_experiment(schema.name)
        simulator.create_experiment(schema)
        try:
            for statement in area.setup:
                simulator.query(schema.name, statement)
        except Exception as exc:
            outcomes.update(_setup_failed(area, exc))
            simulator.delete_experiment(schema.name)
            continue
        for case in area.cases:

            def run(statements: Sequence[str], name: str = schema.name) -> tuple[list[str], list[list[Any]]]:
                result = simulator.query(name, ";\n".join(statements))
                return list(result.columns), [list(r) for r in result.rows]

            outcomes[case.id] = judge(case, run)
        simulator.delete_experiment(schema.name)
    return outcomes


@pytest.fixture(scope="module")
def connector_outcomes(connect: Connect) -> dict[str, Outcome]:
    return run_through_connector(connect)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(Settings(data_root=tmp_path_factory.mktemp("sf-corpus")))
    yield sim
    sim.close()


def _report(outcomes: dict[str, Outcome]) -> str:
    failing = {k: o.detail for k, o in outcomes.items() if not o.passed}
    return tally(outcomes, AREAS) + "\n" + "\n".join(f"  FAIL {k}: {v[:200]}" for k, v in sorted(failing.items()))


def test_corpus_is_well_formed() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(ids) >= MIN_CASES
    assert all(c.doc.startswith("https://docs.snowflake.com/") for c in ALL_CASES), "every case names its doc page"
    unknown = set(known_gaps()) - set(ids)
    assert not unknown, f"known_gaps.yaml lists cases that do not exist: {sorted(unknown)}"


def test_connector_failures_are_the_known_gaps(connector_outcomes: dict[str, Outcome]) -> None:
    failing = {k for k, o in connector_outcomes.items() if not o.passed}
    print(f"\nSnowflake corpus through the connector on the embedded endpoint:\n{_report(connector_outcomes)}")
    gaps = set(known_gaps())
    assert failing == gaps, (
        "failing cases differ from corpus/known_gaps.yaml:\n"
        f"  failing but not listed: {sorted(failing - gaps)}\n"
        f"  listed but passing: {sorted(gaps - failing)}"
    )


def test_service_path_matches_the_connector(
    connector_outcomes: dict[str, Outcome], simulator: Simulator, stop_endpoints: None
) -> None:
    through_service = run_through_service(simulator, "snowflake")
    print(f"\nSnowflake corpus through Simulator.query (snowflake target):\n{_report(through_service)}")
    differing = {
        case_id: (connector_outcomes[case_id].detail or "passed", outcome.detail or "passed")
        for case_id, outcome in through_service.items()
        if outcome.passed != connector_outcomes[case_id].passed
    }
    assert not differing, f"the service path and the connector disagree (connector, service): {differing}"


def test_duckdb_target_tally(simulator: Simulator, connector_outcomes: dict[str, Outcome]) -> None:
    """A Snowflake-dialect experiment on the embedded DuckDB warehouse: tallied against the connector path."""
    through_duckdb = run_through_service(simulator, "duckdb")
    print(f"\nSnowflake corpus on a duckdb-target experiment:\n{_report(through_duckdb)}")
    agree = sum(1 for k, o in through_duckdb.items() if o.passed == connector_outcomes[k].passed)
    assert agree > 0, "no case behaves as on the Snowflake endpoint"
