"""Units of the protocol layer: `$n` parameters found outside literals, parameter values in both formats, COPY
options of both spellings, and the column-at-a-time binary NUMERIC encoder (byte-identical to the per-value one)."""

from __future__ import annotations

import datetime as dt
import random
import struct
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from dw_simulator.endpoints.redshift import encode
from dw_simulator.endpoints.redshift.copy_stdio import parse_copy_stdio
from dw_simulator.endpoints.redshift.errors import EndpointError
from dw_simulator.endpoints.redshift.parameters import decode_parameter, isolate_parameters, typed_parameters
from dw_simulator.endpoints.redshift.type_oids import DATE, NUMERIC, TIMESTAMP


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select $1,$2", "select $1 , $2"),
        ("values ($1,$2),($3,$4)", "values ( $1 , $2 ),( $3 , $4 )"),
        ("select '$1,$2', \"$3\", price$1 -- $4\n, $1", "select '$1,$2', \"$3\", price$1 -- $4\n, $1"),
        ("select $$ $1,$2 $$", "select $$ $1,$2 $$"),
        ("select 1", "select 1"),
    ],
)
def test_isolate_parameters(sql: str, expected: str) -> None:
    assert isolate_parameters(sql) == expected


def test_typed_parameters_cast_only_declared_ones() -> None:
    assert typed_parameters("SELECT $1, $2, '$1'", {1: "INTEGER"}) == "SELECT CAST($1 AS INTEGER), $2, '$1'"


def test_parameter_values() -> None:
    numeric = struct.pack("!hhHh3h", 3, 0, 0x4000, 3, 12, 3450, 0)  # -12.345 in NUMERIC's binary form
    assert decode_parameter(numeric, NUMERIC, True) == Decimal("-12.345")
    assert decode_parameter(b"2024-02-29", DATE, False) == dt.date(2024, 2, 29)
    assert decode_parameter(b"2024-03-01 12:34:56+00", TIMESTAMP, False) == dt.datetime(2024, 3, 1, 12, 34, 56)
    assert decode_parameter(b"2024-02-29 +00", 0, False) == dt.date(2024, 2, 29)  # pgjdbc's setDate
    assert decode_parameter(b"07:08:09+00", 0, False) == dt.time(7, 8, 9)
    assert decode_parameter(b"+05", 0, False) == "+05"  # not a date: stays text


def test_copy_options_in_both_spellings() -> None:
    new = parse_copy_stdio("COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'x')")
    old = parse_copy_stdio("copy t(a,b) from stdin csv header delimiter as ';' null as 'x'")
    assert new is not None and old is not None
    assert (new.options, new.columns) == (old.options, old.columns) == (new.options, ["a", "b"])
    assert new.options.csv and new.options.header and new.options.delimiter == ";" and new.options.null == "x"
    out = parse_copy_stdio("COPY (SELECT 1) TO STDOUT")
    assert out is not None and out.query == "SELECT 1" and not out.incoming and out.options.delimiter == "\t"
    assert parse_copy_stdio("COPY t FROM 's3://b/k' IAM_ROLE 'r'") is None  # Redshift's COPY: the layer's
    with pytest.raises(EndpointError, match="TRUNCATECOLUMNS"):
        parse_copy_stdio("COPY t FROM STDIN TRUNCATECOLUMNS")


@pytest.mark.parametrize(("precision", "scale", "digits"), [(12, 2, 12), (18, 0, 18), (5, 5, 5), (38, 2, 14)])
def test_binary_numeric_column_matches_per_value(precision: int, scale: int, digits: int) -> None:
    rng = random.Random(precision * 100 + scale)
    values = [
        None if rng.random() < 0.05 else Decimal(rng.randint(-(10**digits - 1), 10**digits - 1)).scaleb(-scale)
        for _ in range(2000)
    ] + [Decimal(0), Decimal(1).scaleb(-scale), Decimal(10**digits - 1).scaleb(-scale)]
    arr = pa.array(values, pa.decimal128(precision, scale))
    for part in (arr, arr.slice(13, 500)):
        fast = encode._numeric_binary_column(part)
        slow = encode._python(part, encode._numeric_binary)
        assert fast is not None
        assert np.array_equal(fast.lengths, slow.lengths) and np.array_equal(fast.data, slow.data)
