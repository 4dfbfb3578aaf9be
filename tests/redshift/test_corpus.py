"""The Redshift fidelity corpus on both engines: >= 95% must pass, and the failures must be exactly the ones
docs/redshift-compatibility.md lists (so the document cannot drift from the code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_runner import known_failures, load_corpus, run_corpus

from dw_simulator.backends.duckdb import DuckDBBackend
from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.config import Settings
from dw_simulator.staging import LocalStage

MIN_PASS_RATE = 0.95


def test_corpus_is_big_and_covers_every_category() -> None:
    corpus = load_corpus()
    cases = corpus["cases"]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(cases) >= 80
    assert {c["cat"] for c in cases} == {"ddl", "date", "string", "json", "aggregate", "window", "copy", "unload"}


def test_known_failures_name_real_cases() -> None:
    ids = {c["id"] for c in load_corpus()["cases"]}
    listed = known_failures()
    assert set(listed) <= {"postgres", "duckdb"}
    for engine, failures in listed.items():
        assert failures <= ids, f"docs list unknown cases for {engine}: {failures - ids}"


@pytest.mark.parametrize("engine", ["postgres", "duckdb"])
def test_corpus(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    settings = Settings(data_root=tmp_path)
    if engine == "postgres":
        backend = RedshiftBackend(settings, url=request.getfixturevalue("pg_url"))
    else:
        backend = DuckDBBackend(settings)
    stage = LocalStage(tmp_path / "s3")
    try:
        outcomes = run_corpus(backend, stage)
    finally:
        try:
            with backend.drop_experiment("rs_corpus"):
                pass
        finally:
            backend.close()
    failed = {o.id: o.detail for o in outcomes if not o.passed}
    rate = 1 - len(failed) / len(outcomes)
    print(f"\n{engine}: {len(outcomes) - len(failed)}/{len(outcomes)} passed ({rate:.1%})")
    for case_id, detail in failed.items():
        print(f"  FAIL {case_id}: {detail}")
    assert rate >= MIN_PASS_RATE, f"{engine}: pass rate {rate:.1%} is below {MIN_PASS_RATE:.0%}: {failed}"
    expected = known_failures().get(engine, set())
    assert set(failed) == expected, (
        f"{engine}: failures differ from docs/redshift-compatibility.md\n"
        f"  unexpected failures: { {k: failed[k] for k in set(failed) - expected} }\n"
        f"  listed but now passing: {sorted(expected - set(failed))}"
    )
