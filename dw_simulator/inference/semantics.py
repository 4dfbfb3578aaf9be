"""Column semantics: the default domain a column's name, type and comment call for, written into the schema.

Precedence (first that applies wins, and nothing overrides what the schema already says):
1. the column's own settings: a CHECK range or IN list, bounds, a distribution or Faker rule (a dbt/schema
   accepted-values list arrives as a categorical distribution) -- the column is left alone;
2. a value list in its COMMENT (`one of A, B, C`, `'A', 'B'`, `Y/N`, `A=active, I=inactive`);
3. the vocabulary (`vocabulary.yaml`): name pattern -> semantic -> domain, the first entry whose domain fits the
   column's type and length;
4. entity names: `<entity>_name`, or a bare `name` in a table named after the entity (`p_name` in `part`).
A literal DEFAULT becomes the most common value of a categorical domain. Each column changed gets one record.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Any

from dw_simulator.inference.keys import Record, record
from dw_simulator.inference.listed_values import comment_values, default_first
from dw_simulator.inference.names import column_prefix, stem, table_forms, tokens
from dw_simulator.inference.vocabulary import Domain, Vocabulary, type_family
from dw_simulator.schema.types import INTEGER_RANGES, TypeSpec, parse_type

MAX_INTEGRAL_VALUES = 200
FAKER_EQUIVALENT = {
    "email": "internet.email",
    "phone": "phone_number.phone_number",
    "user_name": "internet.user_name",
    "street_address": "address.street_address",
    "person_name": "person.name",
}
_SETTLED = (
    "distribution",
    "min_value",
    "max_value",
    "date_start",
    "date_end",
    "faker_rule",
    "identity",
    "json_shape",
    "semantic",
)
_KEY_NAME = re.compile(r"(^id$|_id$|_sk$|_key$|key$|^pk_|^fk_)", re.IGNORECASE)
_NAME_COLUMN = re.compile(r"^(?P<entity>[a-z0-9_]*?)_?(name|nm)$")


def infer_semantics(data: dict[str, Any], vocab: Vocabulary, *, today: date) -> list[Record]:
    window = _window(data)
    out: list[Record] = []
    for table in data["tables"]:
        prefix = column_prefix(table["name"], [c["name"] for c in table["columns"]])
        members = {c.lower() for group in table.get("composite_keys") or [] for c in group}
        for column in table["columns"]:
            found = _column(table, column, prefix, members, vocab, today, window)
            if found is not None:
                out.append(found)
    return out


def _window(data: dict[str, Any]) -> tuple[int, int] | None:
    start, end = data.get("date_start"), data.get("date_end")
    if start is None or end is None:
        return None
    return int(str(start)[:4]), int(str(end)[:4])


def _column(
    table: dict[str, Any],
    column: dict[str, Any],
    prefix: str | None,
    members: set[str],
    vocab: Vocabulary,
    today: date,
    window: tuple[int, int] | None,
) -> Record | None:
    if any(column.get(key) is not None for key in _SETTLED):
        return None
    spec = parse_type(str(column["data_type"]))
    family = type_family(spec)
    length = column.get("varchar_length") or spec.length
    unique = bool(column.get("is_unique"))
    name = column["name"]
    if column.get("foreign_key") or name.lower() in members or (_KEY_NAME.search(name) and not unique):
        return None
    if unique and family != "string":
        return None
    target = _Target(column, spec, family, length, unique, today, window)
    s = stem(name, prefix)
    listed = None if unique else comment_values(column.get("description"), family, length)
    if listed is not None:
        target.categorical(listed, None)
        return _finish(table, column, "listed_values", f"its COMMENT lists the values ({', '.join(map(str, listed))})")
    context = f"{table['name'].lower()} {s}"
    for entry in vocab.matches(s, context, family, spec, length):
        described = target.apply(entry.domain)
        if described is not None:
            column["semantic"] = entry.domain.rule if entry.domain.kind == "generator" else entry.semantic
            label = entry.semantic.replace("_", " ")
            return _finish(
                table,
                column,
                column["semantic"],
                f"named like {_a(label)} ('{s}', {_type_text(spec, length)}): {described}",
            )
    entity = _entity_domain(s, table, vocab)
    if entity is not None and family == "string":
        word, domain = entity
        described = target.apply(domain)
        if described is not None:
            column["semantic"] = domain.rule if domain.kind == "generator" else f"{word}_name"
            return _finish(
                table, column, column["semantic"], f"the name of {_a(word)} ('{s}' in '{table['name']}'): {described}"
            )
    return None


def _finish(table: dict[str, Any], column: dict[str, Any], semantic: str, reason: str) -> Record:
    column.setdefault("semantic", semantic)
    note = default_first(column)
    fields = [k for k in _SET_FIELDS if column.get(k) is not None]  # a column gets semantics only when it had none
    return record("semantic", table["name"], column["name"], reason + (f"; {note}" if note else ""), semantic, fields)


_SET_FIELDS = ("distribution", "min_value", "max_value", "date_start", "date_end", "faker_rule", "semantic")


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _type_text(spec: TypeSpec, length: int | None) -> str:
    if spec.is_string and length is not None and f"({length})" not in spec.canonical:
        return f"{spec.canonical}({length})"
    return spec.canonical


def _entity_domain(column_stem: str, table: dict[str, Any], vocab: Vocabulary) -> tuple[str, Domain] | None:
    match = _NAME_COLUMN.match(column_stem)
    if match is None:
        return None
    entity = match.group("entity")
    words = [entity] if entity else []
    words += [form for form in table_forms(table["name"])]
    words += [t for form in table_forms(table["name"]) for t in reversed(tokens(form))]
    for word in words:
        domain = vocab.entity(word)
        if domain is not None:
            return word, domain
    return None


class _Target:
    """Writes a domain into one column dict, fitted to its type; `apply` returns a description or None."""

    def __init__(
        self,
        column: dict[str, Any],
        spec: TypeSpec,
        family: str,
        length: int | None,
        unique: bool,
        today: date,
        window: tuple[int, int] | None,
    ) -> None:
        self.column, self.spec, self.family, self.length = column, spec, family, length
        self.unique, self.today, self.window = unique, today, window

    def apply(self, domain: Domain) -> str | None:
        kind = domain.kind
        if kind in ("faker", "generator"):
            if self.family != "string":
                return None
            rule = domain.rule if kind == "faker" else FAKER_EQUIVALENT.get(str(domain.rule))
            if rule is not None:
                self.column["faker_rule"] = rule
            return f"Faker {rule}" if kind == "faker" else f"dw-sim's {str(domain.rule).replace('_', ' ')} generator"
        if self.unique:
            return None
        if kind == "values":
            values = [v for v in (self._coerce(v) for v in domain.values) if v is not None]
            if len(values) < 2:
                return None
            weights = [w for v, w in zip(domain.values, domain.weights, strict=True) if self._coerce(v) is not None]
            self.categorical(values, weights)
            return f"{len(values)} values, most common {values[0]!r}"
        if kind == "boolean":
            if self.family != "boolean":
                return None
            share = float(domain.share or 0.5)
            self.categorical([True, False], [share, 1.0 - share])
            return f"TRUE in {share:.0%} of rows"
        if kind == "range":
            return self._range(domain)
        if kind == "years":
            if self.family not in ("integer", "decimal"):
                return None
            if domain.years is None:
                if self.window is None:
                    return None
                low, high = self.window
            else:
                low, high = self.today.year - domain.years[0], self.today.year - domain.years[1]
            self.column["min_value"], self.column["max_value"] = low, high
            return f"years {low}..{high}"
        if kind == "dates":
            if self.family not in ("date", "timestamp") or domain.years is None:
                return None
            start, end = _years_before(self.today, domain.years[0]), _years_before(self.today, domain.years[1])
            self.column["date_start"], self.column["date_end"] = start.isoformat(), end.isoformat()
            return f"dates {start}..{end}"
        return None

    def categorical(self, values: list[Any], weights: list[float] | None) -> None:
        dist: dict[str, Any] = {"type": "categorical", "values": list(values)}
        if weights is not None:
            total = sum(weights)
            dist["weights"] = [round(w / total, 6) for w in weights]
        self.column["distribution"] = dist

    def _coerce(self, value: Any) -> Any:
        family = self.family
        if family == "string":
            text = str(value)
            return text if self.length is None or len(text) <= self.length else None
        if family == "boolean":
            return value if isinstance(value, bool) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if family == "integer":
            t_lo, t_hi = INTEGER_RANGES[self.spec.base]
            return int(value) if float(value).is_integer() and t_lo <= value <= t_hi else None
        if family == "decimal":
            precision, scale = self.spec.precision_scale
            quantum = Decimal(10) ** -scale
            as_decimal = Decimal(str(value))
            if as_decimal.quantize(quantum) != as_decimal or abs(as_decimal) >= Decimal(10) ** (precision - scale):
                return None
            return int(value) if float(value).is_integer() else float(value)
        if family == "float":
            return float(value)
        return None

    def _range(self, domain: Domain) -> str | None:
        if self.family not in ("integer", "decimal", "float") or domain.low is None or domain.high is None:
            return None
        low, high = domain.low, domain.high
        if self.family == "integer":
            t_lo, t_hi = INTEGER_RANGES[self.spec.base]
            low, high = max(math.ceil(low), t_lo), min(math.floor(high), t_hi)
        elif self.family == "decimal":
            precision, scale = self.spec.precision_scale
            limit = 10.0 ** (precision - scale) - 10.0**-scale
            low, high = max(low, -limit), min(high, limit)
            if domain.integral:
                low, high = math.ceil(low), math.floor(high)
        if low > high:
            return None
        if domain.integral and self.family == "decimal" and high - low + 1 <= MAX_INTEGRAL_VALUES:
            values = list(range(int(low), int(high) + 1))
            self.categorical(values, [_density(domain, v, low, high) for v in values])
            return f"whole numbers {int(low)}..{int(high)}{_shape(domain)}"
        self.column["min_value"], self.column["max_value"] = _plain(low), _plain(high)
        dist = _distribution(domain)
        if dist is not None:
            self.column["distribution"] = dist
        return f"{_plain(low)}..{_plain(high)}{_shape(domain)}"


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 6)


def _shape(domain: Domain) -> str:
    if domain.distribution is None:
        return ", uniform"
    name, params = domain.distribution
    if name == "lognormal":
        return f", right-skewed (lognormal, median {params[0]:g})"
    if name == "normal":
        return f", around {params[0]:g} (normal, sd {params[1]:g})"
    return f", beta({params[0]:g}, {params[1]:g})"


def _distribution(domain: Domain) -> dict[str, Any] | None:
    if domain.distribution is None:
        return None
    name, (a, b) = domain.distribution
    if name == "lognormal":
        return {"type": "lognormal", "mean": round(math.log(a), 6), "sigma": b}
    if name == "normal":
        return {"type": "normal", "mean": a, "stddev": b}
    return {"type": "beta", "alpha": a, "beta": b}


def _density(domain: Domain, x: float, low: float, high: float) -> float:
    if domain.distribution is None:
        return 1.0
    name, (a, b) = domain.distribution
    if name == "lognormal":
        return math.exp(-((math.log(max(x, 1e-9)) - math.log(a)) ** 2) / (2 * b * b)) / max(x, 1e-9)
    if name == "normal":
        return math.exp(-((x - a) ** 2) / (2 * b * b))
    u = min(max((x - low + 0.5) / (high - low + 1), 1e-6), 1 - 1e-6)
    return float(math.pow(u, a - 1) * math.pow(1 - u, b - 1))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
