"""The embedded endpoint's sessions: fakesnow's connection and cursor with dw-sim's rewrites and statements.

Every statement goes through `dw_simulator.sql.snowflake` rewrites before and after fakesnow's own. Statements
fakesnow lacks or gets wrong are handled here instead: SQL UDFs (`udfs.py`), COPY INTO (`copy_into.py`), stages
(`stages.py`), CREATE/DROP DATABASE (`databases.py`) and GET_DDL. Write statements take the engine's write lock, so
concurrent sessions do not conflict on the catalog.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

import duckdb
import snowflake.connector.errors as sf_errors
from fakesnow import info_schema
from fakesnow.dialect import parse_one
from sqlglot import exp

from dw_simulator.backends.snowflake.catalog import check_name_case, statement_catalog
from dw_simulator.backends.snowflake.client_errors import programming_error
from dw_simulator.backends.snowflake.client_loads import inline_bindings, is_infer_schema, run_infer_schema
from dw_simulator.backends.snowflake.comments import comment_statement, set_column_comments, set_object_comment
from dw_simulator.backends.snowflake.copy_into import run_copy
from dw_simulator.backends.snowflake.databases import create_database, drop_database
from dw_simulator.backends.snowflake.dml_checks import check_merge
from dw_simulator.backends.snowflake.history import record_query, resolve_table_functions, unregister
from dw_simulator.backends.snowflake.names import normalise_text
from dw_simulator.backends.snowflake.objects import record as record_object
from dw_simulator.backends.snowflake.scripts import (
    call,
    create_procedure,
    drop_leftovers,
    drop_procedure,
    execute_immediate,
    show_procedures,
)
from dw_simulator.backends.snowflake.session import SessionConnection, SessionCursor
from dw_simulator.backends.snowflake.session_statements import alter_session, parameter, show_parameters
from dw_simulator.backends.snowflake.show import show_schemas
from dw_simulator.backends.snowflake.stage_files import is_stage_file_command, run_stage_file_command, with_user_stage
from dw_simulator.backends.snowflake.stages import drop_stage_statement, remember_stage
from dw_simulator.backends.snowflake.temp_tables import session_temp_tables
from dw_simulator.backends.snowflake.udfs import create_udf, drop_udf, unwrap_table_udfs
from dw_simulator.sql.parsing import construct_name
from dw_simulator.sql.snowflake import (
    DescribedColumn,
    SessionContext,
    UnsupportedUdf,
    apply_post,
    apply_pre,
    parse_udf,
    table_ddl,
)
from dw_simulator.sql.snowflake.column_lists import (
    alter_column_comments,
    ctas_columns_as_aliases,
    split_column_comments,
)
from dw_simulator.sql.snowflake.ddl import qualified
from dw_simulator.sql.snowflake.errors import UnsupportedFeature, engine_error, statement_kind
from dw_simulator.sql.snowflake.typed import needs_types, typed_rewrites
from dw_simulator.sql.snowflake.udf import dropped_function
from dw_simulator.sql.snowflake.variables import MissingVariable, inline_variables
from dw_simulator.sql.writing import failing_construct

if TYPE_CHECKING:
    from fakesnow.params import MutableParams

    from dw_simulator.backends.snowflake.instance import Engine

_CANCEL_ALL = re.compile(r"\s*SELECT\s+SYSTEM\$CANCEL_ALL_QUERIES\s*\([^)]*\)\s*;?\s*$", re.I)
log = logging.getLogger(__name__)
_UNWRITABLE = re.compile(r"^Unsupported expression type (\w+)")
_EXPLICIT_NULLS = re.compile(r"\bNULLS\s+(?:FIRST|LAST)\b", re.I)
_READ_ONLY = (exp.Select, exp.Show, exp.Describe, exp.Use, exp.SetOperation)


class DwSimConnection(SessionConnection):
    def cursor(self, cursor_class: Any = None) -> DwSimCursor:  # type: ignore[override]
        from snowflake.connector.cursor import DictCursor

        return DwSimCursor(conn=self, duck_conn=self._duck_conn, use_dict_result=cursor_class is DictCursor)


class DwSimCursor(SessionCursor):
    """fakesnow's cursor with dw-sim's rewrites, UDFs, COPY fast path and S3 stages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dwsim_source: str | None = None
        self._dwsim_unread = False  # sqlglot could not read the statement (kept as a Command)
        self._dwsim_command = ""  # the statement being run, as the user wrote it
        # catalog writes to make once the statement has run (comments, VARCHAR lengths)
        self._dwsim_notes: list[Callable[[], None]] = []

    # -- entry point ---------------------------------------------------------------------------------------------
    def execute(self, command: str, params: Any = None, *args: Any, **kwargs: Any) -> DwSimCursor:
        """Run one Snowflake statement; every error is reported in Snowflake's words (`sql.snowflake.errors`), and
        the statement is recorded in the query history."""
        started = dt.datetime.now(dt.UTC)
        try:
            self._translated(command, params, *args, **kwargs)
        except Exception as exc:
            if not self._dwsim_internal:
                record_query(self, command, started, exc)
            raise
        if not self._dwsim_internal:
            record_query(self, command, started, None)
        return self

    def _translated(self, command: str, params: Any = None, *args: Any, **kwargs: Any) -> DwSimCursor:
        try:
            return self._run(command, params, *args, **kwargs)
        except UnsupportedFeature as exc:
            raise programming_error(str(exc), UnsupportedFeature.errno, UnsupportedFeature.sqlstate) from None
        except sf_errors.Error as exc:
            if self._dwsim_unread and "Parser Error" in (exc.raw_msg or ""):
                raise self._unsupported_statement(command) from None
            if unwritable := _UNWRITABLE.search(exc.raw_msg or ""):  # sqlglot cannot write the node for DuckDB
                feature = construct_name(unwritable.group(1))
                raise programming_error(
                    str(UnsupportedFeature(feature)), UnsupportedFeature.errno, UnsupportedFeature.sqlstate
                ) from None
            restated = engine_error(exc.raw_msg or str(exc), database=self._conn.database, schema=self._conn.schema)
            if restated is None:
                raise
            raise programming_error(restated.message, restated.errno, restated.sqlstate) from None
        except duckdb.ParserException as exc:
            if self._dwsim_unread:
                raise self._unsupported_statement(command) from None
            raise programming_error(*self._restated(str(exc))) from None
        except duckdb.Error as exc:
            raise programming_error(*self._restated(str(exc))) from None
        except (KeyError, TypeError, AttributeError, AssertionError, IndexError) as exc:
            # a construct the translation (sqlglot's generator, fakesnow's transforms) cannot handle
            log.warning("the Snowflake layer cannot run a statement", exc_info=exc)
            raise self._unsupported_construct(command) from None

    def _unsupported_statement(self, command: str) -> sf_errors.ProgrammingError:
        feature = f"the statement {statement_kind(command)}"
        return programming_error(
            str(UnsupportedFeature(feature)), UnsupportedFeature.errno, UnsupportedFeature.sqlstate
        )

    def _unsupported_construct(self, command: str) -> sf_errors.ProgrammingError:
        try:
            construct = failing_construct(parse_one(command), "duckdb")
        except Exception:  # not readable either: name the statement
            construct = None
        feature = construct or f"the statement {statement_kind(command)}"
        return programming_error(
            str(UnsupportedFeature(feature)), UnsupportedFeature.errno, UnsupportedFeature.sqlstate
        )

    def _restated(self, text: str) -> tuple[str, int, str]:
        restated = engine_error(text, database=self._conn.database, schema=self._conn.schema)
        if restated is None:
            return text.splitlines()[0], 100000, "XX000"
        return restated.message, restated.errno, restated.sqlstate

    def _run(self, command: str, params: Any = None, *args: Any, **kwargs: Any) -> DwSimCursor:
        engine = self._conn.engine
        self._dwsim_unread = False
        if self._conn.leftover_tables:
            drop_leftovers(self)
        if self._conn.registered:
            unregister(self)
        statement: exp.Expr | None = None
        if _CANCEL_ALL.match(command):  # Snowpark's Session.close(): nothing runs in the background here
            self._status("0")
            return self
        command = with_user_stage(self, command)
        if is_stage_file_command(command):  # LIST ... PATTERN, REMOVE, GET (stage_files.py)
            with engine.write_lock:
                run_stage_file_command(self, command, client_is_local=self._conn.client_is_local)
            return self
        bound = kwargs.get("binding_params") or params
        if bound and isinstance(bound, list | tuple):
            inlined = inline_bindings(command, bound)  # write_pandas' stages, INFER_SCHEMA and COPY INTO
            if inlined is not None:
                command, params = inlined, None
                kwargs.pop("binding_params", None)
        if (comments := alter_column_comments(command)) is not None:
            with engine.write_lock:
                set_column_comments(self, comments.table, comments.comments)
            self._status("Statement executed successfully.")
            return self
        if show_parameters(self, command) or show_procedures(self, command):
            return self
        if execute_immediate(self, command) or call(self, command):
            return self
        if not params and not kwargs.get("binding_params"):
            try:
                statement = parse_one(self._inline_variables(command))
            except Exception:  # fakesnow reports the syntax error in its own words below
                statement = None
            self._dwsim_unread = isinstance(statement, exp.Command)
        if statement is not None and self._intercept(statement):
            return self
        lock: AbstractContextManager[Any] = (
            nullcontext() if isinstance(statement, _READ_ONLY) and not statement.find(exp.Into) else engine.write_lock
        )
        conn = self._conn
        in_transaction = conn.explicit_transaction and not isinstance(statement, exp.Commit | exp.Rollback)
        if conn.explicit_transaction and isinstance(statement, exp.Commit) and conn.tx_log.lost:
            self._abandon_transaction()
        self._dwsim_source = command
        self._dwsim_command = command
        try:
            with lock:
                super().execute(command, params, *args, **kwargs)
        except ValueError as exc:  # raised by our rewrites (GET_DDL of a missing object...)
            self._dwsim_notes = []
            if in_transaction:
                self._statement_rollback(command)
            raise programming_error(str(exc)) from None
        except BaseException:
            self._dwsim_notes = []
            if in_transaction:
                self._statement_rollback(command)
            raise
        finally:
            self._dwsim_source = None
        if isinstance(statement, exp.Transaction):
            conn.explicit_transaction = True
            conn.tx_log.reset()
        elif isinstance(statement, exp.Commit | exp.Rollback):
            conn.explicit_transaction = False
            conn.tx_log.reset()
        elif in_transaction:
            conn.tx_log.record(command, params, kwargs)
        self._after(statement)
        return self

    # -- statement-level rollback (statement_rollback.py) -----------------------------------------------------------
    def _statement_rollback(self, failed: str) -> None:
        """A statement failed inside BEGIN: undo it alone (roll back, begin again, re-run what succeeded)."""
        log = self._conn.tx_log
        with contextlib.suppress(duckdb.Error):
            self._duck_conn.execute("ROLLBACK")
        self._duck_conn.execute("BEGIN TRANSACTION")
        if log.lost:
            return
        if not log.replayable:
            log.lost = (
                "a statement failed inside this transaction and the statements before it cannot be re-run exactly "
                "(they use a volatile function or COPY INTO), so the embedded endpoint rolled the whole transaction "
                f"back; nothing of it was committed. The failed statement: {failed.strip()[:200]}"
            )
            return
        try:
            for command, params, kwargs in log.statements:
                super().execute(command, params, **kwargs)
        except Exception as exc:
            with contextlib.suppress(duckdb.Error):
                self._duck_conn.execute("ROLLBACK")
            self._duck_conn.execute("BEGIN TRANSACTION")
            log.lost = f"the transaction could not be restored after a failed statement ({exc}); nothing was committed"
        finally:
            self._dwsim_notes = []

    def _abandon_transaction(self) -> None:
        message = self._conn.tx_log.lost
        with contextlib.suppress(duckdb.Error):
            self._duck_conn.execute("ROLLBACK")
        self._conn.explicit_transaction = False
        self._conn.tx_log.reset()
        raise programming_error(message, errno=90101, sqlstate="25000")

    def _transform(self, expression: exp.Expr, params: MutableParams | None) -> exp.Expr:
        ctx = self._session_context()
        source = self._dwsim_source if expression.parent is None else None
        if expression.parent is None and isinstance(expression, exp.Create):
            self._column_comments(expression)
            expression = ctas_columns_as_aliases(expression)
        if expression.parent is None and source and _EXPLICIT_NULLS.search(source):
            expression.meta["explicit_nulls"] = True
        if expression.parent is None:
            expression = resolve_table_functions(self, expression)
            check_name_case(self, expression)
        if expression.parent is None and needs_types(expression):
            types = statement_catalog(self, expression)
            expression = typed_rewrites(expression, types, self._conn.database, self._conn.schema)
        expression = apply_pre(expression, ctx, source)
        expression = session_temp_tables(
            expression, self._conn.temporary_tables, self._conn.database, self._conn.schema
        )
        expression = unwrap_table_udfs(expression, self._conn.engine.table_functions)
        transformed = apply_post(super()._transform(expression, params), ctx)
        # fakesnow writes VARCHAR lengths and comments to its global catalog in the statement's transaction, which
        # DuckDB refuses inside BEGIN ... COMMIT (one database per transaction): write them afterwards instead
        table = transformed.find(exp.Table)
        if table is not None:
            catalog = table.catalog or self._conn.database
            schema = table.db or self._conn.schema
            if (lengths := transformed.args.pop("text_lengths", None)) and catalog and schema:
                sql = info_schema.insert_text_lengths_sql(catalog, schema, table.name, lengths)
                self._dwsim_notes.append(lambda: self._side_execute(sql))
        if (comment := transformed.args.pop("table_comment", None)) is not None:
            commented, text = comment
            self._dwsim_notes.append(lambda: set_object_comment(self, commented, text))
        return transformed

    def _inline_variables(self, sql: str) -> str:
        """Session variables (`$name`) outside literals and quoted names (fakesnow replaces them anywhere)."""
        try:
            return inline_variables(sql, self._conn.variables._variables)
        except MissingVariable as exc:
            raise programming_error(str(exc), 2211, "42000") from None

    def _describe_last_sql(self) -> list[Any]:
        """The result's columns, from DuckDB's DESCRIBE of the SQL that ran (fakesnow re-reads that SQL with sqlglot
        first, which turns `CURRENT_DATE()` back into a keyword DuckDB then resolves as the alias being defined)."""
        rows = self._duck_conn.execute(f"DESCRIBE {self._last_sql}", self._last_params).fetchall()
        return [tuple(row) for row in rows]

    def _column_comments(self, statement: exp.Create) -> None:
        """Column comments of a CREATE are recorded once the object exists."""
        comments = split_column_comments(statement)
        table = statement.find(exp.Table)
        if comments and table is not None:
            self._dwsim_notes.append(lambda: set_column_comments(self, table, comments))

    def _side_execute(self, sql: str) -> None:
        with self._duck_conn.cursor() as side:
            side.execute(sql)

    def _session_context(self) -> SessionContext:
        base = self._conn.engine.config.context
        return SessionContext(
            user=base.user,
            role=base.role,
            warehouse=base.warehouse,
            account=base.account,
            region=base.region,
            ddl_lookup=self._get_ddl,
            engine_keywords=self._conn.engine.keywords,
            database=self._conn.database,
            schema=self._conn.schema,
            week_start=int(parameter(self, "WEEK_START")),
            week_of_year_policy=int(parameter(self, "WEEK_OF_YEAR_POLICY")),
            nulls_first=parameter(self, "DEFAULT_NULL_ORDERING").upper() == "FIRST",
        )

    # -- statements handled here instead of by fakesnow ------------------------------------------------------------
    def _intercept(self, statement: exp.Expr) -> bool:
        engine = self._conn.engine
        if isinstance(statement, exp.Create) and create_procedure(self, statement):
            return True
        if isinstance(statement, exp.Drop) and drop_procedure(self, statement):
            return True
        try:
            definition = parse_udf(statement)
        except UnsupportedUdf as exc:
            raise programming_error(str(exc), errno=2140, sqlstate="0A000") from None
        if definition is not None:
            with engine.write_lock:
                create_udf(self, definition)
            return True
        if (dropped := dropped_function(statement)) is not None:
            with engine.write_lock:
                drop_udf(self, *dropped)
            return True
        if isinstance(statement, exp.Copy):
            with engine.write_lock:
                return run_copy(self, statement)
        if is_infer_schema(statement):
            assert isinstance(statement, exp.Select)
            run_infer_schema(self, statement)
            return True
        if alter_session(self, statement) or show_schemas(self, statement):
            return True
        if isinstance(statement, exp.Merge):
            check_merge(self, statement)
        if isinstance(statement, exp.Comment):
            with engine.write_lock:
                return comment_statement(self, statement)
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "STAGE":
            remember_stage(self, statement)
            return False
        if isinstance(statement, exp.Drop) and str(statement.args.get("kind")).upper() == "STAGE":
            with engine.write_lock:
                drop_stage_statement(self, statement)
            return True
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "DATABASE":
            return create_database(self, statement)
        if isinstance(statement, exp.Drop) and str(statement.args.get("kind")).upper() == "DATABASE":
            drop_database(self, statement)
            return True
        return False

    def _after(self, statement: exp.Expr | None) -> None:
        """Follow-ups once fakesnow has run a statement: the catalog notes it was given (see `_transform`); those
        in fakesnow's global catalog are written in their own transaction, as it is another DuckDB database."""
        notes, self._dwsim_notes = self._dwsim_notes, []
        for note in notes:
            note()
        if statement is not None and not isinstance(statement, _READ_ONLY):
            with self._conn.engine.write_lock:  # sessions write the registry one at a time
                try:
                    record_object(self, statement, self._dwsim_command)
                except duckdb.Error:  # the statement itself succeeded: never fail it for the registry
                    log.warning("could not record %s in the object registry", type(statement).__name__, exc_info=True)

    # -- GET_DDL ---------------------------------------------------------------------------------------------------
    def _get_ddl(self, kind: str, name: str, use_fqn: bool) -> str:
        kind = kind.upper()
        parts = [normalise_text(p) for p in name.split(".")]
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


def connect(engine: Engine, database: str | None = None, schema: str | None = None, **kwargs: Any) -> DwSimConnection:
    """A session on the engine (one DuckDB cursor of its shared instance)."""
    with engine.catalog_lock:
        return DwSimConnection(
            engine,
            engine.fs.duck_conn.cursor(),
            engine.fs.results_cache,
            database,
            schema,
            db_path=engine.config.db_dir,
            **kwargs,
        )
