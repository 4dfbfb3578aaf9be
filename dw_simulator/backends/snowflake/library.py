"""dw-sim's DuckDB macros for Snowflake functions (in `LIBRARY_SCHEMA`, fakesnow's global catalog database, so one
definition serves every database of the endpoint) and the Python functions of `python_functions`; installed when
the engine starts (CREATE OR REPLACE: a newer dw-sim replaces the ones a data root holds)."""

from __future__ import annotations

import duckdb

from dw_simulator.backends.snowflake import python_functions
from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA

S = LIBRARY_SCHEMA
MACROS = f"""
-- TO_TIMESTAMP(number [, scale]): epoch seconds, milliseconds, microseconds or nanoseconds by magnitude
-- https://docs.snowflake.com/en/sql-reference/functions/to_timestamp
CREATE OR REPLACE MACRO {S}.epoch_micros(v, scale) AS
    CASE WHEN scale = 0 THEN
        CASE WHEN abs(v) < 31536000000 THEN v * 1e6
             WHEN abs(v) < 31536000000000 THEN v * 1e3
             WHEN abs(v) < 31536000000000000 THEN v
             ELSE v / 1e3 END
    ELSE v * pow(10, 6 - scale) END;
CREATE OR REPLACE MACRO {S}.to_timestamp(val, scale) AS
    CASE WHEN try_cast(val AS BIGINT) IS NOT NULL AND try_cast(val AS DOUBLE) IS NOT NULL
         THEN make_timestamp(CAST(round({S}.epoch_micros(try_cast(val AS DOUBLE), scale)) AS BIGINT))
         ELSE CAST(val AS TIMESTAMP) END;
CREATE OR REPLACE MACRO {S}.try_to_timestamp(val, scale) AS
    CASE WHEN try_cast(val AS BIGINT) IS NOT NULL AND try_cast(val AS DOUBLE) IS NOT NULL
         THEN make_timestamp(CAST(round({S}.epoch_micros(try_cast(val AS DOUBLE), scale)) AS BIGINT))
         ELSE TRY_CAST(val AS TIMESTAMP) END;
-- CONDITIONAL_CHANGE_EVENT over the window's values so far (NULLs are skipped)
CREATE OR REPLACE MACRO {S}.changes_of(f) AS
    len(list_filter(range(2, len(f) + 1), lambda i: f[i] IS DISTINCT FROM f[i - 1]));
CREATE OR REPLACE MACRO {S}.change_events(l) AS {S}.changes_of(list_filter(l, lambda x: x IS NOT NULL));
"""


def install(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)
    python_functions.register(con)
