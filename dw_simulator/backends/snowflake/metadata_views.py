"""INFORMATION_SCHEMA.TABLES / VIEWS and the views SHOW TABLES / VIEWS / OBJECTS / SCHEMAS read, over DuckDB's
catalog and dw-sim's object registry (`objects.py`): views are listed with tables, and rows, bytes, creation and
last-change times, TRANSIENT and the view text as written are reported.

ROW_COUNT is DuckDB's row count of the table; BYTES is an estimate (rows x columns x 8), as Snowflake's own
figure depends on its compression. https://docs.snowflake.com/en/sql-reference/info-schema/tables
"""

from __future__ import annotations

from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA

S = LIBRARY_SCHEMA
FS = "_fs_global._fs_information_schema"
_HIDDEN_SCHEMAS = "('_fs_information_schema', 'information_schema', 'pg_catalog')"
_HIDDEN_DATABASES = "('system', 'temp', '_fs_global', 'memory')"

VIEWS_SQL = f"""
CREATE OR REPLACE VIEW {S}.relations AS
-- a database or schema named in lower case is one dw-sim made for a warehouse (Snowflake names it in upper case)
SELECT CASE WHEN o.database_name = lower(o.database_name) THEN upper(o.database_name) ELSE o.database_name END
           AS database_name,
       CASE WHEN o.schema_name = lower(o.schema_name) THEN upper(o.schema_name) ELSE o.schema_name END AS schema_name,
       o.name, o.is_view, o.row_count, o.column_count, o.engine_sql,
       coalesce(r.kind, CASE WHEN o.is_view THEN 'VIEW' ELSE 'TABLE' END) AS kind,
       coalesce(r.transient, false) AS transient, coalesce(r.secure, false) AS secure,
       coalesce(r.created, to_timestamp(0)) AS created,
       coalesce(r.last_altered, r.created, to_timestamp(0)) AS last_altered,
       coalesce(r.ddl, o.engine_sql) AS ddl, c.comment
FROM (
    SELECT database_name, schema_name, table_name AS name, false AS is_view, estimated_size AS row_count,
           column_count, NULL AS engine_sql
    FROM duckdb_tables() WHERE NOT temporary
    UNION ALL
    SELECT database_name, schema_name, view_name, true, NULL, column_count, sql
    FROM duckdb_views() WHERE NOT internal AND NOT temporary
) o
LEFT JOIN {S}.objects r
  ON upper(r.database_name) = upper(o.database_name) AND upper(r.schema_name) = upper(o.schema_name)
  AND r.name = o.name
LEFT JOIN {FS}._fs_tables_ext c
  ON upper(c.ext_table_catalog) = upper(o.database_name) AND upper(c.ext_table_schema) = upper(o.schema_name)
  AND c.ext_table_name = o.name
WHERE o.schema_name NOT IN {_HIDDEN_SCHEMAS} AND o.database_name NOT IN {_HIDDEN_DATABASES};

CREATE OR REPLACE VIEW {S}.tables AS
SELECT database_name AS TABLE_CATALOG, schema_name AS TABLE_SCHEMA, name AS TABLE_NAME, 'SYSADMIN' AS TABLE_OWNER,
       CASE WHEN kind = 'MATERIALIZED VIEW' THEN 'MATERIALIZED VIEW' WHEN is_view THEN 'VIEW' ELSE 'BASE TABLE' END
           AS TABLE_TYPE,
       CASE WHEN transient THEN 'YES' ELSE 'NO' END AS IS_TRANSIENT, CAST(NULL AS VARCHAR) AS CLUSTERING_KEY,
       CASE WHEN is_view THEN NULL ELSE row_count END AS ROW_COUNT,
       CASE WHEN is_view THEN NULL ELSE row_count * column_count * 8 END AS BYTES,
       CASE WHEN is_view THEN NULL ELSE 1 END AS RETENTION_TIME,
       CAST(NULL AS VARCHAR) AS SELF_REFERENCING_COLUMN_NAME, CAST(NULL AS VARCHAR) AS REFERENCE_GENERATION,
       CAST(NULL AS VARCHAR) AS USER_DEFINED_TYPE_CATALOG, CAST(NULL AS VARCHAR) AS USER_DEFINED_TYPE_SCHEMA,
       CAST(NULL AS VARCHAR) AS USER_DEFINED_TYPE_NAME,
       CASE WHEN is_view THEN 'NO' ELSE 'YES' END AS IS_INSERTABLE_INTO, 'YES' AS IS_TYPED,
       CAST(NULL AS VARCHAR) AS COMMIT_ACTION, created AS CREATED, last_altered AS LAST_ALTERED,
       last_altered AS LAST_DDL, 'SYSADMIN' AS LAST_DDL_BY, 'NO' AS AUTO_CLUSTERING_ON, comment AS COMMENT,
       'NO' AS IS_TEMPORARY, 'NO' AS IS_ICEBERG,
       CASE WHEN kind = 'DYNAMIC TABLE' THEN 'YES' ELSE 'NO' END AS IS_DYNAMIC, 'NO' AS IS_IMMUTABLE,
       'NO' AS IS_HYBRID
FROM {S}.relations;

CREATE OR REPLACE VIEW {S}.views AS
SELECT database_name AS TABLE_CATALOG, schema_name AS TABLE_SCHEMA, name AS TABLE_NAME, 'SYSADMIN' AS TABLE_OWNER,
       ddl AS VIEW_DEFINITION, 'NONE' AS CHECK_OPTION, 'NO' AS IS_UPDATABLE, 'NO' AS INSERTABLE_INTO,
       CASE WHEN secure THEN 'YES' ELSE 'NO' END AS IS_SECURE, created AS CREATED, last_altered AS LAST_ALTERED,
       last_altered AS LAST_DDL, 'SYSADMIN' AS LAST_DDL_BY, comment AS COMMENT
FROM {S}.relations WHERE is_view;

CREATE OR REPLACE VIEW {FS}._fs_show_tables AS
SELECT created AS created_on, name, CASE WHEN transient THEN 'TRANSIENT' ELSE 'TABLE' END AS kind,
       database_name, schema_name, coalesce(comment, '') AS comment, '' AS cluster_by, row_count AS rows,
       row_count * column_count * 8 AS bytes, 'SYSADMIN' AS owner, 1 AS retention_time,
       'OFF' AS automatic_clustering, 'OFF' AS change_tracking, 'OFF' AS search_optimization,
       NULL AS search_optimization_progress, NULL AS search_optimization_bytes, 'N' AS is_external,
       'N' AS enable_schema_evolution, 'ROLE' AS owner_role_type, 'N' AS is_event, NULL AS budget, 'N' AS is_hybrid,
       'N' AS is_iceberg, CASE WHEN kind = 'DYNAMIC TABLE' THEN 'Y' ELSE 'N' END AS is_dynamic, 'N' AS is_immutable
FROM {S}.relations WHERE NOT is_view;

CREATE OR REPLACE VIEW {FS}._fs_show_views AS
SELECT created AS created_on, name, '' AS reserved, database_name, schema_name, 'SYSADMIN' AS owner,
       coalesce(comment, '') AS comment, ddl AS text, secure AS is_secure,
       kind = 'MATERIALIZED VIEW' AS is_materialized,
       'ROLE' AS owner_role_type, 'OFF' AS change_tracking
FROM {S}.relations WHERE is_view;

CREATE OR REPLACE VIEW {FS}._fs_show_objects AS
SELECT created AS created_on, name, database_name, schema_name,
       -- SHOW OBJECTS reports transient tables as TABLE (SHOW TABLES says TRANSIENT; dbt relies on both)
       CASE WHEN is_view THEN 'VIEW' ELSE 'TABLE' END AS kind,
       coalesce(comment, '') AS comment, '' AS cluster_by, CASE WHEN is_view THEN 0 ELSE row_count END AS rows,
       CASE WHEN is_view THEN 0 ELSE row_count * column_count * 8 END AS bytes, 'SYSADMIN' AS owner,
       1 AS retention_time, 'ROLE' AS owner_role_type, 'N' AS is_hybrid,
       CASE WHEN kind = 'DYNAMIC TABLE' THEN 'Y' ELSE 'N' END AS is_dynamic, 'N' AS is_iceberg
FROM {S}.relations;

CREATE OR REPLACE VIEW {S}.show_schemas AS
SELECT to_timestamp(0) AS created_on,
       CASE WHEN schema_name = '_fs_information_schema' THEN 'INFORMATION_SCHEMA'
            WHEN schema_name = lower(schema_name) THEN upper(schema_name) ELSE schema_name END AS name,
       'N' AS is_default, 'N' AS is_current,
       CASE WHEN catalog_name = lower(catalog_name) THEN upper(catalog_name) ELSE catalog_name END AS database_name,
       'SYSADMIN' AS owner, '' AS comment,
       '' AS options, 1 AS retention_time, 'ROLE' AS owner_role_type
FROM information_schema.schemata
WHERE catalog_name NOT IN {_HIDDEN_DATABASES} AND schema_name NOT IN ('main', 'pg_catalog', 'information_schema');
"""


def columns_view_sql() -> str | None:
    """fakesnow's INFORMATION_SCHEMA.COLUMNS view with names matched whatever their case (a lower-case database
    or schema dw-sim made for a warehouse is reported in upper case, as for TABLES); None if fakesnow's view is not
    the one this was written for (then fakesnow's own is kept)."""
    from fakesnow import info_schema

    sql = info_schema.SQL_CREATE_GLOBAL_INFORMATION_SCHEMA_COLUMNS_VIEW
    replacements = {
        "create view if not exists": "CREATE OR REPLACE VIEW",
        "columns.table_catalog AS TABLE_CATALOG": "CASE WHEN columns.table_catalog = lower(columns.table_catalog) "
        "THEN upper(columns.table_catalog) ELSE columns.table_catalog END AS TABLE_CATALOG",
        "columns.table_schema AS TABLE_SCHEMA": "CASE WHEN columns.table_schema = lower(columns.table_schema) "
        "THEN upper(columns.table_schema) ELSE columns.table_schema END AS TABLE_SCHEMA",
        "on ext_table_catalog = columns.table_catalog": "on upper(ext_table_catalog) = upper(columns.table_catalog)",
        "AND ext_table_schema = columns.table_schema": "AND upper(ext_table_schema) = upper(columns.table_schema)",
    }
    for old, new in replacements.items():
        if old not in sql:
            return None
        sql = sql.replace(old, new)
    return sql
