"""The crash tests' tools: run a real `dw-sim experiment generate`, SIGKILL it at a named point, then look at what it
left: the data's fingerprint, the metadata's runs, processes, files and S3 objects.

A point is one of `dw_simulator.crashpoints`: the process announces it in a file and waits there; the test kills it
with SIGKILL (the process, never its workers: they must die on their own).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dw_simulator.config import Settings
from dw_simulator.service import Simulator

WAIT_FOR_POINT_S = 120.0
ORPHAN_WAIT_S = 15.0
CLI = [sys.executable, "-m", "dw_simulator"]


@dataclass
class Target:
    """One warehouse set-up: its name, environment and how it fingerprints a table."""

    name: str
    env: dict[str, str]
    settings: Settings
    checksum_sql: str  # `{table}` is replaced; returns (count, checksum)
    dialect: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Kill:
    point: str
    seed: int
    run_id: int | None = None
    outcome: str = ""  # "kept the previous run" or "the killed run committed"
    status: str = ""
    checks: list[str] = field(default_factory=list)


def cli(target: Target, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], env=target.env, capture_output=True, text=True, timeout=timeout, check=False)
    return done


def start_generate(target: Target, experiment: str, seed: int, point: str, marker: Path, rows: list[str]) -> Any:
    """Start `dw-sim experiment generate` in a session of its own (so its process group holds everything it starts)."""
    env = {**target.env, "DW_SIM_CRASH_POINT": point, "DW_SIM_CRASH_POINT_FILE": str(marker)}
    marker.unlink(missing_ok=True)
    args = ["experiment", "generate", experiment, "--seed", str(seed), "--workers", "2", "--batch-size", "1000"]
    for spec in rows:
        args += ["--rows", spec]
    return subprocess.Popen(
        [*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def wait_for_point(proc: Any, marker: Path, point: str) -> None:
    deadline = time.monotonic() + WAIT_FOR_POINT_S
    while time.monotonic() < deadline:
        if marker.is_file() and marker.read_text().startswith(point + " "):
            return
        if proc.poll() is not None:
            _out, err = proc.communicate(timeout=10)
            raise AssertionError(f"generate ended before reaching {point!r} (exit {proc.returncode}): {err[-2000:]}")
        time.sleep(0.02)
    raise AssertionError(f"generate did not reach {point!r} within {WAIT_FOR_POINT_S:g} s")


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def kill_and_reap(proc: Any) -> list[int]:
    """SIGKILL the generate process; returns the processes of its group still alive after ORPHAN_WAIT_S (the
    leftovers are killed so the suite goes on)."""
    pgid = proc.pid
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + ORPHAN_WAIT_S
    while time.monotonic() < deadline:
        alive = group_members(pgid)
        if not alive:
            return []
        time.sleep(0.1)
    alive = group_members(pgid)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return alive


def fingerprint(target: Target, experiment: str, tables: list[str]) -> dict[str, tuple[int, str]]:
    with Simulator(target.settings) as sim:
        out = {}
        for table in tables:
            rows = sim.query(experiment, target.checksum_sql.format(table=table), dialect=target.dialect).rows
            count, checksum = rows[0]
            out[table] = (int(count), str(checksum))
        return out


def runs(target: Target, experiment: str) -> list[dict[str, Any]]:
    """`dw-sim experiment runs --json`: a read that recovers dead owners' runs first (newest first)."""
    done = cli(target, "experiment", "runs", experiment, "--json", "--limit", "100")
    assert done.returncode == 0, done.stderr
    listed: list[dict[str, Any]] = json.loads(done.stdout)
    return listed


def experiment_row_counts(target: Target, experiment: str) -> dict[str, int | None]:
    """The row counts the metadata shows for the experiment's tables (`dw-sim experiment list --json`)."""
    done = cli(target, "experiment", "list", "--json")
    assert done.returncode == 0, done.stderr
    [info] = [e for e in json.loads(done.stdout) if e["name"] == experiment]
    return {t["name"]: t["row_count"] for t in info["tables"]}
