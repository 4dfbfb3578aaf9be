"""Advisory: the package's modules over 400 lines (`make test` prints them; it never fails).

A module that is mostly one literal table (a dict or list of data, such as a function-name map) is marked
"data table": its length is its content, not several jobs in one room.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LIMIT = 400
ROOT = Path(__file__).resolve().parent.parent / "dw_simulator"


def data_share(tree: ast.Module, lines: int) -> float:
    """The share of the file's lines taken by module-level literal containers."""
    spans = 0
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Dict | ast.List | ast.Tuple | ast.Set) and node.end_lineno is not None:
            spans += node.end_lineno - node.lineno + 1
    return spans / max(lines, 1)


def main() -> int:
    rows = []
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines > LIMIT:
            share = data_share(ast.parse(text), lines)
            rows.append((lines, path.relative_to(ROOT.parent), " (data table)" if share > 0.5 else ""))
    if not rows:
        print(f"module sizes: every module is at most {LIMIT} lines")
        return 0
    print(f"module sizes (advisory): {len(rows)} module(s) over {LIMIT} lines")
    for lines, path, note in sorted(rows, reverse=True):
        print(f"  {lines:>5}  {path}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
