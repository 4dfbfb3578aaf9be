"""Snowflake format models as DuckDB formats (dw_simulator.sql.snowflake.format_models), checked on DuckDB."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dw_simulator.sql.snowflake.format_models import (
    UnsupportedFormat,
    number_format,
    number_text_pattern,
    render,
    strftime_format,
)

AT = dt.datetime(2024, 1, 5, 15, 4, 5, 123000)


def one(sql: str) -> object:
    with duckdb.connect() as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("model", "expected"),
    [  # results as Snowflake's TO_CHAR documents them
        ("mon dd, yyyy", "Jan 05, 2024"),
        ("YYYYMMDD", "20240105"),
        ("DD/MM/YYYY", "05/01/2024"),
        ("YYYY-MM-DD HH24:MI:SS", "2024-01-05 15:04:05"),
        ("HH12:MI AM", "03:04 PM"),
        ("HH24:MI:SS.FF3", "15:04:05.123"),
        ("MMMM DY", "January Fri"),
        ('YYYY-MM-DD"T"HH24:MI', "2024-01-05T15:04"),
        ("YY-MM", "24-01"),
    ],
)
def test_datetime_models_on_duckdb(model: str, expected: str) -> None:
    assert one(f"SELECT strftime(TIMESTAMP '{AT}', '{strftime_format(model)}')") == expected


def test_datetime_models_parse_back() -> None:
    pattern = strftime_format("DD-MON-YYYY")
    assert one(f"SELECT strptime('05-Jan-2024', '{pattern}')::DATE") == dt.date(2024, 1, 5)


@pytest.mark.parametrize("model", ["YYYY-QQ", 'YYYY "open', "WW"])
def test_unknown_elements_are_named(model: str) -> None:
    with pytest.raises(UnsupportedFormat, match="format"):
        strftime_format(model)


@pytest.mark.parametrize(
    ("value", "model", "expected"),
    [
        (123.456, "FM999.99", "123.46"),
        (5, "FM000", "005"),
        (1234567.891, "FM9,999,999.99", "1,234,567.89"),
        (0.5, "FM0.00", "0.50"),
    ],
)
def test_number_models(value: float, model: str, expected: str) -> None:
    assert render(value, model) == expected
    text = one(f"SELECT format('{number_format(model).spec()}', CAST({value} AS DOUBLE))")
    assert text == expected, "DuckDB's format() prints what render() does"


def test_number_text_pattern_reads_currency_and_groups() -> None:
    pattern = number_text_pattern("$9,999.99")
    value = one(f"SELECT regexp_replace('$1,234.50', '{pattern}', '', 'g')::DECIMAL(10, 2)")
    assert str(value) == "1234.50"
    with pytest.raises(UnsupportedFormat):
        number_format("9X9")
