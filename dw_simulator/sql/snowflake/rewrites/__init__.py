"""Named AST rewrites that close gaps of the embedded Snowflake emulator (fakesnow on DuckDB), by SQL topic.

Rewrites in `PRE_REWRITES` receive the user's statement parsed with `read="snowflake"` and return an expression
that fakesnow then transpiles to DuckDB. They build DuckDB functions as `exp.Anonymous` nodes (`nodes.py`), which
sqlglot writes out unchanged, so the result is what DuckDB evaluates. `POST_REWRITES` run on fakesnow's output.
Topics: `session` (CURRENT_*, GET_DDL), `semistructured`, `scalar_functions`, `aggregates`, `column_names`,
`table_definitions`; `chain` orders them. May import: sqlglot only.
"""

from __future__ import annotations

from dw_simulator.sql.snowflake.rewrites.chain import POST_REWRITES, PRE_REWRITES, apply_post, apply_pre
from dw_simulator.sql.snowflake.rewrites.column_names import name_columns, select_item_texts, snowflake_column_name
from dw_simulator.sql.snowflake.rewrites.context import Rewrite, SessionContext

__all__ = [
    "POST_REWRITES",
    "PRE_REWRITES",
    "Rewrite",
    "SessionContext",
    "apply_post",
    "apply_pre",
    "name_columns",
    "select_item_texts",
    "snowflake_column_name",
]
