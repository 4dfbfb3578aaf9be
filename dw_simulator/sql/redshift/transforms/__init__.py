"""AST rewrites from Redshift SQL to what PostgreSQL or DuckDB run with the same meaning, one module per SQL topic.

Each rewrite is a small `(node, Context) -> node` function named after the construct it handles, with the Redshift
documentation page it follows in its docstring: `identifiers`, `table_definitions` (temporary tables, SELECT INTO,
column types), `dates`, `aggregates` (and window functions), `super_values` (SUPER casts, navigation, unnesting),
`system_views`, and for PostgreSQL only `qualify` and `pivot`. `chain.rewrite(expression, engine, catalog)`
applies them in order. May import: errors, `sql.redshift.dialect` (library calls), sqlglot.
"""

from __future__ import annotations

from dw_simulator.sql.redshift.transforms.chain import REWRITES, rewrite
from dw_simulator.sql.redshift.transforms.context import Catalog, Context, Engine

__all__ = ["REWRITES", "Catalog", "Context", "Engine", "rewrite"]
