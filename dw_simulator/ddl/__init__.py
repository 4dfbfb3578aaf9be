"""SQL DDL import (Redshift, Snowflake, PostgreSQL/ANSI) into experiment schemas, and export back to DDL.

result = import_sql(open("schema.sql").read(), "redshift", name="sales", on_progress=lambda done, total: ...)
result.schema      # ExperimentSchema, ready to store and generate
result.warnings    # what the user should know (also in each TableSchema.warnings)
result.notes       # skipped statements, ignored options, inferred settings
export_ddl(result.schema, "snowflake")

Owns: the import entry point (`importer`), reading DDL text (`lexer`, `preprocess`, `column_clauses`,
`table_clauses`, `cursor`), drafting tables (`statements`, `item_parser`, `coltypes`, `typemap`, `constraints`,
`checks`, `draft`), settling them into a schema (`settle`, `infer`, `names`), locating problems (`problems`), and
writing DDL (`export`).

May import: `dw_simulator.schema`, `dw_simulator.config`, `dw_simulator.errors`, sqlglot and pydantic. Never the
service, front ends (cli, api, endpoints), backends or sql; no duckdb, pyarrow or numpy.
"""

from dw_simulator.ddl.export import EXPORT_DIALECTS, export_ddl
from dw_simulator.ddl.importer import IMPORT_DIALECTS, ImportResult, import_sql
from dw_simulator.ddl.infer import Inference
from dw_simulator.ddl.names import identifier_from

__all__ = [
    "EXPORT_DIALECTS",
    "IMPORT_DIALECTS",
    "ImportResult",
    "Inference",
    "export_ddl",
    "identifier_from",
    "import_sql",
]
