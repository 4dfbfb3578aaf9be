"""How a client's statements run on PostgreSQL (worker threads): SET/SHOW of Redshift-only settings and COPY/UNLOAD
are answered by the endpoint; drivers' catalog queries are rewritten; everything else goes through dw-sim's Redshift
layer against the experiment's catalog (cached for a moment, forgotten after DDL) and is sent on."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dw_simulator.backends.postgres import RedshiftBackend
from dw_simulator.endpoints.redshift.catalog import (
    alias_subqueries,
    expand_lateral_aliases,
    is_catalog_query,
    postgres_catalog_sql,
    session_catalog,
)
from dw_simulator.endpoints.redshift.commands import REDSHIFT_ONLY, classify, redshift_functions, strip_database
from dw_simulator.endpoints.redshift.driver_queries import rewrite_driver_query
from dw_simulator.endpoints.redshift.errors import PROTOCOL_VIOLATION, EndpointError, from_message
from dw_simulator.errors import DwSimError
from dw_simulator.sql.redshift import translate_redshift
from dw_simulator.sql.redshift.split import mask

if TYPE_CHECKING:
    from dw_simulator.endpoints.redshift.session import Session

CATALOG_TTL_S = 2.0
_LOCAL_SHOW = {"server_version", "server_version_num", *REDSHIFT_ONLY}
_installed: set[str] = set()
_install_lock = threading.Lock()
_catalogs: dict[tuple[str, str], tuple[float, dict[str, dict[str, str]]]] = {}
_catalog_lock = threading.Lock()
_relations: dict[tuple[str, str], tuple[float, set[str] | None]] = {}


@dataclass
class Prepared:
    """How a client statement runs: `sql` is sent to PostgreSQL, unless `local` says the endpoint answers it."""

    client_sql: str
    sql: str = ""
    local: str = ""  # "" | empty | action | set | show
    name: str = ""
    value: str = ""
    ddl: bool = False


class PostgresStatements:
    """One session's statements: translations (remembered per session) and the experiment's catalog."""

    def __init__(self, session: Session, url: str) -> None:
        assert session.target is not None
        self.session = session
        self.settings = session.server.settings
        self.url = url
        self.experiment = session.target.experiment
        self.schema = self.experiment.lower()
        self.translations: OrderedDict[tuple[str, int], Prepared] = OrderedDict()
        self.catalog_dirty = False  # a DDL statement ran through the extended protocol since the last translation

    def install(self) -> None:
        """The Redshift SQL library in the database, once per endpoint process (RedshiftBackend installs it)."""
        with _install_lock:
            if self.url in _installed:
                return
            backend = RedshiftBackend(self.settings, url=self.url)
            try:
                backend.connect()
            except DwSimError as exc:
                raise EndpointError("08006", exc.message) from None
            finally:
                backend.close()
            _installed.add(self.url)

    # -- translation -----------------------------------------------------------------------------------------------
    def catalog(self) -> dict[str, dict[str, str]]:
        key = (self.url, self.schema)
        with _catalog_lock:
            cached = _catalogs.get(key)
            if cached is not None and time.monotonic() - cached[0] < CATALOG_TTL_S:
                return cached[1]
        backend = RedshiftBackend(self.settings, url=self.url)
        try:
            catalog = backend.catalog(self.experiment)
        except DwSimError:
            catalog = {}
        finally:
            backend.close()
        with _catalog_lock:
            _catalogs[key] = (time.monotonic(), catalog)
        return catalog

    def forget_catalog(self) -> None:
        """After DDL: translations made against the old catalog are stale too."""
        self.translations.clear()
        with _catalog_lock:
            _catalogs.pop((self.url, self.schema), None)
            for key in [k for k in _relations if k[0] == self.url]:
                _relations.pop(key, None)

    def prepare(self, sql: str) -> Prepared:
        """One client statement (worker thread)."""
        if not mask(sql).text.strip(" \n\t;"):
            return Prepared(sql, local="empty")
        command = classify(sql)
        if command is not None:
            if command.kind == "set" and command.name in REDSHIFT_ONLY:
                return Prepared(sql, local="set", name=command.name, value=command.value)
            if command.kind == "reset" and command.name in REDSHIFT_ONLY:
                return Prepared(sql, local="set", name=command.name, value="")
            if command.kind == "set" and command.name == "search_path":
                return Prepared(sql, sql=f"SET search_path TO {self._search_path(command.value)}")
            if command.kind == "show" and (
                command.name in _LOCAL_SHOW or (" " in command.name and "isolation" not in command.name)
            ):
                return Prepared(sql, local="show", name=command.name)
            return Prepared(sql, sql=sql)
        database = self.session.target.database if self.session.target else self.experiment
        text = strip_database(redshift_functions(sql, database), database)
        known = rewrite_driver_query(text, "postgres", self.session.user)
        if known is not None:
            return Prepared(sql, sql=known)
        if is_catalog_query(text):
            return Prepared(sql, sql=postgres_catalog_sql(session_catalog(text, database)))
        try:
            statements = translate_redshift(text, engine="postgres", catalog=self.catalog())
        except DwSimError as exc:
            raise from_message(exc.message) from None
        if len(statements) != 1:
            raise EndpointError(PROTOCOL_VIOLATION, "cannot insert multiple commands into a prepared statement")
        statement = statements[0]
        if statement.action is not None:
            return Prepared(sql, local="action")
        first = mask(statement.engine_sql).text.split()[:1]
        ddl = bool(first) and first[0].upper() in ("CREATE", "DROP", "ALTER")
        engine_sql = expand_lateral_aliases(alias_subqueries(statement.engine_sql), self.columns_of)
        return Prepared(sql, sql=engine_sql, ddl=ddl)

    def _search_path(self, value: str) -> str:
        """A client's search_path for this session: `public` and `$user` mean the experiment's own schema (where
        its tables are), which stays on the path; `public` (dw-sim's helpers) comes last."""
        names: list[str] = []
        for part in value.split(","):
            name = part.strip().strip("'").strip('"')
            name = self.schema if not name or name in ("$user", "public") else name
            if name not in names:
                names.append(name)
        if self.schema not in names:
            names.append(self.schema)
        return ", ".join('"' + n.replace('"', '""') + '"' for n in [*names, "public"])

    def columns_of(self, relation: str) -> set[str] | None:
        """Column names of a table or view as this session resolves it (None when it does not exist)."""
        parts = [p.lower() for p in relation.split(".")]
        if len(parts) == 1:
            cols = self.catalog().get(parts[0])
            if cols is not None:
                return set(cols)
        key = (self.url, ".".join(parts))
        with _catalog_lock:
            cached = _relations.get(key)
            if cached is not None and time.monotonic() - cached[0] < CATALOG_TTL_S:
                return cached[1]
        backend = RedshiftBackend(self.settings, url=self.url)
        qualified = ".".join('"' + p.replace('"', '""') + '"' for p in parts)
        search = f'"{self.schema}", public' if len(parts) == 1 else "public"
        try:
            rows = backend.execute_raw(
                "SELECT set_config('search_path', %s, true), a.attname FROM pg_attribute a "
                "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
                (search, qualified),
            )
            result: set[str] | None = {str(r[1]) for r in rows} or None
        except DwSimError:
            result = None
        finally:
            backend.close()
        with _catalog_lock:
            _relations[key] = (time.monotonic(), result)
        return result

    async def translate(self, sql: str) -> Prepared:
        if self.catalog_dirty:
            self.forget_catalog()
            self.catalog_dirty = False
        key = (sql, 0)
        cached = self.translations.get(key)
        if cached is not None and not cached.ddl:
            self.translations.move_to_end(key)
            return cached
        loop = asyncio.get_running_loop()
        prepared = await loop.run_in_executor(self.session.server.pool, self.prepare, sql)
        self.translations[key] = prepared
        if len(self.translations) > 256:
            self.translations.popitem(last=False)
        return prepared
