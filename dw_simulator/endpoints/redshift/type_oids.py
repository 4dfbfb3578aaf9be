"""PostgreSQL type OIDs as the endpoint reports them (Redshift's SUPER included), and the RowDescription field of a
DuckDB result column."""

from __future__ import annotations

import re

from dw_simulator.endpoints.redshift.protocol import Field

BOOL, BYTEA, NAME, INT8, INT2, INT4, TEXT, OID = 16, 17, 19, 20, 21, 23, 25, 26
JSON, FLOAT4, FLOAT8, UNKNOWN, BPCHAR, VARCHAR = 114, 700, 701, 705, 1042, 1043
DATE, TIME, TIMESTAMP, TIMESTAMPTZ, INTERVAL, TIMETZ, NUMERIC = 1082, 1083, 1114, 1184, 1186, 1266, 1700
JSONB, SUPER = 3802, 4000  # SUPER: Redshift's own type OID (pg_type.oid of "super" on a cluster)

TYPE_NAMES = {
    BOOL: "boolean",
    BYTEA: "bytea",
    NAME: "name",
    INT8: "bigint",
    INT2: "smallint",
    INT4: "integer",
    TEXT: "text",
    OID: "oid",
    FLOAT4: "real",
    FLOAT8: "double precision",
    BPCHAR: "character",
    VARCHAR: "character varying",
    DATE: "date",
    TIME: "time without time zone",
    TIMESTAMP: "timestamp without time zone",
    TIMESTAMPTZ: "timestamp with time zone",
    INTERVAL: "interval",
    NUMERIC: "numeric",
    SUPER: "super",
}
SIZES = {BOOL: 1, INT2: 2, INT4: 4, INT8: 8, FLOAT4: 4, FLOAT8: 8, DATE: 4, TIME: 8, TIMESTAMP: 8, TIMESTAMPTZ: 8}
SIMPLE = {
    "BOOLEAN": BOOL,
    "TINYINT": INT2,
    "SMALLINT": INT2,
    "UTINYINT": INT2,
    "INTEGER": INT4,
    "USMALLINT": INT4,
    "BIGINT": INT8,
    "UINTEGER": INT8,
    "HUGEINT": NUMERIC,
    "UBIGINT": NUMERIC,
    "UHUGEINT": NUMERIC,
    "FLOAT": FLOAT4,
    "REAL": FLOAT4,
    "DOUBLE": FLOAT8,
    "VARCHAR": VARCHAR,
    "DATE": DATE,
    "TIME": TIME,
    "TIMESTAMP": TIMESTAMP,
    "TIMESTAMP_S": TIMESTAMP,
    "TIMESTAMP_MS": TIMESTAMP,
    "TIMESTAMP_NS": TIMESTAMP,
    "TIMESTAMP WITH TIME ZONE": TIMESTAMPTZ,
    "TIME WITH TIME ZONE": TIMETZ,
    "INTERVAL": INTERVAL,
    "BLOB": BYTEA,
    "JSON": SUPER,
    "UUID": VARCHAR,
    "NULL": TEXT,
}


def field_for(name: str, duckdb_type: str) -> Field:
    """The RowDescription field of a DuckDB result column."""
    text = duckdb_type.upper()
    match = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", text)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        return Field(name, NUMERIC, -1, ((precision << 16) | scale) + 4)
    oid = SIMPLE.get(text, TEXT)
    return Field(name, oid, SIZES.get(oid, -1))
