"""Column data types of the schema model: parsing, normalisation and their families.

A column's `data_type` is written the way warehouse users write it (`INT`, `DECIMAL(10,2)`, `VARCHAR(64)`,
`CHAR(2)`, `TIMESTAMPTZ`...). It is normalised to a canonical spelling; lengths given in the type
(`VARCHAR(64)`) move to `varchar_length`, precision and scale stay in the type (`DECIMAL(10,2)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class BaseType(StrEnum):
    SMALLINT = "SMALLINT"
    INT = "INT"
    BIGINT = "BIGINT"
    FLOAT = "FLOAT"
    DECIMAL = "DECIMAL"
    VARCHAR = "VARCHAR"
    CHAR = "CHAR"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    TIME = "TIME"
    TIMESTAMP = "TIMESTAMP"
    TIMESTAMPTZ = "TIMESTAMPTZ"
    BINARY = "BINARY"
    JSON = "JSON"
    VARIANT = "VARIANT"
    OBJECT = "OBJECT"
    ARRAY = "ARRAY"
    SUPER = "SUPER"


ALIASES: dict[str, BaseType] = {
    "INTEGER": BaseType.INT,
    "INT4": BaseType.INT,
    "INT2": BaseType.SMALLINT,
    "INT8": BaseType.BIGINT,
    "NUMERIC": BaseType.DECIMAL,
    "NUMBER": BaseType.DECIMAL,
    "DOUBLE": BaseType.FLOAT,
    "DOUBLE PRECISION": BaseType.FLOAT,
    "FLOAT8": BaseType.FLOAT,
    "FLOAT4": BaseType.FLOAT,
    "REAL": BaseType.FLOAT,
    "STRING": BaseType.VARCHAR,
    "TEXT": BaseType.VARCHAR,
    "NVARCHAR": BaseType.VARCHAR,
    "CHARACTER VARYING": BaseType.VARCHAR,
    "CHARACTER": BaseType.CHAR,
    "NCHAR": BaseType.CHAR,
    "BPCHAR": BaseType.CHAR,
    "BOOL": BaseType.BOOLEAN,
    "DATETIME": BaseType.TIMESTAMP,
    "TIMESTAMP_NTZ": BaseType.TIMESTAMP,
    "TIMESTAMP WITHOUT TIME ZONE": BaseType.TIMESTAMP,
    "TIMESTAMP_TZ": BaseType.TIMESTAMPTZ,
    "TIMESTAMP_LTZ": BaseType.TIMESTAMPTZ,
    "TIMESTAMP WITH TIME ZONE": BaseType.TIMESTAMPTZ,
    "VARBYTE": BaseType.BINARY,
    "VARBINARY": BaseType.BINARY,
    "BYTEA": BaseType.BINARY,
}

INTEGER_TYPES = frozenset({BaseType.SMALLINT, BaseType.INT, BaseType.BIGINT})
NUMERIC_TYPES = INTEGER_TYPES | {BaseType.FLOAT, BaseType.DECIMAL}
STRING_TYPES = frozenset({BaseType.VARCHAR, BaseType.CHAR})
TEMPORAL_TYPES = frozenset({BaseType.DATE, BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ})
JSON_TYPES = frozenset({BaseType.JSON, BaseType.VARIANT, BaseType.OBJECT, BaseType.ARRAY, BaseType.SUPER})

INTEGER_RANGES: dict[BaseType, tuple[int, int]] = {
    BaseType.SMALLINT: (-(2**15), 2**15 - 1),
    BaseType.INT: (-(2**31), 2**31 - 1),
    BaseType.BIGINT: (-(2**63), 2**63 - 1),
}

DEFAULT_DECIMAL = (18, 2)
MAX_DECIMAL_PRECISION = 38
MAX_VARCHAR_LENGTH = 65535

_TYPE_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*([^)]*)\s*\))?\s*$")


@dataclass(frozen=True)
class TypeSpec:
    """A parsed data type: base type plus its parameters."""

    base: BaseType
    precision: int | None = None
    scale: int | None = None
    length: int | None = None

    @property
    def canonical(self) -> str:
        if self.base is BaseType.DECIMAL:
            precision, scale = self.precision_scale
            return f"DECIMAL({precision},{scale})"
        return self.base.value

    @property
    def precision_scale(self) -> tuple[int, int]:
        return (
            self.precision if self.precision is not None else DEFAULT_DECIMAL[0],
            self.scale if self.scale is not None else (0 if self.precision is not None else DEFAULT_DECIMAL[1]),
        )

    @property
    def is_integer(self) -> bool:
        return self.base in INTEGER_TYPES

    @property
    def is_numeric(self) -> bool:
        return self.base in NUMERIC_TYPES

    @property
    def is_string(self) -> bool:
        return self.base in STRING_TYPES

    @property
    def is_temporal(self) -> bool:
        return self.base in TEMPORAL_TYPES

    @property
    def is_json(self) -> bool:
        return self.base in JSON_TYPES


TYPE_ARG_CAP = 10**18  # a type argument longer than this is out of every type's range; kept short to compare


def type_arg(text: str) -> int:
    """A type's numeric argument (`VARCHAR(n)`, `DECIMAL(p, s)`) as an int, capped at TYPE_ARG_CAP so that a
    thousand-digit argument fails the range check with the others instead of Python's int conversion."""
    digits = text.strip().lstrip("0") or "0"
    return TYPE_ARG_CAP if len(digits) > 18 else int(digits)


def parse_type(text: str) -> TypeSpec:
    """Parse `DECIMAL(10, 2)`, `varchar(64)`, `double precision`... Raises ValueError with a readable message."""
    match = _TYPE_RE.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is not a data type; expected one of {', '.join(b.value for b in BaseType)}")
    name = re.sub(r"\s+", " ", match.group(1)).upper()
    args_text = match.group(2)
    try:
        base = BaseType(name)
    except ValueError:
        if name not in ALIASES:
            raise ValueError(
                f"unknown data type '{text}'; expected one of {', '.join(b.value for b in BaseType)}"
            ) from None
        base = ALIASES[name]
    args: list[str] = [a.strip() for a in args_text.split(",")] if args_text is not None else []
    if base is BaseType.DECIMAL:
        if len(args) > 2 or not all(a.isdigit() for a in args):
            raise ValueError(f"'{text}': DECIMAL takes (precision[, scale]) as whole numbers")
        precision = type_arg(args[0]) if args else None
        scale = type_arg(args[1]) if len(args) > 1 else None
        if precision is not None and not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise ValueError(f"'{text}': DECIMAL precision must be between 1 and {MAX_DECIMAL_PRECISION}")
        if precision is not None and scale is not None and scale > precision:
            raise ValueError(f"'{text}': DECIMAL scale ({scale}) cannot exceed its precision ({precision})")
        return TypeSpec(base, precision=precision, scale=scale)
    if base in STRING_TYPES or base is BaseType.BINARY:
        if len(args) > 1:
            raise ValueError(f"'{text}': {base.value} takes a single length")
        if args:
            if args[0].upper() == "MAX":
                return TypeSpec(base, length=MAX_VARCHAR_LENGTH)
            if not args[0].isdigit() or type_arg(args[0]) < 1:
                raise ValueError(f"'{text}': length must be a positive whole number or MAX")
            return TypeSpec(base, length=type_arg(args[0]))
        return TypeSpec(base)
    if args and base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ, BaseType.TIME, BaseType.FLOAT):
        # fractional-seconds precision (TIMESTAMP(6)) or float bits (FLOAT(53)): accepted and not needed
        return TypeSpec(base)
    if args:
        raise ValueError(f"'{text}': {base.value} takes no parameters")
    return TypeSpec(base)
