"""Resolving a column's written type (`NUMBER(38,0)`, `VARCHAR(MAX)`, `TIMETZ`) through the dialect's table."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dw_simulator.ddl.column_clauses import TypeText
from dw_simulator.ddl.cursor import SyntaxProblem
from dw_simulator.ddl.typemap import DIALECT_TITLES, PREFERRED_SPELLING, TYPE_TABLES, TypeRule
from dw_simulator.schema.types import MAX_DECIMAL_PRECISION, MAX_VARCHAR_LENGTH

INT_MAX_DIGITS = 9  # NUMBER(p,0) with p <= 9 fits INT
BIGINT_MAX_DIGITS = 18  # ... with p <= 18 fits BIGINT; wider ones are generated as BIGINT too


@dataclass
class ResolvedType:
    data_type: str  # the schema model's spelling: INT, DECIMAL(10,2), VARCHAR...
    varchar_length: int | None = None
    identity: bool = False
    faker_rule: str | None = None
    warning: str | None = None
    note: str | None = None
    bounds: tuple[int, int] | None = None  # implied by a precision, e.g. NUMBER(4,0) -> (-9999, 9999)


def resolve_type(t: TypeText, dialect: str) -> ResolvedType:
    """Map a written type to the schema model, or raise SyntaxProblem with dialect-specific guidance."""
    rule = TYPE_TABLES[dialect].get(t.name)
    if rule is None:
        raise _unknown(t, dialect)
    if rule.refused is not None:
        raise SyntaxProblem(f"{t.name} columns cannot be imported", t.start, t.end, hint=rule.refused)
    if t.array:
        return ResolvedType(
            "ARRAY", warning=f"{t.name}[] is imported as ARRAY: the generator fills it with small JSON arrays"
        )
    assert rule.base is not None
    resolved = _with_args(t, rule, dialect)
    resolved.identity = rule.identity
    resolved.faker_rule = rule.faker_rule
    if rule.warning:
        resolved.warning = rule.warning
    return resolved


def _with_args(t: TypeText, rule: TypeRule, dialect: str) -> ResolvedType:
    assert rule.base is not None
    args = t.args
    if rule.args == "none":
        if args:
            raise SyntaxProblem(f"{t.name} takes no parameters", t.start, t.end)
        if rule.base == "DECIMAL" and isinstance(rule.default, tuple):
            return ResolvedType(f"DECIMAL({rule.default[0]},{rule.default[1]})")
        if rule.fixed_length is not None:
            return ResolvedType(rule.base, varchar_length=rule.fixed_length)
        return ResolvedType(rule.base)
    if rule.args == "any":
        return ResolvedType(rule.base)
    if rule.args == "ignored":
        if len(args) > 1 or (args and not args[0].isdigit()):
            raise SyntaxProblem(f"{t.name} takes at most one whole-number parameter", t.start, t.end)
        return ResolvedType(rule.base)
    if rule.args == "length":
        return _length(t, rule, dialect)
    return _decimal(t, rule)


def _length(t: TypeText, rule: TypeRule, dialect: str) -> ResolvedType:
    assert rule.base is not None
    if len(t.args) > 1:
        raise SyntaxProblem(f"{t.name} takes a single length", t.start, t.end)
    if not t.args:
        length = rule.default if isinstance(rule.default, int) else None
    elif t.args[0].upper() == "MAX":
        if not rule.allow_max:
            raise SyntaxProblem(
                f"{t.name}(MAX) is not {DIALECT_TITLES[dialect]} syntax",
                t.start,
                t.end,
                hint=f"write {t.name} without a length"
                + (" (did you mean --dialect redshift?)" if dialect != "redshift" else ""),
            )
        length = MAX_VARCHAR_LENGTH
    elif t.args[0].isdigit() and int(t.args[0]) >= 1:
        length = int(t.args[0])
        limit = rule.max_length
        if limit is not None and length > limit:
            raise SyntaxProblem(
                f"{t.name}({length}) exceeds the {DIALECT_TITLES[dialect]} limit of {limit}", t.start, t.end
            )
    else:
        raise SyntaxProblem(f"{t.name} length must be a positive whole number", t.start, t.end)
    base = rule.base
    note = None
    if length is not None and length > MAX_VARCHAR_LENGTH:
        note = f"{t.name}({length}) is imported without a length limit"
        length = None
    if base == "CHAR" and length is None:
        base = "VARCHAR"  # an unbounded CHAR (Snowflake CHAR(16777216), PostgreSQL BPCHAR) behaves as VARCHAR
    return ResolvedType(base, varchar_length=length, note=note)


def _decimal(t: TypeText, rule: TypeRule) -> ResolvedType:
    if len(t.args) > 2 or not all(a.isdigit() for a in t.args):
        raise SyntaxProblem(f"{t.name} takes (precision[, scale]) as whole numbers", t.start, t.end)
    default = rule.default if isinstance(rule.default, tuple) else (18, 0)
    precision = int(t.args[0]) if t.args else default[0]
    scale = int(t.args[1]) if len(t.args) > 1 else (0 if t.args else default[1])
    if not 1 <= precision <= MAX_DECIMAL_PRECISION:
        raise SyntaxProblem(f"{t.name} precision must be between 1 and {MAX_DECIMAL_PRECISION}", t.start, t.end)
    if scale > precision:
        raise SyntaxProblem(f"{t.name} scale ({scale}) cannot exceed its precision ({precision})", t.start, t.end)
    if rule.integer_when_scale_0 and scale == 0:
        limit = 10**precision - 1
        if precision <= INT_MAX_DIGITS:
            return ResolvedType("INT", bounds=(-limit, limit))
        if precision <= BIGINT_MAX_DIGITS:
            return ResolvedType("BIGINT", bounds=(-limit, limit))
        return ResolvedType("BIGINT")
    return ResolvedType(f"DECIMAL({precision},{scale})")


def _unknown(t: TypeText, dialect: str) -> SyntaxProblem:
    title = DIALECT_TITLES[dialect]
    owners = [d for d, table in TYPE_TABLES.items() if d != dialect and t.name in table]
    if owners:
        owner = owners[0]
        other = TYPE_TABLES[owner][t.name]
        hint = f"did you mean --dialect {owner}? {t.name} is a {DIALECT_TITLES[owner]} type"
        equivalent = _equivalent(other, dialect)
        if equivalent and other.refused is None:
            hint += f" (in {title}, use {equivalent})"
        return SyntaxProblem(f"{t.name} is not a {title} data type", t.start, t.end, hint=hint)
    names = sorted(TYPE_TABLES[dialect])
    close = difflib.get_close_matches(t.name, names, n=3, cutoff=0.6)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else f"{title} types are {', '.join(n for n in names if ' ' not in n)}"
    )
    return SyntaxProblem(f"unknown data type {t.name}", t.start, t.end, hint=hint)


def _equivalent(other: TypeRule, dialect: str) -> str | None:
    if other.base is None:
        return None
    preferred = PREFERRED_SPELLING.get(dialect, {}).get(other.base)
    if preferred:
        return preferred
    for name, rule in TYPE_TABLES[dialect].items():
        if rule.base == other.base and rule.refused is None:
            return name
    return None
