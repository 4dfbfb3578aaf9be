"""Catalog queries drivers send (pg_catalog, information_schema), which bypass the Redshift layer.

PostgreSQL answers them itself. On DuckDB they run on DuckDB's own pg_catalog and information_schema emulation,
after the rewrites below for what that emulation lacks or spells differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dw_simulator.sql.redshift.split import mask
from dw_simulator.sql.redshift.transforms.system_views import SYSTEM_VIEWS

_CATALOG = re.compile(
    r"\b(pg_catalog\s*\.|information_schema\s*\.|pg_class|pg_namespace|pg_attribute|pg_type|pg_proc|pg_database"
    r"|pg_settings|pg_tables|pg_views|pg_user|pg_roles|pg_description|pg_index|pg_constraint|pg_attrdef"
    r"|pg_get_\w+|format_type|has_table_privilege|has_schema_privilege|pg_table_is_visible|current_schemas?\b"
    r"|pg_am\b|pg_inherits|pg_extension|pg_collation|pg_enum|pg_language|pg_depend|pg_shdescription|pg_stat_\w+"
    r"|pg_get_late_binding_view_cols|pg_external_schema|svv_external_\w+|::regclass|::regtype|::oid\b)",
    re.I,
)
# Redshift's own system views are in dw-sim's Redshift library (the layer qualifies them); not catalog queries here
_REDSHIFT_VIEWS = re.compile(
    r"\b(pg_table_def|svv_table_info|svv_columns|svv_tables|svv_all_tables|svv_external_schemas|stl_load_errors)\b",
    re.I,
)


def is_catalog_query(sql: str) -> bool:
    text = mask(sql).text
    return bool(_CATALOG.search(text)) and not _REDSHIFT_VIEWS.search(text)


ENDPOINT_SCHEMA_PLACEHOLDER = "\x01endpoint\x01"
_DUCKDB_REWRITES: tuple[tuple[str, str], ...] = (
    (r"::\s*pg_catalog\s*\.\s*(\w+)", r"::\1"),
    (r"::\s*regclass\b", ""),
    (r"::\s*regtype\b", "::VARCHAR"),
    (r"::\s*regproc\b", ""),
    (r"::\s*oid\b", "::BIGINT"),
    (r"::\s*name\b", "::VARCHAR"),
    (r"::\s*\"char\"", "::VARCHAR"),
    (r"\bOPERATOR\s*\(\s*pg_catalog\s*\.\s*(~\*?|!~\*?|=|<>|~~\*?)\s*\)", r"\1"),
    (r"\b(?:pg_catalog\s*\.\s*)?pg_table_is_visible\s*\(", ENDPOINT_SCHEMA_PLACEHOLDER + ".table_is_visible("),
    (r"\b(?:pg_catalog\s*\.\s*)?pg_get_expr\s*\(", ENDPOINT_SCHEMA_PLACEHOLDER + ".get_expr("),
    (
        r"\bpg_catalog\s*\.\s*(format_type|obj_description|col_description|has_table_privilege|has_schema_privilege"
        r"|current_schemas?|pg_get_userbyid|array_to_string)\s*\(",
        r"\1(",
    ),
    (r"\bcurrent_schemas\s*\(\s*(true|false)\s*\)", "['pg_catalog', current_schema()]"),
    (r"(?<![\w.])regexp_substr\s*\(", "dwsim_redshift.regexp_substr("),  # Redshift's, in dw-sim's library
    (r"(?<![\w.])charindex\s*\(", ENDPOINT_SCHEMA_PLACEHOLDER + ".charindex("),
    (
        r"\b(?:pg_catalog\s*\.\s*)?(pg_encoding_to_char|pg_get_function_result|pg_get_function_arguments)\s*\(",
        ENDPOINT_SCHEMA_PLACEHOLDER + r".\1(",
    ),
    (
        r"\b(?:pg_catalog\s*\.\s*)?(pg_inherits|pg_rewrite|pg_user|pg_roles|pg_stat_user_tables|pg_statio_user_tables)\b",
        ENDPOINT_SCHEMA_PLACEHOLDER + r".\1",
    ),
)


_REGCLASS_LITERAL = re.compile(r"(\x00\d+\x00)\s*::\s*regclass\b", re.I)


def _regclass_lookup(literal: str, experiment: str) -> str:
    """`'schema.table'::regclass` on DuckDB: the relation's oid, looked up (unqualified: the experiment's schema)."""
    from dw_simulator.sql.redshift.split import unquote_string

    name = unquote_string(literal)
    parts = [p.strip().strip('"') for p in re.split(r'\.(?=(?:[^"]*"[^"]*")*[^"]*$)', name)]
    table = parts[-1].replace("'", "''")
    schema = (parts[-2] if len(parts) > 1 else experiment).replace("'", "''")
    return (
        f"(SELECT max(o) FROM (SELECT table_oid AS o FROM duckdb_tables() WHERE schema_name = '{schema}' "
        f"AND table_name = '{table}' UNION ALL SELECT view_oid FROM duckdb_views() WHERE schema_name = '{schema}' "
        f"AND view_name = '{table}') _r)"
    )


_CURRENT_SETTING = re.compile(r"\b(?:pg_catalog\s*\.\s*)?current_setting\s*\(\s*(\x00\d+\x00)\s*\)", re.I)
PG_ONLY_SETTINGS = {"default_table_access_method": "heap", "server_version_num": "80002", "lc_collate": "C"}


# `pg_get_late_binding_view_cols() cols(table_schema name, ...)` (dbt-redshift's catalog): a column definition
# list; dw-sim's views are ordinary views, so the function has no rows (PostgreSQL has no such function either)
_LATE_BINDING_COLS = re.compile(
    r"\b(?:pg_catalog\s*\.\s*)?pg_get_late_binding_view_cols\s*\(\s*\)\s*(?:AS\s+)?(?P<alias>\w+)\s*\((?P<cols>[^()]*)\)",
    re.I,
)
_DUCKDB_TYPE_OF = {"name": "VARCHAR", "text": "VARCHAR", "varchar": "VARCHAR", "int": "INTEGER", "integer": "INTEGER"}


def _empty_late_binding(match: re.Match[str]) -> str:
    columns = []
    for part in match.group("cols").split(","):
        words = part.split()
        if len(words) >= 2:
            columns.append(f"CAST(NULL AS {_DUCKDB_TYPE_OF.get(words[1].lower(), 'VARCHAR')}) AS {words[0]}")
    return f"(SELECT {', '.join(columns)} WHERE false) AS {match.group('alias')}"


def duckdb_catalog_sql(sql: str, experiment: str, setting: Callable[[str], str] | None = None) -> str:
    """A driver's catalog query, as DuckDB's catalog emulation runs it. `setting(name)` answers
    `current_setting('name')` for the session."""
    masked = mask(sql, drop_comments=True)
    text = _REGCLASS_LITERAL.sub(lambda m: _regclass_lookup(masked.token(m.group(1)), experiment), masked.text)

    def current_setting(match: re.Match[str]) -> str:
        from dw_simulator.sql.redshift.split import unquote_string

        name = unquote_string(masked.token(match.group(1))).lower()
        value = PG_ONLY_SETTINGS.get(name) if setting is None else (setting(name) or PG_ONLY_SETTINGS.get(name, ""))
        return "'" + (value or "").replace("'", "''") + "'"

    text = _regexp_replace_defaults(_LATE_BINDING_COLS.sub(_empty_late_binding, text))
    text = _CURRENT_SETTING.sub(current_setting, text)
    text = re.sub(
        r"\b(?:pg_catalog\s*\.\s*)?current_setting\s*\(", ENDPOINT_SCHEMA + ".current_setting(", text, flags=re.I
    )
    for pattern, replacement in (*_DUCKDB_REWRITES, *_PROKIND):
        text = re.sub(pattern, replacement.replace(ENDPOINT_SCHEMA_PLACEHOLDER, ENDPOINT_SCHEMA), text, flags=re.I)
    return masked.unmask(text)


_UNALIASED_HINT = re.compile(r"\b(FROM|JOIN)\s*\(\s*(SELECT|WITH)\b", re.I)


# psql's pre-11 \\df (the server says 8.0.2): pg_proc.proisagg / proiswindow became prokind
_PROKIND: tuple[tuple[str, str], ...] = (
    (r"\b(\w+)\.proisagg\b", r"(\1.prokind = 'a')"),
    (r"\b(\w+)\.proiswindow\b", r"(\1.prokind = 'w')"),
)
_PG_REWRITES: tuple[tuple[str, str], ...] = (
    # the PostgreSQL dialect of SQLAlchemy asks servers older than 12 (Redshift reports 8.0.2) for relhasoids
    (r"(?<![\w.])relhasoids(?=\s*,)", "false AS relhasoids"),
    (r"\b\w+\.relhasoids\b", "false"),
    *_PROKIND,
)


def postgres_catalog_sql(sql: str) -> str:
    """A driver's catalog query as PostgreSQL 15 runs it (Redshift is PostgreSQL 8.0.2 to its clients)."""
    masked = mask(sql, drop_comments=False)
    text = _regexp_replace_defaults(_LATE_BINDING_COLS.sub(_empty_late_binding, masked.text))
    for pattern, replacement in _PG_REWRITES:
        text = re.sub(pattern, replacement, text, flags=re.I)
    for i, token in enumerate(masked.tokens):  # `has_table_privilege(user, 'svv_table_info', ...)`: dw-sim's view
        if token.startswith("'") and token[1:-1].lower() in SYSTEM_VIEWS:
            masked.tokens[i] = f"'dwsim_redshift.{token[1:-1].lower()}'"
    return alias_subqueries(masked.unmask(text))


def alias_subqueries(sql: str) -> str:
    """Redshift (like PostgreSQL before 16) accepts `FROM (SELECT ...)` without an alias, which PostgreSQL 15
    rejects: give every unaliased derived table one."""
    if not _UNALIASED_HINT.search(mask(sql).text):
        return sql
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:
        return sql
    changed = False
    for i, sub in enumerate(list(tree.find_all(exp.Subquery))):
        if sub.alias or not isinstance(sub.parent, exp.From | exp.Join):
            continue
        sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_dwsim_sub{i}")))
        changed = True
    return tree.sql(dialect="postgres") if changed else sql


def expand_lateral_aliases(sql: str, columns_of: Callable[[str], set[str] | None]) -> str:
    """Redshift lets a select-list expression use an alias defined earlier in the same list (a lateral column
    alias, https://docs.aws.amazon.com/redshift/latest/dg/r_SELECT_list.html); PostgreSQL does not. The alias is
    replaced by its expression where the name is not a column of the FROM sources (a column wins, as in Redshift).
    `columns_of(relation)` gives a relation's column names (None when unknown)."""
    masked = mask(sql).text
    aliases = {m.group(1).strip('"').lower() for m in re.finditer(r"\bAS\s+(\"[^\"]+\"|\w+)", masked, re.I)}
    words = [w.lower() for w in re.findall(r"\w+", masked)]
    if not any(words.count(a) > 1 for a in aliases):
        return sql
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:
        return sql
    changed = False
    for select in list(tree.find_all(exp.Select)):
        sources: set[str] = set()
        for source in [select.args.get("from_"), *(select.args.get("joins") or [])]:
            node = source.this if source is not None else None
            if isinstance(node, exp.Table):
                name = ".".join(p.name for p in node.parts)
                cols = columns_of(name)
                if cols is None:
                    sources = set()
                    break
                sources |= cols
            elif isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
                sources |= {p.alias_or_name.lower() for p in node.this.expressions}
        defined: dict[str, exp.Expression] = {}
        projections = []
        for projection in select.expressions:
            new = projection.transform(_lateral, defined, sources) if defined else projection
            if new is not projection:
                changed = True
            projections.append(new)
            if isinstance(new, exp.Alias):
                defined[new.alias.lower()] = new.this
        if changed:
            select.set("expressions", projections)
        where = select.args.get("where")  # Redshift's WHERE may name a select-list alias too
        if where is not None and defined:
            new_where = where.transform(_lateral, defined, sources)
            if new_where.sql() != where.sql():
                select.set("where", new_where)
                changed = True
    return tree.sql(dialect="postgres") if changed else sql


def _lateral(node: Any, defined: dict[str, Any], sources: set[str]) -> Any:
    """An unqualified column that names an alias defined earlier (and no column of the sources): its expression."""
    from sqlglot import exp

    if (
        isinstance(node, exp.Column)
        and not node.table
        and node.name.lower() in defined
        and node.name.lower() not in sources
    ):
        value = defined[node.name.lower()].copy()
        atomic = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Case, exp.Cast)
        return value if isinstance(value, atomic) else exp.Paren(this=value)
    return node


_REGEXP_REPLACE = re.compile(r"\bregexp_replace\s*\(", re.I)


def _regexp_replace_defaults(text: str) -> str:
    """Redshift's REGEXP_REPLACE(source, pattern) replaces every match with '' (redshift_connector's column
    metadata query uses it); PostgreSQL and DuckDB want the replacement and 'g' spelled out. `text` is masked."""
    out, last = [], 0
    for match in _REGEXP_REPLACE.finditer(text):
        depth, commas, i = 1, 0, match.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            commas += text[i] == "," and depth == 1
            i += 1
        if depth == 0 and commas == 1:
            out.append(text[last : i - 1] + ", '', 'g'")
            last = i - 1
    out.append(text[last:])
    return "".join(out)


# Objects drivers' metadata queries need on DuckDB beyond dw-sim's Redshift library (e.g. every SVV_COLUMNS column
# that redshift_connector's get_columns reads). Installed per session, idempotently.
ENDPOINT_SCHEMA = "dwsim_endpoint"
DUCKDB_SCRIPT_TEMPLATE = f"""
CREATE SCHEMA IF NOT EXISTS {ENDPOINT_SCHEMA};
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.svv_columns AS
SELECT c.table_catalog, c.table_schema, c.table_name, c.column_name,
       CAST(c.ordinal_position AS INTEGER) AS ordinal_position, c.column_default, c.is_nullable, s.data_type,
       CAST(c.character_maximum_length AS INTEGER) AS character_maximum_length,
       CAST(c.numeric_precision AS INTEGER) AS numeric_precision,
       CAST(c.numeric_precision_radix AS INTEGER) AS numeric_precision_radix,
       CAST(c.numeric_scale AS INTEGER) AS numeric_scale, CAST(c.datetime_precision AS INTEGER) AS datetime_precision,
       CAST(NULL AS VARCHAR) AS interval_type, CAST(NULL AS VARCHAR) AS interval_precision,
       CAST(NULL AS VARCHAR) AS character_set_catalog, CAST(NULL AS VARCHAR) AS character_set_schema,
       CAST(NULL AS VARCHAR) AS character_set_name, CAST(NULL AS VARCHAR) AS collation_catalog,
       CAST(NULL AS VARCHAR) AS collation_schema, CAST(NULL AS VARCHAR) AS collation_name,
       CAST(NULL AS VARCHAR) AS domain_name, CAST(NULL AS VARCHAR) AS remarks
FROM information_schema.columns c
JOIN dwsim_redshift.svv_columns s
  ON s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.column_name = c.column_name
WHERE c.table_schema NOT IN ('dwsim_redshift', '{ENDPOINT_SCHEMA}');
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.pg_get_userbyid(id) AS CAST(getvariable('dwsim_endpoint_user') AS VARCHAR);
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.table_is_visible(id) AS id IN (
    SELECT table_oid FROM duckdb_tables() WHERE schema_name = current_schema()
    UNION ALL SELECT view_oid FROM duckdb_views() WHERE schema_name = current_schema());
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.get_expr(expr, relation, pretty := false) AS CAST(expr AS VARCHAR);
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.current_setting(name) AS CASE lower(name)
    WHEN 'default_table_access_method' THEN 'heap' WHEN 'server_version' THEN '8.0.2'
    WHEN 'server_version_num' THEN '80002' WHEN 'search_path' THEN '$user, public' WHEN 'timezone' THEN 'UTC'
    WHEN 'datestyle' THEN 'ISO, MDY' WHEN 'standard_conforming_strings' THEN 'on' ELSE NULL END;
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.charindex(needle, haystack) AS strpos(haystack, needle);
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.pg_encoding_to_char(code) AS 'UTF8';
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.pg_get_function_result(oid) AS CAST(NULL AS VARCHAR);
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.pg_get_function_arguments(oid) AS '';
CREATE OR REPLACE MACRO {ENDPOINT_SCHEMA}.pg_backend_pid() AS CAST(getvariable('dwsim_endpoint_pid') AS INTEGER);
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_rewrite AS
SELECT CAST(0 AS BIGINT) AS oid, CAST(NULL AS VARCHAR) AS rulename, CAST(0 AS BIGINT) AS ev_class WHERE false;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_inherits AS
SELECT CAST(0 AS BIGINT) AS inhrelid, CAST(0 AS BIGINT) AS inhparent, 0 AS inhseqno WHERE false;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_user AS
SELECT CAST(getvariable('dwsim_endpoint_user') AS VARCHAR) AS usename, CAST(100 AS BIGINT) AS usesysid,
       false AS usecreatedb, false AS usesuper, false AS usecatupd, '********' AS passwd,
       CAST(NULL AS TIMESTAMP) AS valuntil, CAST(NULL AS VARCHAR[]) AS useconfig;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_roles AS
SELECT usename AS rolname, usesysid AS oid, false AS rolsuper, true AS rolinherit, false AS rolcreaterole,
       false AS rolcreatedb, true AS rolcanlogin FROM {ENDPOINT_SCHEMA}.pg_user;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_stat_user_tables AS
SELECT table_oid AS relid, schema_name AS schemaname, table_name AS relname, estimated_size AS n_live_tup
FROM duckdb_tables() WHERE NOT internal;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.pg_statio_user_tables AS
SELECT table_oid AS relid, schema_name AS schemaname, table_name AS relname FROM duckdb_tables() WHERE NOT internal;
CREATE OR REPLACE VIEW {ENDPOINT_SCHEMA}.script_v{{version}} AS SELECT 1 AS installed;
"""
_ENDPOINT_VIEWS = re.compile(r"(?<![.\w\"])(svv_columns)\b", re.I)


def endpoint_views(sql: str) -> str:
    """Point unqualified references to the endpoint's own versions of system views (DuckDB)."""
    masked = mask(sql, drop_comments=False)
    if not _ENDPOINT_VIEWS.search(masked.text):
        return sql
    return masked.unmask(_ENDPOINT_VIEWS.sub(ENDPOINT_SCHEMA + r".\1", masked.text))


SCRIPT_VERSION = 9  # bump when DUCKDB_SCRIPT changes
LAST_ENDPOINT_VIEW = f"script_v{SCRIPT_VERSION}"  # created last: its presence means this version was installed
DUCKDB_SCRIPT = DUCKDB_SCRIPT_TEMPLATE.replace("{version}", str(SCRIPT_VERSION))


_CATALOG_COLUMNS = re.compile(
    r"(?<![\w\"\x00.])(?:\w+\s*\.\s*)?\b(table_catalog|catalog_name|udt_catalog)\b(?!\s*\()", re.I
)


_PG_DATABASE = re.compile(r"(?<![\w.])(?:pg_catalog\s*\.\s*)?pg_database\b", re.I)


def endpoint_databases(sql: str, databases: list[str], engine: str) -> str:
    """pg_database as the endpoint's clients see it: one row per experiment it serves (psql's `\\l`, JDBC's
    getCatalogs), never the engine's own databases. Columns as PostgreSQL's, for PostgreSQL and DuckDB alike."""
    masked = mask(sql, drop_comments=False)
    if not _PG_DATABASE.search(masked.text):
        return sql
    names = databases or [""]
    rows = ", ".join(f"({i + 1}, '{n.replace(chr(39), chr(39) * 2)}')" for i, n in enumerate(names))
    relation = (
        "(SELECT CAST(oid AS BIGINT) AS oid, CAST(name AS VARCHAR) AS datname, 10 AS datdba, 6 AS encoding, "
        "'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit, "
        "'C.UTF-8' AS datcollate, 'C.UTF-8' AS datctype, CAST(NULL AS VARCHAR) AS daticulocale, "
        "CAST(NULL AS VARCHAR) AS daticurules, CAST(NULL AS VARCHAR) AS datcollversion, "
        f"{'CAST(NULL AS VARCHAR[])' if engine == 'postgres' else 'CAST([] AS VARCHAR[])'} AS datacl, "
        f"0 AS dattablespace FROM (VALUES {rows}) AS v(oid, name)" + (" WHERE false" if not databases else "") + ")"
    )

    def repl(match: re.Match[str]) -> str:
        after = masked.text[match.end() :].lstrip()
        alias = (
            ""
            if re.match(r"(AS\s+)?(?!WHERE|ORDER|GROUP|LIMIT|JOIN|LEFT|ON|UNION)\w+", after, re.I)
            else " pg_database"
        )
        return relation + alias

    return masked.unmask(_PG_DATABASE.sub(repl, masked.text))


def session_catalog(sql: str, database: str) -> str:
    """information_schema's catalog columns name the session's database (the experiment), not the engine's."""
    masked = mask(sql, drop_comments=False)
    if not _CATALOG_COLUMNS.search(masked.text):
        return sql
    literal = "'" + database.replace("'", "''") + "'"
    text = masked.text

    def repl(match: re.Match[str]) -> str:
        if re.search(r"\bAS\s*$", text[: match.start()], re.I):  # an alias named like the column stays
            return match.group(0)
        return literal

    return masked.unmask(_CATALOG_COLUMNS.sub(repl, text))
