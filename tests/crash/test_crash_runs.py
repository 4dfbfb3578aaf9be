"""Kill -9 a real `dw-sim experiment generate` at every step of a run, on DuckDB and on PostgreSQL with S3 staging
(moto's server), and prove what is left after the next command:

* the data answers exactly one complete run: its counts and checksums are those of the previous run (a kill before
  the commit point) or of the killed run (a kill after it), never a mix;
* the metadata names that run: its last COMPLETED run has that seed and those counts, and so do the tables;
* no stuck lock: no run is left PENDING/RUNNING, and the next generate starts (the next kill is one);
* no orphan process: nothing of the killed process group outlives it (generator workers included);
* no leftovers: only the current run's database file, staged objects and generated folder remain.

The tally is printed at the end (`make crash-test` shows it).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from harness import Kill, Target, cli, experiment_row_counts, fingerprint, kill_and_reap, runs, start_generate
from harness import wait_for_point as reach

from dw_simulator.backends.postgres.runs import load_schema_stem
from dw_simulator.config import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples" / "ecommerce_experiment.json"
TABLES = ["customers", "orders"]
ROWS = ["customers=3000", "orders=6000"]
AFTER_COMMIT = {"committed", "completed"}
DUCKDB_POINTS = [
    "created",  # the run row exists (PENDING), nothing else
    "running",  # RUNNING, before the generator starts
    "generating",  # the generator's worker processes are writing Parquet
    "generated",  # every Parquet file written, nothing loaded
    "loading",  # inside the load: the run's new database file half written
    "prepared",  # the new file complete, the intended swap not recorded
    "intended",  # the intended swap (counts) recorded, not committed
    "in-commit",  # inside the commit: the new pointer written, not renamed into place
    "committed",  # between the commit and the metadata update
    "completed",  # the metadata updated, before the clean-up of the replaced run
]
POSTGRES_POINTS = [
    "created",
    "running",
    "generating",
    "generated",
    "staged",  # the Parquet files uploaded to S3, no COPY yet
    "loading",  # inside the load transaction, one table copied
    "prepared",
    "intended",
    "in-commit",  # inside the swap transaction, every table swapped, not committed
    "committed",
    "completed",
]
DUCKDB_SUM = "SELECT count(*), CAST(coalesce(sum(hash(t)), 0) AS VARCHAR) FROM {table} t"
POSTGRES_SUM = "SELECT count(*), coalesce(md5(string_agg(md5(t::text), ',' ORDER BY md5(t::text))), '') FROM {table} t"
TALLY: dict[str, list[Kill]] = {"duckdb": [], "postgres+s3": []}


class State:
    def __init__(self, target: Target, experiment: str, marker: Path) -> None:
        self.target = target
        self.experiment = experiment
        self.marker = marker
        self.prints: dict[int, dict[str, tuple[int, str]]] = {}
        self.seed = 0  # the seed whose data is current


def _setup(target: Target, experiment: str, marker: Path) -> State:
    done = cli(target, "experiment", "create", str(EXAMPLE), "--name", experiment, "--target-warehouse",
               target.extra["warehouse"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    state = State(target, experiment, marker)
    for seed in (2, 1):  # each seed's data from an uninterrupted run; seed 1 stays current
        args = ["experiment", "generate", experiment, "--seed", str(seed), "--workers", "2", "--batch-size", "1000"]
        for spec in ROWS:
            args += ["--rows", spec]
        done = cli(target, *args)
        assert done.returncode == 0, done.stderr
        state.prints[seed] = fingerprint(target, experiment, TABLES)
    assert state.prints[1] != state.prints[2]
    state.seed = 1
    return state


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> State:
    root = tmp_path_factory.mktemp("crash-duckdb")
    env = {**_clean_env(), "DW_SIM_DATA_ROOT": str(root / "data")}
    target = Target("duckdb", env, Settings(data_root=root / "data"), DUCKDB_SUM, "duckdb", {"warehouse": "duckdb"})
    return _setup(target, "crash_duck", root / "point")


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory, pg_url: str, s3_endpoint: str) -> Iterator[State]:
    root = tmp_path_factory.mktemp("crash-postgres")
    bucket = "crash-stage"
    env = {
        **_clean_env(),
        "DW_SIM_DATA_ROOT": str(root / "data"),
        "DW_SIM_REDSHIFT_URL": pg_url,
        "DW_SIM_S3_ENDPOINT_URL": s3_endpoint,
        "DW_SIM_S3_BUCKET": bucket,
        "DW_SIM_SQL_SANDBOX": "false",  # the test database's role is a superuser: no warning on every command
    }
    settings = Settings(data_root=root / "data", redshift_url=pg_url, s3_endpoint_url=s3_endpoint, s3_bucket=bucket)
    target = Target("postgres+s3", env, settings, POSTGRES_SUM, "postgres", {"warehouse": "redshift", "url": pg_url})
    yield _setup(target, "crash_pg", root / "point")


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DW_SIM_")}


def _kill_at(state: State, point: str) -> Kill:
    seed = 3 - state.seed
    kill = Kill(point, seed)
    TALLY[state.target.name].append(kill)
    proc = start_generate(state.target, state.experiment, seed, point, state.marker, ROWS)
    reach(proc, state.marker, point)
    orphans = kill_and_reap(proc)
    assert orphans == [], f"processes outlived the killed generate: {orphans}"
    kill.checks.append("no orphan")
    listed = runs(state.target, state.experiment)  # a read: recovers the dead owner's run first
    killed = listed[0]
    kill.run_id, kill.status = killed["id"], killed["status"]
    assert killed["seed"] == seed
    assert all(r["status"] in ("COMPLETED", "FAILED", "CANCELLED") for r in listed), "a run is stuck active"
    kill.checks.append("no stuck run")
    committed = point in AFTER_COMMIT
    assert killed["status"] == ("COMPLETED" if committed else "FAILED"), killed
    expected = seed if committed else state.seed
    data = fingerprint(state.target, state.experiment, TABLES)
    assert data == state.prints[expected], f"the data is not seed {expected}'s complete run"
    kill.checks.append("one complete run")
    current = next(r for r in listed if r["status"] == "COMPLETED")
    counts = {t: data[t][0] for t in TABLES}
    assert current["seed"] == expected and current["row_counts"] == counts
    assert experiment_row_counts(state.target, state.experiment) == counts
    kill.checks.append("metadata names it")
    _assert_no_leftovers(state, current["id"])
    kill.checks.append("no leftovers")
    kill.outcome = "the killed run committed" if committed else "kept the previous run"
    state.seed = expected
    return kill


def _assert_no_leftovers(state: State, current_id: int) -> None:
    key = f"run-{current_id:06d}"
    settings = state.target.settings
    generated = settings.generated_dir / state.experiment
    assert sorted(p.name for p in generated.iterdir()) == [key], "generated folders of other runs are left"
    if state.target.name == "duckdb":
        files = sorted(p.name for p in (settings.warehouse_dir / "duckdb" / state.experiment).iterdir())
        assert files == ["CURRENT", key], f"warehouse files of other runs are left: {files}"
        return
    with psycopg.connect(state.target.extra["url"], connect_timeout=10) as conn:
        stem = load_schema_stem(state.experiment).replace("_", "\\_")
        staging = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (stem + "%",)).fetchall()
        assert staging == [], f"load schemas are left: {staging}"
        new_tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name LIKE %s",
            (state.experiment, "%\\_\\_dwsim\\_new"),
        ).fetchall()
        assert new_tables == [], f"new tables of a load are left: {new_tables}"
        current = conn.execute(
            "SELECT run FROM dwsim_runs.current_runs WHERE experiment = %s", (state.experiment,)
        ).fetchone()
        assert current == (key,)
    with _Simulator(settings) as sim:
        stage = sim.backend("redshift").stage  # type: ignore[attr-defined]
        objects = stage.list(f"s3://{settings.s3_bucket}/{state.experiment}/")
    prefix = f"s3://{settings.s3_bucket}/{state.experiment}/{key}/"
    assert objects and all(url.startswith(prefix) for url in objects), "staged objects of other runs are left"


def _Simulator(settings: Settings) -> Any:
    from dw_simulator.service import Simulator

    return Simulator(settings)


@pytest.mark.parametrize("point", DUCKDB_POINTS)
def test_kill_duckdb_generate(duck: State, point: str) -> None:
    _kill_at(duck, point)


@pytest.mark.parametrize("point", POSTGRES_POINTS)
def test_kill_postgres_s3_generate(pg: State, point: str) -> None:
    _kill_at(pg, point)


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_cancel_like_ctrl_c(duck: State, signame: str) -> None:
    """`docker stop` and a closed terminal: the run is cancelled and cleaned up by the process itself."""
    seed = 3 - duck.seed
    proc = start_generate(duck.target, duck.experiment, seed, "generating", duck.marker, ROWS)
    reach(proc, duck.marker, "generating")
    os.kill(proc.pid, getattr(signal, signame))
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and proc.returncode != -getattr(signal, signame), err
    listed = runs(duck.target, duck.experiment)
    assert listed[0]["status"] == "CANCELLED" and listed[0]["error_message"] == "cancelled", listed[0]
    assert fingerprint(duck.target, duck.experiment, TABLES) == duck.prints[duck.seed]
    current = next(r for r in listed if r["status"] == "COMPLETED")
    _assert_no_leftovers(duck, current["id"])


@pytest.mark.parametrize("which", ["duck", "pg"])
def test_readers_see_the_previous_data_while_a_run_loads(which: str, request: pytest.FixtureRequest) -> None:
    """A query from another process while a generate is inside its load (holding its new DuckDB file, or its
    PostgreSQL COPY transaction, open for minutes) answers at once with the previous run's data."""
    state: State = request.getfixturevalue(which)
    proc = start_generate(state.target, state.experiment, 3 - state.seed, "loading", state.marker, ROWS)
    try:
        reach(proc, state.marker, "loading")
        for table in TABLES:
            done = cli(state.target, "query", f"SELECT count(*) FROM {table}", "-e", state.experiment, "--format",
                       "csv", timeout=60)  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert done.stdout.split()[-1] == str(state.prints[state.seed][table][0])
    finally:
        assert kill_and_reap(proc) == []
    assert runs(state.target, state.experiment)[0]["status"] == "FAILED"
    assert fingerprint(state.target, state.experiment, TABLES) == state.prints[state.seed]


def test_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Print what the kills proved; every target was killed at 10 points or more, and every kill passed."""
    lines = ["", "crash tally (SIGKILL of `dw-sim experiment generate`):"]
    for target, kills in TALLY.items():
        passed = [k for k in kills if len(k.checks) == 5]
        lines.append(f"  {target}: {len(passed)}/{len(kills)} kills passed every check")
        for k in kills:
            mark = "ok " if k in passed else "FAIL"
            lines.append(f"    {mark} {k.point:<11} run {k.run_id} -> {k.status or '?':<9} {k.outcome}")
    with capsys.disabled():
        print("\n".join(lines))
    for target, kills in TALLY.items():
        assert len(kills) >= 10, f"{target}: only {len(kills)} kill points ran"
        assert all(len(k.checks) == 5 for k in kills), f"{target}: a kill failed a check"
