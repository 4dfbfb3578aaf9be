"""Per-dialect type mapping tables: the SQL type a user writes -> the schema model's type. Data only.

Keys are upper-case type names with single spaces (`DOUBLE PRECISION`); parameters are handled by `args`:

- ``none``: no parameters allowed (``INT``).
- ``length``: one length, or ``MAX`` where the dialect allows it (``VARCHAR(64)``, ``VARCHAR(MAX)``).
- ``decimal``: ``(precision[, scale])``; ``default`` gives the dialect's default when omitted.
- ``ignored``: an optional precision that does not change the generated data (``TIMESTAMP(6)``, ``FLOAT(53)``).
- ``any``: anything in parentheses, ignored (``ARRAY(INT)``, ``VECTOR(FLOAT, 256)``).

Sources: Redshift "Data types" (docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html), Snowflake
"Summary of data types" (docs.snowflake.com/en/sql-reference/intro-summary-data-types), PostgreSQL chapter 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ArgsKind = Literal["none", "length", "decimal", "ignored", "any"]


@dataclass(frozen=True)
class TypeRule:
    base: str | None  # a schema BaseType value; None when the type is refused
    args: ArgsKind = "none"
    default: tuple[int, int] | int | None = None  # default (precision, scale) or length when none is written
    max_length: int | None = None  # the dialect's own limit for `length` types
    allow_max: bool = False  # VARCHAR(MAX)
    integer_when_scale_0: bool = False  # Snowflake NUMBER(p,0) is an integer
    identity: bool = False  # PostgreSQL SERIAL: an implicit identity column
    faker_rule: str | None = None  # a rule the type itself implies (UUID)
    fixed_length: int | None = None  # a length the type itself implies (UUID -> 36)
    warning: str | None = None  # a lossy mapping: said to the user
    refused: str | None = None  # why the type cannot be imported, and what to do instead


def _plain(base: str, args: ArgsKind = "none") -> TypeRule:
    return TypeRule(base, args=args)


def _string(base: str, default: int | None, max_length: int, *, allow_max: bool = False) -> TypeRule:
    return TypeRule(base, args="length", default=default, max_length=max_length, allow_max=allow_max)


def _decimal(default: tuple[int, int], *, integer_when_scale_0: bool = False) -> TypeRule:
    return TypeRule("DECIMAL", args="decimal", default=default, integer_when_scale_0=integer_when_scale_0)


def _refused(why: str) -> TypeRule:
    return TypeRule(None, args="any", refused=why)


_SPATIAL = (
    "dw-sim cannot generate spatial data; store shapes as VARCHAR (WKT text) or as a semi-structured column "
    "(GeoJSON), or leave the column out"
)
_TIMETZ = "TIME WITH TIME ZONE is imported as TIME: the time zone offset is not generated"
_INTERVAL = "INTERVAL columns are not supported; store durations as BIGINT (seconds) or VARCHAR"
_HLL = (
    "HLLSKETCH is Redshift's internal HyperLogLog sketch type and cannot be generated; leave the column out and "
    "build sketches from the loaded data with HLL_CREATE_SKETCH"
)

REDSHIFT: dict[str, TypeRule] = {
    "SMALLINT": _plain("SMALLINT"),
    "INT2": _plain("SMALLINT"),
    "INTEGER": _plain("INT"),
    "INT": _plain("INT"),
    "INT4": _plain("INT"),
    "BIGINT": _plain("BIGINT"),
    "INT8": _plain("BIGINT"),
    "DECIMAL": _decimal((18, 0)),
    "NUMERIC": _decimal((18, 0)),
    "REAL": _plain("FLOAT"),
    "FLOAT4": _plain("FLOAT"),
    "DOUBLE PRECISION": _plain("FLOAT"),
    "FLOAT8": _plain("FLOAT"),
    "FLOAT": _plain("FLOAT", "ignored"),
    "BOOLEAN": _plain("BOOLEAN"),
    "BOOL": _plain("BOOLEAN"),
    "CHAR": _string("CHAR", 1, 4096),
    "CHARACTER": _string("CHAR", 1, 4096),
    "NCHAR": _string("CHAR", 1, 4096),
    "BPCHAR": _string("CHAR", 256, 4096),
    "VARCHAR": _string("VARCHAR", 256, 65535, allow_max=True),
    "NVARCHAR": _string("VARCHAR", 256, 65535, allow_max=True),
    "CHARACTER VARYING": _string("VARCHAR", 256, 65535, allow_max=True),
    "CHAR VARYING": _string("VARCHAR", 256, 65535, allow_max=True),
    "NCHAR VARYING": _string("VARCHAR", 256, 65535, allow_max=True),
    "TEXT": _string("VARCHAR", 256, 65535, allow_max=True),
    "DATE": _plain("DATE"),
    "TIMESTAMP": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMP WITHOUT TIME ZONE": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMPTZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMP WITH TIME ZONE": _plain("TIMESTAMPTZ", "ignored"),
    "TIME": _plain("TIME", "ignored"),
    "TIME WITHOUT TIME ZONE": _plain("TIME", "ignored"),
    "TIMETZ": TypeRule("TIME", args="ignored", warning=_TIMETZ),
    "TIME WITH TIME ZONE": TypeRule("TIME", args="ignored", warning=_TIMETZ),
    "SUPER": _plain("SUPER"),
    "VARBYTE": _string("BINARY", 64000, 1024000, allow_max=True),
    "VARBINARY": _string("BINARY", 64000, 1024000, allow_max=True),
    "BINARY VARYING": _string("BINARY", 64000, 1024000, allow_max=True),
    "GEOMETRY": _refused(_SPATIAL),
    "GEOGRAPHY": _refused(_SPATIAL),
    "HLLSKETCH": _refused(_HLL),
    "INTERVAL": _refused(_INTERVAL),
}

SNOWFLAKE_MAX_VARCHAR = 16_777_216

SNOWFLAKE: dict[str, TypeRule] = {
    "NUMBER": _decimal((38, 0), integer_when_scale_0=True),
    "DECIMAL": _decimal((38, 0), integer_when_scale_0=True),
    "NUMERIC": _decimal((38, 0), integer_when_scale_0=True),
    "DEC": _decimal((38, 0), integer_when_scale_0=True),
    "INT": _plain("INT"),
    "INTEGER": _plain("INT"),
    "BIGINT": _plain("BIGINT"),
    "SMALLINT": _plain("SMALLINT"),
    "TINYINT": _plain("SMALLINT"),
    "BYTEINT": _plain("SMALLINT"),
    "FLOAT": _plain("FLOAT", "ignored"),
    "FLOAT4": _plain("FLOAT"),
    "FLOAT8": _plain("FLOAT"),
    "DOUBLE": _plain("FLOAT"),
    "DOUBLE PRECISION": _plain("FLOAT"),
    "REAL": _plain("FLOAT"),
    "VARCHAR": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "STRING": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "TEXT": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "NVARCHAR": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "NVARCHAR2": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "CHAR VARYING": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "NCHAR VARYING": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "CHARACTER VARYING": _string("VARCHAR", None, SNOWFLAKE_MAX_VARCHAR),
    "CHAR": _string("CHAR", 1, SNOWFLAKE_MAX_VARCHAR),
    "CHARACTER": _string("CHAR", 1, SNOWFLAKE_MAX_VARCHAR),
    "NCHAR": _string("CHAR", 1, SNOWFLAKE_MAX_VARCHAR),
    "BINARY": _string("BINARY", None, 8_388_608),
    "VARBINARY": _string("BINARY", None, 8_388_608),
    "BOOLEAN": _plain("BOOLEAN"),
    "DATE": _plain("DATE"),
    "DATETIME": _plain("TIMESTAMP", "ignored"),
    "TIME": _plain("TIME", "ignored"),
    "TIMESTAMP": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMP_NTZ": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMPNTZ": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMP WITHOUT TIME ZONE": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMP_LTZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMPLTZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMP WITH LOCAL TIME ZONE": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMP_TZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMPTZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMP WITH TIME ZONE": _plain("TIMESTAMPTZ", "ignored"),
    "VARIANT": _plain("VARIANT"),
    "OBJECT": _plain("OBJECT", "any"),
    "ARRAY": _plain("ARRAY", "any"),
    "VECTOR": TypeRule(
        "ARRAY",
        args="any",
        warning="VECTOR is imported as ARRAY: the generator fills it with small JSON arrays, not fixed-size vectors",
    ),
    "GEOGRAPHY": _refused(_SPATIAL),
    "GEOMETRY": _refused(_SPATIAL),
}

POSTGRES: dict[str, TypeRule] = {
    "SMALLINT": _plain("SMALLINT"),
    "INT2": _plain("SMALLINT"),
    "INTEGER": _plain("INT"),
    "INT": _plain("INT"),
    "INT4": _plain("INT"),
    "BIGINT": _plain("BIGINT"),
    "INT8": _plain("BIGINT"),
    "SMALLSERIAL": TypeRule("SMALLINT", identity=True),
    "SERIAL2": TypeRule("SMALLINT", identity=True),
    "SERIAL": TypeRule("INT", identity=True),
    "SERIAL4": TypeRule("INT", identity=True),
    "BIGSERIAL": TypeRule("BIGINT", identity=True),
    "SERIAL8": TypeRule("BIGINT", identity=True),
    "DECIMAL": _decimal((18, 2)),
    "NUMERIC": _decimal((18, 2)),
    "MONEY": TypeRule("DECIMAL", default=(19, 2), args="none"),
    "REAL": _plain("FLOAT"),
    "FLOAT4": _plain("FLOAT"),
    "DOUBLE PRECISION": _plain("FLOAT"),
    "FLOAT8": _plain("FLOAT"),
    "FLOAT": _plain("FLOAT", "ignored"),
    "BOOLEAN": _plain("BOOLEAN"),
    "BOOL": _plain("BOOLEAN"),
    "CHAR": _string("CHAR", 1, 10_485_760),
    "CHARACTER": _string("CHAR", 1, 10_485_760),
    "NCHAR": _string("CHAR", 1, 10_485_760),
    "BPCHAR": _string("CHAR", None, 10_485_760),
    "VARCHAR": _string("VARCHAR", None, 10_485_760),
    "CHARACTER VARYING": _string("VARCHAR", None, 10_485_760),
    "CHAR VARYING": _string("VARCHAR", None, 10_485_760),
    "TEXT": _plain("VARCHAR"),
    "CITEXT": _plain("VARCHAR"),
    "UUID": TypeRule("VARCHAR", faker_rule="misc.uuid4", fixed_length=36),
    "INET": TypeRule("VARCHAR", faker_rule="internet.ipv4", fixed_length=45),
    "CIDR": TypeRule("VARCHAR", faker_rule="internet.ipv4", fixed_length=45),
    "DATE": _plain("DATE"),
    "TIMESTAMP": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMP WITHOUT TIME ZONE": _plain("TIMESTAMP", "ignored"),
    "TIMESTAMPTZ": _plain("TIMESTAMPTZ", "ignored"),
    "TIMESTAMP WITH TIME ZONE": _plain("TIMESTAMPTZ", "ignored"),
    "TIME": _plain("TIME", "ignored"),
    "TIME WITHOUT TIME ZONE": _plain("TIME", "ignored"),
    "TIMETZ": TypeRule("TIME", args="ignored", warning=_TIMETZ),
    "TIME WITH TIME ZONE": TypeRule("TIME", args="ignored", warning=_TIMETZ),
    "BYTEA": _plain("BINARY"),
    "JSON": _plain("JSON"),
    "JSONB": _plain("JSON"),
    "INTERVAL": _refused(_INTERVAL),
    "GEOMETRY": _refused(_SPATIAL),
    "GEOGRAPHY": _refused(_SPATIAL),
    "POINT": _refused(_SPATIAL),
    "LINE": _refused(_SPATIAL),
    "POLYGON": _refused(_SPATIAL),
}

TYPE_TABLES: dict[str, dict[str, TypeRule]] = {"redshift": REDSHIFT, "snowflake": SNOWFLAKE, "postgres": POSTGRES}
DIALECT_TITLES: dict[str, str] = {"redshift": "Redshift", "snowflake": "Snowflake", "postgres": "PostgreSQL"}
# The first word of every type name any dialect knows: a word followed by one of these starts a column definition.
TYPE_HEADS = frozenset(name.split()[0] for table in TYPE_TABLES.values() for name in table)

# Type names made of several words: first word -> the words that may follow it (longest match wins).
MULTI_WORD_TYPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "DOUBLE": (("PRECISION",),),
    "CHARACTER": (("VARYING",),),
    "CHAR": (("VARYING",),),
    "NCHAR": (("VARYING",),),
    "BINARY": (("VARYING",),),
    "TIMESTAMP": (("WITH", "LOCAL", "TIME", "ZONE"), ("WITH", "TIME", "ZONE"), ("WITHOUT", "TIME", "ZONE")),
    "TIME": (("WITH", "TIME", "ZONE"), ("WITHOUT", "TIME", "ZONE")),
}

# The spelling each dialect prefers for a base type, used in "in Redshift, use SUPER" hints.
PREFERRED_SPELLING: dict[str, dict[str, str]] = {
    "redshift": {"JSON": "SUPER", "VARIANT": "SUPER", "OBJECT": "SUPER", "ARRAY": "SUPER", "BINARY": "VARBYTE",
                 "TIMESTAMPTZ": "TIMESTAMPTZ", "VARCHAR": "VARCHAR", "FLOAT": "DOUBLE PRECISION"},
    "snowflake": {"SUPER": "VARIANT", "JSON": "VARIANT", "BINARY": "BINARY", "TIMESTAMPTZ": "TIMESTAMP_TZ",
                  "VARCHAR": "VARCHAR", "FLOAT": "FLOAT"},
    "postgres": {"SUPER": "JSONB", "VARIANT": "JSONB", "OBJECT": "JSONB", "ARRAY": "JSONB", "JSON": "JSONB",
                 "BINARY": "BYTEA", "VARCHAR": "VARCHAR", "FLOAT": "DOUBLE PRECISION"},
}  # fmt: skip
