"""What a CLI command costs before it works: the modules it imports, the migrations it runs, the settings it reads.

Each command runs in a fresh interpreter (as `dw-sim` does) that reports which heavy modules ended up loaded.
Timings are not asserted here (bench/cli_latency.py measures them); what is imported is.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dw_simulator import __version__
from dw_simulator.boot_settings import BootSettings, boot_settings
from dw_simulator.config import Settings
from dw_simulator.metadata import HEAD_REVISION, needs_migration
from dw_simulator.service import Simulator

HEAVY = (
    "sqlalchemy",
    "alembic",
    "duckdb",
    "pyarrow",
    "sqlglot",
    "fakesnow",
    "snowflake",
    "uvicorn",
    "fastapi",
    "psycopg",
    "boto3",
    "numpy",
    "faker",
    "pydantic_settings",
)
PROBE = """
import json, sys
sys.argv = ["dw-sim", *json.loads(sys.argv[1])]
from dw_simulator.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
else:
    code = 0
sys.stderr.write("\\nLOADED " + json.dumps(sorted(m for m in HEAVY if m in sys.modules)) + "\\n")
sys.exit(code)
""".replace("HEAVY", repr(HEAVY))


def loaded_by(*args: str, cwd: Path) -> tuple[list[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stderr.splitlines() if line.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED ")), done.stdout


@pytest.fixture
def experiment(sim: Simulator, examples: Path) -> str:
    sim.create_experiment_from_file(examples / "ecommerce_experiment.json")
    sim.generate("ecommerce_experiment", rows={"customers": 20, "orders": 50}, seed=1)
    sim.close()
    return "ecommerce_experiment"


def test_version_and_help_import_nothing_heavy(tmp_path: Path) -> None:
    loaded, out = loaded_by("--version", cwd=tmp_path)
    assert out == f"dw-sim {__version__}\n" and loaded == []
    loaded, out = loaded_by("--help", cwd=tmp_path)
    assert "experiment" in out and loaded == []
    loaded, out = loaded_by("experiment", "--help", cwd=tmp_path)
    assert "import-sql" in out and loaded == []


def test_read_only_commands_use_neither_sqlalchemy_nor_the_warehouse(experiment: str, tmp_path: Path) -> None:
    for args in (("experiment", "list"), ("experiment", "runs", experiment), ("experiment", "list", "--json")):
        loaded, out = loaded_by(*args, cwd=tmp_path)
        assert experiment in out, args
        assert loaded == [], f"{args} loaded {loaded}"


def test_a_duckdb_query_loads_duckdb_and_sqlglot_but_no_other_engine(experiment: str, tmp_path: Path) -> None:
    loaded, out = loaded_by("query", "select count(*) as n from orders", "-e", experiment, "-f", "json", cwd=tmp_path)
    assert json.loads(out) == [{"n": 50}]
    assert {"duckdb", "sqlglot"} <= set(loaded)
    assert not set(loaded) & {"sqlalchemy", "alembic", "fakesnow", "snowflake", "uvicorn", "fastapi", "psycopg"}


def test_migrations_run_only_when_the_stored_version_differs(data_root: Path, tmp_path: Path) -> None:
    path = data_root / "metadata.sqlite"
    assert needs_migration(path)  # no file yet
    loaded, _ = loaded_by("experiment", "list", cwd=tmp_path)
    assert "alembic" in loaded  # the first command creates the file
    assert not needs_migration(path)
    loaded, _ = loaded_by("experiment", "list", cwd=tmp_path)
    assert "alembic" not in loaded and "sqlalchemy" not in loaded
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'older'")  # as if written by another dw-sim version
    con.commit()
    con.close()
    assert needs_migration(path)


def test_head_revision_is_the_newest_alembic_script() -> None:
    from alembic.script import ScriptDirectory

    from dw_simulator.metadata.store import _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == HEAD_REVISION


def test_the_version_constant_matches_the_installed_metadata() -> None:
    assert __version__ == version("dw-sim")


def test_snowflake_endpoint_default_port_is_the_endpoints() -> None:
    from dw_simulator.backends.snowflake.endpoint import STANDALONE_PORT
    from dw_simulator.cli import snowflake_cmds

    assert snowflake_cmds.DEFAULT_PORT == STANDALONE_PORT


# -- boot settings agree with pydantic-settings ---------------------------------------------------------------------
ENV_NAMES = ["DW_SIM_DATA_ROOT", "dw_sim_data_root", "DW_SIM_LOG_FORMAT", "DW_SIM_LOG_LEVEL", "Dw_Sim_Log_Level"]
VALUES = st.sampled_from(["", "json", "text", "auto", "JSON", "DEBUG", "info", "/tmp/a", "~/x", "rel/dir", "0"])


@settings(max_examples=150, deadline=None)
@given(
    env=st.dictionaries(st.sampled_from(ENV_NAMES), VALUES, max_size=4),
    dotenv=st.dictionaries(st.sampled_from(ENV_NAMES), VALUES, max_size=3),
    flags=st.fixed_dictionaries(
        {
            "data_root": st.one_of(st.none(), st.just("/tmp/flag")),
            "log_format": st.one_of(st.none(), st.sampled_from(["json", "text", "bogus"])),
            "log_level": st.one_of(st.none(), st.just("ERROR")),
        }
    ),
)
def test_boot_settings_agree_with_settings(
    env: dict[str, str], dotenv: dict[str, str], flags: dict[str, str | None], tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("boot")
    if dotenv:
        (work / ".env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()), encoding="utf-8")
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    try:
        for key in [k for k in os.environ if k.lower().startswith("dw_sim_")]:
            del os.environ[key]
        os.environ.update(env)
        os.chdir(work)
        fast = boot_settings(**flags)
        try:
            full: BootSettings | None = BootSettings.of(Settings(**{k: v for k, v in flags.items() if v is not None}))
        except ValueError:
            full = None  # pydantic refuses the value: the fast path must have declined too
        if full is None:
            assert fast is None
        elif fast is not None:  # declining is always allowed; answering must agree
            assert fast == full
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)


def test_boot_settings_decline_when_a_config_file_applies(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "default.yml").write_text("data_root: /tmp/from-file\n", encoding="utf-8")
    assert boot_settings() is None  # the YAML file is pydantic-settings' to read


def test_boot_settings_answer_from_flags_environment_and_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DW_SIM_DATA_ROOT", "~/from-env")
    monkeypatch.setenv("dw_sim_log_format", "json")
    (tmp_path / ".env").write_text("DW_SIM_LOG_LEVEL=INFO\nDW_SIM_LOG_FORMAT=text\n", encoding="utf-8")
    fast = boot_settings()
    assert fast == BootSettings(Path("~/from-env").expanduser(), "json", "INFO")  # environment over .env
    assert fast == BootSettings.of(Settings())
    assert boot_settings(log_level="ERROR", data_root=tmp_path) == BootSettings(tmp_path, "json", "ERROR")
