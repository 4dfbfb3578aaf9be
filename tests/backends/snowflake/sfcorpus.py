"""The Snowflake corpus (corpus/*.yaml): loading it and judging a case's outcome against the documented result.

A corpus file holds one area (coercion, formats, scripting...): `setup` statements run once in the file's database,
then `cases`, each with `id`, `doc` (the Snowflake documentation page its expected result comes from), optional
`setup` (run first, in the same session), `sql` (one statement or a list; the last one's rows are compared) and
optional `columns` (compare only these) or `names` (the exact result column names), and
either `expect` (rows) or `error` (text the error message must contain: the unsupported-feature message, or
Snowflake's own error). Every case runs in a session of its own, so session state (variables, ALTER SESSION)
never leaks into the next case.

Cells compare as in the fidelity corpus: lists/dicts structurally with the JSON text returned, numbers to 1e-6,
dates and timestamps by ISO text, rows in order when `ordered` (default: the last statement has ORDER BY).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
KNOWN_GAPS = CORPUS_DIR / "known_gaps.yaml"
UNSUPPORTED = "not supported on the embedded Snowflake endpoint: "


@dataclass(frozen=True)
class Case:
    area: str
    id: str
    doc: str
    setup: tuple[str, ...]
    statements: tuple[str, ...]
    expect: list[list[Any]] | None
    error: str | None
    ordered: bool
    columns: tuple[str, ...] | None  # compare only these result columns (matched case-insensitively)
    names: tuple[str, ...] | None  # the result's column names, exactly


@dataclass(frozen=True)
class Area:
    name: str
    setup: tuple[str, ...]
    cases: tuple[Case, ...]


@dataclass
class Outcome:
    passed: bool
    detail: str  # what was seen when it failed
    rows: list[list[Any]] | None = None


def load_areas(directory: Path = CORPUS_DIR) -> list[Area]:
    areas = []
    for path in sorted(directory.glob("*.yaml")):
        if path == KNOWN_GAPS:
            continue
        data = yaml.safe_load(path.read_text())
        name = path.stem
        assert isinstance(data, dict) and isinstance(data.get("cases"), list), f"{path}: needs a `cases` list"
        cases = []
        for raw in data["cases"]:
            assert {"id", "doc", "sql"} <= set(raw), f"{path}: case {raw.get('id')} needs id, doc and sql"
            assert ("expect" in raw) != ("error" in raw), f"{path}: case {raw['id']} needs `expect` or `error`"
            sql = raw["sql"]
            statements = tuple(sql if isinstance(sql, list) else [sql])
            cases.append(
                Case(
                    area=name,
                    id=raw["id"],
                    doc=raw["doc"],
                    setup=tuple(raw.get("setup", [])),
                    statements=statements,
                    expect=raw.get("expect"),
                    error=raw.get("error"),
                    ordered=raw.get("ordered", bool(re.search(r"\border\s+by\b", statements[-1], re.I))),
                    columns=tuple(raw["columns"]) if raw.get("columns") else None,
                    names=tuple(raw["names"]) if raw.get("names") else None,
                )
            )
        areas.append(Area(name, tuple(data.get("setup", [])), tuple(cases)))
    return areas


def known_gaps() -> dict[str, str]:
    """case id -> why it fails on the embedded endpoint (corpus/known_gaps.yaml)."""
    data = yaml.safe_load(KNOWN_GAPS.read_text()) if KNOWN_GAPS.exists() else None
    return {str(k): str(v) for k, v in (data or {}).items()}


# -- judging ---------------------------------------------------------------------------------------------------------
# runs the statements of one case in one fresh session; returns (column names, rows of the last statement)
Runner = Callable[[Sequence[str]], tuple[list[str], list[list[Any]]]]


def judge(case: Case, run: Runner) -> Outcome:
    try:
        columns, rows = run([*case.setup, *case.statements])
    except Exception as exc:  # the endpoint refused the statement: compare with `error`, else a failure
        message = " ".join(str(getattr(exc, "msg", None) or exc).split())
        if case.error is not None and case.error.lower() in message.lower():
            return Outcome(True, "")
        return Outcome(False, f"{type(exc).__name__}: {message}"[:400])
    if case.error is not None:
        return Outcome(False, f"expected an error containing {case.error!r}, got {rows!r}"[:400], rows)
    if case.names and list(case.names) != columns:
        return Outcome(False, f"result columns {columns}, expected {list(case.names)}", rows)
    if case.columns:
        names = [c.lower() for c in columns]
        missing = [c for c in case.columns if c.lower() not in names]
        if missing:
            return Outcome(False, f"no column {missing} in {columns}", rows)
        indexes = [names.index(c.lower()) for c in case.columns]
        rows = [[row[i] for i in indexes] for row in rows]
    assert case.expect is not None
    if rows_match(case.expect, rows, case.ordered):
        return Outcome(True, "", rows)
    return Outcome(False, f"got {rows!r}"[:400], rows)


def rows_match(expected: list[list[Any]], rows: list[list[Any]], ordered: bool) -> bool:
    if len(rows) != len(expected):
        return False
    if ordered:
        return all(row_same(e, r) for e, r in zip(expected, rows, strict=True))
    remaining = list(rows)
    for want in expected:
        hit = next((r for r in remaining if row_same(want, r)), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def row_same(expected: Sequence[Any], actual: Sequence[Any]) -> bool:
    return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual, strict=True))


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
        if isinstance(actual, bytes | bytearray):
            return bytes(actual).hex().upper() == expected.upper()
        return str(actual) == expected
    return bool(expected == actual)


def tally(outcomes: dict[str, Outcome], areas: list[Area]) -> str:
    """Passed/total per area and overall, for the test's report."""
    lines = []
    total = passed = 0
    for area in areas:
        ids = [c.id for c in area.cases]
        ok = sum(1 for i in ids if outcomes[i].passed)
        lines.append(f"  {area.name:<14} {ok:>4}/{len(ids):<4}")
        total += len(ids)
        passed += ok
    lines.append(f"  {'total':<14} {passed:>4}/{total:<4} ({passed / max(total, 1):.1%})")
    return "\n".join(lines)
