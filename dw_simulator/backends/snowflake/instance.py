"""The engine behind the embedded Snowflake endpoint: one fakesnow instance on DuckDB files, with dw-sim's fixes.

fakesnow (https://github.com/tekumara/fakesnow) translates Snowflake SQL to DuckDB. dw-sim wraps it so that

* every session shares ONE DuckDB instance whose databases are files under the data root (fakesnow's own server
  gives each session that names a database path a private instance, so a 4th session cannot see or attach the
  files the others hold; that is the "more than 3 concurrent connections fail" weakness);
* logins and catalog changes are serialised, and write statements take a shared lock, so concurrent sessions do
  not race on ATTACH or conflict on the catalog;
* the statements go through `dw_simulator.sql.snowflake` rewrites before and after fakesnow's own, and SQL UDFs,
  COPY INTO, stages and databases are handled by dw-sim (the sessions: `cursor.py`).
"""

from __future__ import annotations

import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from fakesnow import info_schema, macros
from fakesnow.instance import GLOBAL_DATABASE_NAME, FakeSnow
from fakesnow.transforms import show

from dw_simulator.backends.snowflake import library, store
from dw_simulator.backends.snowflake.names import ident, sql_text
from dw_simulator.backends.snowflake.query_log import QueryHistory
from dw_simulator.backends.snowflake.s3 import S3Credentials
from dw_simulator.sql.snowflake import SessionContext

# fakesnow reads results with DuckDB's DB-API Arrow export, which warns about the copy it makes on every statement
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
GLOBAL_FILE = "_fs_global.duckdb"
RESULTS_KEPT = 64


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
    # Snowflake's folding of names (MIXEDCASE is not "MixedCase"); off over a DuckDB warehouse whose tables dw-sim
    # created in lower case (`customers` is then read as CUSTOMERS)
    strict_name_case: bool = True


@dataclass
class SharedInstance:
    """The part of fakesnow's `FakeSnow` the sessions use: a DuckDB connection and the kept results."""

    duck_conn: duckdb.DuckDBPyConnection
    results_cache: BoundedResults = field(default_factory=lambda: BoundedResults())


class Engine:
    """One DuckDB instance holding every database of the endpoint (a `<NAME>.db` file each), or, with
    `connection`, the Snowflake layer over an existing DuckDB connection (the embedded DuckDB warehouse, for
    Snowflake-dialect experiments); its global catalog is then kept in `global_file`."""

    def __init__(
        self,
        config: EngineConfig,
        connection: duckdb.DuckDBPyConnection | None = None,
        global_file: Path | None = None,
    ) -> None:
        self.config = config
        if config.db_dir is not None:
            config.db_dir.mkdir(parents=True, exist_ok=True)
        self.fs: FakeSnow | SharedInstance
        if connection is None:
            self.fs = FakeSnow(db_path=config.db_dir)
            self.fs.results_cache = BoundedResults()
        else:
            self.fs = SharedInstance(connection)
            connection.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {GLOBAL_DATABASE_NAME}")
        self.catalog_lock = threading.RLock()
        self.write_lock = threading.RLock()
        self.stage_credentials: dict[str, S3Credentials] = {}
        self.table_functions: set[str] = set()
        self.history = QueryHistory()
        # DuckDB's keywords that cannot be names unquoted (`LEFT`, `AUTHORIZATION`, `END`)
        self.keywords = frozenset(
            row[0]
            for row in self.fs.duck_conn.execute(
                "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category IN ('reserved', 'type_function')"
            ).fetchall()
        )
        self._closed = False
        if global_file is not None or config.db_dir is not None:
            self._persist_global(global_file or (config.db_dir or Path()) / GLOBAL_FILE)
        if config.db_dir is not None:
            for db_file in sorted(config.db_dir.glob("*.db")):
                self.attach(db_file.stem)
        elif global_file is None:
            store.create(self.fs.duck_conn)
        library.install(self.fs.duck_conn)

    def _persist_global(self, path: Path) -> None:
        """Keep fakesnow's global catalog (stages, file formats, comments, VARCHAR lengths) on disk too."""
        con = self.fs.duck_conn
        con.execute(f"DETACH DATABASE IF EXISTS {GLOBAL_DATABASE_NAME}")
        con.execute(f"ATTACH '{sql_text(str(path))}' AS {GLOBAL_DATABASE_NAME}")
        con.execute(info_schema.fs_global_creation_sql())
        con.execute(show.fs_global_creation_sql())
        store.create(con)

    def prepare_catalog(self, name: str) -> None:
        """fakesnow's information schema views and macros in an attached database (idempotent). fakesnow pastes the
        name both as an identifier and inside a string literal, so it is given unquoted when it can be."""
        catalog = name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else ident(name)
        with self.catalog_lock:
            con = self.fs.duck_conn
            con.execute(info_schema.per_db_creation_sql(catalog))
            con.execute(macros.creation_sql(catalog))

    def attach(self, name: str) -> None:
        """Attach the database file `<db_dir>/<name>.db` (idempotent)."""
        assert self.config.db_dir is not None
        with self.catalog_lock:
            con = self.fs.duck_conn
            path = self.config.db_dir / f"{name}.db"
            con.execute(f"ATTACH IF NOT EXISTS '{sql_text(str(path))}' AS {ident(name)}")
        self.prepare_catalog(name)

    def databases(self) -> list[str]:
        rows = self.fs.duck_conn.cursor().execute("SELECT database_name FROM duckdb_databases()").fetchall()
        return [r[0] for r in rows if not r[0].startswith("_fs") and r[0] not in ("memory", "system", "temp")]

    def remove_database_files(self, name: str) -> None:
        if self.config.db_dir is None:
            return
        for suffix in (".db", ".db.wal"):
            path = self.config.db_dir / f"{name}{suffix}"
            path.unlink(missing_ok=True)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if isinstance(self.fs, FakeSnow):  # a shared connection is its owner's to close
                with self.catalog_lock:
                    self.fs.duck_conn.close()
