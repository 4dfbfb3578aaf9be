"""The shape of the package: no import cycles (function-level imports included) and the layers' contracts.

Layers, top to bottom (docs/architecture.md draws them):
  front ends  cli, api, endpoints, __main__
  service     service, service_runs, run_output, results, schema_edits, preview, statements
  domains     generator, ddl, sql, backends, staging, metadata, observability, connections
  floor       schema, config, boot_settings, errors, logs (and the package's own __init__)
A layer may import its own and the layers below it, never one above. Front ends never import a database driver,
sqlglot or boto3 (they call the service, which calls the domains that do).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_graph import PACKAGE, Import, cycles, describe, graph, third_party_imports

FRONT_ENDS = ("cli", "api", "endpoints", "__main__")
SERVICE = ("service", "service_runs", "run_output", "results", "schema_edits", "preview", "statements")
DOMAINS = ("generator", "ddl", "sql", "backends", "staging", "metadata", "observability", "connections")
FLOOR = ("schema", "config", "boot_settings", "errors", "logs", "examples")
LAYERS = {"front end": FRONT_ENDS, "service": SERVICE, "domain": DOMAINS, "floor": FLOOR}
RANK = {"front end": 3, "service": 2, "domain": 1, "floor": 0}
DRIVERS = ("duckdb", "psycopg", "psycopg2", "sqlglot", "boto3", "botocore", "snowflake", "fakesnow")


def layer_of(module: str) -> str:
    if module == PACKAGE:
        return "floor"
    top = module.split(".")[1]
    for layer, names in LAYERS.items():
        if top in names:
            return layer
    raise AssertionError(f"{module}: not in any layer; add its package to a layer in {__file__}")


EDGES = graph()


def test_every_module_is_in_a_layer() -> None:
    for module in EDGES:
        layer_of(module)


def test_no_import_cycles() -> None:
    found = cycles(EDGES)
    report = "\n\n".join(describe(c, EDGES) for c in found)
    assert not found, f"{len(found)} import cycle(s) in {PACKAGE} (function-level imports count too):\n\n{report}"


def test_no_import_cycles_even_through_type_annotations() -> None:
    """`if TYPE_CHECKING:` imports never run, but a cycle through them still ties two rooms together."""
    edges = graph(type_level=True)
    found = cycles(edges)
    report = "\n\n".join(describe(c, edges) for c in found)
    assert not found, f"{len(found)} import cycle(s) in {PACKAGE} counting TYPE_CHECKING imports:\n\n{report}"


def test_layers_import_only_downwards() -> None:
    wrong = [
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)}) at line {imp.line}"
        for module, targets in EDGES.items()
        for target, imp in targets.items()
        if RANK[layer_of(target)] > RANK[layer_of(module)]
    ]
    assert not wrong, "imports that go up a layer:\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("front_end", ["cli", "api"])
def test_front_ends_import_no_driver_sqlglot_or_boto3(front_end: str) -> None:
    wrong = [
        f"{module} imports {imp.target} at line {imp.line}"
        for module, imports in third_party_imports().items()
        if module.split(".")[1:2] == [front_end]
        for imp in imports
        if imp.target in DRIVERS
    ]
    assert not wrong, "\n".join(wrong)


def test_the_graph_sees_function_level_and_package_imports() -> None:
    """The checker itself: a function-level import is an edge, and so is the package __init__ it runs."""
    service_edges = EDGES[f"{PACKAGE}.service"]
    assert f"{PACKAGE}.backends" in service_edges  # imported inside Simulator.backend()
    assert service_edges[f"{PACKAGE}.backends"].function_level
    assert f"{PACKAGE}.metadata" not in EDGES[f"{PACKAGE}.metadata.store"]
    assert f"{PACKAGE}.metadata" in EDGES[f"{PACKAGE}.service"]  # `from dw_simulator.metadata import ...`


def test_cycles_are_found_and_described() -> None:
    """The checker on a made-up graph: a -> b -> c -> a is one cycle, d -> a is not part of it."""
    imp = Import("x", 1, function_level=True)
    edges = {"a": {"b": imp}, "b": {"c": imp}, "c": {"a": imp}, "d": {"a": imp}}
    found = cycles(edges)
    assert found == [(["a", "b", "c"], ["a", "b", "c", "a"])]
    assert "function-level import at line 1" in describe(found[0], edges)


def test_the_architecture_doc_names_modules_that_exist() -> None:
    """docs/architecture.md draws the package: every module path it names (a/b.py) is there."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b([a-z_]+(?:/[a-z_]+)+\.py)\b", text))
    assert len(named) >= 10
    missing = [p for p in sorted(named) if not (root / PACKAGE / p).is_file() and not (root / p).is_file()]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
