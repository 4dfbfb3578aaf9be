"""Metadata queries of Redshift drivers that read Redshift's own catalog (pg_class.reldiststyle,
pg_attribute.attencodingtype, pg_get_late_binding_view_cols(), SVV_EXTERNAL_*), recognised by their shape and
answered by an equivalent query for the engine, with the same result columns.

Covered: sqlalchemy-redshift's reflection (`_get_all_relation_info`, `_get_schema_column_info`,
`_get_all_constraint_info`) and dbt-redshift's late-binding-view column lookup.
"""

from __future__ import annotations

import re

from dw_simulator.sql.redshift.split import mask

_HIDDEN = "'information_schema', 'pg_catalog', 'dwsim_redshift', 'dwsim_endpoint', 'main'"
# DuckDB keeps no VARCHAR length: report Redshift's default length, 256
_DUCKDB_TYPE = (
    "CASE WHEN data_type = 'VARCHAR' THEN 'character varying(256)' ELSE dwsim_redshift._redshift_type(data_type) END"
)
_FILTER = re.compile(r"\bAND\s+(schema|relname|table_name)\s*=\s*('(?:[^']|'')*')", re.I)


def _filters(sql: str) -> str:
    """The `AND schema = '...'` / `AND relname = '...'` clauses sqlalchemy-redshift adds, deduplicated."""
    seen: list[str] = []
    for match in _FILTER.finditer(sql):
        clause = f"AND {match.group(1).lower()} = {match.group(2)}"
        if clause not in seen:
            seen.append(clause)
    return " ".join(seen)


def _relations(sql: str, engine: str, user: str) -> str:
    filters = _filters(sql)
    if engine == "postgres":
        inner = (
            "SELECT c.relkind::text AS relkind, n.oid::bigint AS schema_oid, n.nspname::text AS schema, "
            "c.oid::bigint AS rel_oid, c.relname::text AS relname, 'EVEN'::text AS diststyle, "
            "c.relowner::bigint AS owner_id, pg_get_userbyid(c.relowner)::text AS owner_name, "
            "TRIM(TRAILING ';' FROM pg_get_viewdef(c.oid, true)) AS view_definition, "
            "array_to_string(c.relacl, E'\\n') AS privileges "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p') AND n.nspname !~ '^pg_' "
            f"AND n.nspname NOT IN ({_HIDDEN})"
        )
    else:
        owner = user.replace("'", "''")
        inner = (
            "SELECT 'r' AS relkind, schema_oid, schema_name AS schema, table_oid AS rel_oid, table_name AS relname, "
            f"'EVEN' AS diststyle, 100 AS owner_id, '{owner}' AS owner_name, CAST(NULL AS VARCHAR) AS view_definition, "
            f"CAST(NULL AS VARCHAR) AS privileges FROM duckdb_tables() WHERE schema_name NOT IN ({_HIDDEN}) "
            "UNION ALL SELECT 'v', schema_oid, schema_name, view_oid, view_name, NULL, 100, "
            f"'{owner}', sql, NULL FROM duckdb_views() WHERE NOT internal AND schema_name NOT IN ({_HIDDEN})"
        )
    return f"SELECT * FROM ({inner}) q WHERE true {filters} ORDER BY relkind, schema_oid, schema"


def _columns(sql: str, engine: str) -> str:
    filters = _filters(sql)
    if engine == "postgres":
        inner = (
            "SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS name, "
            "'none'::text AS encode, dwsim_redshift._redshift_type(format_type(a.atttypid, a.atttypmod)) AS type, "
            "false AS distkey, 0 AS sortkey, a.attnotnull AS notnull, "
            "col_description(a.attrelid, a.attnum) AS comment, "
            "pg_get_expr(ad.adbin, ad.adrelid) AS adsrc, a.attnum::int AS attnum, "
            "dwsim_redshift._redshift_type(format_type(a.atttypid, a.atttypmod)) AS format_type, "
            'pg_get_expr(ad.adbin, ad.adrelid) AS "default", n.oid::bigint AS schema_oid, c.oid::bigint AS table_oid '
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
            "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
            "WHERE n.nspname !~ '^pg_' AND a.attnum > 0 AND NOT a.attisdropped "
            f"AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname NOT IN ({_HIDDEN})"
        )
    else:
        inner = (
            f"SELECT schema_name AS schema, table_name, column_name AS name, 'none' AS encode, {_DUCKDB_TYPE} AS type, "
            "false AS distkey, 0 AS sortkey, NOT is_nullable AS notnull, comment, column_default AS adsrc, "
            f'CAST(column_index AS INTEGER) AS attnum, {_DUCKDB_TYPE} AS format_type, column_default AS "default", '
            "schema_oid, "
            f"table_oid FROM duckdb_columns() WHERE NOT internal AND schema_name NOT IN ({_HIDDEN})"
        )
    return f"SELECT * FROM ({inner}) q WHERE true {filters} ORDER BY schema, table_name, attnum"


def _constraints(sql: str, engine: str) -> str:
    filters = _filters(sql)
    if engine == "postgres":
        inner = (
            "SELECT n.nspname::text AS schema, c.relname::text AS table_name, t.contype::text AS contype, "
            "t.conname::text AS conname, t.conkey, a.attnum::int AS attnum, a.attname::text AS attname, "
            "pg_get_constraintdef(t.oid, true)::varchar(512) AS condef, n.oid::bigint AS schema_oid, "
            "c.oid::bigint AS rel_oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_constraint t ON t.conrelid = c.oid JOIN pg_attribute a ON t.conrelid = a.attrelid "
            f"AND a.attnum = ANY(t.conkey) WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ({_HIDDEN})"
        )
        return f"SELECT * FROM ({inner}) q WHERE true {filters}"
    return (
        "SELECT CAST(NULL AS VARCHAR) AS schema, CAST(NULL AS VARCHAR) AS table_name, "
        "CAST(NULL AS VARCHAR) AS contype, "
        "CAST(NULL AS VARCHAR) AS conname, CAST(NULL AS SMALLINT[]) AS conkey, CAST(NULL AS INTEGER) AS attnum, "
        "CAST(NULL AS VARCHAR) AS attname, CAST(NULL AS VARCHAR) AS condef, CAST(NULL AS BIGINT) AS schema_oid, "
        "CAST(NULL AS BIGINT) AS rel_oid WHERE false"
    )


def _late_binding_columns(sql: str, engine: str) -> str:
    """`pg_get_late_binding_view_cols()` lists the columns of late-binding views; dw-sim's views are ordinary
    views, so it has no rows (dbt then reads information_schema)."""
    del sql, engine
    return (
        "SELECT CAST(NULL AS VARCHAR) AS view_schema, CAST(NULL AS VARCHAR) AS view_name, "
        "CAST(NULL AS VARCHAR) AS col_name, CAST(NULL AS VARCHAR) AS col_type, CAST(NULL AS INTEGER) AS col_num "
        "WHERE false"
    )


_BOUND_VIEWS = re.compile(
    r"from\s+information_schema\s*\.\s*\"?columns\"?\s+where\s+(?P<cond>.*?)\)\s*,\s*unbound_views", re.I | re.S
)


def _dbt_columns(sql: str, engine: str) -> str | None:
    """dbt-redshift's get_columns_in_relation: information_schema.columns (late-binding and external views, which
    dw-sim does not have, add nothing)."""
    match = _BOUND_VIEWS.search(sql)
    if match is None:
        return None
    condition = match.group("cond")
    source = "information_schema.columns" if engine == "postgres" else "dwsim_endpoint.svv_columns"
    return (
        "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
        f"FROM {source} WHERE {condition} ORDER BY ordinal_position"
    )


def rewrite_driver_query(sql: str, engine: str, user: str) -> str | None:
    """The engine's equivalent of a recognised driver metadata query, or None."""
    text = mask(sql).text
    low = text.lower()
    if "reldiststyle" in low and "svv_external_tables" in low:
        return _relations(sql, engine, user)
    if "attencodingtype" in low and "pg_get_late_binding_view_cols" in low:
        return _columns(sql, engine)
    if "pg_get_constraintdef" in low and "svv_external_columns" in low:
        return _constraints(sql, engine)
    if "pg_get_late_binding_view_cols" in low and "svv_external_columns" in low and "bound_views" in low:
        return _dbt_columns(sql, engine)
    if "pg_get_late_binding_view_cols" in low and "information_schema" not in low and "pg_attribute" not in low:
        return _late_binding_columns(sql, engine)  # a query of the late-binding columns alone
    return None
