"""The Redshift fidelity corpus (tests/redshift/corpus.yaml) through the endpoint, on both engines: the same cases
pass as through `Simulator.query`, and the failures are exactly the known ones listed in
docs/redshift-compatibility.md."""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from endpoint_support import Endpoint

sys.path.insert(0, str(Path(__file__).parents[1] / "redshift"))
import corpus_runner

from dw_simulator.backends.base import QueryResult
from dw_simulator.errors import NotFoundError, QueryError
from dw_simulator.schema import ExperimentSchema
from dw_simulator.staging import LocalStage

WAREHOUSE = {"duckdb": "duckdb", "postgres": "redshift"}


class ThroughEndpoint:
    """The corpus runner's view of a backend, answering over the wire: every statement goes through the endpoint
    as a client sends it (the simple query protocol, so the setup's multi-statement script works too)."""

    def __init__(self, endpoint: Endpoint, warehouse: str) -> None:
        self.endpoint = endpoint
        self.warehouse = warehouse
        self.conn: psycopg.Connection[Any] | None = None

    def create_experiment(self, schema: ExperimentSchema) -> None:
        sim = self.endpoint.simulator
        with contextlib.suppress(NotFoundError):
            sim.delete_experiment(schema.name)
        sim.create_experiment(schema.model_copy(update={"target_warehouse": self.warehouse}))
        sim.release_backends()
        self.conn = psycopg.connect(self.endpoint.url(schema.name), autocommit=True)

    def query(self, experiment: str, sql: str, *, dialect: str, limit: int | None) -> QueryResult:
        assert self.conn is not None
        with psycopg.ClientCursor(self.conn) as cur:
            try:
                cur.execute(sql)
            except psycopg.Error as exc:
                raise QueryError(exc.diag.message_primary or str(exc)) from None
            while cur.nextset():
                pass
            rows = cur.fetchall() if cur.description else []
            columns = [d.name for d in cur.description or []]
        return QueryResult(columns, [], [tuple(r) for r in rows], False, 0.0)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def test_corpus_through_the_endpoint(endpoint: Endpoint, engine: str) -> None:
    backend = ThroughEndpoint(endpoint, WAREHOUSE[engine])
    root = endpoint.settings.data_root / "s3"  # where the endpoint's COPY/UNLOAD read and write
    shutil.rmtree(root, ignore_errors=True)  # UNLOAD refuses a destination another engine's run filled
    stage = LocalStage(root)
    try:
        outcomes = corpus_runner.run_corpus(backend, stage)  # type: ignore[arg-type]
    finally:
        backend.close()
        endpoint.simulator.delete_experiment(corpus_runner.EXPERIMENT)
        endpoint.simulator.release_backends()
    failed = {o.id: o.detail for o in outcomes if not o.passed}
    print(f"\n{engine} through the endpoint: {len(outcomes) - len(failed)}/{len(outcomes)} passed")
    for case_id, detail in failed.items():
        print(f"  FAIL {case_id}: {detail}")
    expected = corpus_runner.known_failures().get(engine, set())
    assert set(failed) == expected, (
        f"{engine}: failures through the endpoint differ from docs/redshift-compatibility.md\n"
        f"  unexpected: { {k: failed[k] for k in set(failed) - expected} }\n"
        f"  listed but passing: {sorted(expected - set(failed))}"
    )


@pytest.fixture(autouse=True)
def _no_leftover_corpus(endpoint: Endpoint) -> None:
    with contextlib.suppress(NotFoundError):
        endpoint.simulator.delete_experiment(corpus_runner.EXPERIMENT)
