# ruff: noqa: E501  (SQL text: long lines are clearer than broken ones)
"""dw-sim's Redshift SQL library for PostgreSQL: functions, aggregates, catalog views and STL_LOAD_ERRORS in schema
`dwsim_redshift`, installed idempotently (see `install.py`). Each object cites the Redshift page it follows."""

from __future__ import annotations

SCRIPT = r"""
CREATE SCHEMA IF NOT EXISTS dwsim_redshift;

-- DATEADD: https://docs.aws.amazon.com/redshift/latest/dg/r_DATEADD_function.html
-- Adding years to Feb 29 lands on Mar 1 in a non-leap year ("dateadd(year, 1, '2016-02-29')" -> 2017-03-01).
CREATE OR REPLACE FUNCTION dwsim_redshift.dateadd(part text, n bigint, ts timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE part
    WHEN 'millennium' THEN dwsim_redshift._add_years(ts, n * 1000)
    WHEN 'century' THEN dwsim_redshift._add_years(ts, n * 100)
    WHEN 'decade' THEN dwsim_redshift._add_years(ts, n * 10)
    WHEN 'year' THEN dwsim_redshift._add_years(ts, n)
    WHEN 'quarter' THEN ts + make_interval(months => (n * 3)::int)
    WHEN 'month' THEN ts + make_interval(months => n::int)
    WHEN 'week' THEN ts + make_interval(days => (n * 7)::int)
    WHEN 'day' THEN ts + make_interval(days => n::int)
    WHEN 'hour' THEN ts + n * interval '1 hour'
    WHEN 'minute' THEN ts + n * interval '1 minute'
    WHEN 'second' THEN ts + n * interval '1 second'
    WHEN 'millisecond' THEN ts + n * interval '1 millisecond'
    WHEN 'microsecond' THEN ts + n * interval '1 microsecond'
  END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift._add_years(ts timestamp, n bigint) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN extract(month FROM ts) = 2 AND extract(day FROM ts) = 29
                   AND extract(day FROM ts + make_interval(years => n::int)) <> 29
              THEN ts + make_interval(years => n::int) + interval '1 day'
              ELSE ts + make_interval(years => n::int) END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.dateadd(part text, n bigint, d date) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.dateadd(part, n, d::timestamp) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.dateadd(part text, n bigint, ts timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT dwsim_redshift.dateadd(part, n, ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;

-- DATEDIFF counts the boundaries of the date part crossed between the two values:
-- https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html ("datediff(year,'2008-12-31','2009-01-01')" = 1)
CREATE OR REPLACE FUNCTION dwsim_redshift.datediff(part text, a timestamp, b timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE part
    WHEN 'millennium' THEN floor((extract(year FROM b) - 1) / 1000) - floor((extract(year FROM a) - 1) / 1000)
    WHEN 'century' THEN floor((extract(year FROM b) - 1) / 100) - floor((extract(year FROM a) - 1) / 100)
    WHEN 'decade' THEN floor(extract(year FROM b) / 10) - floor(extract(year FROM a) / 10)
    WHEN 'year' THEN extract(year FROM b) - extract(year FROM a)
    WHEN 'quarter' THEN (extract(year FROM b) * 4 + extract(quarter FROM b))
                      - (extract(year FROM a) * 4 + extract(quarter FROM a))
    WHEN 'month' THEN (extract(year FROM b) * 12 + extract(month FROM b))
                    - (extract(year FROM a) * 12 + extract(month FROM a))
    WHEN 'week' THEN (date_trunc('week', b)::date - date_trunc('week', a)::date) / 7
    WHEN 'day' THEN b::date - a::date
    WHEN 'hour' THEN extract(epoch FROM date_trunc('hour', b) - date_trunc('hour', a)) / 3600
    WHEN 'minute' THEN extract(epoch FROM date_trunc('minute', b) - date_trunc('minute', a)) / 60
    WHEN 'second' THEN extract(epoch FROM date_trunc('second', b) - date_trunc('second', a))
    WHEN 'millisecond' THEN round(extract(epoch FROM date_trunc('milliseconds', b) - date_trunc('milliseconds', a)) * 1000)
    WHEN 'microsecond' THEN round(extract(epoch FROM b - a) * 1000000)
  END)::bigint
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.datediff(part text, a date, b date) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.datediff(part, a::timestamp, b::timestamp) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.datediff(part text, a timestamptz, b timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT dwsim_redshift.datediff(part, a AT TIME ZONE 'UTC', b AT TIME ZONE 'UTC') $$;

-- DATE_PART returns DOUBLE PRECISION: https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html
CREATE OR REPLACE FUNCTION dwsim_redshift.date_part(part text, ts timestamp) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE part
    WHEN 'second' THEN floor(pg_catalog.date_part('second', ts))
    WHEN 'millisecond' THEN floor(pg_catalog.date_part('milliseconds', ts))::bigint % 1000
    WHEN 'microsecond' THEN floor(pg_catalog.date_part('microseconds', ts))::bigint % 1000000
    ELSE pg_catalog.date_part(part, ts) END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.date_part(part text, d date) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.date_part(part, d::timestamp) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.date_part(part text, ts timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$ SELECT dwsim_redshift.date_part(part, ts AT TIME ZONE 'UTC') $$;

-- GETDATE (whole seconds) and SYSDATE (transaction start), TIMESTAMP in UTC:
-- https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html
CREATE OR REPLACE FUNCTION dwsim_redshift.getdate() RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT date_trunc('second', statement_timestamp() AT TIME ZONE 'UTC') $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.sysdate() RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT transaction_timestamp() AT TIME ZONE 'UTC' $$;

-- TRUNC(timestamp) -> DATE, TRUNC(number) truncates: https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNC_date.html
CREATE OR REPLACE FUNCTION dwsim_redshift.trunc(ts timestamp) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT ts::date $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.trunc(ts timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (ts AT TIME ZONE 'UTC')::date $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.trunc(d date) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT d $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.trunc(x numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.trunc(x) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.trunc(x double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.trunc(x) $$;

-- ADD_MONTHS keeps month ends at month ends: https://docs.aws.amazon.com/redshift/latest/dg/r_ADD_MONTHS.html
CREATE OR REPLACE FUNCTION dwsim_redshift.add_months(ts timestamp, n bigint) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN ts::date = dwsim_redshift.last_day(ts::date)
              THEN dwsim_redshift.last_day((ts + make_interval(months => n::int))::date) + ts::time
              ELSE ts + make_interval(months => n::int) END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.add_months(d date, n bigint) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.add_months(d::timestamp, n) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.add_months(ts timestamptz, n bigint) RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT dwsim_redshift.add_months(ts AT TIME ZONE 'UTC', n) $$;

-- LAST_DAY: https://docs.aws.amazon.com/redshift/latest/dg/r_LAST_DAY.html
CREATE OR REPLACE FUNCTION dwsim_redshift.last_day(d date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT (date_trunc('month', d) + interval '1 month' - interval '1 day')::date $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.last_day(ts timestamp) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.last_day(ts::date) $$;

-- MONTHS_BETWEEN: https://docs.aws.amazon.com/redshift/latest/dg/r_MONTHS_BETWEEN_function.html
CREATE OR REPLACE FUNCTION dwsim_redshift.months_between(a date, b date) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL
    WHEN extract(day FROM a) = extract(day FROM b)
         OR (a = dwsim_redshift.last_day(a) AND b = dwsim_redshift.last_day(b))
    THEN ((extract(year FROM a) * 12 + extract(month FROM a)) - (extract(year FROM b) * 12 + extract(month FROM b)))::float8
    ELSE ((extract(year FROM a) * 12 + extract(month FROM a)) - (extract(year FROM b) * 12 + extract(month FROM b))
          + (extract(day FROM a) - extract(day FROM b)) / 31.0)::float8 END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.months_between(a timestamp, b timestamp) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.months_between(a::date, b::date) $$;

-- NEXT_DAY: the first given weekday later than the date: https://docs.aws.amazon.com/redshift/latest/dg/r_NEXT_DAY.html
CREATE OR REPLACE FUNCTION dwsim_redshift.next_day(d date, day text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT d + (((dwsim_redshift._weekday(day) - extract(dow FROM d)::int + 6) % 7) + 1)
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.next_day(ts timestamp, day text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift.next_day(ts::date, day) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift._weekday(day text) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE d text := lower(trim(day));
BEGIN
  IF d LIKE 'su%' THEN RETURN 0; ELSIF d LIKE 'mo%' THEN RETURN 1; ELSIF d LIKE 'tu%' THEN RETURN 2;
  ELSIF d LIKE 'we%' THEN RETURN 3; ELSIF d LIKE 'th%' THEN RETURN 4; ELSIF d LIKE 'fr%' THEN RETURN 5;
  ELSIF d LIKE 'sa%' THEN RETURN 6; END IF;
  RAISE EXCEPTION 'Invalid day of week "%"', day;
END $$;

-- CONVERT_TIMEZONE: https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html
CREATE OR REPLACE FUNCTION dwsim_redshift.convert_timezone(src text, tgt text, ts timestamp) RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT (ts AT TIME ZONE src) AT TIME ZONE tgt $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.convert_timezone(src text, tgt text, ts timestamptz) RETURNS timestamp
LANGUAGE sql STABLE AS $$ SELECT ts AT TIME ZONE tgt $$;

-- STRTOL: https://docs.aws.amazon.com/redshift/latest/dg/r_STRTOL.html
CREATE OR REPLACE FUNCTION dwsim_redshift.strtol(s text, base int) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := lower(trim(s)); result bigint := 0; negative bool := false; digit int; c text;
BEGIN
  IF s IS NULL OR base IS NULL THEN RETURN NULL; END IF;
  IF left(t, 1) = '-' THEN negative := true; t := substr(t, 2); ELSIF left(t, 1) = '+' THEN t := substr(t, 2); END IF;
  IF base = 16 AND left(t, 2) = '0x' THEN t := substr(t, 3); END IF;
  FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
    digit := strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1;
    EXIT WHEN digit < 0 OR digit >= base;
    result := result * base + digit;
  END LOOP;
  RETURN CASE WHEN negative THEN -result ELSE result END;
END $$;

-- REGEXP_*: https://docs.aws.amazon.com/redshift/latest/dg/REGEXP_SUBSTR.html (no match -> empty string)
CREATE OR REPLACE FUNCTION dwsim_redshift._regexp_flags(params text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN strpos(coalesce(params, ''), 'i') > 0 THEN 'i' ELSE '' END $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.regexp_substr(s text, p text, pos int DEFAULT 1, occ int DEFAULT 1,
                                                        params text DEFAULT 'c') RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN s IS NULL OR p IS NULL THEN NULL ELSE coalesce(pg_catalog.regexp_substr(s, p, pos, occ,
    dwsim_redshift._regexp_flags(params), CASE WHEN strpos(coalesce(params, ''), 'e') > 0 THEN 1 ELSE 0 END), '') END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.regexp_count(s text, p text, pos int DEFAULT 1, params text DEFAULT 'c')
RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_catalog.regexp_count(s, p, pos, dwsim_redshift._regexp_flags(params))
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.regexp_instr(s text, p text, pos int DEFAULT 1, occ int DEFAULT 1,
                                                       opt int DEFAULT 0, params text DEFAULT 'c') RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_catalog.regexp_instr(s, p, pos, occ, opt, dwsim_redshift._regexp_flags(params),
    CASE WHEN strpos(coalesce(params, ''), 'e') > 0 THEN 1 ELSE 0 END)
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.regexp_replace(s text, p text, r text DEFAULT '', pos int DEFAULT 1,
                                                         params text DEFAULT 'c') RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_catalog.regexp_replace(s, p, r, pos, 0, dwsim_redshift._regexp_flags(params))
$$;

-- INITCAP: https://docs.aws.amazon.com/redshift/latest/dg/r_INITCAP.html
CREATE OR REPLACE FUNCTION dwsim_redshift.initcap(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.initcap(s) $$;

-- JSON functions on text: https://docs.aws.amazon.com/redshift/latest/dg/JSON_EXTRACT_PATH_TEXT.html
-- (a path that does not exist gives an empty string)
CREATE OR REPLACE FUNCTION dwsim_redshift.json_extract_path_text(j text, VARIADIC path text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN j IS NULL THEN NULL ELSE coalesce(pg_catalog.json_extract_path_text(j::json, VARIADIC path), '') END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.json_extract_array_element_text(j text, pos int, null_if_invalid boolean DEFAULT false)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN j IS NULL THEN NULL WHEN pos < 0 THEN '' ELSE coalesce(j::json ->> pos, '') END
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift.json_array_length(j text, null_if_invalid boolean DEFAULT false) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.json_array_length(j::json) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.is_valid_json(j text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF j IS NULL THEN RETURN NULL; END IF;
  RETURN json_typeof(j::json) = 'object';
EXCEPTION WHEN others THEN RETURN false;
END $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.is_valid_json_array(j text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF j IS NULL THEN RETURN NULL; END IF;
  RETURN json_typeof(j::json) = 'array';
EXCEPTION WHEN others THEN RETURN false;
END $$;
-- SUPER is jsonb: https://docs.aws.amazon.com/redshift/latest/dg/JSON_PARSE.html
CREATE OR REPLACE FUNCTION dwsim_redshift.json_parse(j text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT j::jsonb $$;
CREATE OR REPLACE FUNCTION dwsim_redshift.json_serialize(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT j::text $$;

-- MEDIAN / PERCENTILE_CONT / PERCENTILE_DISC usable with OVER (PostgreSQL's ordered-set aggregates are not):
-- https://docs.aws.amazon.com/redshift/latest/dg/r_WF_MEDIAN.html
CREATE OR REPLACE FUNCTION dwsim_redshift._collect(state float8[], p float8, x float8) RETURNS float8[]
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN x IS NULL THEN coalesce(state, ARRAY[p]) ELSE coalesce(state, ARRAY[p]) || x END $$;
CREATE OR REPLACE FUNCTION dwsim_redshift._percentile_cont(state float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  WITH v AS (SELECT x, row_number() OVER (ORDER BY x) - 1 AS i FROM unnest(state[2:]) AS x),
       k AS (SELECT state[1] * (count(*) - 1) AS pos FROM v)
  SELECT CASE WHEN (SELECT count(*) FROM v) = 0 THEN NULL ELSE
    (SELECT x FROM v WHERE i = floor(k.pos)) + ((SELECT x FROM v WHERE i = ceil(k.pos)) - (SELECT x FROM v WHERE i = floor(k.pos))) * (k.pos - floor(k.pos)) END
  FROM k
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift._percentile_disc(state float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  WITH v AS (SELECT x, row_number() OVER (ORDER BY x) AS i, count(*) OVER () AS n FROM unnest(state[2:]) AS x)
  SELECT min(x) FROM v WHERE i::float8 / n >= state[1]
$$;
CREATE OR REPLACE FUNCTION dwsim_redshift._median_collect(state float8[], x float8) RETURNS float8[]
LANGUAGE sql IMMUTABLE AS $$ SELECT dwsim_redshift._collect(state, 0.5, x) $$;
DROP AGGREGATE IF EXISTS dwsim_redshift.median_agg(float8);
CREATE AGGREGATE dwsim_redshift.median_agg(float8) (
  SFUNC = dwsim_redshift._median_collect, STYPE = float8[], FINALFUNC = dwsim_redshift._percentile_cont);
DROP AGGREGATE IF EXISTS dwsim_redshift.percentile_cont_agg(float8, float8);
CREATE AGGREGATE dwsim_redshift.percentile_cont_agg(float8, float8) (
  SFUNC = dwsim_redshift._collect, STYPE = float8[], FINALFUNC = dwsim_redshift._percentile_cont);
DROP AGGREGATE IF EXISTS dwsim_redshift.percentile_disc_agg(float8, float8);
CREATE AGGREGATE dwsim_redshift.percentile_disc_agg(float8, float8) (
  SFUNC = dwsim_redshift._collect, STYPE = float8[], FINALFUNC = dwsim_redshift._percentile_disc);

-- IGNORE NULLS for FIRST_VALUE/LAST_VALUE/LAG/LEAD: https://docs.aws.amazon.com/redshift/latest/dg/r_WF_first_value.html
CREATE OR REPLACE FUNCTION dwsim_redshift._first_nn(state anyelement, x anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(state, x) $$;
CREATE OR REPLACE FUNCTION dwsim_redshift._last_nn(state anyelement, x anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(x, state) $$;
DROP AGGREGATE IF EXISTS dwsim_redshift.first_value_ignore_nulls(anyelement);
CREATE AGGREGATE dwsim_redshift.first_value_ignore_nulls(anyelement) (SFUNC = dwsim_redshift._first_nn, STYPE = anyelement);
DROP AGGREGATE IF EXISTS dwsim_redshift.last_value_ignore_nulls(anyelement);
CREATE AGGREGATE dwsim_redshift.last_value_ignore_nulls(anyelement) (SFUNC = dwsim_redshift._last_nn, STYPE = anyelement);

-- STL_LOAD_ERRORS with Redshift's columns: https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html
CREATE TABLE IF NOT EXISTS dwsim_redshift.stl_load_errors (
  userid integer, slice integer, tbl integer, starttime timestamp, session integer, query integer,
  filename varchar(256), line_number bigint, colname varchar(127), type varchar(10), col_length varchar(10),
  position integer, raw_line varchar(1024), raw_field_value varchar(1024), err_code integer, err_reason varchar(100),
  is_partial integer, start_offset bigint, copy_job_id bigint);
CREATE SEQUENCE IF NOT EXISTS dwsim_redshift.query_id;

-- Catalog views: https://docs.aws.amazon.com/redshift/latest/dg/r_PG_TABLE_DEF.html
CREATE OR REPLACE FUNCTION dwsim_redshift._redshift_type(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN t IN ('jsonb', 'json') THEN 'super' WHEN t = 'bytea' THEN 'varbyte' ELSE t END $$;
CREATE OR REPLACE VIEW dwsim_redshift.pg_table_def AS
SELECT n.nspname::name AS schemaname, c.relname::name AS tablename, a.attname::name AS "column",
       dwsim_redshift._redshift_type(format_type(a.atttypid, a.atttypmod)) AS type, 'none'::varchar(32) AS encoding,
       false AS distkey, 0 AS sortkey, a.attnotnull AS notnull
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY (current_schemas(false))
ORDER BY n.nspname, c.relname, a.attnum;

CREATE OR REPLACE FUNCTION dwsim_redshift._row_count(rel regclass) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$ DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM ' || rel INTO n; RETURN n; END $$;
-- https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TABLE_INFO.html
CREATE OR REPLACE VIEW dwsim_redshift.svv_table_info AS
SELECT current_database()::text AS database, n.nspname::text AS schema, c.oid::int AS table_id, c.relname::text AS "table",
       'N'::char(1) AS encoded, 'AUTO(EVEN)'::text AS diststyle, NULL::text AS sortkey1, 0 AS max_varchar,
       NULL::char(32) AS sortkey1_enc, 0 AS sortkey_num,
       greatest(1, ceil(pg_total_relation_size(c.oid) / 1048576.0))::bigint AS size, 0::numeric(10,4) AS pct_used,
       0::numeric(10,4) AS empty, 0::numeric(5,2) AS unsorted, 0::numeric(5,2) AS stats_off,
       dwsim_redshift._row_count(c.oid)::numeric(38,0) AS tbl_rows, NULL::numeric(19,2) AS skew_sortkey1,
       NULL::numeric(19,2) AS skew_rows, dwsim_redshift._row_count(c.oid)::numeric(38,0) AS estimated_visible_rows,
       NULL::text AS risk_event, NULL::numeric(12,2) AS vacuum_sort_benefit
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'dwsim_redshift')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%';
-- https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_COLUMNS.html
CREATE OR REPLACE VIEW dwsim_redshift.svv_columns AS
SELECT table_catalog::text, table_schema::text, table_name::text, column_name::text, ordinal_position::int,
       column_default::text, is_nullable::text,
       dwsim_redshift._redshift_type(data_type::text) AS data_type, character_maximum_length::int,
       numeric_precision::int, numeric_precision_radix::int, numeric_scale::int, datetime_precision::int,
       interval_type::text, interval_precision::text, character_set_catalog::text, character_set_schema::text,
       character_set_name::text, collation_catalog::text, collation_schema::text, collation_name::text,
       domain_name::text, NULL::text AS remarks
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'dwsim_redshift');
-- https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TABLES.html
CREATE OR REPLACE VIEW dwsim_redshift.svv_tables AS
SELECT table_catalog::text, table_schema::text, table_name::text, table_type::text, NULL::text AS remarks
FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'dwsim_redshift');
-- https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_ALL_TABLES.html (drivers: redshift_connector's write_dataframe)
CREATE OR REPLACE VIEW dwsim_redshift.svv_all_tables AS
SELECT table_catalog::text AS database_name, table_schema::text AS schema_name, table_name::text,
       table_type::text, NULL::text AS table_acl, NULL::text AS remarks
FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'dwsim_redshift');
-- https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_EXTERNAL_SCHEMAS.html: dw-sim has no external schemas
CREATE OR REPLACE VIEW dwsim_redshift.svv_external_schemas AS
SELECT NULL::oid AS esoid, NULL::smallint AS eskind, NULL::text AS schemaname, NULL::int AS esowner,
       NULL::text AS databasename, NULL::text AS esoptions WHERE false;
"""
