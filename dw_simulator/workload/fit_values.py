"""Value domains that answer the workload's filters, written into the schema dict.

* Strings: a categorical domain holding every literal the queries compare the column with (=, IN, NOT IN, <>,
  CASE WHEN), a value matching each LIKE/ILIKE pattern (and SUBSTRING prefix) that nothing matched yet, and the
  realistic values the column had (its inferred categorical values, else the most common values of a generator
  sample), so `<>`, NOT IN and NOT LIKE select rows too. The workload's values share most of the mass (each at
  least `MIN_SHARE` when room allows); a table too small for every value to be drawn gets each value exactly once.
* Numbers: bounds that cover every literal with a margin on both sides (joined with realistic inferred bounds).
* Dates: the experiment's date window (when it was inferred) spans every date the queries name, with a margin;
  inferred year columns follow it.

What a column declares (a CHECK/IN list, DDL bounds, a window the user set) is never overwritten: a literal it
cannot hold is reported as a contradiction. Keys (unique, foreign key, identity) keep their domains.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dw_simulator.schema.types import INTEGER_RANGES, parse_type
from dw_simulator.workload.literals import as_date
from dw_simulator.workload.predicates import Filter
from dw_simulator.workload.shares import like_regex

MIN_SHARE = 0.05
NEAR_UNIQUE = 0.5  # a sample with more distinct values than this share of its size is near-unique
VARIANTS = 20
SPREAD_OTHERS = 1000
SMALL_RANGE = 200  # integer domains up to this many values give the queries' numbers a share of their own
WORKLOAD_SHARE = 0.8
OTHERS = 8
DRAWS_PER_VALUE = 7  # below this many expected rows per value, small tables get each value once
WINDOW_MARGIN = 0.15
Record = dict[str, Any]


def inferred_fields(data: dict[str, Any], table: str, column: str | None) -> set[str]:
    out: set[str] = set()
    for item in data.get("inferences") or []:
        if (item.get("table") or "").lower() == table.lower() and (item.get("column") or "").lower() == (
            column or ""
        ).lower():
            out.update(item.get("fields") or [])
    return out


def is_keyish(table: dict[str, Any], column: dict[str, Any]) -> bool:
    name = column["name"].lower()
    if column.get("is_unique") or column.get("foreign_key") or column.get("identity"):
        return True
    if any(name in (c.lower() for c in group) for group in table.get("composite_keys") or []):
        return True
    return any(name in (c.lower() for c in fk["columns"]) for fk in table.get("foreign_keys") or [])


def record(
    flt: Filter | None, table: str | None, column: str | None, reason: str, fields: list[str], query: str | None = None
) -> Record:
    return {
        "kind": "workload",
        "table": table,
        "column": column,
        "reason": reason,
        "value": query or (flt.query if flt else None),
        "fields": fields,
    }


# -- strings -----------------------------------------------------------------------------------------------------


def _filler(others: list[str]) -> str:
    for value in others:
        word = re.sub(r"[^A-Za-z]", "", value.split(" ")[0] if value else "")
        if 2 <= len(word) <= 12:
            return word.lower() if value.islower() else word
    return "item"


def synthesize(pattern: str, filler: str, length: int | None, base: str | None = None) -> str | None:
    """A value matching a LIKE pattern: its literal pieces kept, wildcards filled with `filler` words. A code-like
    prefix or suffix (no letters: `'13%'`) overwrites the start or end of a realistic `base` value instead."""
    body = pattern.strip("%")
    if (
        base
        and "%" not in body
        and "_" not in body
        and not any(ch.isalpha() for ch in body)
        and len(base) > len(body)
        and pattern.count("%") == 1
    ):
        value = body + base[len(body) :] if pattern.endswith("%") else base[: len(base) - len(body)] + body
        if like_regex(pattern, False).match(value):
            return value
    pieces = re.split(r"(%)", pattern)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if piece == "%":
            before = out[-1] if out else ""
            word = filler
            if before and before[-1].isalnum():
                word = " " + word
            nxt = pieces[index + 1] if index + 1 < len(pieces) else ""
            if nxt and nxt[0].isalnum():
                word = word + " "
            out.append(word)
        else:
            out.append(piece.replace("_", "X"))
    value = "".join(out)
    if length is not None and len(value) > length:
        fixed = "".join(p.replace("_", "X") for p in pieces if p != "%")
        if len(fixed) > length:
            return None
        value = fixed[:length]
    if not like_regex(pattern, False).match(value):
        return None
    return value


def fit_string(
    data: dict[str, Any], table: dict[str, Any], column: dict[str, Any], filters: list[Filter], sample: list[Any]
) -> tuple[list[Record], list[str]]:
    """Make the column categorical over the workload's values plus realistic others. (records, contradictions)"""
    length = column.get("varchar_length") or parse_type(str(column["data_type"])).length
    dist = column.get("distribution") or {}
    declared = dist.get("type") == "categorical" and "distribution" not in inferred_fields(
        data, table["name"], column["name"]
    )
    points: list[str] = []
    patterns: list[tuple[str, bool, Filter]] = []
    for flt in filters:
        if flt.op in ("like", "ilike"):
            patterns.append((str(flt.values[0]), flt.op == "ilike", flt))
        elif flt.part == "prefix":
            patterns += [(f"{v}%", False, flt) for v in flt.values]
        elif flt.op in ("=", "<>", "in") and flt.part is None:
            points += [str(v) for v in flt.values if v is not None]
    problems: list[str] = []
    if declared:
        allowed = [str(v) for v in dist.get("values") or []]
        for flt in filters:
            missing = [
                str(v) for v in flt.values if flt.op in ("=", "in") and not flt.negated and str(v) not in allowed
            ]
            if missing:
                problems.append(
                    f"{flt.query}: `{flt.text}` names {', '.join(map(repr, missing))}, which "
                    f"{table['name']}.{column['name']}'s declared values do not hold; not added"
                )
        return [], problems
    ordered = list(dict.fromkeys(points))
    for value in list(ordered):
        if length is not None and len(value) > length:
            problems.append(
                f"{table['name']}.{column['name']}: {value!r} is longer than the column "
                f"({length}); a query comparing with it can never match"
            )
            ordered.remove(value)
    near_unique = False
    if dist.get("type") == "categorical":
        others = [str(v) for v in dist["values"]]
        weights = list(dist.get("weights") or [1.0] * len(others))
    else:
        counts = Counter(str(v) for v in sample if v is not None)
        near_unique = len(counts) > NEAR_UNIQUE * max(1, len(sample))
        top = max(OTHERS, int(table.get("target_rows") or 0), SPREAD_OTHERS if near_unique else 0)
        others = [v for v, _n in counts.most_common(top)]
        weights = [float(counts[v]) for v in others]
    filler = _filler(others)
    made_from: dict[str, str] = {}
    for index, (pattern, insensitive, flt) in enumerate(patterns):
        regex = like_regex(pattern, insensitive)
        if any(regex.match(v) for v in ordered):
            continue
        made = synthesize(pattern, filler, length, others[index % len(others)] if others else None)
        if made is None:
            problems.append(
                f"{flt.query}: no value of {table['name']}.{column['name']} (length {length}) can match {pattern!r}"
            )
            continue
        ordered.append(made)
        made_from[made] = pattern
    taken = {v.casefold() for v in ordered}  # 'France' beside the workload's 'FRANCE' would be a second spelling
    keep = [(v, w) for v, w in zip(others, weights, strict=True) if v.casefold() not in taken]
    if not ordered:
        return [], problems
    rows = int(table.get("target_rows") or 1000)
    values, weights_out, unique = _mix(ordered, keep, rows, filler, length)
    held = sum(weights_out[: len(ordered)])
    if near_unique and not unique:
        values, weights_out = _spread(values[: len(ordered)], weights_out[: len(ordered)], keep, made_from, length)
    column["distribution"] = {"type": "categorical", "values": values, "weights": weights_out}
    column.pop("faker_rule", None)
    fields = ["distribution"]
    if unique:
        column["is_unique"] = True
        fields.append("is_unique")
    how = (
        f"each of the table's {rows} rows gets one of them"
        if unique
        else f"workload values hold {held:.0%} of the rows"
        + (" (spread over variants that match)" if near_unique else "")
        + f"; {len(values) - len(ordered)} other values in all"
    )
    records = []
    for query in dict.fromkeys(f.query for f in filters):
        texts = "; ".join(f"`{f.describe()}`" for f in filters if f.query == query)
        records.append(
            record(
                None,
                table["name"],
                column["name"],
                f"{texts} -> categorical values {_short(ordered)} ({how})",
                fields,
                query,
            )
        )
    return records, problems


def _mix(
    ordered: list[str], keep: list[tuple[str, float]], rows: int, filler: str, length: int | None
) -> tuple[list[Any], list[float], bool]:
    """(values, weights, unique): the workload's values first, then realistic others."""
    k = len(ordered)
    kept = keep[:OTHERS]
    each = min(max(1.0 / (k + len(kept)), MIN_SHARE), WORKLOAD_SHARE / k) if kept else 1.0 / k
    if rows * each < DRAWS_PER_VALUE and rows >= k:  # too few rows to draw every value: deal each out once
        chosen = ordered + [v for v, _w in keep[: rows - k]]
        n = 1
        while len(chosen) < rows:
            extra = f"{filler} {n}"[: length or None]
            if extra not in chosen:
                chosen.append(extra)
            n += 1
            if n > rows * 2:
                break
        if len(chosen) == rows:
            return chosen, [1.0] * rows, True
    rest = max(0.0, 1.0 - each * k)
    total = sum(w for _v, w in kept) or 1.0
    values = ordered + [v for v, _w in kept]
    weights = [round(each, 6)] * k + [round(rest * w / total, 6) for _v, w in kept]
    return values, weights, False


def _spread(ordered: list[str], weights: list[float], keep: list[tuple[str, float]], made_from: dict[str, str],
            length: int | None) -> tuple[list[Any], list[float]]:  # fmt: skip
    """A near-unique column (phones, names, comments) stays varied: each LIKE match becomes `VARIANTS` matching
    values built from different realistic ones, and up to `SPREAD_OTHERS` realistic values share the rest evenly."""
    bases = [v for v, _w in keep]
    values: list[Any] = []
    out: list[float] = []
    for index, (value, weight) in enumerate(zip(ordered, weights, strict=True)):
        pattern = made_from.get(value)
        variants = [value]
        for step in range(1, VARIANTS * 3):
            if pattern is None or len(variants) >= VARIANTS or not bases:
                break
            base = bases[(index * VARIANTS + step) % len(bases)]
            made = synthesize(pattern, _filler([base]), length, base)
            if made is not None and made not in variants and made not in ordered:
                variants.append(made)
        values += variants
        out += [round(weight / len(variants), 6)] * len(variants)
    taken = set(values)
    rest = [v for v in bases if v not in taken][:SPREAD_OTHERS]
    share = max(0.0, 1.0 - sum(out))
    values += rest
    out += [round(share / len(rest), 8)] * len(rest) if rest else []
    return values, out


def _short(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:6])
    return shown + (f" and {len(values) - 6} more" if len(values) > 6 else "")


# -- numbers -----------------------------------------------------------------------------------------------------


def _numbers(filters: list[Filter]) -> list[float]:
    out = []
    for flt in filters:
        if flt.part is not None or flt.op in ("like", "ilike"):
            continue
        for value in flt.values:
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                out.append(float(value))
            elif isinstance(value, str):
                try:
                    out.append(float(value))
                except ValueError:
                    continue
    return out


def _type_range(spec: Any) -> tuple[float, float]:
    if spec.is_integer:
        low, high = INTEGER_RANGES[spec.base]
        return float(low), float(high)
    if spec.base.value == "DECIMAL" and spec.precision_scale is not None:
        precision, scale = spec.precision_scale
        limit = float(10 ** (precision - scale)) - 10.0**-scale
        return -limit, limit
    return -float("inf"), float("inf")


def fit_number(
    data: dict[str, Any], table: dict[str, Any], column: dict[str, Any], filters: list[Filter]
) -> tuple[list[Record], list[str]]:
    values = _numbers(filters)
    spec = parse_type(str(column["data_type"]))
    where = f"{table['name']}.{column['name']}"
    type_lo, type_hi = _type_range(spec)
    outside = sorted({v for v in values if not type_lo <= v <= type_hi})
    problems = ([f"{where}: the queries name {', '.join(f'{v:g}' for v in outside)}, which its type "
                 f"{column['data_type']} cannot hold; a predicate on it never matches"] if outside else [])  # fmt: skip
    values = [v for v in values if type_lo <= v <= type_hi]
    if not values:
        return [], problems
    inferred = inferred_fields(data, table["name"], column["name"])
    lo_cur, hi_cur = column.get("min_value"), column.get("max_value")
    declared = [f for f in ("min_value", "max_value") if column.get(f) is not None and f not in inferred]
    dist = column.get("distribution") or {}
    if dist.get("type") == "categorical" and "distribution" not in inferred:
        return [], [
            *problems,
            f"{where}: the queries compare it with numbers; its declared categorical values are kept",
        ]
    if declared:
        lo_d = float(lo_cur) if lo_cur is not None else -float("inf")
        hi_d = float(hi_cur) if hi_cur is not None else float("inf")
        bad = sorted({v for v in values if not lo_d <= v <= hi_d})
        return [], problems + (
            [
                f"{where}: the queries name {', '.join(f'{v:g}' for v in bad)}, outside its declared range "
                f"[{lo_cur}, {hi_cur}]; not widened"
            ]
            if bad
            else []
        )
    lo, hi = min(values), max(values)
    yearly = is_year(column)
    margin = max((hi - lo) * 0.25, 1.0 if yearly else max(abs(lo), abs(hi), 1.0) * 0.1)
    new_lo = lo - margin if lo < 0 else max(0.0, lo - margin)
    new_hi = hi + margin
    if lo_cur is not None and hi_cur is not None and dist.get("type") != "categorical":
        new_lo, new_hi = min(new_lo, float(lo_cur)), max(new_hi, float(hi_cur))
        if spec.is_integer and (new_hi - new_lo) > 50 * (hi - lo + 2 * margin):
            new_lo, new_hi = (lo - margin if lo < 0 else max(0.0, lo - margin)), hi + margin
    if spec.is_integer:
        t_lo, t_hi = INTEGER_RANGES[spec.base]
        lo_v: Any = max(t_lo, int(new_lo // 1))
        hi_v: Any = min(t_hi, int(-(-new_hi // 1)))
    elif spec.precision_scale is not None and spec.base.value == "DECIMAL":
        precision, scale = spec.precision_scale
        limit = float(10 ** (precision - scale)) - 10.0**-scale
        step = Decimal(10) ** -scale
        lo_v = Decimal(str(max(-limit, new_lo))).quantize(step)
        hi_v = Decimal(str(min(limit, new_hi))).quantize(step)
        lo_v, hi_v = float(lo_v), float(hi_v)
    else:
        lo_v, hi_v = round(new_lo, 6), round(new_hi, 6)
    column["min_value"], column["max_value"] = lo_v, hi_v
    fields = ["min_value", "max_value"]
    if dist.get("type") == "categorical":
        column.pop("distribution", None)
        fields.append("distribution")
    points = sorted({int(v) for f in filters if f.op in ("=", "in") and f.part is None for v in f.values
                     if isinstance(v, int) and not isinstance(v, bool) and lo_v <= v <= hi_v})  # fmt: skip
    if spec.is_integer and points and hi_v - lo_v + 1 <= SMALL_RANGE:
        # a few whole numbers (sizes, codes, years): the ones the queries name get a realistic share each
        span = list(range(int(lo_v), int(hi_v) + 1))
        each = min(max(1.0 / len(span), MIN_SHARE), 0.5 / len(points))
        rest = (1.0 - each * len(points)) / max(1, len(span) - len(points))
        weights = [round(each if v in points else rest, 6) for v in span]
        column["distribution"] = {"type": "categorical", "values": span, "weights": weights}
        if "distribution" not in fields:
            fields.append("distribution")
    records = [
        record(
            None,
            table["name"],
            column["name"],
            "; ".join(f"`{f.describe()}`" for f in filters if f.query == query) + f" -> values span {lo_v}..{hi_v}",
            fields,
            query,
        )
        for query in dict.fromkeys(f.query for f in filters)
    ]
    return records, problems


# -- dates -------------------------------------------------------------------------------------------------------


def is_year(column: dict[str, Any]) -> bool:
    return column.get("semantic") in ("year", "birth_year") or (
        bool(re.search(r"(^|_)(year|yr|yyyy)$", column["name"].lower()))
        and parse_type(str(column["data_type"])).is_integer
    )


def filter_dates(flt: Filter) -> list[date]:
    """The days a date filter names (a year part, or a year column, names its first and last day)."""
    out: list[date] = []
    for value in flt.values:
        if flt.part in ("year", "year_column") and isinstance(value, int | Decimal) and 1000 < int(value) < 3000:
            out += [date(int(value), 1, 1), date(int(value), 12, 31)]
        elif flt.part is None:
            found = as_date(value)
            if found is not None:
                out.append(found.date() if isinstance(found, datetime) else found)
    return out


def fit_window(data: dict[str, Any], filters: list[Filter]) -> tuple[list[Record], list[str]]:
    """Move an inferred date window over every date the queries name; report dates outside a declared one."""
    days = sorted({d for f in filters for d in filter_dates(f)})
    if not days:
        return [], []
    lo, hi = days[0], days[-1]
    margin = max(timedelta(days=90), timedelta(days=int((hi - lo).days * WINDOW_MARGIN)))
    start, end = date(max(1, (lo - margin).year), (lo - margin).month, 1), hi + margin
    inferred = any(i.get("kind") == "time_window" for i in data.get("inferences") or [])
    current = (data.get("date_start"), data.get("date_end"))
    if not inferred and current[0] is not None and current[1] is not None:
        w_lo, w_hi = date.fromisoformat(str(current[0])[:10]), date.fromisoformat(str(current[1])[:10])
        if lo < w_lo or hi > w_hi:
            return [], [
                f"the queries name dates {lo}..{hi}, outside the experiment's declared date window "
                f"{w_lo}..{w_hi}; not moved"
            ]
        return [], []
    data["date_start"], data["date_end"] = start.isoformat(), end.isoformat()
    queries = ", ".join(dict.fromkeys(f.query for f in filters if filter_dates(f)))
    records = [
        record(
            None,
            None,
            None,
            f"the queries name dates from {lo} to {hi} ({queries}): dates without a "
            f"range of their own fall in {start}..{end}",
            [],
            "workload",
        )
    ]
    for table in data["tables"]:
        for column in table["columns"]:
            if column.get("semantic") == "year" and "min_value" in inferred_fields(data, table["name"], column["name"]):
                column["min_value"], column["max_value"] = start.year, end.year
    return records, []


CALENDAR_TABLE = re.compile(r"(^|_)(date|dates|calendar|cal|date_?dim|dim_?date|days?)(_|$)", re.IGNORECASE)
CALENDAR_COLUMN = re.compile(r"^(cal_?date|calendar_?date|d_date|full_?date|date_?day|date_?value|date)$", re.I)


def is_calendar_day(table: dict[str, Any], column: dict[str, Any]) -> bool:
    """A calendar table's day column (`date.caldate`, `date_dim.d_date`): one row per day."""
    dates = [c for c in table["columns"] if parse_type(str(c["data_type"])).base.value == "DATE"]
    named = bool(CALENDAR_TABLE.search(table["name"])) or bool(CALENDAR_COLUMN.match(column["name"]))
    return len(dates) == 1 and dates[0] is column and not column.get("foreign_key") and named


def fit_unique_dates(data: dict[str, Any], table: dict[str, Any], column: dict[str, Any],
                     filters: list[Filter]) -> list[Record]:  # fmt: skip
    """A unique date column (a calendar table's day) holds consecutive days from the first year the queries name,
    one per row, so every day they name exists when the table has room for them."""
    days = sorted({d for f in filters for d in filter_dates(f)})
    if not days or parse_type(str(column["data_type"])).base.value != "DATE":
        return []
    inferred = inferred_fields(data, table["name"], column["name"])
    if any(column.get(f) is not None and f not in inferred for f in ("date_start", "date_end")):
        return []
    rows = int(table.get("target_rows") or 1000)
    start = date(days[0].year, 1, 1)
    if (days[-1] - start).days >= rows:
        start = days[0]
    if (days[-1] - start).days >= rows:
        return []
    end = start + timedelta(days=rows - 1)
    column["date_start"], column["date_end"] = start.isoformat(), end.isoformat()
    column["is_unique"] = True
    queries = list(dict.fromkeys(f.query for f in filters))
    texts = "; ".join(f"`{f.describe()}`" for f in filters)
    return [record(None, table["name"], column["name"], f"{texts} -> one day per row from {start} to {end}",
                   ["date_start", "date_end", "is_unique"], query) for query in queries]  # fmt: skip
