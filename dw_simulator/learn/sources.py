"""Where a sample comes from: Parquet/CSV/JSON files or folders (read by DuckDB), or a database URL.

`read_samples(spec, ...)` returns one `Sample` per table: at most `sample_rows` rows drawn at random (DuckDB's
reservoir sample, PostgreSQL's `TABLESAMPLE BERNOULLI ... REPEATABLE`, Snowflake's `SAMPLE`, a `RANDOM()` filter on
Redshift), never the whole table unless it is smaller than that, plus the table's total row count. URLs:

    postgresql://user:pw@host:5432/db   (psycopg; the `postgres` extra)
    redshift://user:pw@host:5439/db     (redshift_connector when installed, else psycopg: the wire is PostgreSQL's)
    snowflake://user:pw@account/db/schema?warehouse=wh&host=...&port=...&protocol=http  (snowflake-connector-python)
    duckdb:///path/to/file.duckdb       (DuckDB, read-only)

Errors name the source, never its password.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import pyarrow as pa

from dw_simulator.errors import DwSimError, MissingDependencyError

FILE_SUFFIXES = {".parquet": "read_parquet", ".csv": "read_csv_auto", ".tsv": "read_csv_auto",
                 ".json": "read_json_auto", ".jsonl": "read_json_auto", ".ndjson": "read_json_auto"}  # fmt: skip
DEFAULT_SCHEMAS = {"postgresql": "public", "redshift": "public", "snowflake": "PUBLIC", "duckdb": "main"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


class SourceError(DwSimError):
    """A sample source cannot be read: a missing file, an unreachable database, an unknown table."""

    http_status = 400
    kind = "source_error"


@dataclass
class Sample:
    table: str
    data: pa.Table
    total_rows: int
    source: str
    declared: dict[str, str] = field(default_factory=dict)
    """column (lower case) -> the SQL type the source declares, where it says (databases)."""


def redact(spec: str) -> str:
    """A URL without its password (for messages and records)."""
    parts = urlsplit(spec)
    if parts.password is None:
        return spec
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def scheme_of(spec: str) -> str | None:
    match = re.match(r"^([a-z][a-z0-9+]*)://", spec)
    if match is None:
        return None
    scheme = match.group(1).split("+")[0]
    return {"postgres": "postgresql", "pg": "postgresql"}.get(scheme, scheme)


def read_samples(spec: str, *, tables: list[str] | None = None, schema: str | None = None, sample_rows: int = 100_000,
                 seed: int = 42) -> list[Sample]:  # fmt: skip
    scheme = scheme_of(spec)
    if scheme is None or scheme == "file":
        path = Path(unquote(urlsplit(spec).path) if scheme == "file" else spec).expanduser()
        return _files(path, tables, sample_rows, seed)
    if scheme == "duckdb":
        return _duckdb_database(spec, tables, schema or "main", sample_rows, seed)
    if scheme not in DEFAULT_SCHEMAS:
        raise SourceError(f"cannot read source '{redact(spec)}': unknown kind '{scheme}://'; give a Parquet/CSV/JSON "
                          "file or folder, or a postgresql://, redshift://, snowflake:// or duckdb:// URL")  # fmt: skip
    with _connect(spec, scheme) as cursor:
        return _database(cursor, spec, scheme, tables, schema or _url_schema(spec, scheme), sample_rows, seed)


# -- files -----------------------------------------------------------------------------------------------------


def _files(path: Path, tables: list[str] | None, sample_rows: int, seed: int) -> list[Sample]:
    if not path.exists():
        raise SourceError(f"cannot read source '{path}': no such file or folder")
    found: list[tuple[str, str, str]] = []  # (table, reader, glob)
    if path.is_file():
        reader = FILE_SUFFIXES.get(path.suffix.lower())
        if reader is None:
            raise SourceError(f"cannot read source '{path}': not a .parquet, .csv or .json file")
        found.append((_table_name(path.stem), reader, str(path)))
    else:
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix.lower() in FILE_SUFFIXES:
                found.append((_table_name(child.stem), FILE_SUFFIXES[child.suffix.lower()], str(child)))
            elif child.is_dir():
                parts = sorted(p for p in child.iterdir() if p.suffix.lower() in FILE_SUFFIXES)
                if parts:
                    reader = FILE_SUFFIXES[parts[0].suffix.lower()]
                    found.append((_table_name(child.name), reader, str(child / f"*{parts[0].suffix}")))
        if not found:
            raise SourceError(f"cannot read source '{path}': the folder holds no .parquet, .csv or .json files")
    found = _pick(found, tables, str(path), lambda f: f[0])
    import duckdb

    con = duckdb.connect()
    try:
        out = []
        for name, reader, pattern in found:
            rel = f"{reader}('{_sql_text(pattern)}')"
            try:
                total = int(con.execute(f"SELECT count(*) FROM {rel}").fetchall()[0][0])
                data = con.sql(_duckdb_sample(rel, total, sample_rows, seed)).to_arrow_table()
            except duckdb.Error as exc:
                raise SourceError(f"cannot read source '{pattern}': {_first_line(exc)}") from None
            out.append(Sample(name, data, total, pattern))
        return out
    finally:
        con.close()


def _duckdb_sample(relation: str, total: int, sample_rows: int, seed: int) -> str:
    if total <= sample_rows:
        return f"SELECT * FROM {relation}"
    return f"SELECT * FROM {relation} USING SAMPLE reservoir({int(sample_rows)} ROWS) REPEATABLE ({int(seed)})"


def _duckdb_database(spec: str, tables: list[str] | None, schema: str, sample_rows: int, seed: int) -> list[Sample]:
    import duckdb

    path = spec.split("://", 1)[1]
    path = path[1:] if path.startswith("/") and not Path(path).exists() and Path(path[1:]).exists() else path
    if not Path(path).is_file():
        raise SourceError(f"cannot read source '{spec}': no such DuckDB file '{path}'")
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise SourceError(f"cannot read source '{spec}': {_first_line(exc)}") from None
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                                           "ORDER BY table_name", [schema]).fetchall()]  # fmt: skip
        out = []
        for name in _pick(names, tables, spec, lambda n: n):
            rel = f'"{schema}"."{name}"'
            total = int(con.execute(f"SELECT count(*) FROM {rel}").fetchall()[0][0])
            data = con.sql(_duckdb_sample(rel, total, sample_rows, seed)).to_arrow_table()
            out.append(Sample(name, data, total, f"{spec}#{schema}.{name}"))
        return out
    finally:
        con.close()


# -- databases over DB-API -------------------------------------------------------------------------------------


@contextmanager
def _connect(spec: str, scheme: str) -> Iterator[Any]:
    opener = {"postgresql": _open_postgres, "redshift": _open_redshift, "snowflake": _open_snowflake}[scheme]
    try:
        conn = opener(spec)
    except DwSimError:
        raise
    except Exception as exc:  # drivers raise their own classes: every one is "cannot connect" here
        raise SourceError(f"cannot read source '{redact(spec)}': cannot connect: {_first_line(exc)}") from None
    try:
        cursor = conn.cursor()
        yield cursor
    finally:
        conn.close()


def _open_postgres(spec: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise MissingDependencyError("reading a PostgreSQL sample", "postgres", "psycopg") from None
    parts = urlsplit(re.sub(r"^[a-z0-9+]+://", "postgresql://", spec))
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("schema="))  # ours, not libpq's
    return psycopg.connect(urlunsplit(parts._replace(query=query)), connect_timeout=10, autocommit=True)


def _open_redshift(spec: str) -> Any:
    parts = urlsplit(spec)
    try:
        import redshift_connector
    except ImportError:
        return _open_postgres(urlunsplit(parts._replace(scheme="postgresql")))
    return redshift_connector.connect(host=parts.hostname or "localhost", port=parts.port or 5439,
                                      database=parts.path.lstrip("/") or "dev", user=unquote(parts.username or ""),
                                      password=unquote(parts.password or ""), timeout=10)  # fmt: skip


def _open_snowflake(spec: str) -> Any:
    try:
        import snowflake.connector
    except ImportError:
        raise MissingDependencyError("reading a Snowflake sample", "snowflake", "snowflake-connector-python") from None
    parts = urlsplit(spec)
    path = [p for p in parts.path.split("/") if p]
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    options: dict[str, Any] = {"account": parts.hostname, "user": unquote(parts.username or ""),
                               "password": unquote(parts.password or ""), "login_timeout": 10}  # fmt: skip
    if path:
        options["database"] = path[0]
    if len(path) > 1:
        options["schema"] = path[1]
    for key in ("warehouse", "role", "host", "protocol"):
        if key in query:
            options[key] = query[key]
    if "port" in query:
        options["port"] = int(query["port"])
    return snowflake.connector.connect(**options)


def _url_schema(spec: str, scheme: str) -> str:
    if scheme == "snowflake":
        path = [p for p in urlsplit(spec).path.split("/") if p]
        if len(path) > 1:
            return path[1]
    query = parse_qs(urlsplit(spec).query)
    return query.get("schema", [DEFAULT_SCHEMAS[scheme]])[0]


def _database(cursor: Any, spec: str, scheme: str, tables: list[str] | None, schema: str, sample_rows: int,
              seed: int) -> list[Sample]:  # fmt: skip
    where = "upper(table_schema) = upper(%s)" if scheme == "snowflake" else "table_schema = %s"
    listed = _rows(cursor, spec, f"SELECT table_name FROM information_schema.tables WHERE {where} "
                                 "ORDER BY table_name", (schema,))  # fmt: skip
    names = _pick([str(r[0]) for r in listed], tables, f"{redact(spec)} (schema {schema})", lambda n: n)
    out = []
    for name in names:
        rel = f'"{schema}"."{name}"' if _IDENT.match(schema) and _IDENT.match(name) else None
        if rel is None:
            raise SourceError(f"cannot read source '{redact(spec)}': table name {schema}.{name} needs quoting")
        declared = _declared(cursor, spec, scheme, schema, name)
        total = int(_rows(cursor, spec, f"SELECT count(*) FROM {rel}")[0][0])
        sql = _db_sample(scheme, rel, total, sample_rows, seed)
        rows = _rows(cursor, spec, sql)
        columns = [d[0] for d in cursor.description]
        data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)}) if columns else pa.table({})
        out.append(Sample(name, data, total, f"{redact(spec)}#{schema}.{name}", declared))
    return out


def _db_sample(scheme: str, rel: str, total: int, sample_rows: int, seed: int) -> str:
    n = int(sample_rows)
    if total <= n:
        return f"SELECT * FROM {rel}"
    share = min(1.0, n * 1.2 / max(total, 1))
    if scheme == "postgresql":
        return f"SELECT * FROM {rel} TABLESAMPLE BERNOULLI ({share * 100:.6f}) REPEATABLE ({int(seed)}) LIMIT {n}"
    if scheme == "snowflake":
        return f"SELECT * FROM {rel} SAMPLE ROW ({n} ROWS)"
    return f"SELECT * FROM {rel} WHERE RANDOM() < {share:.8f} LIMIT {n}"


def _declared(cursor: Any, spec: str, scheme: str, schema: str, table: str) -> dict[str, str]:
    where = "upper(table_schema) = upper(%s) AND upper(table_name) = upper(%s)" if scheme == "snowflake" else \
        "table_schema = %s AND table_name = %s"  # fmt: skip
    sql = ("SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
           f"FROM information_schema.columns WHERE {where}")  # fmt: skip
    rows = _rows(cursor, spec, sql, (schema, table))
    out: dict[str, str] = {}
    for name, dtype, length, precision, scale in rows:
        kind = str(dtype).lower()
        if kind in ("character varying", "varchar", "text", "string") and length:
            out[str(name).lower()] = f"VARCHAR({min(int(length), 65535)})"
        elif kind in ("character", "char", "bpchar") and length:
            out[str(name).lower()] = f"CHAR({int(length)})"
        elif kind in ("numeric", "decimal", "number") and precision and scale is not None and int(scale) > 0:
            out[str(name).lower()] = f"DECIMAL({min(int(precision), 38)},{int(scale)})"
    return out


def _rows(cursor: Any, spec: str, sql: str, params: tuple[Any, ...] | None = None) -> list[Any]:
    try:
        cursor.execute(sql, params) if params is not None else cursor.execute(sql)
        return list(cursor.fetchall())
    except Exception as exc:
        raise SourceError(f"cannot read source '{redact(spec)}': {_first_line(exc)}") from None


# -- helpers -----------------------------------------------------------------------------------------------------


def _pick(found: list[Any], tables: list[str] | None, where: str, name_of: Callable[[Any], str]) -> list[Any]:
    if not tables:
        if not found:
            raise SourceError(f"cannot read source '{where}': it holds no tables")
        return found
    by_name = {name_of(f).lower(): f for f in found}
    missing = [t for t in tables if t.lower() not in by_name]
    if missing:
        listed = ", ".join(sorted(name_of(f) for f in found)) or "none"
        raise SourceError(f"cannot read source '{where}': no table {', '.join(repr(m) for m in missing)} "
                          f"(tables: {listed})")  # fmt: skip
    return [by_name[t.lower()] for t in tables]


def _table_name(stem: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem.split(".")[0]).strip("_").lower() or "t"
    return name if name[0].isalpha() or name[0] == "_" else f"t_{name}"


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
