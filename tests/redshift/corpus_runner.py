"""Runs the Redshift fidelity corpus (corpus.yaml) on one engine and reports each case's outcome."""

from __future__ import annotations

import gzip
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dw_simulator.backends.base import WarehouseBackend
from dw_simulator.errors import DwSimError
from dw_simulator.schema import load_schema_data
from dw_simulator.staging import LocalStage

CORPUS = Path(__file__).with_name("corpus.yaml")
DOC = Path(__file__).parents[2] / "docs" / "redshift-compatibility.md"
EXPERIMENT = "rs_corpus"


def load_corpus() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text())


def known_failures() -> dict[str, set[str]]:
    """engine -> case ids listed in docs/redshift-compatibility.md's table of known differences."""
    out: dict[str, set[str]] = {"postgres": set(), "duckdb": set()}
    for line in DOC.read_text().splitlines():
        match = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|\s*([a-z, ]+?)\s*\|", line)
        if match:
            for engine in match.group(2).split(","):
                out.setdefault(engine.strip(), set()).add(match.group(1))
    return out


def write_files(stage: LocalStage, files: dict[str, Any]) -> None:
    for key, content in files.items():
        url = f"s3://corpus/{key}"
        if isinstance(content, dict) and "gzip" in content:
            stage.write(url, gzip.compress(content["gzip"].encode()))
        elif isinstance(content, dict) and "parquet" in content:
            sink = io.BytesIO()
            pq.write_table(pa.table(content["parquet"]), sink)
            stage.write(url, sink.getvalue())
        else:
            stage.write(url, str(content).encode())


def normalize(value: Any, as_json: bool = False) -> Any:
    if value is None:
        return None
    if as_json and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 4)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") + (f".{value.microsecond:06d}" if value.microsecond else "")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(value)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-4)
    return bool(a == b)


@dataclass
class Outcome:
    id: str
    passed: bool
    detail: str = ""


def prepare(backend: WarehouseBackend, stage: LocalStage, corpus: dict[str, Any]) -> None:
    schema = load_schema_data(
        {"name": EXPERIMENT, "tables": [{"name": "corpus_marker", "columns": [{"name": "id", "data_type": "INT"}]}]}
    )
    backend.create_experiment(schema)
    backend.query(EXPERIMENT, corpus["setup"], dialect="redshift", limit=None)
    write_files(stage, corpus["files"])


def run_case(backend: WarehouseBackend, stage: LocalStage, case: dict[str, Any]) -> Outcome:
    try:
        result = backend.query(EXPERIMENT, case["sql"], dialect="redshift", limit=None)
    except DwSimError as exc:
        if "expect_error" in case and case["expect_error"] in exc.message:
            return Outcome(case["id"], True)
        return Outcome(case["id"], False, f"error: {exc.message}")
    if "expect_error" in case:
        return Outcome(case["id"], False, "expected an error, got none")
    if "expect_object" in case:
        spec = case["expect_object"]
        try:
            text = stage.read(spec["url"]).decode()
        except DwSimError as exc:
            return Outcome(case["id"], False, exc.message)
        if "text" in spec and text != spec["text"]:
            return Outcome(case["id"], False, f"object holds {text!r}, expected {spec['text']!r}")
        if "contains" in spec and spec["contains"] not in text:
            return Outcome(case["id"], False, f"object lacks {spec['contains']!r}: {text!r}")
        return Outcome(case["id"], True)
    as_json = bool(case.get("json"))
    got = [[normalize(v, as_json) for v in row] for row in result.rows]
    expected = [[normalize(v, as_json) for v in row] for row in case["expect"]]
    ok = len(got) == len(expected) and all(
        len(g) == len(e) and all(same(x, y) for x, y in zip(g, e, strict=True))
        for g, e in zip(got, expected, strict=True)
    )
    return Outcome(case["id"], ok, "" if ok else f"got {got}, expected {expected}")


def run_corpus(backend: WarehouseBackend, stage: LocalStage) -> list[Outcome]:
    corpus = load_corpus()
    prepare(backend, stage, corpus)
    return [run_case(backend, stage, case) for case in corpus["cases"]]
