"""Fuzzers (hypothesis, bounded and derandomised): whatever a user sends, dw-sim answers with its own error type
(`DwSimError`: a clear message naming the field, line or value), never an internal exception.

Inputs are the shapes that broke dw-sim before: integers of hundreds of digits, decimals with absurd exponents,
lone surrogates (`\\ud800`), JSON/YAML nested thousands deep, `DECIMAL(38,0) PRIMARY KEY`, queries nested in
parentheses, and random mixes of them with valid pieces. `FUZZ_EXAMPLES` raises the number of examples.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dw_simulator.config import Settings
from dw_simulator.ddl import import_sql
from dw_simulator.errors import DwSimError
from dw_simulator.schema import load_schema_text
from dw_simulator.schema.loader import load_schema_data
from dw_simulator.service import Simulator
from dw_simulator.sql.nesting import BASE_FRAMES, FRAMES_PER_LEVEL, MAX_NESTING

# what translating the deepest query dw-sim accepts needs (`sql.nesting`), set before hypothesis watches the limit
sys.setrecursionlimit(max(sys.getrecursionlimit(), BASE_FRAMES + FRAMES_PER_LEVEL * MAX_NESTING))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
COUNTS: dict[str, dict[str, int]] = {}
# hypothesis lowers the limit while it runs an example, and deep queries raise it again: expected here
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def _outcome(name: str, call: Callable[[], Any]) -> None:
    """Run `call`; count how it ended; re-raise anything that is not dw-sim's own error (the test then fails)."""
    tally = COUNTS.setdefault(name, {"examples": 0, "accepted": 0, "project_errors": 0, "unexpected": 0})
    tally["examples"] += 1
    try:
        call()
    except DwSimError as exc:
        assert exc.message and isinstance(exc.message, str)
        tally["project_errors"] += 1
        return
    except BaseException:
        tally["unexpected"] += 1
        raise
    tally["accepted"] += 1


# -- hostile pieces ----------------------------------------------------------------------------------------------
huge_int = st.integers(min_value=10**18, max_value=10**400).map(str) | st.just("9" * 5000)
odd_decimal = st.sampled_from(
    ["1e999999999", "1e-999999999", "-1E+400", "0.000000000000000000000000000000000000000001", "1.5e38", "1e28",
     "99999999999999999999999999999999999999.99", "NaN", "Infinity", "-0.0e-0"]
)  # fmt: skip
surrogate = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\ud83d"])
number = huge_int | odd_decimal | st.integers(-(10**6), 10**6).map(str)
deep = st.integers(min_value=20, max_value=3000)


@st.composite
def hostile_ddl(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["check", "default", "type", "identity", "paren", "surrogate", "pk", "mix"]))
    n = draw(number)
    m = draw(number)
    if kind == "check":
        column_type = draw(st.sampled_from(["INT", "BIGINT", "DECIMAL(38,0)", "NUMERIC(10,2)", "FLOAT"]))
        return f"CREATE TABLE t (a {column_type} CHECK (a BETWEEN {n} AND {m}))"
    if kind == "default":
        return f"CREATE TABLE t (a DECIMAL(38,10) DEFAULT {n}, b INT CHECK (b > {m}))"
    if kind == "type":
        return f"CREATE TABLE t (a DECIMAL({n},{m}), b VARCHAR({n}), c CHAR({m}))"
    if kind == "identity":
        return f"CREATE TABLE t (a BIGINT IDENTITY({n}, {m}), b INT)"
    if kind == "paren":
        depth = draw(deep)
        return f"CREATE TABLE t (a INT CHECK ({'(' * depth}a > 1{')' * depth}))"
    if kind == "surrogate":
        return f"CREATE TABLE t{draw(surrogate)} (a INT COMMENT '{draw(surrogate)}')"
    if kind == "pk":
        p = draw(st.integers(1, 38))
        return f"CREATE TABLE t (a DECIMAL({p},{draw(st.integers(0, p))}) PRIMARY KEY, b DECIMAL(38,0) UNIQUE)"
    pieces = draw(
        st.lists(st.sampled_from(["(", ")", n, m, "CHECK", "DEFAULT", "a", ",", "IN", "AND", "'x'"]), max_size=30)
    )
    return "CREATE TABLE t (a INT " + " ".join(pieces) + ")"


def _nest(depth: int, inner: str, opener: str, closer: str) -> str:
    return opener * depth + inner + closer * depth


@st.composite
def hostile_schema_text(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["deep_json", "deep_yaml", "surrogate", "huge", "random", "mutated", "dec38"]))
    if kind == "deep_json":
        depth = draw(deep)
        return draw(st.sampled_from([_nest(depth, "1", "[", "]"), _nest(depth, "1", '{"a":', "}")]))
    if kind == "deep_yaml":
        depth = draw(deep)
        return draw(st.sampled_from(["- " * depth + "x", _nest(depth, "x", "[", "]"), "a:\n" + "".join(
            "  " * i + f"k{i}:\n" for i in range(1, min(depth, 300))) + "  " * min(depth, 300) + "v"]))  # fmt: skip
    if kind == "surrogate":
        field_ = draw(st.sampled_from(["name", "description", "faker_rule", "data_type"]))
        column = {"name": "a", "data_type": "INT", field_: draw(surrogate)} if field_ != "name" else {"name": "a"}
        doc = {
            "name": "s" + (draw(surrogate) if field_ == "name" else ""),
            "tables": [{"name": "t", "columns": [column]}],
        }
        return json.dumps(doc) if draw(st.booleans()) else json.dumps(doc, ensure_ascii=False)
    if kind == "huge":
        return (
            '{"name":"h","tables":[{"name":"t","target_rows":' + draw(number) + ',"columns":[{"name":"a",'
            '"data_type":"DECIMAL(38,0)","min_value":' + draw(number) + ',"max_value":' + draw(number) + "}]}]}"
        )
    if kind == "dec38":
        p = draw(st.integers(28, 38))
        column = {"name": "a", "data_type": f"DECIMAL({p},0)", "is_unique": True}
        return json.dumps({"name": "d", "tables": [{"name": "t", "target_rows": draw(st.integers(0, 10**10)),
                                                    "columns": [column]}]})  # fmt: skip
    if kind == "mutated":
        base = '{"name":"m","tables":[{"name":"t","target_rows":10,"columns":[{"name":"a","data_type":"INT"}]}]}'
        i = draw(st.integers(0, len(base)))
        return (
            base[:i]
            + draw(st.sampled_from(["[" * 2000, "{", "\ud800", "1" * 5000, "}", ":", "e9999", "\\u"]))
            + base[i:]
        )
    return draw(st.text(max_size=300))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | st.text(max_size=20) | surrogate,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@st.composite
def hostile_query(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["parens", "subqueries", "nots", "numbers", "surrogate", "soup"]))
    depth = draw(st.integers(1, 400))
    if kind == "parens":
        return "SELECT " + _nest(depth, "1", "(", ")")
    if kind == "subqueries":
        return "SELECT * FROM " + "(SELECT * FROM " * depth + "customers" + ") s" * depth
    if kind == "nots":
        return "SELECT 1 WHERE " + "NOT " * (depth * 10) + "TRUE"
    if kind == "numbers":
        return f"SELECT {draw(number)} + {draw(number)}, CAST({draw(number)} AS DECIMAL(38,0))"
    if kind == "surrogate":
        return f"SELECT '{draw(surrogate)}' AS x"
    words = ["SELECT", "FROM", "customers", "WHERE", "(", ")", ",", "1", "email", "LIKE", "'%a'", "GROUP", "BY",
             "ORDER", "LIMIT", "JOIN", "ON", "=", "NULL", "CASE", "WHEN", "THEN", "END", "::", "VARCHAR"]  # fmt: skip
    words.append(draw(number))
    return " ".join(draw(st.lists(st.sampled_from(words), min_size=1, max_size=40)))


@FUZZ
@given(sql=hostile_ddl(), dialect=st.sampled_from(["redshift", "snowflake", "postgres"]))
def test_ddl_import_answers_with_its_own_errors(sql: str, dialect: str) -> None:
    _outcome("ddl import", lambda: import_sql(sql, dialect, name="fuzz"))


@FUZZ
@given(text=hostile_schema_text())
def test_schema_loader_answers_with_its_own_errors(text: str) -> None:
    _outcome("schema loader (text)", lambda: load_schema_text(text))


@FUZZ
@given(data=json_values, doc=st.booleans())
def test_schema_loader_takes_any_parsed_data(data: Any, doc: bool) -> None:
    value = {"name": "x", "tables": [{"name": "t", "columns": [{"name": "a", "data_type": "INT", "min_value": data}]}]}
    _outcome("schema loader (data)", lambda: load_schema_data(value if doc else data))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    with Simulator(Settings(data_root=root / "data")) as simulator:
        example = Path(__file__).resolve().parents[2] / "dw_simulator" / "examples" / "ecommerce_experiment.json"
        simulator.create_experiment_from_file(example)
        simulator.generate("ecommerce_experiment", seed=1)
        yield simulator


@FUZZ
@given(sql=hostile_query(), dialect=st.sampled_from(["redshift", "snowflake", "duckdb"]))
def test_queries_answer_with_their_own_errors(sim: Simulator, sql: str, dialect: str) -> None:
    _outcome("query", lambda: sim.query("ecommerce_experiment", sql, dialect=dialect, limit=5))


def test_the_findings_work_end_to_end_over_http(tmp_path: Path) -> None:
    """The fuzz findings that answered HTTP 500: DECIMAL(38,0) PRIMARY KEY (import, create, generate) and a query
    nested 50 parentheses deep now work; deeper or absurd inputs get a 4xx naming the problem."""
    from fastapi.testclient import TestClient

    from dw_simulator.api import create_app

    with TestClient(create_app(Settings(data_root=tmp_path / "data")), base_url="http://127.0.0.1") as client:
        sql = "CREATE TABLE big_keys (id DECIMAL(38,0) PRIMARY KEY, code NUMERIC(38,10) UNIQUE, n INT);"
        created = client.post("/api/experiments/import-sql", json={"sql": sql, "dialect": "redshift", "name": "k"})
        assert created.status_code == 201, created.text
        started = client.post("/api/experiments/k/generate", json={"rows": {"big_keys": 2000}, "seed": 1})
        assert started.status_code in (200, 202), started.text
        run_id = started.json()["run_id"]
        for _ in range(600):
            run = client.get(f"/api/runs/{run_id}").json()
            if run["status"] not in ("PENDING", "RUNNING"):
                break
            __import__("time").sleep(0.1)
        assert run["status"] == "COMPLETED", run
        deep = "SELECT " + "(" * 50 + "count(DISTINCT id)" + ")" * 50 + " FROM big_keys"
        answer = client.post("/api/experiments/k/query", json={"sql": deep})
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == [[2000]]
        too_deep = client.post("/api/experiments/k/query", json={"sql": "SELECT " + "(" * 500 + "1" + ")" * 500})
        assert too_deep.status_code == 400 and "levels deep" in too_deep.json()["message"]
        bad = client.post("/api/experiments", content='{"name":"x","tables":' + "[" * 5000 + "]" * 5000 + "}",
                          headers={"content-type": "application/json"})  # fmt: skip
        assert 400 <= bad.status_code < 500, bad.text
        absurd = client.post("/api/experiments/k/generate", json={"rows": {"big_keys": 10**10}, "workers": 64})
        assert absurd.status_code in (400, 422) and "workers" in absurd.json()["message"], absurd.text
        huge = client.post("/api/experiments/k/generate", json={"rows": {"big_keys": 10**10}})
        assert huge.status_code in (400, 422) and "max_rows_per_run" in huge.json()["message"], huge.text


def test_fuzz_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the counts; every fuzzer ran and none saw an exception that is not dw-sim's own."""
    with capsys.disabled():
        print("\nfuzz tally (examples: accepted / clear dw-sim errors / unexpected exceptions):")
        for name, tally in COUNTS.items():
            print(f"  {name:<22} {tally['examples']:>5}: {tally['accepted']:>4} / {tally['project_errors']:>4} / "
                  f"{tally['unexpected']}")  # fmt: skip
    assert set(COUNTS) == {"ddl import", "schema loader (text)", "schema loader (data)", "query"}
    assert all(t["unexpected"] == 0 and t["examples"] > 0 for t in COUNTS.values())
