"""A local Redshift endpoint: the PostgreSQL v3 wire protocol, speaking as Amazon Redshift.

psql, psycopg, redshift_connector, SQLAlchemy (sqlalchemy-redshift) and dbt-redshift connect to it as they would to
a Redshift cluster: it accepts the Redshift drivers' startup parameters, reports Redshift's version and settings,
checks the configured mock credentials (md5 or cleartext), offers TLS with a self-signed certificate, and serves
each dw-sim experiment as a database. Every statement goes through dw-sim's Redshift SQL layer onto the
experiment's engine: PostgreSQL (the `redshift` warehouse) or the embedded DuckDB.

Why a compact asyncio implementation of the protocol rather than a library:

* riffq (Rust, pyo3) builds from source only (needs a Rust toolchain and crates.io at install time) and hands
  results over as Arrow, so proxying PostgreSQL results would mean decoding and re-encoding every row;
* buenavista is a thread-per-connection `socketserver` without TLS, cancellation, md5/SCRAM or binary result
  formats, and encodes rows one Python call at a time;
* asyncpg and pg8000 are clients; their protocol code served as the reference for the message layouts.

Owning the protocol lets the PostgreSQL path relay the engine's own DataRow bytes untouched (`postgres_relay.py`:
the server walks message headers only, so fetching through the endpoint runs close to a direct connection), and the
DuckDB path encode whole Arrow batches into DataRow messages with NumPy (`encode.py`).

Modules: `protocol` (messages), `server` (asyncio server, TLS, experiment selection, cancel requests), `session`
(one client: startup, auth, the message loop; the `Engine` interface), `duckdb_sessions` and `duckdb_statements`
(sessions on the embedded DuckDB: messages, and statements on worker threads), `postgres_relay` and
`postgres_statements` (sessions on PostgreSQL: relaying, and translating), `postgres_actions` (COPY/UNLOAD over a
session's own PostgreSQL connection), `upstream` (the PostgreSQL client side), `encode` (values), `type_oids`
(types), `commands` (SET/SHOW/transactions, `version()`), `catalog` (drivers' catalog queries), `driver_queries`
(the Redshift-catalog metadata queries of sqlalchemy-redshift and dbt-redshift), `naming` (PostgreSQL's result
column names on DuckDB), `tls` (the certificate), `errors` (SQLSTATE codes), `runner` (standalone or on a thread),
`embed` (inside `dw-sim serve`'s event loop). How clients connect (and the files the endpoint publishes) is
`dw_simulator.connections`.

A front end: it may import the service and everything below it, never the cli or api. Importing the package
imports nothing heavy; the server's modules (and sqlglot, pyarrow, duckdb, psycopg behind them) load when an
endpoint is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dw_simulator.endpoints.redshift.server import EndpointConfig, RedshiftEndpoint, start_redshift_endpoint

__all__ = ["EndpointConfig", "RedshiftEndpoint", "start_redshift_endpoint"]


def __getattr__(name: str) -> Any:
    """The server's names, imported on first use."""
    if name in __all__:
        from dw_simulator.endpoints.redshift.server import EndpointConfig, RedshiftEndpoint, start_redshift_endpoint

        names = {
            "EndpointConfig": EndpointConfig,
            "RedshiftEndpoint": RedshiftEndpoint,
            "start_redshift_endpoint": start_redshift_endpoint,
        }
        return names[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
