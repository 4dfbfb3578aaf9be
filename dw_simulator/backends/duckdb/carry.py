"""Carrying what users created in an experiment (tables, views, the Redshift layer's load errors) from the current
run's DuckDB file into the next run's, so a new run replaces the generated tables' data and nothing else."""

from __future__ import annotations

from typing import Any

INTERNAL_SCHEMAS = ("dwsim_endpoint", "information_schema", "pg_catalog")
SKIPPED_TABLES = {("dwsim_redshift", "library_version")}  # the library installs itself again
BATCH_ROWS = 65_536


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def carry_over(source: Any, target: Any, *, replaced: set[tuple[str, str]]) -> list[str]:
    """Copy tables and views of `source` (the current file's connection) that are not in `replaced` ((schema,
    table), lower case) into `target`; returns what was copied, as `schema.name`."""
    copied: list[str] = []
    tables = source.execute(
        "SELECT schema_name, table_name, sql FROM duckdb_tables() WHERE NOT internal AND NOT temporary "
        "AND database_name = current_database() ORDER BY table_oid"
    ).fetchall()
    for schema, table, sql in tables:
        key = (schema.lower(), table.lower())
        if key in replaced or key in SKIPPED_TABLES or schema.lower() in INTERNAL_SCHEMAS:
            continue
        target.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
        target.execute(f"SET search_path = '{schema}'")  # the stored CREATE TABLE names the table unqualified
        target.execute(sql)
        reader = source.sql(f"SELECT * FROM {q(schema)}.{q(table)}").to_arrow_reader(BATCH_ROWS)
        for batch in reader:
            target.register("__dwsim_carry", batch)
            try:
                target.execute(f"INSERT INTO {q(schema)}.{q(table)} SELECT * FROM __dwsim_carry")
            finally:
                target.unregister("__dwsim_carry")
        copied.append(f"{schema}.{table}")
    views = source.execute(
        "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary "
        "AND database_name = current_database() ORDER BY view_oid"
    ).fetchall()
    for schema, view, sql in views:
        if schema.lower() in INTERNAL_SCHEMAS or schema.lower() == "dwsim_redshift":
            continue
        target.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
        target.execute(f"SET search_path = '{schema}'")
        target.execute(sql)
        copied.append(f"{schema}.{view}")
    target.execute("RESET search_path")
    return copied
