"""The databases, schemas, tables and columns the Redshift Data API lists (ListDatabases, ListSchemas, ListTables,
DescribeTable).

Each experiment on duckdb or redshift is a database, as on the Redshift endpoint. Its schemas are what the
warehouse's `information_schema` holds, less the other experiments' schemas (all experiments share one DuckDB file
or PostgreSQL database) and dw-sim's own (the Redshift function library).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dw_simulator.statements.interface import REDSHIFT_WAREHOUSES, Target
from dw_simulator.statements.result_types import redshift_column

if TYPE_CHECKING:
    from dw_simulator.service import Simulator
    from dw_simulator.sql.shaped import ResultColumn

INTERNAL_SCHEMAS = {"dwsim_redshift", "main", "pg_toast", "temp"}
SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")
_TABLE_TYPES = {"BASE TABLE": "TABLE", "VIEW": "VIEW", "LOCAL TEMPORARY": "LOCAL TEMPORARY"}


@dataclass(frozen=True)
class TableEntry:
    schema: str
    name: str
    type: str


@dataclass(frozen=True)
class ColumnEntry:
    schema: str
    table: str
    column: ResultColumn
    default: str | None
    position: int


def like(pattern: str | None) -> re.Pattern[str] | None:
    """A SQL LIKE pattern (`%`, `_`, backslash escapes) as a case-insensitive regex; None matches everything."""
    if pattern is None:
        return None
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out) + r"\Z", re.IGNORECASE | re.DOTALL)


def _matches(pattern: re.Pattern[str] | None, value: str) -> bool:
    return pattern is None or pattern.match(value) is not None


def databases(simulator: Simulator) -> list[str]:
    return sorted(e.name for e in simulator.list_experiments() if e.target_warehouse in REDSHIFT_WAREHOUSES)


def _query(simulator: Simulator, target: Target, sql: str) -> list[tuple[object, ...]]:
    assert target.experiment is not None
    engine = simulator.backend(target.warehouse).capabilities.engine_dialect
    return simulator.query(target.experiment, sql, limit=0, dialect=engine).rows


def _foreign(simulator: Simulator, target: Target) -> set[str]:
    """Schemas of the other experiments sharing the warehouse."""
    return {
        e.name.lower()
        for e in simulator.list_experiments()
        if e.target_warehouse == target.warehouse and e.name.lower() != (target.experiment or "").lower()
    }


def schemas(simulator: Simulator, target: Target, pattern: str | None = None) -> list[str]:
    rows = _query(
        simulator,
        target,
        "SELECT DISTINCT schema_name FROM information_schema.schemata WHERE catalog_name = current_database()",
    )
    hidden = INTERNAL_SCHEMAS | _foreign(simulator, target)
    names = {str(r[0]) for r in rows if str(r[0]).lower() not in hidden and not str(r[0]).startswith("pg_temp")}
    names.update(SYSTEM_SCHEMAS)
    regex = like(pattern)
    return sorted(n for n in names if _matches(regex, n))


def tables(
    simulator: Simulator, target: Target, schema_pattern: str | None = None, table_pattern: str | None = None
) -> list[TableEntry]:
    rows = _query(
        simulator,
        target,
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() ORDER BY table_schema, table_name",
    )
    hidden = INTERNAL_SCHEMAS | _foreign(simulator, target) | set(SYSTEM_SCHEMAS)
    schema_re, table_re = like(schema_pattern), like(table_pattern)
    return [
        TableEntry(str(s), str(t), _TABLE_TYPES.get(str(k).upper(), str(k).upper()))
        for s, t, k in rows
        if str(s).lower() not in hidden and _matches(schema_re, str(s)) and _matches(table_re, str(t))
    ]


def columns(
    simulator: Simulator, target: Target, schema: str | None = None, table: str | None = None
) -> list[ColumnEntry]:
    rows = _query(
        simulator,
        target,
        "SELECT table_schema, table_name, column_name, data_type, character_maximum_length, numeric_precision, "
        "numeric_scale, is_nullable, column_default, ordinal_position FROM information_schema.columns "
        "WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position",
    )
    hidden = INTERNAL_SCHEMAS | _foreign(simulator, target) | set(SYSTEM_SCHEMAS)
    wanted_schema = (schema or "").lower() or None
    wanted_table = (table or "").lower() or None
    found: list[ColumnEntry] = []
    for s, t, name, data_type, length, precision, scale, nullable, default, position in rows:
        if str(s).lower() in hidden or (wanted_schema and str(s).lower() != wanted_schema):
            continue
        if wanted_table and str(t).lower() != wanted_table:
            continue
        engine_type = str(data_type)
        if length is not None and "(" not in engine_type:
            engine_type += f"({length})"
        elif (
            precision is not None and scale is not None and "(" not in engine_type and "numeric" in engine_type.lower()
        ):
            engine_type += f"({precision},{scale})"
        base = redshift_column(str(name), engine_type)
        column = type(base)(
            base.name,
            base.type_name,
            base.precision,
            base.scale,
            base.length,
            str(nullable).upper() == "YES",
            str(t),
            str(s),
        )
        found.append(ColumnEntry(str(s), str(t), column, None if default is None else str(default), int(str(position))))
    return found
