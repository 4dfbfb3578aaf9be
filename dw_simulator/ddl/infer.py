"""Realistic settings inferred from column names and types, so imported DDL generates plausible data unedited.

Every inference is written into the schema (`faker_rule`, `min_value`/`max_value`, `date_start`/`date_end`), where
the user sees and can override it, and listed in the import notes. Inference is conservative:

- it never touches key-like columns (unique, identity, foreign keys, names ending in `_id`, `_sk`, `_key`), nor a
  column that already has bounds or values from its DDL (CHECK, precision);
- money names (`price`, `cost`, `fee`, `tax`, `total`, ...) get a non-negative range, but a bare `amount`,
  `balance` or `profit` is left alone: such columns are often signed (refunds, credits, losses);
- dates get a range only when the name says what they are (birth dates, audit timestamps such as `created_at`);
  other dates keep the generator's default window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dw_simulator.ddl.draft import ColumnDraft
from dw_simulator.schema.faker_rules import infer_faker_rule
from dw_simulator.schema.types import INTEGER_RANGES, BaseType, parse_type


@dataclass(frozen=True)
class Inference:
    table: str
    column: str
    field: str
    value: Any
    reason: str

    def describe(self) -> str:
        return f"{self.column}.{self.field}={self.value} ({self.reason})"


# Faker rules for names the shared rules (`schema.faker_rules.NAME_RULES`) do not cover, or cover too broadly.
DDL_NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"(^|_)(street_?number|house_?number|building_?number)$", "address.building_number"),
    (r"(^|_)street_?name$", "address.street_name"),
    (r"(^|_)(suite|apt|apartment)(_?(number|no))?$", "address.secondary_address"),
    (r"(^|_)state$", "address.state"),
    (r"salutation|(^|_)name_prefix$", "person.prefix"),
    (r"(^|_)name_suffix$", "person.suffix"),
    (r"(^|_)(manager|clerk|contact|buyer)$", "person.name"),
    (r"(^|_)(sku|ean|barcode|upc)$", "barcode.ean13"),
    (r"(^|_)ssn$", "ssn.ssn"),
    (r"password|passwd", "misc.password"),
    (r"(credit_?)?card_?(number|num|no)$", "credit_card.credit_card_number"),
    (r"isbn", "isbn.isbn13"),
    (r"license_?plate", "automotive.license_plate"),
)

# The shortest column a rule's values fit in; shorter columns get the short form, or no rule.
MIN_LENGTH: dict[str, int] = {
    "internet.email": 16,
    "person.first_name": 6,
    "person.last_name": 6,
    "person.name": 12,
    "internet.user_name": 8,
    "phone_number.phone_number": 12,
    "address.street_address": 16,
    "address.city": 8,
    "address.state": 8,
    "address.state_abbr": 2,
    "address.postcode": 5,
    "address.country_code": 2,
    "address.country": 8,
    "company.company": 12,
    "job.job": 12,
    "internet.url": 16,
    "internet.domain_name": 10,
    "internet.ipv4": 15,
    "internet.user_agent": 32,
    "misc.uuid4": 36,
    "bank.iban": 22,
    "currency.currency_code": 3,
    "color.color_name": 6,
    "lorem.sentence": 20,
    "lorem.word": 4,
    "address.building_number": 3,
    "address.street_name": 10,
    "address.secondary_address": 9,
    "person.prefix": 4,
    "person.suffix": 3,
    "barcode.ean13": 13,
    "ssn.ssn": 11,
    "misc.password": 10,
    "credit_card.credit_card_number": 16,
    "isbn.isbn13": 17,
    "automotive.license_plate": 8,
}
SHORT_FORMS: dict[str, str] = {"address.state": "address.state_abbr", "address.country": "address.country_code"}

_KEY_NAME = re.compile(r"(^id$|_id$|_sk$|_key$|^pk_|^fk_)", re.IGNORECASE)
_DDL_PATTERNS = tuple((re.compile(p, re.IGNORECASE), rule) for p, rule in DDL_NAME_RULES)


@dataclass(frozen=True)
class RangeRule:
    pattern: str
    low: int
    high: int
    reason: str
    money: bool = False  # DECIMAL/FLOAT columns only
    integer: bool = False  # integer columns only


def numeric_rules(today: date) -> tuple[RangeRule, ...]:
    """Name patterns -> ranges, first match wins (patterns match the lower-cased column name)."""
    year = today.year
    return (
        RangeRule(r"(^|_)(birth_?year|year_of_birth|yob)$", 1940, year - 18, "a birth year", integer=True),
        RangeRule(r"(^|_)(year|yr|fiscal_year)$", 2000, year, "a year", integer=True),
        RangeRule(r"(^|_)month$", 1, 12, "a month", integer=True),
        RangeRule(r"(^|_)quarter$", 1, 4, "a quarter", integer=True),
        RangeRule(r"(^|_)age$", 18, 90, "an age", integer=True),
        RangeRule(r"(^|_)(qty|quantity)$", 1, 100, "a quantity"),
        RangeRule(r"(^|_)(pct|percent|percentage)$|_pct$", 0, 100, "a percentage"),
        RangeRule(r"(^|_)rating$", 1, 5, "a rating"),
        RangeRule(r"(^|_)(lat|latitude)$", -90, 90, "a latitude"),
        RangeRule(r"(^|_)(lon|lng|longitude)$", -180, 180, "a longitude"),
        RangeRule(r"(count|cnt)$|^num_", 0, 100, "a count", integer=True),
        RangeRule(r"(total|subtotal|revenue|paid|salary|wages?)$", 0, 100_000, "an amount of money", money=True),
        RangeRule(r"(price|cost|fees?|tax|charges?|shipping|freight|msrp)$", 0, 10_000, "a price", money=True),
    )


def infer_column(table: str, column: ColumnDraft, today: date) -> list[Inference]:
    """Fill in a column's realistic settings; returns what was inferred."""
    if column.is_unique and column.data_type not in ("VARCHAR", "CHAR"):
        return []
    if column.identity is not None or column.foreign_key is not None or column.values is not None:
        return []
    spec = parse_type(column.data_type)
    found: list[Inference] = []
    if spec.is_string and column.faker_rule is None and not _KEY_NAME.search(column.name):
        rule = _faker_rule(column)
        if rule is not None:
            column.faker_rule = rule
            found.append(Inference(table, column.name, "faker_rule", rule, "from the column name"))
    if column.is_unique or _KEY_NAME.search(column.name):
        return found
    if spec.is_numeric and column.min_value is None and column.max_value is None:
        found += _numeric(table, column, today)
    if spec.is_temporal and column.date_start is None and column.date_end is None:
        found += _dates(table, column, today)
    return found


def _faker_rule(column: ColumnDraft) -> str | None:
    rule = next((r for p, r in _DDL_PATTERNS if p.search(column.name)), None)
    if rule is None:
        rule = infer_faker_rule(column.name, parse_type(column.data_type))
    if rule is None:
        return None
    length = column.varchar_length
    if length is not None and length < MIN_LENGTH.get(rule, 4):
        short = SHORT_FORMS.get(rule)
        if short is not None and length >= MIN_LENGTH[short]:
            return short
        return None
    return rule


def _numeric(table: str, column: ColumnDraft, today: date) -> list[Inference]:
    spec = parse_type(column.data_type)
    name = column.name.lower()
    for rule in numeric_rules(today):
        if rule.money and spec.base not in (BaseType.DECIMAL, BaseType.FLOAT):
            continue
        if rule.integer and not spec.is_integer:
            continue
        if not re.search(rule.pattern, name):
            continue
        low, high = _fit(rule.low, rule.high, column.data_type)
        if low is None or high is None or low > high:
            return []
        column.min_value, column.max_value = low, high
        return [Inference(table, column.name, "range", f"{low}..{high}", rule.reason)]
    return []


def _fit(low: int, high: int, data_type: str) -> tuple[Any, Any]:
    """The range clipped to what the type holds (DECIMAL(4,2) holds at most 99.99)."""
    spec = parse_type(data_type)
    if spec.is_integer:
        t_lo, t_hi = INTEGER_RANGES[spec.base]
        return max(low, t_lo), min(high, t_hi)
    if spec.base is BaseType.DECIMAL:
        precision, scale = spec.precision_scale
        limit = Decimal(10) ** (precision - scale) - Decimal(1) / Decimal(10) ** scale
        hi = min(Decimal(high), limit)
        lo = max(Decimal(low), -limit)
        return _plain(lo), _plain(hi)
    return low, high


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


_BIRTH = re.compile(r"birth|(^|_)dob$", re.IGNORECASE)
_AUDIT = re.compile(
    r"(^|_)(created|updated|modified|inserted|loaded|deleted|last_login|signup|registered)"
    r"(_(at|on|date|ts|time|timestamp|dt))?$|_(at|ts)$",
    re.IGNORECASE,
)


def _dates(table: str, column: ColumnDraft, today: date) -> list[Inference]:
    if _BIRTH.search(column.name):
        start, end = date(1940, 1, 1), _years_before(today, 18)
        reason = "a birth date: adults born since 1940"
    elif _AUDIT.search(column.name):
        start, end = date(today.year - 3, 1, 1), today
        reason = "a record timestamp: the last three years, nothing in the future"
    else:
        return []
    column.date_start, column.date_end = start, end
    return [Inference(table, column.name, "dates", f"{start}..{end}", reason)]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def apply_type_bounds(column: ColumnDraft) -> None:
    """Precision-implied limits (Snowflake NUMBER(4,0) -> -9999..9999, 0..9999 for keys) are hard limits on whatever
    was inferred."""
    if column.type_bounds is None or column.values is not None:
        return
    lo, hi = column.type_bounds
    if column.is_unique or column.foreign_key is not None or _KEY_NAME.search(column.name):
        lo = max(lo, 0)  # keys are not negative
    column.min_value = lo if column.min_value is None else max(column.min_value, lo)
    column.max_value = hi if column.max_value is None else min(column.max_value, hi)
