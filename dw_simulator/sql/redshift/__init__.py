"""The Redshift SQL layer: what makes Redshift SQL run with Redshift's answers on PostgreSQL and on DuckDB.

Owns, for every statement of a redshift-dialect query (entry point `translation.translate_redshift`):

1. text rewrites (`text_rewrites.py`, on text masked by `split.py`) for what sqlglot cannot parse, and recognition of
   statements that do not go to the engine as written (VACUUM/ANALYZE no-ops, `SET query_group`, COPY, UNLOAD);
2. parsing with `DwsimRedshift` (`dialect.py`), which routes Redshift functions to dw-sim's SQL library, and AST
   rewrites by SQL topic (`transforms/`);
3. the SQL library itself (`library_postgres.py`, `library_duckdb.py`), installed by `install.py`;
4. COPY and UNLOAD against the staging area (`copy_unload/`), and the layer on a DuckDB connection
   (`duckdb_runner.py`: COPY target, catalog, statements ready to run).

May import: `dw_simulator.errors`, `dw_simulator.config`, `dw_simulator.staging` (COPY/UNLOAD read and write the
stage), the rest of `dw_simulator.sql`, sqlglot; pyarrow only inside COPY/UNLOAD execution. Never service, cli,
api, endpoints or backends. Translating imports no duckdb, pyarrow or boto3.
"""

from __future__ import annotations

from dw_simulator.sql.redshift.install import LIBRARY_VERSION, install_duckdb, install_postgres
from dw_simulator.sql.redshift.transforms import Catalog
from dw_simulator.sql.redshift.translation import translate_redshift

__all__ = ["LIBRARY_VERSION", "Catalog", "install_duckdb", "install_postgres", "translate_redshift"]
