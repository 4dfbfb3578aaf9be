"""Loading a run into Snowflake, as the brief asks: the run's Parquet files are staged (an internal stage via PUT,
or an external `s3://` stage on the configured S3 endpoint) and loaded with `COPY INTO ... FILE_FORMAT = (TYPE =
PARQUET)`; never row by row. Replacement is atomic: readers see the old rows until every table is loaded, and a
failure leaves them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dw_simulator import observability as obs
from dw_simulator.backends.snowflake import s3 as s3lib
from dw_simulator.backends.snowflake.namespaces import STAGING_SUFFIX, Namespaces, q, sql_string
from dw_simulator.backends.snowflake.pool import execute
from dw_simulator.errors import QueryError
from dw_simulator.staging.parts import is_s3_url

if TYPE_CHECKING:
    from dw_simulator.config import Settings
    from dw_simulator.schema import TableSchema

log = logging.getLogger(__name__)


class StagedLoader:
    """Stages a run's files and swaps them into an experiment's tables, on one connector cursor."""

    def __init__(self, settings: Settings, names: Namespaces, warehouse: str) -> None:
        self.settings = settings
        self.names = names
        self.warehouse = warehouse

    def load(
        self,
        cur: Any,
        experiment: str,
        token: str,
        tables: list[TableSchema],
        files: Mapping[str, Sequence[Path | str]],
        *,
        s3: bool,
        transactional_ddl: bool,
    ) -> str | None:
        """Stage the files and replace the tables' rows with them; returns the S3 prefix when staged on S3 (None
        when the parts were on S3 already: the stage then points at the run's own prefix, nothing is copied)."""
        execute(cur, f"USE SCHEMA {self.names.schema_ref(experiment)}", f"experiment '{experiment}'")
        stage = f"{self.names.schema_ref(experiment)}.{q('DWSIM_LOAD_' + token.upper())}"
        with obs.stage("stage", experiment=experiment, warehouse=self.warehouse):
            if any(is_s3_url(p) for parts in files.values() for p in parts):
                s3_prefix, folders = None, self.stage_run_prefix(cur, stage, files)
            else:
                local = {t: [Path(p) for p in parts] for t, parts in files.items()}
                s3_prefix = self.stage(cur, experiment, stage, token, tables, local, s3=s3)
                folders = {t.name: t.name.upper() for t in tables}
        try:
            if transactional_ddl:
                self._swap_in_transaction(cur, experiment, stage, tables, files, folders)
            else:
                self._swap_through_staging_tables(cur, experiment, stage, tables, files, folders)
        finally:
            try:
                execute(cur, f"DROP STAGE IF EXISTS {stage}")
            except QueryError:
                log.warning("could not drop the load stage", extra={"stage": stage})
        return s3_prefix

    def stage(
        self,
        cur: Any,
        experiment: str,
        stage: str,
        token: str,
        tables: list[TableSchema],
        files: dict[str, list[Path]],
        *,
        s3: bool,
    ) -> str | None:
        """Put the files on a stage under `<table>/`; returns the S3 prefix when staged on S3."""
        if s3:
            prefix = f"snowflake/{experiment}/{token}/"
            client = s3lib.client(self.settings.s3_endpoint_url)
            uploads = [
                (Path(path), f"{prefix}{table.name.upper()}/{i:05d}-{Path(path).name}")
                for table in tables
                for i, path in enumerate(files[table.name])
            ]
            s3lib.upload(client, self.settings.s3_bucket, uploads)
            key, secret = _s3_keys()
            execute(
                cur,
                f"CREATE OR REPLACE TEMPORARY STAGE {stage} URL = {sql_string(f's3://{self.settings.s3_bucket}/{prefix}')}"
                f" CREDENTIALS = (AWS_KEY_ID = {sql_string(key)} AWS_SECRET_KEY = {sql_string(secret)})",
                "cannot create the S3 load stage",
            )
            return prefix
        execute(cur, f"CREATE OR REPLACE TEMPORARY STAGE {stage}", "cannot create the load stage")
        for table in tables:
            for i, group in enumerate(_put_groups(files[table.name])):
                target = f"@{stage}/{table.name.upper()}/{i:05d}/"
                execute(
                    cur,
                    f"PUT {sql_string('file://' + group)} {target} AUTO_COMPRESS = FALSE OVERWRITE = TRUE",
                    f"cannot stage the files of table '{table.name}'",
                )
        return None

    def stage_run_prefix(self, cur: Any, stage: str, files: Mapping[str, Sequence[Path | str]]) -> dict[str, str]:
        """An external stage on the folder holding the run's S3 parts (`<root>/<table>/part-*.parquet`, written
        there by the generator's workers); returns each table's folder under it. One COPY INTO per table follows."""
        urls = [str(p) for parts in files.values() for p in parts]
        if not all(is_s3_url(u) for u in urls):
            raise QueryError("a load takes either local Parquet files or s3:// objects, not both")
        table_dirs = {t: str(parts[0]).rsplit("/", 1)[0] for t, parts in files.items() if parts}
        common: list[str] = []
        for segments in zip(*(d.rsplit("/", 1)[0].split("/") for d in table_dirs.values()), strict=False):
            if len(set(segments)) != 1:
                break
            common.append(segments[0])
        root = "/".join(common)
        relative = {t: d[len(root) + 1 :] for t, d in table_dirs.items()}
        key, secret = _s3_keys()
        execute(
            cur,
            f"CREATE OR REPLACE TEMPORARY STAGE {stage} URL = {sql_string(root + '/')}"
            f" CREDENTIALS = (AWS_KEY_ID = {sql_string(key)} AWS_SECRET_KEY = {sql_string(secret)})",
            "cannot create the S3 load stage",
        )
        return relative

    def _swap_in_transaction(
        self,
        cur: Any,
        experiment: str,
        stage: str,
        tables: list[TableSchema],
        files: Mapping[str, Sequence[Path | str]],
        folders: dict[str, str],
    ) -> None:
        """Engines with transactional DDL: recreate and load every table inside one transaction."""
        execute(cur, "BEGIN")
        try:
            for table in tables:
                execute(cur, self.names.table_ddl(experiment, table, verb="CREATE OR REPLACE TABLE"))
                if files[table.name]:
                    execute(
                        cur,
                        self.names.copy_sql(experiment, table, stage, folder=folders[table.name]),
                        f"cannot load table '{table.name}'",
                    )
            execute(cur, "COMMIT")
        except BaseException:
            self._rollback(cur)
            raise

    def _swap_through_staging_tables(
        self,
        cur: Any,
        experiment: str,
        stage: str,
        tables: list[TableSchema],
        files: Mapping[str, Sequence[Path | str]],
        folders: dict[str, str],
    ) -> None:
        """Snowflake commits DDL on its own: load side tables first, then replace the rows in one transaction."""
        staging = {t.name: f"{t.name}{STAGING_SUFFIX}" for t in tables}
        try:
            for table in tables:
                execute(
                    cur,
                    self.names.table_ddl(experiment, table, name=staging[table.name], verb="CREATE OR REPLACE TABLE"),
                )
                if files[table.name]:
                    execute(
                        cur,
                        self.names.copy_sql(
                            experiment, table, stage, target_name=staging[table.name], folder=folders[table.name]
                        ),
                        f"cannot load table '{table.name}'",
                    )
            for table in tables:
                execute(cur, self.names.table_ddl(experiment, table, verb="CREATE TABLE IF NOT EXISTS"))
            execute(cur, "BEGIN")
            try:
                for table in tables:
                    columns = ", ".join(q(c.name.upper()) for c in table.columns)
                    target = self.names.physical_name(experiment, table.name)
                    execute(cur, f"DELETE FROM {target}")
                    execute(
                        cur,
                        f"INSERT INTO {target} ({columns}) SELECT {columns} "
                        f"FROM {self.names.physical_name(experiment, staging[table.name])}",
                        f"cannot replace the rows of table '{table.name}'",
                    )
                execute(cur, "COMMIT")
            except BaseException:
                self._rollback(cur)
                raise
        finally:
            for name in staging.values():
                try:
                    execute(cur, f"DROP TABLE IF EXISTS {self.names.physical_name(experiment, name)}")
                except QueryError:
                    log.warning("could not drop a staging table", extra={"table": name})

    def _rollback(self, cur: Any) -> None:
        try:
            execute(cur, "ROLLBACK")
        except QueryError:
            log.warning("rollback failed")

    def delete_staged(self, experiment: str, keep: str | None) -> None:
        """Remove staged copies of older runs (or all of them) from the S3 bucket."""
        if not self.settings.s3_endpoint_url:
            return
        try:
            client = s3lib.client(self.settings.s3_endpoint_url)
            objects = s3lib.list_objects(client, self.settings.s3_bucket, f"snowflake/{experiment}/")
            s3lib.delete(
                client,
                self.settings.s3_bucket,
                [o.key for o in objects if keep is None or not o.key.startswith(keep)],
            )
        except Exception as exc:  # staging clean-up never fails a load or a delete
            log.warning("could not clean staged files", extra={"experiment": experiment, "error": str(exc)})


def _put_groups(paths: list[Path]) -> list[str]:
    """PUT sources for the files: `dir/*.parquet` when a directory holds exactly these files, else one each."""
    by_dir: dict[Path, list[Path]] = {}
    for path in paths:
        resolved = Path(path).resolve()
        by_dir.setdefault(resolved.parent, []).append(resolved)
    groups: list[str] = []
    for directory, members in by_dir.items():
        for member in members:
            if "'" in str(member) or "*" in str(member) or "?" in str(member):
                raise QueryError(f"cannot stage {member}: PUT cannot address a path containing ', * or ?")
        suffixes = {m.suffix for m in members}
        if len(suffixes) == 1:
            suffix = suffixes.pop()
            present = {p.resolve() for p in directory.glob(f"*{suffix}")}
            if present == set(members):
                groups.append(f"{directory.as_posix()}/*{suffix}")
                continue
        groups.extend(m.as_posix() for m in members)
    return groups


def _s3_keys() -> tuple[str, str]:
    return os.environ.get("AWS_ACCESS_KEY_ID", "test"), os.environ.get("AWS_SECRET_ACCESS_KEY", "test")
