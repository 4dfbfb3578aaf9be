"""Fitting one column of a sample: its type, NULL share, distinct share, keys and learned distribution.

What is kept of the data (the privacy rules, tested in tests/learn):

* categorical values only when the column has few distinct values (at most `max_values`, and at most half the
  rows distinct), and of those only the values seen at least `min_count` times; never for a column whose name says
  it holds people's data (names, e-mails, phones, addresses) once it has more than a few distinct values; none at
  all with `keep_values=False`;
* strings that are not kept become character-class patterns (`Aaaa 99-A`), each kept only when at least
  `min_count` sampled values share it; when none does, one pattern per length shared by `min_count` values, made
  of the commonest class at each position;
* numbers and dates: `QUANTILES` quantiles, interpolated between neighbouring order statistics, never the extremes;
* unique columns (keys, ids) keep no value: the generator makes new distinct ones (string keys in their shapes).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

QUANTILES = 256
DISCRETE_COVER = 0.98
FEW_VALUES = 64
MIN_KEY_ROWS = 20
PERSONAL = re.compile(r"(e_?mail|name|phone|mobile|address|street|ssn|passport|birth|ip_?addr|comment|note|"
                      r"descr|message|text|body|url|token|password|iban|card)", re.IGNORECASE)  # fmt: skip
KEY_NAME = re.compile(r"(^|_)(id|key|code|uuid|guid|sku|no|num|number|ref)$", re.IGNORECASE)
_SHAPE = str.maketrans({**{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, **{c: "a" for c in
                        "abcdefghijklmnopqrstuvwxyz"}, **{c: "9" for c in "0123456789"}, "\t": " ", "\n": " ",
                        "\r": " "})  # fmt: skip
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
F64 = npt.NDArray[np.float64]


@dataclass
class FitOptions:
    min_count: int = 5
    keep_values: bool = True
    max_values: int = 1000
    max_patterns: int = 200


@dataclass
class ColumnFit:
    name: str
    column: dict[str, Any]
    """The column as written in a schema (name, data_type, distribution, null_rate, is_unique...)."""
    kind: str
    """numeric, temporal, boolean, categorical (kept values), text (patterns only), key (unique), other"""
    rows: int
    nulls: int
    distinct: int
    order: F64 | None = None
    """Per sampled row, a number whose order is the generator's (NaN for NULL): the copula ranks it."""
    values: list[Any] = field(default_factory=list)
    """The kept values (categorical and boolean columns), in the copula's order."""

    @property
    def null_rate(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0

    @property
    def distinct_ratio(self) -> float:
        present = self.rows - self.nulls
        return self.distinct / present if present else 0.0


def shape_of(value: str) -> str:
    """`AB-12 cd` -> `AA-99 aa`: upper-case letters A, lower-case a, digits 9, other characters kept (ASCII)."""
    shaped = value.translate(_SHAPE)
    if _NON_ASCII.search(shaped):
        shaped = _NON_ASCII.sub(lambda m: "A" if m[0].isupper() else "a" if m[0].isalpha() else
                                "9" if m[0].isdigit() else " ", shaped)  # fmt: skip
    return shaped


def sql_type(arrow_type: pa.DataType, declared: str | None, longest: int) -> str:
    if declared:
        return declared
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        width = arrow_type.bit_width
        return "SMALLINT" if width <= 16 else "INT" if width <= 32 and pa.types.is_signed_integer(arrow_type) \
            else "BIGINT"  # fmt: skip
    if pa.types.is_floating(arrow_type):
        return "FLOAT"
    if pa.types.is_decimal(arrow_type):
        precision = min(max(arrow_type.precision, 1), 38)
        return f"DECIMAL({precision},{min(arrow_type.scale, precision)})"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_time(arrow_type):
        return "TIME"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "BINARY"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return f"VARCHAR({_length_bucket(longest)})"
    return "JSON"


def _length_bucket(longest: int) -> int:
    for size in (16, 32, 64, 128, 256, 1024, 4096, 65535):
        if longest <= size:
            return size
    return 65535


def fit_column(name: str, arr: pa.ChunkedArray | pa.Array, declared: str | None, options: FitOptions) -> ColumnFit:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    rows, nulls = len(arr), arr.null_count
    present = arr.drop_null()
    longest = int(pc.max(pc.utf8_length(present)).as_py() or 1) if pa.types.is_string(arr.type) and len(present) \
        else 1  # fmt: skip
    data_type = sql_type(arr.type, declared, longest)
    column: dict[str, Any] = {"name": name, "data_type": data_type}
    if nulls:
        column["null_rate"] = round(nulls / rows, 6)
    if pa.types.is_nested(arr.type):  # semi-structured: its type and NULL share only
        return ColumnFit(name, column, "other", rows, nulls, 0)
    distinct = len(pc.unique(present)) if len(present) else 0
    fit = ColumnFit(name, column, "other", rows, nulls, distinct)
    if len(present) == 0:
        column["null_rate"] = 1.0 if rows else None
        return fit
    if distinct == len(present) and len(present) >= MIN_KEY_ROWS and _key_like(name, arr.type):
        fit.kind = "key"
        column["is_unique"] = True
        if nulls == 0:
            column["required"] = True
            column.pop("null_rate", None)
        if pa.types.is_string(arr.type):  # the generator spells new distinct keys in the sample's shapes
            literals = PERSONAL.search(name) is None
            patterns = _patterns([(v, 1) for v in present.to_pylist()], options, literals=literals)
            if patterns:
                column["distribution"] = {"type": "empirical", "patterns": list(patterns),
                                          "pattern_weights": [round(w, 8) for w in patterns.values()]}  # fmt: skip
        return fit
    if pa.types.is_boolean(arr.type):
        _fit_boolean(fit, arr, present)
    elif pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        _fit_numbers(fit, arr, present.cast(pa.float64(), safe=False), options, temporal=False)
    elif pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        _fit_numbers(fit, arr, _days(arr), options, temporal=True)
    elif pa.types.is_string(arr.type):
        _fit_strings(fit, arr, present, options)
    return fit


def _key_like(name: str, arrow_type: pa.DataType) -> bool:
    """Distinct in the sample and a key by kind: whole numbers, dates never; strings when named like a key."""
    if pa.types.is_integer(arrow_type):
        return True
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return KEY_NAME.search(name) is not None
    return False


def _days(arr: pa.Array) -> pa.Array:
    """Dates and timestamps as (fractional) days since 1970-01-01, NULLs dropped."""
    present = arr.drop_null()
    if pa.types.is_date(arr.type):
        return present.cast(pa.date32()).cast(pa.int32()).cast(pa.float64(), safe=False)
    micros = present.cast(pa.timestamp("us", tz=arr.type.tz)).cast(pa.int64()).cast(pa.float64(), safe=False)
    return pc.divide(micros, 86_400e6)


def _order_of(arr: pa.Array, numbers: F64) -> F64:
    """`numbers` (one per non-NULL row) spread back onto all rows, NaN where NULL."""
    out = np.full(len(arr), np.nan)
    out[~np.asarray(arr.is_null().to_numpy(zero_copy_only=False))] = numbers
    return out


def _fit_boolean(fit: ColumnFit, arr: pa.Array, present: pa.Array) -> None:
    trues = int(pc.sum(present.cast(pa.int64())).as_py() or 0)
    n = len(present)
    fit.kind = "boolean"
    fit.values = [False, True]
    fit.column["distribution"] = {"type": "empirical", "values": [False, True],
                                  "weights": [round((n - trues) / n, 6), round(trues / n, 6)]}  # fmt: skip
    fit.order = _order_of(arr, present.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False))


def _fit_numbers(fit: ColumnFit, arr: pa.Array, numbers_arr: pa.Array, options: FitOptions, *, temporal: bool) -> None:
    x = np.asarray(numbers_arr.to_numpy(zero_copy_only=False), dtype=np.float64)
    fit.kind = "temporal" if temporal else "numeric"
    fit.order = _order_of(arr, x)
    values, counts = np.unique(x, return_counts=True)
    frequent = counts >= options.min_count
    cover = counts[frequent].sum() / x.shape[0]
    dist: dict[str, Any] = {"type": "empirical"}
    # a few values (or many, every one frequent) are kept as they are; dropping the rare ones of many values would
    # bend the distribution, so those columns take quantiles
    few = values.shape[0] <= FEW_VALUES and cover >= DISCRETE_COVER
    discrete = options.keep_values and frequent.sum() <= options.max_values and (few or bool(frequent.all()))
    if discrete:
        kept, shares = values[frequent], counts[frequent] / x.shape[0]
        dist["values"] = [_number_value(v, arr.type) for v in kept]
        dist["weights"] = [round(float(s), 8) for s in shares]
    else:
        if pa.types.is_floating(arr.type):
            dist["digits"] = _digits(x)
        k = min(QUANTILES, max(2, x.shape[0]))
        probs = (np.arange(k) + 0.5) / k
        dist["quantiles"] = [round(float(q), 6) for q in np.quantile(x, probs)]
    fit.column["distribution"] = dist


def _digits(x: F64) -> int | None:
    """The fewest decimals (up to 6) every sampled value is written with, or None."""
    for digits in range(7):
        scaled = x * 10.0**digits
        if np.all(np.abs(scaled - np.rint(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return digits
    return None


def _number_value(v: float, arrow_type: pa.DataType) -> Any:
    if pa.types.is_date(arrow_type):
        from datetime import date, timedelta

        return (date(1970, 1, 1) + timedelta(days=int(v))).isoformat()
    if pa.types.is_timestamp(arrow_type):
        from datetime import datetime, timedelta

        return (datetime(1970, 1, 1) + timedelta(days=float(v))).isoformat()
    if pa.types.is_integer(arrow_type) or (float(v).is_integer() and not pa.types.is_floating(arrow_type)):
        return int(v)
    return float(v)


def _fit_strings(fit: ColumnFit, arr: pa.Array, present: pa.Array, options: FitOptions) -> None:
    n = len(present)
    counts = pc.value_counts(present)
    values = counts.field("values").to_pylist()
    freq = np.asarray(counts.field("counts").to_numpy(zero_copy_only=False), dtype=np.int64)
    personal = PERSONAL.search(fit.name) is not None and len(values) > 20
    categorical = (options.keep_values and not personal and len(values) <= options.max_values
                   and len(values) <= n / 2)  # fmt: skip
    kept: list[str] = []
    if categorical:
        kept = sorted(v for v, c in zip(values, freq, strict=True) if c >= options.min_count)
    share = {v: int(c) for v, c in zip(values, freq, strict=True)}
    dist: dict[str, Any] = {"type": "empirical", "values": kept, "weights": [round(share[v] / n, 8) for v in kept]}
    rest = n - sum(share[v] for v in kept)
    if rest:
        kept_set = set(kept)
        rest_values = [(v, int(c)) for v, c in zip(values, freq, strict=True) if v not in kept_set]
        patterns = _patterns(rest_values, options, literals=not personal)
        if patterns:
            dist["patterns"] = list(patterns)
            dist["pattern_weights"] = [round(w, 8) for w in patterns.values()]
    if not kept and "patterns" not in dist:
        return
    fit.kind = "categorical" if kept else "text"
    fit.column["distribution"] = dist
    if kept:
        fit.values = kept
        positions = pc.index_in(present, value_set=pa.array(kept, type=pa.string())).fill_null(len(kept))
        fit.order = _order_of(arr, np.asarray(positions.to_numpy(zero_copy_only=False), dtype=np.float64))


def _patterns(rest: list[tuple[str, int]], options: FitOptions, *, literals: bool = False) -> dict[str, float]:
    """Shapes of the values not kept, each kept only when `min_count` values share it (shares of those). With
    `literals`, a letter or digit every one of at least `min_count` distinct values of a shape has at the same place
    (`SKU-` of `SKU-000042`) stays literal (escaped: `\\S\\K\\U-999999`)."""
    counts: dict[str, int] = {}
    groups: dict[str, list[str]] = {}
    for value, count in rest:
        shape = shape_of(value)
        counts[shape] = counts.get(shape, 0) + count
        groups.setdefault(shape, []).append(value)
    total = sum(counts.values())
    kept = {s: c for s, c in counts.items() if c >= options.min_count and s.strip()}
    spelled: dict[str, int] = {}
    if sum(kept.values()) < 0.3 * total:
        spelled = {_escape(s): c for s, c in _length_patterns(rest, options).items()}
    if not spelled:
        for shape, count in kept.items():
            text = _with_literals(shape, groups[shape], options.min_count) if literals else _escape(shape)
            spelled[text] = spelled.get(text, 0) + count
    top = sorted(spelled.items(), key=lambda kv: (-kv[1], kv[0]))[: options.max_patterns]
    mass = sum(c for _, c in top)
    return {s: c / mass for s, c in top} if mass else {}


def _escape(shape: str) -> str:
    return shape.replace("\\", "\\\\")


def _with_literals(shape: str, values: list[str], min_count: int) -> str:
    """The shape with the letters and digits all `values` share at the same place kept (escaped)."""
    if len(values) < min_count or not shape:
        return _escape(shape)
    matrix = np.array(values, dtype=f"<U{len(shape)}").view(np.uint32).reshape(len(values), len(shape))
    constant = (matrix == matrix[0]).all(axis=0)
    first = values[0]
    out = []
    for i, char in enumerate(shape):
        original = first[i]
        if constant[i] and original.isascii() and original.isalnum():
            out.append("\\" + original)
        else:
            out.append(_escape(char))
    return "".join(out)


def _length_patterns(rest: list[tuple[str, int]], options: FitOptions) -> dict[str, int]:
    """One pattern per length shared by `min_count` values: the commonest character class at each position."""
    by_length: dict[int, list[tuple[str, int]]] = {}
    for value, count in rest:
        by_length.setdefault(len(value), []).append((shape_of(value), count))
    out: dict[str, int] = {}
    for length, shapes in by_length.items():
        total = sum(c for _, c in shapes)
        if length == 0 or total < options.min_count:
            continue
        matrix = np.frombuffer("".join(s for s, _ in shapes).encode("ascii", "replace"), dtype=np.uint8)
        matrix = matrix.reshape(len(shapes), length)
        weights = np.asarray([c for _, c in shapes], dtype=np.float64)
        pattern = []
        for pos in range(length):
            tally = np.bincount(matrix[:, pos], weights=weights, minlength=256)
            pattern.append(chr(int(tally.argmax())))
        text = "".join(pattern)
        if text.strip():
            out[text] = out.get(text, 0) + total
    return out


def finite(values: list[float]) -> bool:
    return all(math.isfinite(v) for v in values)
