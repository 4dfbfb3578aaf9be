"""The chains: PRE rewrites on the user's statement (before fakesnow's), POST rewrites on fakesnow's output."""

from __future__ import annotations

from sqlglot import exp

from dw_simulator.sql.snowflake.rewrites.aggregates import (
    array_agg_skips_nulls,
    exact_sum,
    mark_exact_sum,
    ratio_to_report,
)
from dw_simulator.sql.snowflake.rewrites.column_names import name_columns, recursive_ctes, values_alias_columns
from dw_simulator.sql.snowflake.rewrites.context import Rewrite, SessionContext
from dw_simulator.sql.snowflake.rewrites.functions import (
    epoch_timestamps,
    event_windows,
    fakesnow_to_timestamp,
    flatten_table,
    python_functions,
)
from dw_simulator.sql.snowflake.rewrites.identifiers import current_functions_as_calls, quote_engine_keywords
from dw_simulator.sql.snowflake.rewrites.scalar_functions import (
    date_trunc_keeps_type,
    hash_signed,
    trim_characters,
    width_bucket,
)
from dw_simulator.sql.snowflake.rewrites.semistructured import (
    array_contains,
    cast_to_variant,
    get_as_path,
    is_type_functions,
    object_delete_pick,
    object_insert,
    object_keys,
    parse_json_empty_is_null,
    typeof_variant,
)
from dw_simulator.sql.snowflake.rewrites.session import (
    current_context_functions,
    get_ddl,
    information_schema_views,
)
from dw_simulator.sql.snowflake.rewrites.table_definitions import char_is_varchar
from dw_simulator.sql.snowflake.rewrites.weeks import default_null_ordering, week_parameters

PRE_REWRITES: tuple[Rewrite, ...] = (
    current_context_functions,
    information_schema_views,
    recursive_ctes,
    event_windows,
    epoch_timestamps,
    python_functions,
    flatten_table,
    get_ddl,
    hash_signed,
    cast_to_variant,
    parse_json_empty_is_null,
    get_as_path,
    object_keys,
    array_contains,
    typeof_variant,
    is_type_functions,
    object_insert,
    object_delete_pick,
    trim_characters,
    width_bucket,
    week_parameters,
    default_null_ordering,
    date_trunc_keeps_type,
    ratio_to_report,
    values_alias_columns,
    char_is_varchar,
    mark_exact_sum,
)
POST_REWRITES: tuple[Rewrite, ...] = (
    exact_sum,
    array_agg_skips_nulls,
    quote_engine_keywords,
    current_functions_as_calls,
    fakesnow_to_timestamp,
)


# rewrites applied innermost first (every node after its arguments), so that a call nested in the arguments of
# another is rewritten too (sqlglot's transform does not visit the arguments of a node it replaced)
BOTTOM_UP: frozenset[Rewrite] = frozenset({event_windows, epoch_timestamps, python_functions})


def bottom_up(expression: exp.Expr, rewrite: Rewrite, ctx: SessionContext) -> exp.Expr:
    for node in reversed(list(expression.walk(bfs=False))):
        replacement = rewrite(node, ctx)
        if replacement is not node:
            if node is expression:
                expression = replacement
            else:
                node.replace(replacement)
    return expression


def apply_pre(expression: exp.Expr, ctx: SessionContext, source_sql: str | None = None) -> exp.Expr:
    """Apply every PRE rewrite to the statement (in place where possible) and name its result columns like
    Snowflake does (from `source_sql`, the statement as the user wrote it, when given)."""
    expression = name_columns(expression, source_sql)
    for rewrite in PRE_REWRITES:
        if rewrite in BOTTOM_UP:
            expression = bottom_up(expression, rewrite, ctx)
        else:
            expression = expression.transform(lambda node, r=rewrite: r(node, ctx), copy=False)  # type: ignore[misc]
    return expression


def apply_post(expression: exp.Expr, ctx: SessionContext | None = None) -> exp.Expr:
    ctx = ctx or SessionContext()
    for rewrite in POST_REWRITES:
        expression = expression.transform(lambda node, r=rewrite: r(node, ctx), copy=False)  # type: ignore[misc]
    return expression
