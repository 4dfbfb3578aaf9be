"""A run's load on PostgreSQL (and Redshift), out of readers' sight, and its one commit point.

`prepare_parts` stages the run's parts (S3 when an endpoint is configured), creates the run's load schema with
empty new tables and registers it in `dwsim_runs.prepared` in one transaction, then COPYs the parts in over
`load_connections` connections (`parallel_load`). `prepare_manifest` does the same with `<table>__dwsim_new` tables
beside the old ones and one `COPY ... MANIFEST` per table (`manifest_load`, a real cluster's way). `commit` is the
commit point: one short transaction swaps the run's tables in and records it in `dwsim_runs.current_runs`.
`discard` removes what a run that is not current left (its load schema or new tables, its staged objects), and
with it what crashed loads of older dw-sim versions left unregistered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dw_simulator import crashpoints
from dw_simulator import observability as obs
from dw_simulator.backends.base import RUN_KEY_RE
from dw_simulator.backends.postgres import runs
from dw_simulator.backends.postgres.copy_target import PostgresCopyTarget
from dw_simulator.backends.postgres.driver import error_message, psycopg_module, q
from dw_simulator.backends.postgres.manifest_load import ManifestLoad
from dw_simulator.backends.postgres.parallel_load import ParallelLoad, PartCopy
from dw_simulator.errors import QueryError
from dw_simulator.staging.parts import is_s3_url, s3_stage

if TYPE_CHECKING:
    from dw_simulator.config import Settings
    from dw_simulator.schema import ExperimentSchema, TableSchema
    from dw_simulator.sql.translate import Statement
    from dw_simulator.staging import Stage

log = logging.getLogger("dw_simulator.backends.postgres")
LOCAL_IAM_ROLE = "arn:aws:iam::000000000000:role/dw-sim-local"
Files = Mapping[str, Sequence[Path | str]]


class LoadingBackend(Protocol):
    """What a run's load uses of the backend (`backend.PostgresBackend`)."""

    @property
    def name(self) -> str: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def url(self) -> str: ...
    @property
    def stage(self) -> Stage: ...
    def schema_name(self, experiment: str) -> str: ...
    def connect(self) -> Any: ...
    def new_connection(self) -> Any: ...
    def _transaction(self, *, raw: bool = False) -> AbstractContextManager[Any]: ...
    def _create_in_schema_sql(self, schema_name: str, table: TableSchema, name: str | None = None) -> str: ...
    def translate(self, experiment: str, sql: str, dialect: str) -> list[Statement]: ...
    def _set_path(self, cur: Any, experiment: str) -> None: ...


class ManifestBackend(LoadingBackend, Protocol):
    def run_redshift(self, conn: Any, experiment: str, sql: str) -> int: ...


def tables_of(schema: ExperimentSchema, files: Files) -> list[TableSchema]:
    tables = []
    for table_name in files:
        table = schema.table(table_name)
        if table is None:
            raise QueryError(f"experiment '{schema.name}' has no table '{table_name}' to load")
        tables.append(table)
    return tables


def prepare_parts(backend: LoadingBackend, schema: ExperimentSchema, run: str, files: Files) -> dict[str, int]:
    tables = tables_of(schema, files)
    stage, sources = stage_parts(backend, schema.name, run, files)
    crashpoints.reached("staged")
    staged = runs.staging_schema(schema.name, run)
    with backend._transaction() as cur:
        runs.ensure_run_tables(cur)
        runs.drop_unregistered(cur, schema.name, backend.schema_name(schema.name))
        cur.execute(f"DROP SCHEMA IF EXISTS {q(staged)} CASCADE")
        cur.execute(f"CREATE SCHEMA {q(staged)}")
        for table in tables:
            cur.execute(backend._create_in_schema_sql(staged, table))
        runs.register(cur, staged, schema.name, run)  # in the creating transaction: nothing unregistered is left
    load = ParallelLoad(
        load_schema=staged,
        connect=backend.new_connection,
        copy_target=lambda conn: PostgresCopyTarget(backend, conn, schema.name),
        connections=backend.settings.load_connections,
        iam_role=LOCAL_IAM_ROLE,
    )
    parts = [PartCopy(t.name, url) for t in tables for url in sources[t.name]]
    with obs.stage("copy", experiment=schema.name, warehouse=backend.name):
        loaded = load.copy_parts(tables, parts, stage)
    return {t.name: loaded[t.name] for t in tables}


def prepare_manifest(backend: ManifestBackend, schema: ExperimentSchema, run: str, files: Files) -> dict[str, int]:
    tables = tables_of(schema, files)
    stage = s3_stage(backend.settings)
    parts = parts_on_s3(backend, schema.name, run, files, stage)
    crashpoints.reached("staged")
    sizes = {u: stage.size(u) for urls in parts.values() for u in urls}
    schema_name = backend.schema_name(schema.name)
    load = ManifestLoad(
        schema_name=schema_name,
        run_sql=lambda c, sql: backend.run_redshift(c, schema.name, sql),
        iam_role=backend.settings.redshift_iam_role,
    )
    with backend._transaction() as cur:
        runs.ensure_run_tables(cur)
        runs.drop_unregistered(cur, schema.name, schema_name)
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema_name)}")
        for name in runs.new_tables(cur, schema_name):  # a discarded manifest run's, registered
            cur.execute(f"DROP TABLE IF EXISTS {q(schema_name)}.{q(name)}")
        for table in tables:
            cur.execute(backend._create_in_schema_sql(schema_name, table, table.name.lower() + runs.NEW_SUFFIX))
        runs.register(cur, runs.manifest_marker(schema_name), schema.name, run)
    with obs.stage("copy", experiment=schema.name, warehouse=backend.name):
        return load.copy(backend.connect(), tables, parts, stage, sizes)


def commit(backend: LoadingBackend, experiment: str, run: str) -> None:
    psycopg = psycopg_module()
    schema_name = backend.schema_name(experiment)
    for attempt in range(4):
        try:
            with backend._transaction(raw=True) as cur:
                if runs.current_run(cur, experiment) == run:
                    return
                staged = {r: s for s, r in runs.prepared_runs(cur, experiment)}.get(run)
                if staged is None:
                    raise QueryError(f"run {run} of experiment '{experiment}' was not prepared (or was discarded)")
                if staged == runs.manifest_marker(schema_name):
                    runs.swap_renamed(cur, schema_name, run, experiment)
                else:
                    runs.swap_in(cur, schema_name, staged, run, experiment)
            break
        except psycopg.errors.LockNotAvailable:
            if attempt == 3:
                raise QueryError(
                    f"could not swap run {run} into experiment '{experiment}': its tables stayed locked by other "
                    "sessions (long queries?) for 20 s; the run's data is kept and the swap can be retried"
                ) from None
            log.warning("swap waited for locks; retrying", extra={"experiment": experiment, "run": run})
        except psycopg.Error as exc:
            raise QueryError(error_message(exc)) from None
    forget_staged(backend, experiment, keep=run)


def discard(backend: LoadingBackend, experiment: str, run: str) -> None:
    schema_name = backend.schema_name(experiment)
    with backend._transaction() as cur:
        if runs.current_run(cur, experiment) == run:
            return
        for staged, prepared in runs.prepared_runs(cur, experiment):
            if prepared != run:
                continue
            if staged == runs.manifest_marker(schema_name):
                for name in runs.new_tables(cur, schema_name):
                    cur.execute(f"DROP TABLE IF EXISTS {q(schema_name)}.{q(name)} CASCADE")
            else:
                cur.execute(f"DROP SCHEMA IF EXISTS {q(staged)} CASCADE")
            cur.execute("DELETE FROM dwsim_runs.prepared WHERE staging_schema = %s", (staged,))
        runs.drop_unregistered(cur, experiment, schema_name)
    delete_staged(backend, f"s3://{backend.settings.s3_bucket}/{experiment}/{run}/")


def leftovers(backend: LoadingBackend, experiment: str) -> list[str]:
    with backend._transaction() as cur:
        found = {run for _schema, run in runs.prepared_runs(cur, experiment)}
        current = runs.current_run(cur, experiment)
    if current:
        found.add(current)
    found.update(staged_runs(backend, experiment))
    return sorted(found)


# -- staging ----------------------------------------------------------------------------------------------------------
def stage_parts(backend: LoadingBackend, experiment: str, run: str, files: Files) -> tuple[Stage, dict[str, list[str]]]:
    """Where COPY reads each part: the run's own S3 objects; else local files uploaded to the S3 staging bucket
    (`s3://<bucket>/<experiment>/<run>/`) when an endpoint is configured; else the files in place (made-up `s3://`
    URLs on a file list)."""
    kinds = {is_s3_url(p) for parts in files.values() for p in parts}
    if kinds == {True}:
        return s3_stage(backend.settings), {t: [str(p) for p in parts] for t, parts in files.items()}
    if len(kinds) > 1:
        raise QueryError("a load takes either local Parquet files or s3:// objects, not both")
    local = {t: [Path(p) for p in parts] for t, parts in files.items()}
    if backend.settings.s3_endpoint_url:
        stage = backend.stage
        present = {t: p for t, p in local.items() if p}
        with obs.stage("stage", experiment=experiment, warehouse=backend.name):
            prefixes = stage.upload_run(experiment, run, present, backend.settings.s3_bucket)
        return stage, {t: [prefixes[t] + p.name for p in paths] for t, paths in local.items()}
    from dw_simulator.staging.s3 import FileListStage

    listed = FileListStage()
    sources: dict[str, list[str]] = {}
    for table, paths in local.items():
        sources[table] = []
        for i, path in enumerate(paths):
            prefix = listed.add(f"s3://local-staging/{experiment}/{run}/{table}/{i:05d}/", [path])
            sources[table].append(prefix)
    return listed, sources


def parts_on_s3(backend: LoadingBackend, experiment: str, run: str, files: Files, stage: Stage) -> dict[str, list[str]]:
    if all(is_s3_url(p) for parts in files.values() for p in parts):
        return {t: [str(p) for p in parts] for t, parts in files.items()}
    local = {t: [Path(p) for p in parts] for t, parts in files.items()}
    with obs.stage("stage", experiment=experiment, warehouse=backend.name):
        prefixes = stage.upload_run(experiment, run, {t: p for t, p in local.items() if p}, backend.settings.s3_bucket)
    return {t: [prefixes[t] + p.name for p in paths] for t, paths in local.items()}


def forget_staged(backend: LoadingBackend, experiment: str, *, keep: str | None = None) -> None:
    """Best effort: remove the experiment's staged objects (`s3://<bucket>/<experiment>/`), all of them or all but
    run `keep`'s."""
    if not backend.settings.s3_endpoint_url:
        return
    if keep is None:
        delete_staged(backend, f"s3://{backend.settings.s3_bucket}/{experiment}/")
        return
    for run in staged_runs(backend, experiment) - {keep}:
        delete_staged(backend, f"s3://{backend.settings.s3_bucket}/{experiment}/{run}/")


def delete_staged(backend: LoadingBackend, prefix: str) -> None:
    if not backend.settings.s3_endpoint_url:
        return
    try:
        backend.stage.delete_prefix(prefix)
    except Exception as exc:  # staging cleanup must not undo a completed drop or swap
        log.warning("could not remove staged files", extra={"prefix": prefix, "error": str(exc)})


def staged_runs(backend: LoadingBackend, experiment: str) -> set[str]:
    if not backend.settings.s3_endpoint_url:
        return set()
    prefix = f"s3://{backend.settings.s3_bucket}/{experiment}/"
    try:
        urls = backend.stage.list(prefix)
    except Exception as exc:  # staging clean-up is best effort: S3 may be gone
        log.warning("could not list staged runs", extra={"experiment": experiment, "error": str(exc)})
        return set()
    found = set()
    for url in urls:
        key = url[len(prefix) :].split("/", 1)[0]
        if re.fullmatch(RUN_KEY_RE, key):
            found.add(key)
    return found
