"""The Snowflake fidelity corpus (fidelity_corpus.yaml) through the real connector against the embedded endpoint.

At least 95% of the statements must give the documented result, and the ones that do not must be exactly those
listed under "Known gaps" in docs/snowflake-compatibility.md, so the documentation never drifts from the code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

Connect = Any  # the `connect` fixture: opens a real connector connection

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "fidelity_corpus.yaml"
DOC = HERE.parents[2] / "docs" / "snowflake-compatibility.md"
MIN_CASES = 80
MIN_PASS_RATE = 0.95


def load_corpus() -> dict[str, Any]:
    data = yaml.safe_load(CORPUS.read_text())
    assert isinstance(data, dict) and isinstance(data.get("cases"), list)
    return data


def documented_gaps() -> set[str]:
    """Case ids listed as `- \\`case_id\\`: reason` under the "Known gaps" heading of the compatibility doc."""
    text = DOC.read_text()
    match = re.search(r"^## Known gaps.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"{DOC} has no '## Known gaps' section"
    return set(re.findall(r"^- `([a-z0-9_]+)`", match.group(1), re.M))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return None


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, dict | list):
        if isinstance(actual, str):
            try:
                actual = json.loads(actual)
            except ValueError:
                return False
        if isinstance(expected, dict):
            return (
                isinstance(actual, dict)
                and set(expected) == set(actual)
                and all(same(expected[k], actual[k]) for k in expected)
            )
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual is expected
    if isinstance(expected, int | float):
        number = _number(actual)
        if number is None and isinstance(actual, str):
            try:
                number = float(actual)
            except ValueError:
                return False
        return number is not None and math.isclose(number, float(expected), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(expected, str):
        iso = _iso(actual)
        if iso is not None:
            return iso == expected or iso == expected.replace("T", " ")
        if isinstance(actual, bytes):
            return actual.hex().upper() == expected.upper()
        return str(actual) == expected
    return bool(expected == actual)


def run_case(cursor: Any, case: dict[str, Any]) -> tuple[bool, str]:
    for statement in case.get("setup", []):
        cursor.execute(statement)
    sql = case["sql"]
    statements = sql if isinstance(sql, list) else [sql]
    for statement in statements:
        cursor.execute(statement)
    rows = [list(r) for r in cursor.fetchall()]
    if wanted := case.get("columns"):
        names = [d.name.lower() for d in cursor.description]
        indexes = [names.index(c.lower()) for c in wanted]
        rows = [[row[i] for i in indexes] for row in rows]
    expected = case["expect"]
    ordered = case.get("ordered", bool(re.search(r"\border\s+by\b", statements[-1], re.I)))
    if not ordered:
        rows = sorted(rows, key=repr)
        expected = sorted(expected, key=repr)
        # match greedily, as reprs of actual and expected values differ
        remaining = list(rows)
        for want in case["expect"]:
            hit = next((r for r in remaining if _row_same(want, r)), None)
            if hit is None:
                return False, f"got {rows!r}"
            remaining.remove(hit)
        return (not remaining), f"got {rows!r}"
    if len(rows) != len(expected) or not all(_row_same(e, r) for e, r in zip(expected, rows, strict=True)):
        return False, f"got {rows!r}"
    return True, ""


def _row_same(expected: list[Any], actual: list[Any]) -> bool:
    return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual, strict=True))


def test_corpus_pass_rate_and_documented_gaps(connect: Connect) -> None:
    corpus = load_corpus()
    cases = corpus["cases"]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(cases) >= MIN_CASES
    conn = connect(database=f"FIDELITY_{uuid.uuid4().hex[:8].upper()}", schema="PUBLIC")
    cursor = conn.cursor()
    for statement in corpus["setup"]:
        cursor.execute(statement)
    failures: dict[str, str] = {}
    for case in cases:
        try:
            ok, detail = run_case(conn.cursor(), case)
        except Exception as exc:  # the endpoint rejected it: a failure of the case, reported below
            ok, detail = False, f"{type(exc).__name__}: {exc}".splitlines()[0]
        if not ok:
            failures[case["id"]] = detail
    passed = len(cases) - len(failures)
    rate = passed / len(cases)
    report = "\n".join(f"  {k}: {v[:300]}" for k, v in sorted(failures.items()))
    print(f"\nSnowflake fidelity corpus: {passed}/{len(cases)} pass ({rate:.1%})\n{report}")
    gaps = documented_gaps()
    assert set(failures) == gaps, (
        f"failing cases differ from docs/snowflake-compatibility.md 'Known gaps':\n"
        f"  failing but not documented: {sorted(set(failures) - gaps)}\n"
        f"  documented but passing: {sorted(gaps - set(failures))}\n{report}"
    )
    assert rate >= MIN_PASS_RATE, f"pass rate {rate:.1%} is below {MIN_PASS_RATE:.0%}\n{report}"


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        ({"a": 1}, '{"a": 1.0}', True),
        ([1, 2], "[1,2]", True),
        ([1, 2], "[2,1]", False),
        (3.141592654, 3.14159265358979, True),
        (3, Decimal("3.000"), True),
        (3, 4, False),
        ("2024-01-02", dt.date(2024, 1, 2), True),
        ("2013-05-08 13:22:33.444", dt.datetime(2013, 5, 8, 13, 22, 33, 444000), True),
        (True, 1, False),
        (None, None, True),
        (None, "NULL", False),
    ],
)
def test_comparison_rules(expected: Any, actual: Any, result: bool) -> None:
    assert same(expected, actual) is result
