"""The shape of the package: no import cycles (function-level imports included) and the layers' contracts.

Layers, top to bottom (docs/architecture.md draws them):
  front ends  cli, api, endpoints, __main__
  service     service, service_runs, results
  domains     generator, ddl, sql, backends, staging, metadata, observability, connections
  floor       schema, config, boot_settings, errors, logs (and the package's own __init__)
A layer may import its own and the layers below it, never one above. Front ends never import a database driver,
sqlglot or boto3 (they call the service, which calls the domains that do).
"""

from __future__ import annotations

import pytest
from import_graph import PACKAGE, cycles, describe, graph, third_party_imports

FRONT_ENDS = ("cli", "api", "endpoints", "__main__")
SERVICE = ("service", "service_runs", "results")
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
