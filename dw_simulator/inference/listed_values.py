"""Values a column states outside the vocabulary: a value list in its COMMENT, and a literal DEFAULT (which becomes
the most common value of a categorical domain)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dw_simulator.schema.column_schema import literal_default

DEFAULT_SHARE = 0.6
_QUOTED = re.compile(r"'([^']{1,64})'|\"([^\"]{1,64})\"")
_INTRO = re.compile(r"\b(one of|values?|allowed|possible values|valid values|either|enum|can be|codes?)\b\s*[:=]?\s*"
                    r"(?P<rest>[^.;()]+)", re.IGNORECASE)  # fmt: skip
_SLASHED = re.compile(r"^\s*([\w+-]{1,20}(?:\s*[/|]\s*[\w+-]{1,20})+)\s*\.?\s*$")
_PAIRS = re.compile(r"\b([\w+-]{1,12})\s*[=:]\s*[A-Za-z]")


# -- COMMENT value lists and DEFAULTs -------------------------------------------------------------------------


def comment_values(text: str | None, family: str, length: int | None) -> list[Any] | None:
    """The values a column comment lists (`one of A, B`, `'A', 'B'`, `Y/N`, `A=active, I=inactive`), typed for
    the column, or None when it lists none (or they do not fit)."""
    if not text or family not in ("string", "integer", "decimal"):
        return None
    items: list[str] = [a or b for a, b in _QUOTED.findall(text)]
    if len(items) < 2:
        pairs = _PAIRS.findall(text)
        intro = _INTRO.search(text)
        slashed = _SLASHED.match(text)
        if len(pairs) >= 2:
            items = pairs
        elif intro is not None:
            items = [p.strip() for p in re.split(r",|/|\||\bor\b|\band\b", intro.group("rest")) if p.strip()]
        elif slashed is not None:
            items = [p.strip() for p in re.split(r"[/|]", slashed.group(1))]
        else:
            return None
    if not 2 <= len(items) <= 40 or any(len(i) > 40 or (" " in i.strip() and family != "string") for i in items):
        return None
    out: list[Any] = []
    for item in items:
        value = _typed(item.strip(), family)
        if value is None or (family == "string" and length is not None and len(str(value)) > length):
            return None
        if value not in out:
            out.append(value)
    return out if len(out) >= 2 else None


def _typed(text: str, family: str) -> Any:
    if family == "string":
        return text if text else None
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    if family == "integer":
        return int(number) if number == number.to_integral_value() else None
    return int(number) if number == number.to_integral_value() else float(number)


_TRUTHY = {
    "y": True,
    "yes": True,
    "t": True,
    "true": True,
    "1": True,
    "n": False,
    "no": False,
    "f": False,
    "false": False,
    "0": False,
}


def default_first(column: dict[str, Any]) -> str | None:
    dist = column.get("distribution")
    literal = literal_default(column.get("default"))
    if literal is None or not isinstance(dist, dict) or dist.get("type") != "categorical":
        return None
    values: list[Any] = list(dist["values"])
    if values and isinstance(values[0], bool) and isinstance(literal, str | int):
        literal = _TRUTHY.get(str(literal).lower())
        if literal is None:
            return None
    weights = list(dist.get("weights") or [1.0 / len(values)] * len(values))
    total = sum(weights) or 1.0
    own = 0.0
    if literal in values:
        index = values.index(literal)
        values.pop(index)
        own = weights.pop(index) / total
    elif isinstance(values[0], str) and not isinstance(literal, str):
        return None
    if not values:
        return None
    rest = sum(weights) or 1.0
    share = max(DEFAULT_SHARE, own)
    dist["values"] = [literal, *values]
    dist["weights"] = [round(share, 6), *[round(w / rest * (1 - share), 6) for w in weights]]
    return f"its DEFAULT {literal!r} is the most common value ({share:.0%})"
