"""The schema that holds dw-sim's Redshift SQL library (`dwsim_redshift.<fn>`) on PostgreSQL and DuckDB.

A constant on its own so that code which only needs the name (error messages, endpoint naming) imports no sqlglot.
"""

from __future__ import annotations

LIBRARY_SCHEMA = "dwsim_redshift"
