"""The import graph of `dw_simulator`, read from the source with `ast` (nothing is imported).

Edges are what running a module can import, so a cycle cannot hide:
  * imports anywhere in a module count, function-level ones included; `if TYPE_CHECKING:` blocks (which never run)
    count only in the type-level graph (`graph(type_level=True)`);
  * importing `a.b.c` also runs the `__init__` of `a` and `a.b`: edges go to those packages too, except to the
    importer's own ancestors (already running when the importer is);
  * `from a.b import c` is an edge to the module `a.b.c` when it exists, else to the package `a.b` (its `__init__`).
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dw_simulator"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


@dataclass(frozen=True)
class Import:
    target: str  # a dw_simulator module, or the top-level name of a third-party package
    line: int
    function_level: bool
    type_checking: bool = False  # under `if TYPE_CHECKING:` (only in the type-level graph)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


Found = list[tuple[ast.Import | ast.ImportFrom, bool, bool]]  # (import, function-level, under TYPE_CHECKING)


def _walk(node: ast.AST, type_level: bool, in_function: bool = False, in_type_checking: bool = False) -> Found:
    found: Found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            if type_level:
                for inner in child.body:
                    found += _walk_one(inner, type_level, in_function, True)
            for other in child.orelse:
                found += _walk_one(other, type_level, in_function, in_type_checking)
            continue
        found += _walk_one(child, type_level, in_function, in_type_checking)
    return found


def _walk_one(node: ast.AST, type_level: bool, in_function: bool, in_type_checking: bool) -> Found:
    found: Found = []
    if isinstance(node, ast.Import | ast.ImportFrom):
        found.append((node, in_function, in_type_checking))
    nested = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    return found + _walk(node, type_level, nested, in_type_checking)


def imports_of(name: str, path: Path, known: set[str], *, type_level: bool = False) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Import] = []
    for node, in_function, in_type_checking in _walk(tree, type_level):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                targets.append(candidate if candidate in known else module)
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                while target not in known and "." in target:  # `import a.b.attr` style: the nearest module
                    target = target.rsplit(".", 1)[0]
                out.append(Import(target, node.lineno, in_function, in_type_checking))
            else:
                out.append(Import(target.split(".")[0], node.lineno, in_function, in_type_checking))
    return out


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def graph(*, type_level: bool = False) -> dict[str, dict[str, Import]]:
    """module -> {imported dw_simulator module -> the first import that reaches it}. With `type_level`, the
    imports under `if TYPE_CHECKING:` count too."""
    found = modules()
    known = set(found)
    edges: dict[str, dict[str, Import]] = {name: {} for name in found}
    for name, path in found.items():
        own = set(ancestors(name))
        for imp in imports_of(name, path, known, type_level=type_level):
            if imp.target not in known:
                continue
            for target in [*ancestors(imp.target), imp.target]:
                if target != name and target not in own:
                    edges[name].setdefault(target, imp)
    return edges


def third_party_imports() -> dict[str, list[Import]]:
    found = modules()
    known = set(found)
    return {
        name: [i for i in imports_of(name, path, known) if not i.target.startswith(PACKAGE)]
        for name, path in found.items()
    }


def cycles(edges: dict[str, dict[str, Import]]) -> list[tuple[list[str], list[str]]]:
    """For each strongly connected component of more than one module: its members and one cycle through them (a
    closed path)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:  # Tarjan; the graph is small enough for recursion
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges[node]):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return [(c, _a_cycle(c, edges)) for c in sorted(components)]


def _a_cycle(component: list[str], edges: dict[str, dict[str, Import]]) -> list[str]:
    """The shortest cycle through the component's first module (breadth-first inside the component)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for succ in sorted(edges[node]):
            if succ == start:
                return [*paths[node], start]
            if succ in members and succ not in paths:
                paths[succ] = [*paths[node], succ]
                queue.append(succ)
    return [*component, start]


def describe(found: tuple[list[str], list[str]], edges: dict[str, dict[str, Import]]) -> str:
    members, cycle = found
    steps = []
    for here, there in itertools.pairwise(cycle):
        imp = edges[here][there]
        where = ("function-level " if imp.function_level else "") + ("TYPE_CHECKING " if imp.type_checking else "")
        via = f" (via {imp.target})" if imp.target != there else ""
        steps.append(f"  {here} -> {there}: {where}import at line {imp.line}{via}")
    head = " -> ".join(m.removeprefix(PACKAGE + ".") for m in cycle)
    if len(members) > len(cycle) - 1:
        head += f"\n  (one of the cycles among {len(members)} modules: {', '.join(members)})"
    return head + "\n" + "\n".join(steps)
