"""dbt-snowflake through the embedded Snowflake endpoint on a large public dbt project: how many models build.

Run by hand (CI cannot fetch the projects). The project is Fivetran's open dbt packages, each run as its own dbt
project from its `integration_tests` folder, whose seeds are the source data (~1,500 models, ~650 seeds over 18
packages). The packages are split once into a development set and a **held-out** set that is only measured, never
looked at while fixing causes (the split is fixed below, chosen before the first run).

1. Bring the repositories into a folder outside this repo (never commit them): every repository of PROJECTS and
   DEPENDENCIES, as git checkouts `<sources>/<name>` (`git clone https://github.com/fivetran/dbt_zendesk`) or as
   bare snapshots `<sources>/<owner>+<name>/repo` (what the search tool's `fetch` leaves in /work/.mirror).
2. dbt-snowflake runs in its own venv (`.venv-dbt-snowflake`, gitignored; created here with pip when missing).
3. ``.venv/bin/python -m bench.dbt_snowflake --sources /work/.mirror --set held-out``

For each package: its files are copied into `--scratch` (default: a temporary folder), its dependencies are placed
in `dbt_packages/` (no `dbt deps`: no network), and `dbt seed` + `dbt run` run against a fresh `dw-sim
snowflake-endpoint` (its own data root in the scratch folder). Printed: models succeeded / errored / skipped per
package and in total, and the error messages grouped by cause (names, literals and numbers masked).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
# package -> the commit run: the newest of its main branch whose fivetran_utils macros are in fivetran_utils 0.4.10
# (later commits call macros of an unreleased fivetran_utils). The split was fixed before the first run.
DEV = {
    "fivetran/dbt_shopify": "d768d54a59fe1114939066da114b630c0c726f0b",
    "fivetran/dbt_sap": "23d76d658e1919f64d9bb1f47229602e2abf61b6",
    "fivetran/dbt_netsuite": "73b6b18de6124d70bbf6e63c3351e0f10262c7d0",
    "fivetran/dbt_zendesk": "0baeb69a6aa5badcd3c8b0281b8f17416d1cbc13",
    "fivetran/dbt_stripe": "b5e536a519ae832dd7667466977cfa64e23d5285",
    "fivetran/dbt_jira": "7fb3703e36e687452838a3e7e6cbcfeceafaed96",
    "fivetran/dbt_recurly": "34e1c76c1585db99fbacb5f1e55fdf4fa848a3e3",
    "fivetran/dbt_iterable": "8838bc578cf9b93f7ad23a113552b3c3ddf0e87d",
    "fivetran/dbt_mailchimp": "145051c8fb5074c6bdf189e9e3161da4916b4035",
    "fivetran/dbt_xero": "a1fc6075a99478c0d70490225316c78527d5e722",
    "fivetran/dbt_github": "48ceaa54a3ff3474323612a1b34f3bf39dd82783",
    "fivetran/dbt_salesforce": "6c7b797f78f7593cd22a0c014c8b38edc3889e76",
}
HELD_OUT = {
    "fivetran/dbt_hubspot": "4552ec0949f95991a9c6637d1a955beee4f0747e",
    "fivetran/dbt_quickbooks": "de857a52ca577fa4f283bd1ae4d184ad09eb20c5",
    "fivetran/dbt_greenhouse": "85d541d97da60a3b053e365be252d59790a9d319",
    "fivetran/dbt_zuora": "2ea4048528126e6f1da262dd664fdd843fb6add5",
    "fivetran/dbt_fivetran_log": "63e5200fa65c2788f68d8fb77c863671fae0cb5d",
    "fivetran/dbt_klaviyo": "6b685b8161dc1a30ed1792d77679317c304c69e5",
}
PROJECTS = {"dev": DEV, "held-out": HELD_OUT, "all": {**DEV, **HELD_OUT}}
# installed into every package's dbt_packages/ under the names their dbt_project.yml declare, at the release tags
# the packages' packages.yml ranges pick (fivetran_utils 0.4.x, spark_utils 0.3.x, dbt_utils 1.x)
DEPENDENCIES = {
    "fivetran/dbt_fivetran_utils": ("fivetran_utils", "v0.4.10"),
    "dbt-labs/dbt-utils": ("dbt_utils", "1.3.3"),
    "dbt-labs/spark-utils": ("spark_utils", "0.3.3"),
}
DBT_REQUIREMENTS = ("dbt-core>=1.10,<1.12", "dbt-snowflake>=1.9,<1.12")


# -- sources ---------------------------------------------------------------------------------------------------------
def export_repo(sources: Path, repo: str, dest: Path, ref: str = "HEAD") -> str:
    """Copy commit `ref` of `repo` found under `sources` (a bare snapshot or a git checkout) to `dest`; returns
    the commit id."""
    owner, name = repo.split("/")
    candidates = (sources / f"{owner}+{name}" / "repo", sources / name / ".git", sources / name)
    git_dir = next((c for c in candidates if (c / "HEAD").is_file()), None)
    if git_dir is None:
        raise SystemExit(f"{repo}: no git repository at {candidates[0]} or {candidates[2]}; fetch it (see --help)")
    git = ["git", "--git-dir", str(git_dir)]
    commit = subprocess.run([*git, "rev-parse", f"{ref}^{{commit}}"], capture_output=True, text=True, check=True)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", ref], capture_output=True, check=True, timeout=300)
    blobs: list[tuple[str, str]] = []  # (object id, path); snapshots may lack big files (docs/manifest.json)
    for entry in listing.stdout.decode().split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            _mode, kind, oid = meta.split()
            if kind == "blob":
                blobs.append((oid, path))
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid, _ in blobs).encode(),
        capture_output=True,
        check=True,
        timeout=600,
    ).stdout
    offset = 0
    for _oid, path in blobs:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[offset : offset + size])
        offset += size + 1
    return commit.stdout.strip()


def prepare(sources: Path, repo: str, ref: str, work: Path) -> Path:
    """The package's integration_tests project (at commit `ref`), with the package and its dependencies in
    dbt_packages/."""
    package = work / "package"
    export_repo(sources, repo, package, ref)
    project = package / "integration_tests"
    if not (project / "dbt_project.yml").exists():
        raise SystemExit(f"{repo} has no integration_tests/dbt_project.yml")
    installed = project / "dbt_packages"
    installed.mkdir(exist_ok=True)
    own_name = yaml.safe_load((package / "dbt_project.yml").read_text())["name"]
    shutil.copytree(package, installed / own_name, ignore=shutil.ignore_patterns("integration_tests", ".*"))
    for dependency, (name, tag) in DEPENDENCIES.items():
        export_repo(sources, dependency, installed / name, tag)
        shutil.rmtree(installed / name / "integration_tests", ignore_errors=True)
    for lock in ("packages.yml", "package-lock.yml", "dependencies.yml"):
        (project / lock).unlink(missing_ok=True)
        (installed / own_name / lock).unlink(missing_ok=True)
    return project


def source_schema_vars(project: Path) -> dict[str, str]:
    """The `<x>_schema` vars naming where the seeds (the sources) are, at the top level or under a package."""
    config = yaml.safe_load((project / "dbt_project.yml").read_text()) or {}
    found: dict[str, str] = {}

    def visit(values: Any) -> None:
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, str) and str(key).endswith("_schema"):
                    found[str(key)] = value
                elif isinstance(value, dict):
                    visit(value)

    visit(config.get("vars") or {})
    return found


# -- the endpoint and dbt ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def endpoint(data_root: Path, log: Path) -> Iterator[int]:
    """`dw-sim snowflake-endpoint` on a free loopback port with its own data root, stopped at the end."""
    port = free_port()
    env = {**os.environ, "DW_SIM_DATA_ROOT": str(data_root)}
    command = [str(Path(sys.executable).with_name("dw-sim")), "snowflake-endpoint", "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the endpoint did not start; see {log}")
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def dbt_executable(venv: Path) -> Path:
    dbt = venv / "bin" / "dbt"
    if not dbt.exists():
        print(f"creating {venv} with {' '.join(DBT_REQUIREMENTS)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *DBT_REQUIREMENTS],
            check=True,
            timeout=1800,
        )
    return dbt


PROFILE = """integration_tests:
  target: snowflake
  outputs:
    snowflake:
      type: snowflake
      account: dwsim
      user: dwsim
      password: dwsim-local-mock
      host: 127.0.0.1
      port: {port}
      protocol: http
      database: {database}
      schema: {schema}
      warehouse: DWSIM_WH
      role: SYSADMIN
      threads: {threads}
      connect_retries: 0
      connect_timeout: 30
      retry_all: false
"""


@dataclass
class Outcome:
    repo: str
    models: dict[str, tuple[str, str]] = field(default_factory=dict)  # unique_id -> (status, message)
    seeds: dict[str, tuple[str, str]] = field(default_factory=dict)
    failure: str | None = None  # dbt stopped before running anything (parse error...)
    model_files: int = 0
    seconds: float = 0.0


def run_results(project: Path) -> list[dict[str, Any]]:
    path = project / "target" / "run_results.json"
    if not path.exists():
        return []
    results: list[dict[str, Any]] = json.loads(path.read_text()).get("results", [])
    path.unlink()
    return results


def run_package(repo: str, project: Path, dbt: Path, port: int, threads: int, timeout: int, log: Path) -> Outcome:
    outcome = Outcome(repo)
    dependencies = {name for name, _ in DEPENDENCIES.values()}
    own = [p for p in (project / "dbt_packages").iterdir() if p.name not in dependencies]
    outcome.model_files = sum(len(list((p / "models").rglob("*.sql"))) for p in own) + len(
        list((project / "models").rglob("*.sql"))
    )
    name = repo.split("/")[1].upper()
    schema_vars = source_schema_vars(project)
    schema = "SOURCES"
    (project / "profiles.yml").write_text(
        PROFILE.format(port=port, database=f"BENCH_{name}", schema=schema, threads=threads)
    )
    variables = json.dumps(dict.fromkeys(schema_vars, schema))
    started = time.monotonic()
    for step in ("seed", "run"):
        command = [str(dbt), step, "--profiles-dir", str(project), "--vars", variables, "--no-version-check"]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
        try:
            done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)
            output = done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            partial = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
            output = f"{partial}\n(timed out after {timeout}s)"
        with log.open("a") as out:
            out.write(f"===== {repo}: dbt {step}\n{output}\n")
        results = run_results(project)
        target = outcome.seeds if step == "seed" else outcome.models
        for result in results:
            if result["unique_id"].split(".")[0] in ("model", "seed"):
                target[result["unique_id"]] = (result["status"], result.get("message") or "")
        if not results and outcome.failure is None:
            outcome.failure = f"dbt {step}: " + _last_error(output)
    outcome.seconds = time.monotonic() - started
    return outcome


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if "error" in line.lower():
            return " ".join(lines[i : i + 3])[:300]
    return (lines[-1] if lines else "no output")[:300]


# -- causes ----------------------------------------------------------------------------------------------------------
_NOISE = (
    re.compile(r"^(Database|Runtime|Compilation) Error in \w+ .*?\)\s*", re.S),
    re.compile(r"compiled code at .*", re.S),
    re.compile(r"\bLINE \d+:.*", re.S),
    re.compile(r"Candidate functions:.*", re.S),
    re.compile(r"Did you mean .*", re.S),
)


_NAMED = re.compile(
    r"\b(table|column|object|schema|database|view|name|relation|alias|identifier|stage|file|string|value|model|"
    r"macro|namespace|key|field|catalog|binder|candidate|entry|'…'|\"…\")s?\s*$",
    re.I,
)


def _mask_quoted(text: str) -> str:
    """Quoted names of objects and values are masked; quoted code (a function signature, a token) is kept."""
    out: list[str] = []
    last = 0
    for found in re.finditer(r"'[^']*'|\"[^\"]*\"", text):
        out.append(text[last : found.start()])
        quoted = found.group(0)
        before = "".join(out)[-40:]
        if "." in quoted[1:-1] or _NAMED.search(before) or not quoted[1:-1].strip():
            out.append(quoted[0] + "…" + quoted[0])
        else:
            out.append(quoted)
        last = found.end()
    out.append(text[last:])
    return "".join(out)


def cause(message: str) -> str:
    """The error message with what varies between models masked, so that one cause groups its models."""
    text = message.strip()
    for pattern in _NOISE:
        text = pattern.sub("", text).strip()
    text = re.sub(r"^\d{6} \(\w+\):\s*", "", text)
    text = re.sub(r"^SQL compilation error:\s*", "", text)
    text = _mask_quoted(text)
    text = re.sub(r"\b(with name |(?:Table|View|Schema|Database) (?!with\b))[\w.]+", r"\1 …", text)
    text = re.sub(r"(?<![\w(])\d+\b", "N", text)
    text = re.sub(r"\s+", " ", text)
    return text[:180] or "(no message)"


def report(outcomes: list[Outcome], top: int) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    causes: dict[str, list[str]] = defaultdict(list)
    print(f"\n{'package':<28}{'models':>8}{'success':>9}{'error':>7}{'skipped':>9}{'seeds ok/all':>14}{'secs':>7}")
    for o in outcomes:
        statuses = Counter(status for status, _ in o.models.values())
        count = len(o.models) if o.models else o.model_files
        success = statuses.get("success", 0)
        error = statuses.get("error", 0) + (count if not o.models else 0)
        skipped = statuses.get("skipped", 0)
        seeds_ok = sum(1 for s, _ in o.seeds.values() if s == "success")
        totals.update(models=count, success=success, error=error, skipped=skipped, seeds=len(o.seeds))
        totals.update(seeds_ok=seeds_ok)
        seeds = f"{seeds_ok}/{len(o.seeds)}"
        print(f"{o.repo:<28}{count:>8}{success:>9}{error:>7}{skipped:>9}{seeds:>14}{o.seconds:>7.0f}")
        if o.failure:
            print(f"    stopped: {o.failure}")
            causes[cause(o.failure)].extend([f"{o.repo} (whole project)"] * max(count, 1))
        for unique_id, (status, message) in {**o.seeds, **o.models}.items():
            if status == "error":
                causes[cause(message)].append(unique_id)
    models = totals["models"] or 1
    ran = (totals["success"] + totals["error"]) or 1
    seeds = f"{totals['seeds_ok']}/{totals['seeds']}"
    print(
        f"{'TOTAL':<28}{totals['models']:>8}{totals['success']:>9}{totals['error']:>7}{totals['skipped']:>9}{seeds:>14}"
    )
    print(
        f"\nmodels succeeded: {totals['success'] / models:.1%} of all models, "
        f"{totals['success'] / ran:.1%} of the models dbt got to run"
    )
    ranked = sorted(causes.items(), key=lambda item: -len(item[1]))
    print("\ntop causes (nodes that errored; seeds included; skipped models not counted):")
    for text, nodes in ranked[:top]:
        print(f"{len(nodes):>5}  {text}\n       e.g. {nodes[0]}")
    return {
        "totals": dict(totals),
        "share_of_all_models": totals["success"] / models,
        "share_of_run_models": totals["success"] / ran,
        "packages": [
            {
                "repo": o.repo,
                "models": o.models,
                "seeds": o.seeds,
                "failure": o.failure,
                "seconds": o.seconds,
                "model_files": o.model_files,
            }
            for o in outcomes
        ],
        "causes": [{"cause": text, "count": len(nodes), "nodes": nodes} for text, nodes in ranked],
    }


def _pairs(saved: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    return {key: (value[0], value[1]) for key, value in saved.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, required=True, help="folder holding the fetched repositories")
    parser.add_argument("--set", choices=sorted(PROJECTS), default="held-out", help="which packages to run")
    parser.add_argument("--only", default="", help="comma-separated package names (dbt_zendesk,...) instead")
    parser.add_argument("--scratch", type=Path, default=None, help="work folder (default: a new temporary one)")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-dbt-snowflake", help="dbt-snowflake's venv")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per dbt command")
    parser.add_argument("--top", type=int, default=25, help="how many causes to print")
    parser.add_argument("--json", type=Path, default=None, help="also write the outcome here")
    parser.add_argument("--from-json", type=Path, default=None, help="only print the report of a --json outcome")
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        report(
            [Outcome(**{**p, "models": _pairs(p["models"]), "seeds": _pairs(p["seeds"])}) for p in saved["packages"]],
            args.top,
        )
        return 0
    repos = PROJECTS[args.set]
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        repos = {r: c for r, c in PROJECTS["all"].items() if r.split("/")[1] in wanted}
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="dwsim-dbt-snowflake-"))
    if ROOT in scratch.resolve().parents or scratch.resolve() == ROOT:
        raise SystemExit("--scratch must be outside the repository (the fetched projects are never committed)")
    scratch.mkdir(parents=True, exist_ok=True)
    dbt = dbt_executable(args.venv)
    log = scratch / "dbt.log"
    log.write_text("")
    print(f"scratch folder: {scratch} (dbt output in {log})", flush=True)
    outcomes: list[Outcome] = []
    data_root = scratch / "data"
    shutil.rmtree(data_root, ignore_errors=True)
    with endpoint(data_root, scratch / "endpoint.log") as port:
        for repo, commit in repos.items():
            project = prepare(args.sources, repo, commit, scratch / repo.split("/")[1])
            print(f"{repo} at {commit[:12]}: dbt seed + run ...", flush=True)
            outcomes.append(run_package(repo, project, dbt, port, args.threads, args.timeout, log))
    summary = report(outcomes, args.top)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
