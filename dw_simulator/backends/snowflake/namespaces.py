"""Where an experiment's tables live on Snowflake, and the SQL that names, creates and loads them.

One database per experiment (the experiment name, upper-cased) with its tables in schema PUBLIC
(`snowflake_schema`), so users write `SELECT ... FROM customers` after `USE DATABASE <experiment>` or fully
qualified `<experiment>.public.customers`. With `snowflake_database` set, experiments are schemas of that one
database instead (for accounts where dw-sim may not create databases).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dw_simulator.backends.snowflake.types import is_semi_structured, snowflake_type
from dw_simulator.errors import QueryError

if TYPE_CHECKING:
    from dw_simulator.config import Settings
    from dw_simulator.schema import TableSchema

STAGING_SUFFIX = "__DWSIM_LOAD"


def q(identifier: str) -> str:
    """A Snowflake quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Namespaces:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def namespace(self, experiment: str) -> tuple[str, str]:
        """(database, schema) holding the experiment's tables."""
        if self.settings.snowflake_database:
            return self.settings.snowflake_database.upper(), experiment.upper()
        return experiment.upper(), self.settings.snowflake_schema.upper()

    def schema_ref(self, experiment: str) -> str:
        database, schema = self.namespace(experiment)
        return f"{q(database)}.{q(schema)}"

    def physical_name(self, experiment: str, table: str) -> str:
        return f"{self.schema_ref(experiment)}.{q(table.upper())}"

    def table_ddl(
        self, experiment: str, table: TableSchema, *, name: str | None = None, verb: str = "CREATE TABLE"
    ) -> str:
        names = [c.name.upper() for c in table.columns]
        if len(set(names)) != len(names):
            raise QueryError(
                f"table '{table.name}' has column names that differ only in case; Snowflake folds unquoted names "
                "to upper case, so they would collide"
            )
        cols = []
        for column in table.columns:
            not_null = " NOT NULL" if column.required else ""
            cols.append(f"{q(column.name.upper())} {snowflake_type(column)}{not_null}")
        target = self.physical_name(experiment, name or table.name)
        return f"{verb} {target} ({', '.join(cols)})"

    def copy_sql(
        self, experiment: str, table: TableSchema, stage: str, target_name: str | None = None, folder: str | None = None
    ) -> str:
        """COPY INTO the table from its files on the stage (under `<folder>/`, by default `<TABLE>/`)."""
        target = self.physical_name(experiment, target_name or table.name)
        source = f"@{stage}/{folder or table.name.upper()}/"
        if any(is_semi_structured(c) for c in table.columns):
            # JSON text in Parquet becomes VARIANT/OBJECT/ARRAY values with PARSE_JSON; other columns by name
            columns = ", ".join(q(c.name.upper()) for c in table.columns)
            values = ", ".join(
                f'PARSE_JSON($1:"{c.name}")' if is_semi_structured(c) else f'$1:"{c.name}"::{snowflake_type(c)}'
                for c in table.columns
            )
            return (
                f"COPY INTO {target} ({columns}) FROM (SELECT {values} FROM {source}) "
                "FILE_FORMAT = (TYPE = PARQUET) FORCE = TRUE"
            )
        return (
            f"COPY INTO {target} FROM {source} FILE_FORMAT = (TYPE = PARQUET) "
            "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FORCE = TRUE"
        )
