"""Unit checks of the endpoint's pieces that need no server: value encoding, session commands, name rewrites."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal

import pyarrow as pa
import pytest

from dw_simulator.endpoints.redshift import encode
from dw_simulator.endpoints.redshift.catalog import expand_lateral_aliases, session_catalog
from dw_simulator.endpoints.redshift.commands import classify, redshift_functions, statement_tag, strip_database
from dw_simulator.endpoints.redshift.protocol import Field


def _rows(data: bytes) -> list[list[bytes | None]]:
    rows, pos = [], 0
    while pos < len(data):
        assert data[pos : pos + 1] == b"D"
        (length,) = struct.unpack_from("!i", data, pos + 1)
        (count,) = struct.unpack_from("!h", data, pos + 5)
        cur, values = pos + 7, []
        for _ in range(count):
            (n,) = struct.unpack_from("!i", data, cur)
            cur += 4
            values.append(None if n < 0 else data[cur : cur + n])
            cur += max(n, 0)
        assert cur == pos + 1 + length
        rows.append(values)
        pos = cur
    return rows


def test_text_values_as_postgres_prints_them() -> None:
    batch = pa.record_batch(
        [
            pa.array([True, None]),
            pa.array([1e20, float("inf")]),
            pa.array([dt.datetime(2020, 1, 1, 10, 0, 0, 500000), dt.datetime(2020, 1, 1)], pa.timestamp("us")),
            pa.array([Decimal("1.50"), Decimal("-2.00")], pa.decimal128(5, 2)),
            pa.array(["é", None]),
            pa.array([b"\x01\xff", None]),
        ],
        names=list("abcdef"),
    )
    fields = [
        Field("a", encode.BOOL),
        Field("b", encode.FLOAT8),
        Field("c", encode.TIMESTAMP),
        Field("d", encode.NUMERIC),
        Field("e", encode.VARCHAR),
        Field("f", encode.BYTEA),
    ]
    assert _rows(encode.encode_batch(batch, fields, [])) == [
        [b"t", b"1e+20", b"2020-01-01 10:00:00.5", b"1.50", "é".encode(), b"\\x01ff"],
        [None, b"Infinity", b"2020-01-01 00:00:00", b"-2.00", None, None],
    ]


def test_binary_values() -> None:
    batch = pa.record_batch(
        [pa.array([1, None], pa.int32()), pa.array([dt.date(2000, 1, 2), dt.date(1999, 12, 31)]), pa.array([0.5, 2.0])],
        names=["i", "d", "f"],
    )
    fields = [Field("i", encode.INT4), Field("d", encode.DATE), Field("f", encode.FLOAT8)]
    rows = _rows(encode.encode_batch(batch, fields, [1]))
    assert rows[0] == [struct.pack("!i", 1), struct.pack("!i", 1), struct.pack("!d", 0.5)]
    assert rows[1] == [None, struct.pack("!i", -1), struct.pack("!d", 2.0)]


@pytest.mark.parametrize("value", ["0", "12.34", "-0.001", "123456789.1", "100000", "1E+3"])
def test_numeric_binary_round_trips(value: str) -> None:
    data = encode._numeric_binary(Decimal(value))
    ndigits, weight, sign, _dscale = struct.unpack_from("!hhHH", data)
    digits = struct.unpack_from(f"!{ndigits}H", data, 8)
    number = sum(Decimal(d) * Decimal(10000) ** (weight - i) for i, d in enumerate(digits))
    assert (-number if sign == 0x4000 else number) == Decimal(value)


def test_field_types() -> None:
    assert encode.field_for("x", "DECIMAL(12,2)").type_modifier == ((12 << 16) | 2) + 4
    assert encode.field_for("x", "JSON").type_oid == encode.SUPER
    assert encode.field_for("x", "BIGINT").type_oid == encode.INT8


def test_session_commands_are_recognised() -> None:
    assert classify("begin").kind == "begin"  # type: ignore[union-attr]
    assert classify("END TRANSACTION;").kind == "commit"  # type: ignore[union-attr]
    assert classify("abort").kind == "rollback"  # type: ignore[union-attr]
    set_ = classify("SET query_group TO 'it''s'")
    assert set_ is not None and (set_.name, set_.value) == ("query_group", "it's")
    assert classify("SHOW transaction isolation level").name == "transaction isolation level"  # type: ignore[union-attr]
    assert classify("SELECT 'begin'") is None
    assert classify("BEGIN INSERT INTO t VALUES (1); END") is None


def test_rewrites() -> None:
    assert redshift_functions("select version(), current_database()", "shop").startswith("select 'PostgreSQL 8.0.2")
    assert redshift_functions("select 'version()'", "shop") == "select 'version()'"
    assert strip_database('select * from "shop"."s"."t", other.s.t', "shop") == 'select * from "s"."t", other.s.t'
    assert session_catalog("select table_catalog as database from t", "shop") == "select 'shop' as database from t"
    assert session_catalog("select current_database() as table_catalog", "shop") == (
        "select current_database() as table_catalog"
    )
    expanded = expand_lateral_aliases("select a + 1 as x, x * 2 as y from t", lambda _: {"a"})
    assert expanded == "SELECT a + 1 AS x, (a + 1) * 2 AS y FROM t"


def test_command_tags() -> None:
    assert statement_tag("insert into t values (1)", 3) == "INSERT 0 3"
    assert statement_tag("create temp table x (a int)", None) == "CREATE TABLE"
    assert statement_tag("select 1", 1) == "SELECT 1"
