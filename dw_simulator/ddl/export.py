"""ExperimentSchema -> CREATE TABLE statements for Redshift, Snowflake, PostgreSQL or DuckDB.

What is written: types in the dialect's spelling, NOT NULL, PRIMARY KEY (the original composite key, without the
synthetic `_row_id`), UNIQUE, FOREIGN KEY REFERENCES, IDENTITY/AUTOINCREMENT, comments, the table layout of the
dialect it belongs to (Redshift DISTSTYLE/DISTKEY/SORTKEY, Snowflake CLUSTER BY) and, unless `checks=False`,
CHECK constraints for value bounds, date ranges and categorical values. Importing the output again gives the same
schema (tables' warnings aside). Redshift and Snowflake do not accept CHECK constraints: pass `checks=False` for DDL
meant for a real cluster or account. Faker rules, distributions and null rates have no DDL form and are not written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dw_simulator.ddl.constraints import ROW_ID
from dw_simulator.ddl.names import quote
from dw_simulator.errors import SchemaValidationError
from dw_simulator.schema.column_schema import ColumnSchema
from dw_simulator.schema.distributions import CategoricalDistribution
from dw_simulator.schema.experiment_schema import ExperimentSchema
from dw_simulator.schema.table_schema import TableSchema
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, TypeSpec

EXPORT_DIALECTS: tuple[str, ...] = ("redshift", "snowflake", "postgres", "duckdb")
INDENT = "    "

_JSON = ("JSON", "VARIANT", "OBJECT", "ARRAY", "SUPER")
_TYPE_NAMES: dict[str, dict[str, str]] = {
    "redshift": {
        "SMALLINT": "SMALLINT",
        "INT": "INTEGER",
        "BIGINT": "BIGINT",
        "FLOAT": "DOUBLE PRECISION",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "TIME": "TIME",
        "TIMESTAMP": "TIMESTAMP",
        "TIMESTAMPTZ": "TIMESTAMPTZ",
        **dict.fromkeys(_JSON, "SUPER"),
    },
    "snowflake": {
        "SMALLINT": "SMALLINT",
        "INT": "INT",
        "BIGINT": "BIGINT",
        "FLOAT": "FLOAT",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "TIME": "TIME",
        "TIMESTAMP": "TIMESTAMP_NTZ",
        "TIMESTAMPTZ": "TIMESTAMP_TZ",
        "JSON": "VARIANT",
        "SUPER": "VARIANT",
        "VARIANT": "VARIANT",
        "OBJECT": "OBJECT",
        "ARRAY": "ARRAY",
    },
    "postgres": {
        "SMALLINT": "SMALLINT",
        "INT": "INTEGER",
        "BIGINT": "BIGINT",
        "FLOAT": "DOUBLE PRECISION",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "TIME": "TIME",
        "TIMESTAMP": "TIMESTAMP",
        "TIMESTAMPTZ": "TIMESTAMPTZ",
        **dict.fromkeys(_JSON, "JSONB"),
    },
    "duckdb": {
        "SMALLINT": "SMALLINT",
        "INT": "INTEGER",
        "BIGINT": "BIGINT",
        "FLOAT": "DOUBLE",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "TIME": "TIME",
        "TIMESTAMP": "TIMESTAMP",
        "TIMESTAMPTZ": "TIMESTAMPTZ",
        **dict.fromkeys(_JSON, "JSON"),
    },
}
_TITLES = {"redshift": "Redshift", "snowflake": "Snowflake", "postgres": "PostgreSQL", "duckdb": "DuckDB"}


def export_ddl(schema: ExperimentSchema, dialect: str, *, checks: bool = True) -> str:
    """The experiment as DDL of `dialect` (redshift, snowflake, postgres or duckdb)."""
    dialect = (dialect or "").strip().lower()
    if dialect not in EXPORT_DIALECTS:
        raise SchemaValidationError(
            f"unknown SQL dialect '{dialect}' for export; use one of {', '.join(EXPORT_DIALECTS)}"
        )
    return _Exporter(schema, dialect, checks).render()


class _Exporter:
    def __init__(self, schema: ExperimentSchema, dialect: str, checks: bool) -> None:
        self.schema = schema
        self.dialect = dialect
        self.checks = checks
        self.backslashes = dialect in ("redshift", "snowflake")

    def render(self) -> str:
        out = [f"-- dw-sim experiment {self.schema.name}: {_TITLES[self.dialect]} DDL"]
        if self.schema.description:
            out.append("-- " + " ".join(self.schema.description.split()))
        if self.checks and self.dialect in ("redshift", "snowflake"):
            out.append(
                f"-- CHECK constraints carry dw-sim's value ranges; {_TITLES[self.dialect]} itself does not "
                "accept them (export without checks for a real warehouse)"
            )
        out.append("")
        # the schema's own order; forward references become ALTER TABLE ... ADD FOREIGN KEY at the end, except in
        # DuckDB (no ALTER TABLE ADD FOREIGN KEY), where parents come first
        order = _parents_first(self.schema) if self.dialect == "duckdb" else list(self.schema.tables)
        created: set[str] = set()
        later: list[str] = []
        comments: list[str] = []
        for table in order:
            out.append(self._table(table, created, later))
            out.append("")
            created.add(table.name.lower())
            comments += self._comment_statements(table)
        out += later
        out += comments
        return "\n".join(out).rstrip() + "\n"

    # -- tables ---------------------------------------------------------------------------------------------------
    def _table(self, table: TableSchema, created: set[str], later: list[str]) -> str:
        surrogate = bool(table.composite_keys) and table.columns[0].name == ROW_ID
        columns = table.columns[1:] if surrogate else list(table.columns)
        primary = None if table.composite_keys else _single_primary_key(columns)
        lines = [self._column(table, column, column is primary, created, later) for column in columns]
        if table.composite_keys:
            lines.append(f"PRIMARY KEY ({', '.join(quote(c) for c in table.composite_keys[0])})")
            lines += [f"UNIQUE ({', '.join(quote(c) for c in group)})" for group in table.composite_keys[1:]]
        body = (",\n" + INDENT).join(lines)
        text = f"CREATE TABLE {quote(table.name)} (\n{INDENT}{body}\n)"
        text += self._table_options(table)
        return text + ";"

    def _table_options(self, table: TableSchema) -> str:
        parts: list[str] = []
        layout = table.layout
        if self.dialect == "redshift" and layout is not None:
            if layout.dist_style:
                parts.append(f"DISTSTYLE {layout.dist_style}")
            if layout.dist_key:
                parts.append(f"DISTKEY ({quote(layout.dist_key)})")
            if layout.sort_style == "AUTO":
                parts.append("SORTKEY AUTO")
            elif layout.sort_keys:
                parts.append(
                    f"{layout.sort_style or 'COMPOUND'} SORTKEY ({', '.join(quote(k) for k in layout.sort_keys)})"
                )
        if self.dialect == "snowflake":
            if layout is not None and layout.cluster_by:
                parts.append(f"CLUSTER BY ({', '.join(layout.cluster_by)})")
            if table.description:
                parts.append(f"COMMENT = {self._string(table.description)}")
        return "".join("\n" + p for p in parts)

    def _comment_statements(self, table: TableSchema) -> list[str]:
        if self.dialect == "snowflake":
            return []
        out: list[str] = []
        if table.description:
            out.append(f"COMMENT ON TABLE {quote(table.name)} IS {self._string(table.description)};")
        out += [
            f"COMMENT ON COLUMN {quote(table.name)}.{quote(column.name)} IS {self._string(column.description)};"
            for column in table.columns
            if column.description
        ]
        return out

    # -- columns --------------------------------------------------------------------------------------------------
    def _column(
        self, table: TableSchema, column: ColumnSchema, primary: bool, created: set[str], later: list[str]
    ) -> str:
        spec = column.type_spec
        type_sql, precision_bounds = self._type(column, spec)
        parts = [quote(column.name), type_sql]
        identity = column.identity
        if identity is not None:
            parts.append(self._identity(identity.start, identity.increment))
        if column.required:
            parts.append("NOT NULL")
        if primary:
            parts.append("PRIMARY KEY")
        elif column.is_unique:
            parts.append("UNIQUE")
        fk = column.foreign_key
        if fk is not None:
            reference = f"REFERENCES {quote(fk.references_table)} ({quote(fk.references_column)})"
            parent = fk.references_table.lower()
            if parent in created or parent == table.name.lower():
                parts.append(reference)
            elif self.dialect != "duckdb":  # a parent defined further down: added once every table exists
                later.append(f"ALTER TABLE {quote(table.name)} ADD FOREIGN KEY ({quote(column.name)}) {reference};")
        if self.checks:
            check = self._check(column, spec, precision_bounds)
            if check:
                parts.append(f"CHECK ({check})")
        if self.dialect == "snowflake" and column.description:
            parts.append(f"COMMENT {self._string(column.description)}")
        return " ".join(p for p in parts if p)

    def _type(self, column: ColumnSchema, spec: TypeSpec) -> tuple[str, bool]:
        """The type's spelling, and whether it already states the column's bounds (Snowflake NUMBER(p,0))."""
        base = spec.base
        length = column.varchar_length
        if base is BaseType.DECIMAL:
            precision, scale = spec.precision_scale
            name = {"snowflake": "NUMBER", "postgres": "NUMERIC"}.get(self.dialect, "DECIMAL")
            return f"{name}({precision},{scale})", False
        if base in (BaseType.VARCHAR, BaseType.CHAR):
            return self._string_type(base, length, column), False
        if base is BaseType.BINARY:
            return self._binary_type(length), False
        if spec.is_integer and self.dialect == "snowflake":
            digits = _precision_digits(column)
            if digits is not None:
                return f"NUMBER({digits},0)", True
        return _TYPE_NAMES[self.dialect][base.value], False

    def _string_type(self, base: BaseType, length: int | None, column: ColumnSchema) -> str:
        if self.dialect == "postgres" and column.faker_rule == "misc.uuid4" and length == 36:
            return "UUID"
        if base is BaseType.CHAR:
            return f"CHAR({length or 1})"
        if length is not None:
            return f"VARCHAR({length})"
        return {"redshift": "VARCHAR(MAX)", "postgres": "TEXT"}.get(self.dialect, "VARCHAR")

    def _binary_type(self, length: int | None) -> str:
        if self.dialect == "redshift":
            return f"VARBYTE({length})" if length else "VARBYTE"
        if self.dialect == "snowflake":
            return f"BINARY({length})" if length else "BINARY"
        return "BYTEA" if self.dialect == "postgres" else "BLOB"

    def _identity(self, start: int, step: int) -> str:
        if self.dialect == "redshift":
            return f"IDENTITY({start}, {step})"
        if self.dialect == "snowflake":
            return f"AUTOINCREMENT START {start} INCREMENT {step}"
        if self.dialect == "postgres":
            return f"GENERATED BY DEFAULT AS IDENTITY (START WITH {start} INCREMENT BY {step})"
        return ""  # DuckDB has no identity columns; the values are generated anyway

    def _check(self, column: ColumnSchema, spec: TypeSpec, precision_bounds: bool) -> str | None:
        name = quote(column.name)
        dist = column.distribution
        if isinstance(dist, CategoricalDistribution):
            return f"{name} IN ({', '.join(self._literal(v, spec) for v in dist.values)})"
        if spec.is_temporal:
            return _range(name, column.date_start, column.date_end, lambda d: f"DATE '{d.isoformat()}'")
        if not spec.is_numeric or precision_bounds:
            return None
        lo, hi = column.min_value, column.max_value
        if column.identity is not None and column.identity.increment > 0 and lo == column.identity.start and hi is None:
            return None  # implied by the identity
        return _range(name, lo, hi, _number)

    def _literal(self, value: Any, spec: TypeSpec) -> str:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float | Decimal):
            return _number(value)
        return self._string(str(value))

    def _string(self, text: str) -> str:
        if self.backslashes:
            text = text.replace("\\", "\\\\")
        return "'" + text.replace("'", "''") + "'"


def _parents_first(schema: ExperimentSchema) -> list[TableSchema]:
    """Tables in schema order, each after the tables it references (cycles keep the schema order)."""
    remaining = list(schema.tables)
    done: set[str] = set()
    ordered: list[TableSchema] = []
    while remaining:
        ready = next((t for t in remaining if _parents(t) <= done | {t.name.lower()}), remaining[0])
        ordered.append(ready)
        done.add(ready.name.lower())
        remaining.remove(ready)
    return ordered


def _parents(table: TableSchema) -> set[str]:
    return {c.foreign_key.references_table.lower() for c in table.columns if c.foreign_key is not None}


def _single_primary_key(columns: list[ColumnSchema]) -> ColumnSchema | None:
    keys = [c for c in columns if c.is_unique and c.required]
    return next((c for c in keys if c.foreign_key is None), keys[0] if keys else None)


def _precision_digits(column: ColumnSchema) -> int | None:
    """p when the column's bounds are exactly those of NUMBER(p,0) and narrower than its integer type."""
    lo, hi = column.min_value, column.max_value
    if not isinstance(lo, int) or not isinstance(hi, int) or lo != -hi or hi <= 0:
        return None
    digits = len(str(hi))
    if hi != 10**digits - 1 or hi >= INTEGER_RANGES[column.type_spec.base][1]:
        return None
    return digits


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return repr(value) if isinstance(value, float) else str(value)


def _range(name: str, lo: Any, hi: Any, render: Callable[[Any], str]) -> str | None:
    if lo is not None and hi is not None:
        return f"{name} BETWEEN {render(lo)} AND {render(hi)}"
    if lo is not None:
        return f"{name} >= {render(lo)}"
    if hi is not None:
        return f"{name} <= {render(hi)}"
    return None
