# ruff: noqa: E501  (SQL text: long lines are clearer than broken ones)
"""dw-sim's Redshift SQL library for DuckDB: the same functions as `library_postgres.py`, as macros in schema
`dwsim_redshift` of the warehouse file, so a redshift-dialect experiment answers the same on both engines."""

from __future__ import annotations

_JSON_PATH_OVERLOADS = ", ".join(
    "(j, " + ", ".join(f"p{i}" for i in range(1, n + 1)) + ") AS CASE WHEN j IS NULL THEN NULL ELSE "
    "coalesce(json_extract_string(j, '$' || "
    + " || ".join(f"'.\"' || p{i} || '\"'" for i in range(1, n + 1))
    + "), '') END"
    for n in range(1, 9)
)

SCRIPT = rf"""
CREATE SCHEMA IF NOT EXISTS dwsim_redshift;

-- DATEADD: https://docs.aws.amazon.com/redshift/latest/dg/r_DATEADD_function.html
CREATE OR REPLACE MACRO dwsim_redshift._add_years(ts, n) AS
  CASE WHEN month(ts) = 2 AND day(ts) = 29 AND day(ts + to_years(CAST(n AS INTEGER))) <> 29
       THEN ts + to_years(CAST(n AS INTEGER)) + INTERVAL 1 DAY ELSE ts + to_years(CAST(n AS INTEGER)) END;
CREATE OR REPLACE MACRO dwsim_redshift.dateadd(part, n, ts) AS (
  WITH x AS (SELECT CAST(ts AS TIMESTAMP) AS t)
  SELECT CASE part
    WHEN 'millennium' THEN dwsim_redshift._add_years(t, n * 1000)
    WHEN 'century' THEN dwsim_redshift._add_years(t, n * 100)
    WHEN 'decade' THEN dwsim_redshift._add_years(t, n * 10)
    WHEN 'year' THEN dwsim_redshift._add_years(t, n)
    WHEN 'quarter' THEN t + to_months(CAST(n * 3 AS INTEGER))
    WHEN 'month' THEN t + to_months(CAST(n AS INTEGER))
    WHEN 'week' THEN t + to_days(CAST(n * 7 AS INTEGER))
    WHEN 'day' THEN t + to_days(CAST(n AS INTEGER))
    WHEN 'hour' THEN t + to_hours(CAST(n AS BIGINT))
    WHEN 'minute' THEN t + to_minutes(CAST(n AS BIGINT))
    WHEN 'second' THEN t + to_seconds(CAST(n AS BIGINT))
    WHEN 'millisecond' THEN t + to_milliseconds(CAST(n AS BIGINT))
    WHEN 'microsecond' THEN t + to_microseconds(CAST(n AS BIGINT))
  END FROM x);

-- DATEDIFF counts boundaries: https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html
CREATE OR REPLACE MACRO dwsim_redshift.datediff(part, a, b) AS (
  WITH x AS (SELECT CAST(a AS TIMESTAMP) AS ta, CAST(b AS TIMESTAMP) AS tb)
  SELECT CAST(CASE part
    WHEN 'millennium' THEN floor((year(tb) - 1) / 1000) - floor((year(ta) - 1) / 1000)
    WHEN 'century' THEN floor((year(tb) - 1) / 100) - floor((year(ta) - 1) / 100)
    WHEN 'decade' THEN floor(year(tb) / 10) - floor(year(ta) / 10)
    WHEN 'year' THEN year(tb) - year(ta)
    WHEN 'quarter' THEN (year(tb) * 4 + quarter(tb)) - (year(ta) * 4 + quarter(ta))
    WHEN 'month' THEN (year(tb) * 12 + month(tb)) - (year(ta) * 12 + month(ta))
    WHEN 'week' THEN (CAST(date_trunc('week', tb) AS DATE) - CAST(date_trunc('week', ta) AS DATE)) // 7
    WHEN 'day' THEN CAST(tb AS DATE) - CAST(ta AS DATE)
    WHEN 'hour' THEN epoch(date_trunc('hour', tb)) // 3600 - epoch(date_trunc('hour', ta)) // 3600
    WHEN 'minute' THEN epoch(date_trunc('minute', tb)) // 60 - epoch(date_trunc('minute', ta)) // 60
    WHEN 'second' THEN epoch(date_trunc('second', tb)) - epoch(date_trunc('second', ta))
    WHEN 'millisecond' THEN epoch_ms(date_trunc('millisecond', tb)) - epoch_ms(date_trunc('millisecond', ta))
    WHEN 'microsecond' THEN epoch_us(tb) - epoch_us(ta)
  END AS BIGINT) FROM x);

-- DATE_PART: https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html
CREATE OR REPLACE MACRO dwsim_redshift.date_part(part, ts) AS (
  WITH x AS (SELECT CAST(ts AS TIMESTAMP) AS t)
  SELECT CAST(CASE part
    WHEN 'millennium' THEN millennium(t) WHEN 'century' THEN century(t) WHEN 'decade' THEN decade(t)
    WHEN 'epoch' THEN epoch(t) WHEN 'year' THEN year(t) WHEN 'quarter' THEN quarter(t) WHEN 'month' THEN month(t)
    WHEN 'week' THEN week(t) WHEN 'dow' THEN dayofweek(t) WHEN 'doy' THEN dayofyear(t) WHEN 'day' THEN day(t)
    WHEN 'hour' THEN hour(t) WHEN 'minute' THEN minute(t) WHEN 'second' THEN second(t)
    WHEN 'millisecond' THEN millisecond(t) % 1000 WHEN 'microsecond' THEN microsecond(t) % 1000000
  END AS DOUBLE) FROM x);

-- GETDATE / SYSDATE: https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html
CREATE OR REPLACE MACRO dwsim_redshift.getdate() AS date_trunc('second', CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP));
CREATE OR REPLACE MACRO dwsim_redshift.sysdate() AS CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP);

-- ADD_MONTHS / LAST_DAY / MONTHS_BETWEEN / NEXT_DAY: https://docs.aws.amazon.com/redshift/latest/dg/r_ADD_MONTHS.html
CREATE OR REPLACE MACRO dwsim_redshift.last_day(d) AS last_day(CAST(d AS DATE));
CREATE OR REPLACE MACRO dwsim_redshift.add_months(ts, n) AS (
  WITH x AS (SELECT CAST(ts AS TIMESTAMP) AS t)
  SELECT CASE WHEN CAST(t AS DATE) = last_day(CAST(t AS DATE))
              THEN CAST(last_day(CAST(t + to_months(CAST(n AS INTEGER)) AS DATE)) AS TIMESTAMP) + (t - date_trunc('day', t))
              ELSE t + to_months(CAST(n AS INTEGER)) END FROM x);
CREATE OR REPLACE MACRO dwsim_redshift.months_between(a, b) AS (
  WITH x AS (SELECT CAST(a AS DATE) AS da, CAST(b AS DATE) AS db)
  SELECT CASE WHEN da IS NULL OR db IS NULL THEN NULL
    WHEN day(da) = day(db) OR (da = last_day(da) AND db = last_day(db))
    THEN CAST((year(da) * 12 + month(da)) - (year(db) * 12 + month(db)) AS DOUBLE)
    ELSE CAST((year(da) * 12 + month(da)) - (year(db) * 12 + month(db)) + (day(da) - day(db)) / 31.0 AS DOUBLE) END
  FROM x);
CREATE OR REPLACE MACRO dwsim_redshift._weekday(d) AS
  CASE WHEN lower(trim(d)) LIKE 'su%' THEN 0 WHEN lower(trim(d)) LIKE 'mo%' THEN 1 WHEN lower(trim(d)) LIKE 'tu%' THEN 2
       WHEN lower(trim(d)) LIKE 'we%' THEN 3 WHEN lower(trim(d)) LIKE 'th%' THEN 4 WHEN lower(trim(d)) LIKE 'fr%' THEN 5
       WHEN lower(trim(d)) LIKE 'sa%' THEN 6 ELSE error('Invalid day of week "' || d || '"') END;
CREATE OR REPLACE MACRO dwsim_redshift.next_day(d, day) AS
  CAST(CAST(d AS DATE) + CAST(((dwsim_redshift._weekday(day) - dayofweek(CAST(d AS DATE)) + 6) % 7) + 1 AS INTEGER) AS DATE);

-- CONVERT_TIMEZONE: https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html
CREATE OR REPLACE MACRO dwsim_redshift.convert_timezone(src, tgt, ts) AS
  CAST(timezone(tgt, timezone(src, CAST(ts AS TIMESTAMP))) AS TIMESTAMP);

-- STRTOL: https://docs.aws.amazon.com/redshift/latest/dg/r_STRTOL.html
CREATE OR REPLACE MACRO dwsim_redshift.strtol(s, base) AS (
  WITH x AS (SELECT regexp_replace(lower(trim(s)), '^[-+]', '') AS body, starts_with(trim(s), '-') AS negative)
  SELECT CASE WHEN s IS NULL THEN NULL ELSE
    (CASE WHEN negative THEN -1 ELSE 1 END) * list_reduce(
      list_prepend(CAST(0 AS BIGINT), list_transform(
        string_split(CASE WHEN base = 16 THEN regexp_replace(body, '^0x', '') ELSE body END, ''),
        lambda c: CAST(strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1 AS BIGINT))),
      lambda acc, digit: acc * base + digit) END FROM x);

-- REGEXP_*: https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_SUBSTR.html
CREATE OR REPLACE MACRO dwsim_redshift._re(p, params) AS
  CASE WHEN strpos(coalesce(params, ''), 'i') > 0 THEN '(?i)' || p ELSE p END;
CREATE OR REPLACE MACRO dwsim_redshift.regexp_substr(s, p, pos := 1, occ := 1, params := 'c') AS
  CASE WHEN s IS NULL OR p IS NULL THEN NULL ELSE coalesce(
    CASE WHEN strpos(coalesce(params, ''), 'e') > 0
      THEN regexp_extract_all(substr(s, pos), dwsim_redshift._re(p, params), 1)[occ]
      ELSE regexp_extract_all(substr(s, pos), dwsim_redshift._re(p, params))[occ] END, '') END;
CREATE OR REPLACE MACRO dwsim_redshift.regexp_count(s, p, pos := 1, params := 'c') AS
  len(regexp_extract_all(substr(s, pos), dwsim_redshift._re(p, params)));
CREATE OR REPLACE MACRO dwsim_redshift.regexp_instr(s, p, pos := 1, occ := 1, opt := 0, params := 'c') AS (
  WITH x AS (SELECT regexp_extract_all(substr(s, pos), dwsim_redshift._re(p, params)) AS m,
                    string_split_regex(substr(s, pos), dwsim_redshift._re(p, params)) AS gaps)
  SELECT CASE WHEN s IS NULL THEN NULL WHEN len(m) < occ THEN 0 ELSE
    pos + coalesce(list_sum(list_transform(gaps[1:occ], lambda g: len(g))), 0)
        + coalesce(list_sum(list_transform(m[1:occ - 1], lambda g: len(g))), 0)
        + CASE WHEN opt = 1 THEN len(m[occ]) ELSE 0 END END FROM x);
CREATE OR REPLACE MACRO dwsim_redshift.regexp_replace(s, p, r := '', pos := 1, params := 'c') AS
  substr(s, 1, pos - 1) || regexp_replace(substr(s, pos), dwsim_redshift._re(p, params), r, 'g');

-- INITCAP: upper-case the first letter of each word, lower-case the rest (words split on non-alphanumerics)
-- https://docs.aws.amazon.com/redshift/latest/dg/r_INITCAP.html
CREATE OR REPLACE MACRO dwsim_redshift.initcap(s) AS
  CASE WHEN s IS NULL THEN NULL ELSE array_to_string(list_transform(regexp_extract_all(s, '[A-Za-z0-9]+|[^A-Za-z0-9]+'),
    lambda w: upper(left(w, 1)) || lower(substr(w, 2))), '') END;

-- JSON on text: https://docs.aws.amazon.com/redshift/latest/dg/JSON_EXTRACT_PATH_TEXT.html
CREATE OR REPLACE MACRO dwsim_redshift.json_extract_path_text {_JSON_PATH_OVERLOADS};
CREATE OR REPLACE MACRO dwsim_redshift.json_extract_array_element_text(j, pos, null_if_invalid := false) AS
  CASE WHEN j IS NULL THEN NULL WHEN pos < 0 THEN '' ELSE coalesce(json_extract_string(j, '$[' || pos || ']'), '') END;
CREATE OR REPLACE MACRO dwsim_redshift.json_array_length(j, null_if_invalid := false) AS CAST(json_array_length(CAST(j AS JSON)) AS INTEGER);
CREATE OR REPLACE MACRO dwsim_redshift.is_valid_json(j) AS
  CASE WHEN j IS NULL THEN NULL ELSE coalesce(json_valid(j) AND json_type(CAST(j AS VARCHAR)) = 'OBJECT', false) END;
CREATE OR REPLACE MACRO dwsim_redshift.is_valid_json_array(j) AS
  CASE WHEN j IS NULL THEN NULL ELSE coalesce(json_valid(j) AND json_type(CAST(j AS VARCHAR)) = 'ARRAY', false) END;
CREATE OR REPLACE MACRO dwsim_redshift.json_parse(j) AS json(j);
CREATE OR REPLACE MACRO dwsim_redshift.json_serialize(j) AS CAST(j AS VARCHAR);


-- STL_LOAD_ERRORS: https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html
CREATE TABLE IF NOT EXISTS dwsim_redshift.stl_load_errors (
  userid INTEGER, slice INTEGER, tbl INTEGER, starttime TIMESTAMP, session INTEGER, query INTEGER,
  filename VARCHAR, line_number BIGINT, colname VARCHAR, type VARCHAR, col_length VARCHAR,
  position INTEGER, raw_line VARCHAR, raw_field_value VARCHAR, err_code INTEGER, err_reason VARCHAR,
  is_partial INTEGER, start_offset BIGINT, copy_job_id BIGINT);
CREATE SEQUENCE IF NOT EXISTS dwsim_redshift.query_id;

-- Catalog views: https://docs.aws.amazon.com/redshift/latest/dg/r_PG_TABLE_DEF.html
CREATE OR REPLACE MACRO dwsim_redshift._redshift_type(t) AS
  CASE WHEN t = 'INTEGER' THEN 'integer' WHEN t = 'BIGINT' THEN 'bigint' WHEN t = 'SMALLINT' THEN 'smallint'
       WHEN t = 'DOUBLE' THEN 'double precision' WHEN t = 'FLOAT' THEN 'real' WHEN t = 'BOOLEAN' THEN 'boolean'
       WHEN t = 'DATE' THEN 'date' WHEN t = 'TIME' THEN 'time without time zone'
       WHEN t = 'TIMESTAMP' THEN 'timestamp without time zone'
       WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone'
       WHEN t = 'JSON' THEN 'super' WHEN t = 'BLOB' THEN 'varbyte' WHEN t = 'VARCHAR' THEN 'character varying'
       WHEN t LIKE 'DECIMAL(%' THEN 'numeric' || substr(t, 8) ELSE lower(t) END;
CREATE OR REPLACE VIEW dwsim_redshift.pg_table_def AS
SELECT schema_name AS schemaname, table_name AS tablename, column_name AS "column",
       dwsim_redshift._redshift_type(data_type) AS type, 'none' AS encoding, false AS distkey, 0 AS sortkey,
       NOT is_nullable AS notnull
FROM duckdb_columns() WHERE lower(schema_name) = lower(coalesce(getvariable('dwsim_experiment'), current_schema())) AND NOT internal
ORDER BY schema_name, table_name, column_index;
CREATE OR REPLACE VIEW dwsim_redshift.svv_columns AS
SELECT database_name AS table_catalog, schema_name AS table_schema, table_name, column_name,
       CAST(column_index AS INTEGER) AS ordinal_position, column_default,
       CASE WHEN is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,
       dwsim_redshift._redshift_type(data_type) AS data_type, CAST(character_maximum_length AS INTEGER) AS character_maximum_length,
       CAST(numeric_precision AS INTEGER) AS numeric_precision, CAST(numeric_precision_radix AS INTEGER) AS numeric_precision_radix,
       CAST(numeric_scale AS INTEGER) AS numeric_scale, NULL AS remarks
FROM duckdb_columns() WHERE NOT internal AND schema_name <> 'dwsim_redshift';
CREATE OR REPLACE VIEW dwsim_redshift.svv_table_info AS
SELECT database_name AS database, schema_name AS schema, CAST(table_oid AS INTEGER) AS table_id, table_name AS "table",
       'N' AS encoded, 'AUTO(EVEN)' AS diststyle, CAST(NULL AS VARCHAR) AS sortkey1, 0 AS max_varchar,
       CAST(NULL AS VARCHAR) AS sortkey1_enc, 0 AS sortkey_num, 1 AS size, CAST(0 AS DECIMAL(10,4)) AS pct_used,
       CAST(0 AS DECIMAL(10,4)) AS empty, CAST(0 AS DECIMAL(5,2)) AS unsorted, CAST(0 AS DECIMAL(5,2)) AS stats_off,
       CAST(estimated_size AS DECIMAL(38,0)) AS tbl_rows, CAST(NULL AS DECIMAL(19,2)) AS skew_sortkey1,
       CAST(NULL AS DECIMAL(19,2)) AS skew_rows, CAST(estimated_size AS DECIMAL(38,0)) AS estimated_visible_rows,
       CAST(NULL AS VARCHAR) AS risk_event, CAST(NULL AS DECIMAL(12,2)) AS vacuum_sort_benefit
FROM duckdb_tables() WHERE NOT internal AND schema_name <> 'dwsim_redshift' AND NOT temporary;
CREATE OR REPLACE VIEW dwsim_redshift.svv_tables AS
SELECT database_name AS table_catalog, schema_name AS table_schema, table_name, 'BASE TABLE' AS table_type, NULL AS remarks
FROM duckdb_tables() WHERE NOT internal AND schema_name <> 'dwsim_redshift';
CREATE OR REPLACE VIEW dwsim_redshift.svv_all_tables AS
SELECT database_name, schema_name, table_name, 'TABLE' AS table_type, CAST(NULL AS VARCHAR) AS table_acl,
       CAST(NULL AS VARCHAR) AS remarks
FROM duckdb_tables() WHERE NOT internal AND schema_name <> 'dwsim_redshift'
UNION ALL
SELECT database_name, schema_name, view_name, 'VIEW', NULL, NULL
FROM duckdb_views() WHERE NOT internal AND schema_name NOT IN ('dwsim_redshift', 'dwsim_endpoint', 'information_schema', 'pg_catalog');
CREATE OR REPLACE VIEW dwsim_redshift.svv_external_schemas AS
SELECT CAST(NULL AS BIGINT) AS esoid, CAST(NULL AS SMALLINT) AS eskind, CAST(NULL AS VARCHAR) AS schemaname,
       CAST(NULL AS INTEGER) AS esowner, CAST(NULL AS VARCHAR) AS databasename, CAST(NULL AS VARCHAR) AS esoptions
WHERE false;
"""
