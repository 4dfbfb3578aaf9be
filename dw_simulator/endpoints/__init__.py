"""Wire-protocol endpoints that let users' own clients (psql, drivers, SQLAlchemy, dbt) reach dw-sim's experiments.

`redshift/` is the Redshift endpoint (PostgreSQL wire protocol). The Snowflake endpoint lives with its warehouse in
`backends/snowflake/` (its engine is the warehouse itself). Endpoints are front ends, beside the CLI and the API:
they may import `service` and everything below it (backends, sql, staging, schema, config, errors, `connections`),
never `cli` or `api`. Importing a package here imports nothing heavy; drivers, sqlglot and pyarrow load when a
server starts.
"""
