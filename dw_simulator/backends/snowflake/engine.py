"""The engine behind the embedded Snowflake endpoint: one fakesnow instance on DuckDB files, with dw-sim's fixes.

fakesnow (https://github.com/tekumara/fakesnow) translates Snowflake SQL to DuckDB. dw-sim wraps it so that

* every session shares ONE DuckDB instance whose databases are files under the data root (fakesnow's own server
  gives each session that names a database path a private instance, so a 4th session cannot see or attach the
  files the others hold; that is the "more than 3 concurrent connections fail" weakness);
* logins and catalog changes are serialised, and write statements take a shared lock, so concurrent sessions do
  not race on ATTACH or conflict on the catalog;
* the statements go through `dw_simulator.sql.snowflake` rewrites before and after fakesnow's own;
* SQL UDFs become DuckDB macros, `COPY INTO` from Parquet runs as one statement over all files, and external
  `s3://` stages are read by downloading their objects with boto3 first.
"""

from __future__ import annotations

import logging
import shutil
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import snowflake.connector.errors as sf_errors
from fakesnow import info_schema, macros
from fakesnow.conn import FakeSnowflakeConnection
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.dialect import parse_one
from fakesnow.instance import GLOBAL_DATABASE_NAME, FakeSnow
from fakesnow.transforms import show
from fakesnow.transforms.options import parse_options
from sqlglot import exp

from dw_simulator.backends.snowflake.s3 import S3Credentials
from dw_simulator.sql.snowflake import (
    DescribedColumn,
    SessionContext,
    UnsupportedUdf,
    apply_post,
    apply_pre,
    parse_udf,
    table_ddl,
)
from dw_simulator.sql.snowflake.ddl import qualified
from dw_simulator.sql.snowflake.udf import UdfDefinition, dropped_function

if TYPE_CHECKING:
    from fakesnow.params import MutableParams

log = logging.getLogger(__name__)
# fakesnow reads results with DuckDB's DB-API Arrow export, which warns about the copy it makes on every statement
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
GLOBAL_FILE = "_fs_global.duckdb"
RESULTS_KEPT = 64
_READ_ONLY = (exp.Select, exp.Show, exp.Describe, exp.Use, exp.SetOperation)


def programming_error(message: str, errno: int = 2003, sqlstate: str = "42000") -> sf_errors.ProgrammingError:
    return sf_errors.ProgrammingError(msg=message, errno=errno, sqlstate=sqlstate)


class BoundedResults(OrderedDict[str, tuple[Any, ...]]):
    """fakesnow keeps every result for RESULT_SCAN; keep only the last few so a long-running endpoint stays small."""

    def __setitem__(self, key: str, value: tuple[Any, ...]) -> None:
        super().__setitem__(key, value)
        while len(self) > RESULTS_KEPT:
            self.popitem(last=False)


@dataclass
class EngineConfig:
    db_dir: Path | None  # None = in memory
    context: SessionContext = field(default_factory=SessionContext)
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    work_dir: Path | None = None  # scratch space for S3 downloads (default: the system temp dir)


class Engine:
    """One DuckDB instance holding every database of the endpoint (a `<NAME>.db` file each)."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        if config.db_dir is not None:
            config.db_dir.mkdir(parents=True, exist_ok=True)
        self.fs = FakeSnow(db_path=config.db_dir)
        self.fs.results_cache = BoundedResults()
        self.catalog_lock = threading.RLock()
        self.write_lock = threading.RLock()
        self.stage_credentials: dict[str, S3Credentials] = {}
        self.table_functions: set[str] = set()
        self._closed = False
        if config.db_dir is not None:
            self._persist_global(config.db_dir / GLOBAL_FILE)
            for db_file in sorted(config.db_dir.glob("*.db")):
                self.attach(db_file.stem)

    def _persist_global(self, path: Path) -> None:
        """Keep fakesnow's global catalog (stages, file formats, comments, VARCHAR lengths) on disk too."""
        con = self.fs.duck_conn
        con.execute(f"DETACH {GLOBAL_DATABASE_NAME}")
        con.execute(f"ATTACH '{_sql_text(str(path))}' AS {GLOBAL_DATABASE_NAME}")
        con.execute(info_schema.fs_global_creation_sql())
        con.execute(show.fs_global_creation_sql())

    def attach(self, name: str) -> None:
        """Attach the database file `<db_dir>/<name>.db` (idempotent)."""
        assert self.config.db_dir is not None
        with self.catalog_lock:
            con = self.fs.duck_conn
            path = self.config.db_dir / f"{name}.db"
            con.execute(f"ATTACH IF NOT EXISTS '{_sql_text(str(path))}' AS {_ident(name)}")
            con.execute(info_schema.per_db_creation_sql(_ident(name)))
            con.execute(macros.creation_sql(_ident(name)))

    def databases(self) -> list[str]:
        rows = self.fs.duck_conn.cursor().execute("SELECT database_name FROM duckdb_databases()").fetchall()
        return [r[0] for r in rows if not r[0].startswith("_fs") and r[0] not in ("memory", "system", "temp")]

    def connect(self, database: str | None = None, schema: str | None = None, **kwargs: Any) -> DwSimConnection:
        with self.catalog_lock:
            return DwSimConnection(
                self,
                self.fs.duck_conn.cursor(),
                self.fs.results_cache,
                database,
                schema,
                db_path=self.config.db_dir,
                **kwargs,
            )

    def remove_database_files(self, name: str) -> None:
        if self.config.db_dir is None:
            return
        for suffix in (".db", ".db.wal"):
            path = self.config.db_dir / f"{name}{suffix}"
            path.unlink(missing_ok=True)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with self.catalog_lock:
                self.fs.duck_conn.close()


class DwSimConnection(FakeSnowflakeConnection):
    def __init__(self, engine: Engine, *args: Any, **kwargs: Any) -> None:
        self.engine = engine
        self.explicit_transaction = False  # BEGIN ... COMMIT in autocommit mode (fakesnow tracks only implicit ones)
        self.temporary_stages: set[str] = set()
        super().__init__(*args, **kwargs)

    @property
    def in_transaction(self) -> bool:
        return self.explicit_transaction or bool(self._in_transaction)

    def close(self, retry: bool = True) -> None:
        """End the session: its temporary stages go with it, as on Snowflake."""
        if not self.is_closed():
            for fqname in list(self.temporary_stages):
                try:
                    drop_stage(self._duck_conn, fqname)
                except duckdb.Error:
                    log.debug("could not drop temporary stage %s", fqname, exc_info=True)
            self.temporary_stages.clear()
        super().close(retry)

    def cursor(self, cursor_class: Any = None) -> DwSimCursor:  # type: ignore[override]
        from snowflake.connector.cursor import DictCursor

        return DwSimCursor(conn=self, duck_conn=self._duck_conn, use_dict_result=cursor_class is DictCursor)


class DwSimCursor(FakeSnowflakeCursor):
    """fakesnow's cursor with dw-sim's rewrites, UDFs, COPY fast path and S3 stages."""

    _conn: DwSimConnection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dwsim_source: str | None = None
        self._dwsim_notes: list[str] = []

    # -- entry point ---------------------------------------------------------------------------------------------
    def execute(self, command: str, params: Any = None, *args: Any, **kwargs: Any) -> DwSimCursor:
        engine = self._conn.engine
        statement: exp.Expr | None = None
        if not params and not kwargs.get("binding_params"):
            try:
                statement = parse_one(self._inline_variables(command))
            except Exception:  # fakesnow reports the syntax error in its own words below
                statement = None
        if statement is not None and self._intercept(statement):
            return self
        lock: AbstractContextManager[Any] = (
            nullcontext() if isinstance(statement, _READ_ONLY) and not statement.find(exp.Into) else engine.write_lock
        )
        self._dwsim_source = command
        try:
            with lock:
                super().execute(command, params, *args, **kwargs)
        except ValueError as exc:  # raised by our rewrites (GET_DDL of a missing object...)
            self._dwsim_notes = []
            raise programming_error(str(exc)) from None
        except BaseException:
            self._dwsim_notes = []
            raise
        finally:
            self._dwsim_source = None
        if isinstance(statement, exp.Transaction):
            self._conn.explicit_transaction = True
        elif isinstance(statement, exp.Commit | exp.Rollback):
            self._conn.explicit_transaction = False
        self._after(statement)
        return self

    def _transform(self, expression: exp.Expr, params: MutableParams | None) -> exp.Expr:
        ctx = self._session_context()
        source = self._dwsim_source if expression.parent is None else None
        expression = apply_pre(expression, ctx, source)
        expression = _unwrap_table_udfs(expression, self._conn.engine.table_functions)
        transformed = apply_post(super()._transform(expression, params))
        # fakesnow writes VARCHAR lengths and comments to its global catalog in the statement's transaction, which
        # DuckDB refuses inside BEGIN ... COMMIT (one database per transaction): write them afterwards instead
        table = transformed.find(exp.Table)
        if table is not None:
            catalog = table.catalog or self._conn.database
            schema = table.db or self._conn.schema
            if (lengths := transformed.args.pop("text_lengths", None)) and catalog and schema:
                self._dwsim_notes.append(info_schema.insert_text_lengths_sql(catalog, schema, table.name, lengths))
        if (comment := transformed.args.pop("table_comment", None)) is not None:
            commented, text = comment
            catalog = commented.catalog or self._conn.database
            schema = commented.db or self._conn.schema
            if catalog and schema:
                self._dwsim_notes.append(info_schema.insert_table_comment_sql(catalog, schema, commented.name, text))
        return transformed

    def _session_context(self) -> SessionContext:
        base = self._conn.engine.config.context
        return SessionContext(
            user=base.user,
            role=base.role,
            warehouse=base.warehouse,
            account=base.account,
            region=base.region,
            ddl_lookup=self._get_ddl,
        )

    # -- statements handled here instead of by fakesnow ------------------------------------------------------------
    def _intercept(self, statement: exp.Expr) -> bool:
        from dw_simulator.backends.snowflake.copy import run_copy

        engine = self._conn.engine
        try:
            definition = parse_udf(statement)
        except UnsupportedUdf as exc:
            raise programming_error(str(exc), errno=2140, sqlstate="0A000") from None
        if definition is not None:
            with engine.write_lock:
                self._create_udf(definition)
            return True
        if (dropped := dropped_function(statement)) is not None:
            with engine.write_lock:
                self._drop_udf(*dropped)
            return True
        if isinstance(statement, exp.Copy):
            with engine.write_lock:
                return run_copy(self, statement)
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "STAGE":
            self._remember_stage(statement)
            return False
        if isinstance(statement, exp.Drop) and str(statement.args.get("kind")).upper() == "STAGE":
            with engine.write_lock:
                self._drop_stage(statement)
            return True
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "DATABASE":
            return self._create_database(statement)
        if isinstance(statement, exp.Drop) and str(statement.args.get("kind")).upper() == "DATABASE":
            self._drop_database(statement)
            return True
        return False

    def _after(self, statement: exp.Expr | None) -> None:
        """Follow-ups once fakesnow has run a statement: write the catalog notes it was given (see
        `_transform`) in their own transaction, as they live in another DuckDB database."""
        notes, self._dwsim_notes = self._dwsim_notes, []
        if not notes:
            return
        with self._duck_conn.cursor() as side:
            for sql in notes:
                side.execute(sql)

    def _drop_database(self, statement: exp.Drop) -> None:
        """DROP DATABASE detaches the database and deletes its file (DuckDB 2 has no DROP DATABASE)."""
        table = statement.find(exp.Table)
        name = _normalise(table.this) if table is not None else ""
        engine = self._conn.engine
        with engine.catalog_lock, engine.write_lock:
            if name not in engine.databases():
                if statement.args.get("exists"):
                    self._status(f"Drop statement executed successfully ({name} already dropped).")
                    return
                raise programming_error(
                    f"SQL compilation error:\nDatabase '{name}' does not exist or not authorized.", 2003, "02000"
                )
            if self._conn.database == name:
                self._conn.database = None
                self._conn._schema = None
                self._conn.database_set = False
                self._conn.schema_set = False
            self._duck_conn.execute("USE memory")
            try:
                self._duck_conn.execute(f"DETACH DATABASE {_ident(name)}")
            except duckdb.Error as exc:
                raise programming_error(f"cannot drop database {name}: {exc}".splitlines()[0]) from None
            self._duck_conn.execute(
                "DELETE FROM _fs_global._fs_information_schema._fs_stages WHERE database_name = ?", [name]
            )
            engine.remove_database_files(name)
            self._status(f"{name} successfully dropped.")

    def _create_database(self, statement: exp.Create) -> bool:
        """CREATE OR REPLACE DATABASE empties the database; fakesnow would re-attach the old file."""
        table = statement.find(exp.Table)
        if table is None:
            return False
        name = _normalise(table.this)
        engine = self._conn.engine
        with engine.catalog_lock, engine.write_lock:
            exists = name in engine.databases()
            if statement.args.get("replace"):
                if exists:
                    if self._conn.database == name:
                        self._duck_conn.execute("USE memory")
                    self._duck_conn.execute(f"DETACH DATABASE {_ident(name)}")
                engine.remove_database_files(name)
                statement.set("replace", False)
            elif exists and not statement.args.get("exists"):
                raise programming_error(f"SQL compilation error:\nObject '{name}' already exists.", 2002, "42710")
            elif not exists and not statement.args.get("exists"):
                engine.remove_database_files(name)  # a stale file of a dropped database
            super().execute(statement.sql(dialect="snowflake"))
        return True

    def _stage_name(self, table: exp.Table) -> str:
        catalog = _normalise(table.args.get("catalog")) or self._conn.database
        schema = _normalise(table.args.get("db")) or self._conn.schema
        return f"{catalog}.{schema}.{_normalise(table.this)}"

    def _remember_stage(self, statement: exp.Create) -> None:
        """Keep a stage's S3 credentials (fakesnow drops them) and note temporary stages of the session."""
        table = statement.find(exp.Table)
        properties = statement.args.get("properties")
        if table is None or properties is None:
            return
        fqname = self._stage_name(table)
        for prop in properties.expressions:
            if isinstance(prop, exp.CredentialsProperty):
                self._conn.engine.stage_credentials[fqname] = S3Credentials.from_options(
                    parse_options(prop.expressions)
                )
            elif isinstance(prop, exp.TemporaryProperty):
                self._conn.temporary_stages.add(fqname)

    def _drop_stage(self, statement: exp.Drop) -> None:
        """DROP STAGE (missing in fakesnow): forget the stage and delete its internal files.

        https://docs.snowflake.com/en/sql-reference/sql/drop-stage
        """
        table = statement.find(exp.Table)
        if table is None:
            raise programming_error("SQL compilation error:\nDROP STAGE needs a stage name", 1003)
        fqname = self._stage_name(table)
        if not drop_stage(self._duck_conn, fqname):
            if not statement.args.get("exists"):
                raise programming_error(
                    f"SQL compilation error:\nStage '{fqname}' does not exist or not authorized.", 2003, "02000"
                )
            self._status(f"Drop statement executed successfully ({_normalise(table.this)} already dropped).")
            return
        self._conn.engine.stage_credentials.pop(fqname, None)
        self._conn.temporary_stages.discard(fqname)
        self._status(f"{_normalise(table.this)} successfully dropped.")

    # -- SQL UDFs --------------------------------------------------------------------------------------------------
    def _qualify(self, catalog: str | None, schema: str | None, name: str) -> tuple[str, str, str]:
        catalog = catalog or self._conn.database
        schema = schema or self._conn.schema
        if not catalog or not schema:
            raise programming_error(
                "Cannot perform CREATE FUNCTION. This session does not have a current schema. Call 'USE SCHEMA', "
                "or use a qualified name.",
                90106,
                "22000",
            )
        return catalog, schema, name

    def _translate(self, expression: exp.Expr) -> exp.Expr:
        """A Snowflake expression (or query) as DuckDB will run it, through the whole rewrite chain."""
        return self._transform(expression, None)

    def _create_udf(self, udf: UdfDefinition) -> None:
        catalog, schema, name = self._qualify(udf.catalog, udf.schema, udf.name)
        target = f"{_ident(catalog)}.{_ident(schema)}.{_ident(name)}"
        params = []
        for param in udf.params:
            text = _ident(param.name)
            if param.default is not None:
                default = self._translate(exp.select(param.default.copy())).expressions[0]
                text += f" := {default.sql(dialect='duckdb')}"
            params.append(text)
        try:
            if udf.is_table:
                body = f"AS TABLE {self._udtf_query(udf)}"
            else:
                assert udf.returns is not None
                parsed = _try_parse(udf.body)
                if isinstance(parsed, exp.Query):  # a scalar subquery: 'SELECT COUNT(*) FROM t WHERE ...'
                    inner: exp.Expr = exp.Subquery(this=parsed)
                else:
                    inner = exp.Paren(this=parse_one(f"SELECT {udf.body}").expressions[0])
                translated = self._translate(exp.select(exp.Cast(this=inner, to=udf.returns))).expressions[0]
                if isinstance(translated, exp.Alias):
                    translated = translated.this
                body = f"AS ({translated.sql(dialect='duckdb')})"
        except sf_errors.ProgrammingError as exc:
            raise programming_error(f"SQL compilation error in the body of function {name}: {exc.msg}") from None
        verb = "CREATE OR REPLACE MACRO" if udf.replace else "CREATE MACRO"
        if udf.if_not_exists and not udf.replace:
            verb = "CREATE MACRO IF NOT EXISTS"
        sql = f"{verb} {target}({', '.join(params)}) {body}"
        try:
            self._duck_conn.execute(sql)
        except duckdb.CatalogException as exc:
            if "already exists" in str(exc):
                raise programming_error(
                    f"SQL compilation error:\nObject '{name}' already exists.", 2002, "42710"
                ) from None
            raise programming_error(f"SQL compilation error in function {name}: {exc}".splitlines()[0]) from None
        except duckdb.Error as exc:
            raise programming_error(f"SQL compilation error in function {name}: {exc}".splitlines()[0]) from None
        if udf.is_table:
            self._conn.engine.table_functions.add(name.upper())
        self._status(f"Function {name} successfully created.")

    def _udtf_query(self, udf: UdfDefinition) -> str:
        """The UDTF's query with its output columns named and typed as RETURNS TABLE (...) declares them."""
        query = self._translate(parse_one(udf.body)).sql(dialect="duckdb")
        names = [f"_c{i}" for i in range(len(udf.table_columns))]
        casts = []
        for (name, data_type), inner in zip(udf.table_columns, names, strict=True):
            typed = self._translate(exp.select(exp.Cast(this=exp.Null(), to=data_type.copy()))).expressions[0]
            if isinstance(typed, exp.Alias):
                typed = typed.this
            target = typed.to.sql(dialect="duckdb") if isinstance(typed, exp.Cast) else "VARCHAR"
            casts.append(f"CAST({inner} AS {target}) AS {_ident(name)}")
        return f"SELECT {', '.join(casts)} FROM ({query}) AS _udtf({', '.join(names)})"

    def _drop_udf(self, catalog: str | None, schema: str | None, name: str, if_exists: bool) -> None:
        catalog, schema, name = self._qualify(catalog, schema, name)
        kind = "MACRO TABLE" if name.upper() in self._conn.engine.table_functions else "MACRO"
        guard = " IF EXISTS" if if_exists else ""
        try:
            self._duck_conn.execute(f"DROP {kind}{guard} {_ident(catalog)}.{_ident(schema)}.{_ident(name)}")
        except duckdb.Error:
            raise programming_error(
                f"SQL compilation error:\nFunction '{name}' does not exist or not authorized.", 2003, "02000"
            ) from None
        self._conn.engine.table_functions.discard(name.upper())
        self._status(f"{name} successfully dropped.")

    def _status(self, message: str) -> None:
        self._execute(exp.select(exp.alias_(exp.Literal.string(message), "status", quoted=True)))

    # -- GET_DDL ---------------------------------------------------------------------------------------------------
    def _get_ddl(self, kind: str, name: str, use_fqn: bool) -> str:
        kind = kind.upper()
        parts = [_normalise_text(p) for p in name.split(".")]
        catalog, schema, obj = ([self._conn.database, self._conn.schema, *parts])[-3:]
        if kind == "TABLE":
            describe = self._conn.cursor()
            ref = qualified([p for p in (catalog, schema, obj) if p])
            describe.execute(f"DESCRIBE TABLE {ref}")
            columns = [
                DescribedColumn(
                    name=row[0],
                    data_type=str(row[1]),
                    nullable=str(row[3]).upper() == "Y",
                    default=row[4],
                    primary_key=str(row[5]).upper() == "Y",
                    comment=row[9] if len(row) > 9 else None,
                )
                for row in describe.fetchall()
            ]
            shown = qualified([p for p in (catalog, schema, obj) if p]) if use_fqn else qualified([obj or ""])
            return table_ddl(shown, columns)
        if kind == "VIEW":
            row = (
                self._duck_conn.cursor()
                .execute(
                    "SELECT sql FROM duckdb_views() WHERE upper(database_name) = upper(?) "
                    "AND upper(schema_name) = upper(?) AND upper(view_name) = upper(?)",
                    [catalog, schema, obj],
                )
                .fetchone()
            )
            if row is None:
                raise ValueError(f"SQL compilation error:\nView '{name}' does not exist or not authorized.")
            return str(row[0])
        raise ValueError(f"GET_DDL of a {kind.lower()} is not supported by the embedded Snowflake endpoint")


def drop_stage(con: duckdb.DuckDBPyConnection, fqname: str) -> bool:
    """Remove a stage from fakesnow's catalog and delete its internal files; False when it does not exist."""
    from fakesnow.transforms import stage as fs_stage

    catalog, schema, name = fqname.split(".")
    with con.cursor() as side:
        found = side.execute(
            "DELETE FROM _fs_global._fs_information_schema._fs_stages "
            "WHERE database_name = ? AND schema_name = ? AND name = ? RETURNING url",
            [catalog, schema, name],
        ).fetchall()
    if not found:
        return False
    shutil.rmtree(fs_stage.internal_dir(fqname), ignore_errors=True)
    return True


def _unwrap_table_udfs(expression: exp.Expr, names: set[str]) -> exp.Expr:
    """`TABLE(my_udtf(1))` -> `my_udtf(1)`: DuckDB calls table macros directly."""
    if not names:
        return expression

    def fix(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.TableFromRows)
            and isinstance(node.this, exp.Anonymous)
            and node.this.name.upper() in names
        ):
            return exp.Table(this=node.this, alias=node.args.get("alias"))
        return node

    return expression.transform(fix, copy=False)


def _try_parse(text: str) -> exp.Expr | None:
    try:
        return parse_one(text)
    except Exception:
        return None


def _normalise(identifier: Any) -> str:
    if identifier is None:
        return ""
    if isinstance(identifier, exp.Identifier):
        return str(identifier.this) if identifier.quoted else str(identifier.this).upper()
    return str(identifier.name).upper()


def _normalise_text(part: str) -> str:
    part = part.strip()
    if part.startswith('"') and part.endswith('"'):
        return part[1:-1]
    return part.upper()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


@contextmanager
def duck_transaction(cursor: DwSimCursor) -> Iterator[None]:
    """Run the block in a transaction, unless the session has one open (then it is the session's to end).

    In a session without autocommit, DML opens a transaction that lasts until COMMIT, as on Snowflake.
    """
    conn = cursor._conn
    con = cursor._duck_conn
    if conn.in_transaction:
        yield
        return
    con.begin()
    if not conn._autocommit:
        conn._in_transaction = True
        yield
        return
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise
