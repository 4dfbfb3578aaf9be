"""SQL handling shared by every backend: reading users' SQL in their dialect and writing it for an engine.

Owns: parsing with user-facing errors (`parsing`), the translated `Statement` (`statement`), dialect-to-engine
translation (`translate`), the errors an engine reports about users' SQL made readable (`engine_errors`), the
Redshift layer (`redshift/`: Redshift's answers on PostgreSQL and DuckDB, COPY/UNLOAD) and the rewrites of the
embedded Snowflake endpoint (`snowflake/`).

A domain: may import `dw_simulator.errors`, `config`, `schema`, `staging` (COPY/UNLOAD only) and third-party
libraries (sqlglot; pyarrow only where COPY/UNLOAD run); never service, cli, api, endpoints or backends. Importing
the translation path (`translate`, `redshift`, `snowflake`) loads no duckdb, pyarrow or boto3.
"""
