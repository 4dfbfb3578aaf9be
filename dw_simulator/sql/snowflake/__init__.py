"""Fixes for the embedded Snowflake endpoint's gaps, as small named AST rewrites.

The embedded endpoint runs Snowflake SQL on DuckDB through fakesnow, which parses each statement with sqlglot
(`read="snowflake"`) and applies its own chain of rewrites. dw-sim adds two chains around it:

* `PRE_REWRITES` run on the statement as the user wrote it (Snowflake AST), before fakesnow's rewrites. They
  replace functions that fakesnow gets wrong or lacks (HASH, TYPEOF, RATIO_TO_REPORT, GET_DDL, CURRENT_ROLE...)
  with expressions DuckDB evaluates with Snowflake's documented result.
* `POST_REWRITES` run on fakesnow's output (DuckDB-bound AST) and undo rewrites of fakesnow's that lose
  information (SUM over a DOUBLE cast).

Each rewrite is an `Expr -> Expr` function named after the construct it fixes, with the Snowflake documentation
page it follows in its docstring, grouped by SQL topic in `rewrites/`. SQL UDFs (`CREATE FUNCTION ... AS 'expr'`)
are translated by `udf`; `ddl` prints GET_DDL text. May import: sqlglot only (fakesnow and DuckDB belong to
`dw_simulator.backends.snowflake`, which calls these).
"""

from __future__ import annotations

from dw_simulator.sql.snowflake.ddl import DescribedColumn, table_ddl
from dw_simulator.sql.snowflake.rewrites import (
    POST_REWRITES,
    PRE_REWRITES,
    SessionContext,
    apply_post,
    apply_pre,
    snowflake_column_name,
)
from dw_simulator.sql.snowflake.udf import UdfDefinition, UnsupportedUdf, parse_udf

__all__ = [
    "POST_REWRITES",
    "PRE_REWRITES",
    "DescribedColumn",
    "SessionContext",
    "UdfDefinition",
    "UnsupportedUdf",
    "apply_post",
    "apply_pre",
    "parse_udf",
    "snowflake_column_name",
    "table_ddl",
]
