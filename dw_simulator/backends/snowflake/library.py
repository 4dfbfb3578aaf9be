"""dw-sim's DuckDB macros for Snowflake functions (in `LIBRARY_SCHEMA`, fakesnow's global catalog database, so one
definition serves every database of the endpoint) and the Python functions of `python_functions`; installed when
the engine starts (CREATE OR REPLACE: a newer dw-sim replaces the ones a data root holds)."""

from __future__ import annotations

import duckdb

from dw_simulator.backends.snowflake import python_functions
from dw_simulator.backends.snowflake.metadata_views import VIEWS_SQL, columns_view_sql
from dw_simulator.sql.snowflake.rewrites.nodes import LIBRARY_SCHEMA

S = LIBRARY_SCHEMA
MACROS = f"""
-- (names of DuckDB functions must not be reused here: the views below would call the macro instead)
DROP MACRO IF EXISTS {S}.to_timestamp;
DROP MACRO IF EXISTS {S}.try_to_timestamp;
DROP MACRO TABLE IF EXISTS {S}.flatten;
-- TO_TIMESTAMP(number [, scale]): epoch seconds, milliseconds, microseconds or nanoseconds by magnitude
-- https://docs.snowflake.com/en/sql-reference/functions/to_timestamp
CREATE OR REPLACE MACRO {S}.epoch_micros(v, scale) AS
    CASE WHEN scale = 0 THEN
        CASE WHEN abs(v) < 31536000000 THEN v * 1e6
             WHEN abs(v) < 31536000000000 THEN v * 1e3
             WHEN abs(v) < 31536000000000000 THEN v
             ELSE v / 1e3 END
    ELSE v * pow(10, 6 - scale) END;
CREATE OR REPLACE MACRO {S}.sf_to_timestamp(val, scale) AS
    CASE WHEN try_cast(val AS BIGINT) IS NOT NULL AND try_cast(val AS DOUBLE) IS NOT NULL
         THEN make_timestamp(CAST(round({S}.epoch_micros(try_cast(val AS DOUBLE), scale)) AS BIGINT))
         ELSE CAST(val AS TIMESTAMP) END;
CREATE OR REPLACE MACRO {S}.sf_try_to_timestamp(val, scale) AS
    CASE WHEN try_cast(val AS BIGINT) IS NOT NULL AND try_cast(val AS DOUBLE) IS NOT NULL
         THEN make_timestamp(CAST(round({S}.epoch_micros(try_cast(val AS DOUBLE), scale)) AS BIGINT))
         ELSE TRY_CAST(val AS TIMESTAMP) END;
-- CONDITIONAL_CHANGE_EVENT over the window's values so far (NULLs are skipped)
CREATE OR REPLACE MACRO {S}.changes_of(f) AS
    len(list_filter(range(2, len(f) + 1), lambda i: f[i] IS DISTINCT FROM f[i - 1]));
CREATE OR REPLACE MACRO {S}.change_events(l) AS {S}.changes_of(list_filter(l, lambda x: x IS NOT NULL));
-- FLATTEN with PATH, OUTER, RECURSIVE and MODE; rows in the order of a depth-first walk, object keys sorted
-- https://docs.snowflake.com/en/sql-reference/functions/flatten
CREATE OR REPLACE MACRO {S}.flatten_elements(x, mode) AS TABLE
    SELECT ks[n + 1] AS k, CAST(NULL AS BIGINT) AS i, x -> ks[n + 1] AS v, n AS pos
    FROM (SELECT list_sort(json_keys(x)) AS ks), (SELECT unnest(range(len(list_sort(json_keys(x))))) AS n)
    WHERE json_type(x) = 'OBJECT' AND upper(mode) IN ('OBJECT', 'BOTH')
    UNION ALL
    SELECT CAST(NULL AS VARCHAR), n, x -> n, n
    FROM (SELECT unnest(range(CAST(json_array_length(x) AS BIGINT))) AS n)
    WHERE json_type(x) = 'ARRAY' AND upper(mode) IN ('ARRAY', 'BOTH');
CREATE OR REPLACE MACRO {S}.sf_flatten(input, jpath, prefix, outer_, recursive_, mode) AS TABLE
WITH RECURSIVE base AS (
    SELECT CASE WHEN jpath = '$' THEN TO_JSON(input) ELSE json_extract(TO_JSON(input), jpath) END AS b
), walk(key, path, idx, value, this, depth, ord) AS (
    SELECT e.k, CASE WHEN e.k IS NOT NULL THEN (CASE WHEN prefix = '' THEN e.k ELSE prefix || '.' || e.k END)
                     ELSE prefix || '[' || e.i || ']' END,
           e.i, e.v, base.b, 1, [e.pos]
    FROM base, {S}.flatten_elements(base.b, mode) e
    UNION ALL
    SELECT c.k, CASE WHEN c.k IS NOT NULL THEN walk.path || '.' || c.k ELSE walk.path || '[' || c.i || ']' END,
           c.i, c.v, walk.value, walk.depth + 1, list_append(walk.ord, c.pos)
    FROM walk, {S}.flatten_elements(walk.value, mode) c
    WHERE recursive_ AND walk.depth < 1000
), rows_ AS (
    SELECT key, path, idx, value, this, ord FROM walk
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, (SELECT b FROM base), [] WHERE outer_ AND NOT EXISTS (SELECT 1 FROM walk)
)
SELECT CAST(hash(TO_JSON(input)) AS UBIGINT) AS SEQ, key AS KEY, path AS PATH, idx AS INDEX, value AS VALUE,
       this AS THIS
FROM rows_ ORDER BY ord;
"""


def install(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)
    con.execute(VIEWS_SQL)
    if (columns := columns_view_sql()) is not None:
        con.execute(columns)
    python_functions.register(con)
