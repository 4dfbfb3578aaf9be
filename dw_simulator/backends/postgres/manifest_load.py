"""Loading a run the way a real Amazon Redshift cluster loads: one `COPY ... MANIFEST` per table from S3.

The cluster reads the parts itself, in parallel across its slices; the client only writes a manifest per table
(every part `mandatory`, with its `content_length`, which Redshift requires for Parquet) and sends one statement:

    COPY "exp"."orders__dwsim_new" FROM 's3://bucket/run/manifests/orders.manifest'
    IAM_ROLE '<role>' FORMAT AS PARQUET MANIFEST

Each table is loaded into a new table beside it (Redshift has no `ALTER TABLE ... SET SCHEMA`), and one transaction
then drops the old tables and renames the new ones, so readers see the old rows until the swap commits and a
failure leaves them. Parts not on S3 yet are uploaded to the staging bucket first.

The stand-in runs the same statements through dw-sim's COPY emulation (`redshift_load_mode = manifest`), which is
how they are tested here: https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dw_simulator.backends.postgres.driver import q

if TYPE_CHECKING:
    from dw_simulator.schema import TableSchema
    from dw_simulator.staging import Stage

log = logging.getLogger(__name__)
NEW_SUFFIX = "__dwsim_new"


def manifest(urls: Sequence[str], sizes: dict[str, int]) -> bytes:
    entries = [{"url": u, "mandatory": True, "meta": {"content_length": sizes[u]}} for u in urls]
    return json.dumps({"entries": entries}, indent=1).encode()


def manifest_url(parts: Sequence[str], table: str) -> str:
    """`<run root>/manifests/<table>.manifest`, beside the run's table folders."""
    table_dir = parts[0].rsplit("/", 1)[0]
    return f"{table_dir.rsplit('/', 1)[0]}/manifests/{table}.manifest"


def copy_statement(relation: str, url: str, iam_role: str) -> str:
    return f"COPY {relation} FROM '{url}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET MANIFEST"


class ManifestLoad:
    """One run's load through manifests (see the module docstring)."""

    def __init__(
        self,
        *,
        schema_name: str,
        run_sql: Callable[[Any, str], int],
        create_sql: Callable[[str, str, TableSchema], str],
        iam_role: str,
    ) -> None:
        self.schema_name = schema_name
        self.run_sql = run_sql  # runs one Redshift statement on the connection; returns rows affected
        self.create_sql = create_sql
        self.iam_role = iam_role

    def new_relation(self, table: str) -> str:
        return f"{q(self.schema_name)}.{q(table.lower() + NEW_SUFFIX)}"

    def run(self, conn: Any, tables: Sequence[TableSchema], parts: dict[str, list[str]], stage: Stage,
            sizes: dict[str, int]) -> dict[str, int]:  # fmt: skip
        loaded: dict[str, int] = {}
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {q(self.schema_name)}")
                for table in tables:
                    cur.execute(f"DROP TABLE IF EXISTS {self.new_relation(table.name)}")
                    cur.execute(self.create_sql(self.schema_name, table.name.lower() + NEW_SUFFIX, table))
            conn.commit()
            for table in tables:
                urls = parts[table.name]
                if not urls:
                    loaded[table.name] = 0
                    continue
                url = manifest_url(urls, table.name)
                stage.write(url, manifest(urls, sizes))
                loaded[table.name] = self.run_sql(
                    conn, copy_statement(self.new_relation(table.name), url, self.iam_role)
                )
                conn.commit()
            with conn.cursor() as cur:
                for table in tables:
                    old = f"{q(self.schema_name)}.{q(table.name.lower())}"
                    cur.execute(f"DROP TABLE IF EXISTS {old}")
                    cur.execute(f"ALTER TABLE {self.new_relation(table.name)} RENAME TO {q(table.name.lower())}")
            conn.commit()
        except BaseException:
            conn.rollback()
            self._drop_new(conn, tables)
            raise
        return loaded

    def _drop_new(self, conn: Any, tables: Sequence[TableSchema]) -> None:
        try:
            with conn.cursor() as cur:
                for table in tables:
                    cur.execute(f"DROP TABLE IF EXISTS {self.new_relation(table.name)}")
            conn.commit()
        except Exception as exc:
            conn.rollback()
            log.warning("could not drop the new tables of a failed load", extra={"error": str(exc)})
