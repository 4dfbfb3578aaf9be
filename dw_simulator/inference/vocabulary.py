"""The vocabulary of column semantics (`vocabulary.yaml`), loaded once into typed, validated entries.

The YAML file is the data: name patterns -> semantic -> default domain, the words that order events in time, the
words that name entities and people's roles. This module only reads and checks it (a malformed entry is reported
with its position), and answers two questions: which entry a column matches, and which domain an entity word has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from dw_simulator.schema.types import BaseType, TypeSpec

TYPE_FAMILIES = ("string", "integer", "decimal", "float", "boolean", "date", "timestamp", "time")
_GROUPS = {"number": ("integer", "decimal", "float"), "temporal": ("date", "timestamp")}
DOMAIN_KINDS = ("values", "list", "range", "faker", "generator", "dates", "years", "boolean")
GENERATORS = ("email", "phone", "user_name", "street_address", "person_name", "product_name", "place_name")
DEFAULT_SKEW = 1.1


class VocabularyError(ValueError):
    """The vocabulary file is malformed (names the entry and the field)."""


def type_family(spec: TypeSpec) -> str:
    base = spec.base
    if spec.is_string:
        return "string"
    if spec.is_integer:
        return "integer"
    if base is BaseType.DECIMAL:
        return "decimal"
    if base is BaseType.FLOAT:
        return "float"
    if base is BaseType.BOOLEAN:
        return "boolean"
    if base is BaseType.DATE:
        return "date"
    if base in (BaseType.TIMESTAMP, BaseType.TIMESTAMPTZ):
        return "timestamp"
    if base is BaseType.TIME:
        return "time"
    return base.value.lower()


@dataclass(frozen=True)
class Domain:
    """A default domain: which kind, and its parameters (only those of its kind are set)."""

    kind: str
    values: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()
    low: float | None = None
    high: float | None = None
    distribution: tuple[str, tuple[float, ...]] | None = None
    integral: bool = False
    rule: str | None = None  # a Faker rule or a generator name
    years: tuple[int, int] | None = None  # (from, to) years before today; None with kind "years" = the window
    share: float | None = None


@dataclass(frozen=True)
class Entry:
    semantic: str
    names: re.Pattern[str]
    types: frozenset[str]
    domain: Domain
    context: re.Pattern[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_scale: int | None = None
    max_scale: int | None = None
    min_digits: int | None = None
    max_digits: int | None = None

    def accepts(self, family: str, spec: TypeSpec, length: int | None) -> bool:
        if family not in self.types:
            return False
        if family == "string":
            if self.max_length is not None and (length is None or length > self.max_length):
                return False
            if self.min_length is not None and length is not None and length < self.min_length:
                return False
        if family == "decimal":
            precision, scale = spec.precision_scale
            digits = precision - scale
            for limit, value, low in (
                (self.min_scale, scale, True),
                (self.max_scale, scale, False),
                (self.min_digits, digits, True),
                (self.max_digits, digits, False),
            ):
                if limit is not None and (value < limit if low else value > limit):
                    return False
        return True


@dataclass(frozen=True)
class Temporal:
    type_words: tuple[str, ...]
    stages: dict[str, int]
    deadlines: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    strict: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    semantics: tuple[Entry, ...]
    entities: tuple[tuple[frozenset[str], Domain], ...]
    temporal: Temporal
    people: tuple[tuple[frozenset[str], tuple[str, ...]], ...]
    people_share: float = 1.0
    lists: dict[str, Domain] = field(default_factory=dict)

    def matches(self, stem: str, context: str, family: str, spec: TypeSpec, length: int | None) -> Iterator[Entry]:
        """The entries a column matches, in the file's order (the first whose domain fits the column wins)."""
        for entry in self.semantics:
            if not entry.accepts(family, spec, length) or not entry.names.search(stem):
                continue
            if entry.context is not None and not entry.context.search(context):
                continue
            yield entry

    def match(self, stem: str, context: str, family: str, spec: TypeSpec, length: int | None) -> Entry | None:
        return next(self.matches(stem, context, family, spec, length), None)

    def roles(self) -> tuple[str, ...]:
        """Every role word, longest first."""
        words = {r for _, roles in self.people for r in roles}
        return tuple(sorted(words, key=len, reverse=True))

    def holds_people(self, table_form: str) -> bool:
        return any(table_form in tables for tables, _ in self.people)

    def takes_role(self, table_form: str, role: str) -> bool:
        return any(table_form in tables and role in roles for tables, roles in self.people)

    def entity(self, word: str) -> Domain | None:
        for words, domain in self.entities:
            if word in words:
                return domain
        return None


def skewed_weights(count: int, exponent: float = DEFAULT_SKEW) -> tuple[float, ...]:
    """Zipf-like weights 1/k^s, normalised: the first values dominate."""
    raw = [1.0 / math.pow(k, exponent) for k in range(1, count + 1)]
    total = sum(raw)
    return tuple(w / total for w in raw)


def _normalised(weights: list[float]) -> tuple[float, ...]:
    total = float(sum(weights))
    return tuple(float(w) / total for w in weights)


class _Reader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.lists: dict[str, Domain] = {}

    def fail(self, where: str, message: str) -> VocabularyError:
        return VocabularyError(f"vocabulary.yaml, {where}: {message}")

    def read(self) -> Vocabulary:
        for name, raw in (self.data.get("lists") or {}).items():
            self.lists[name] = self.values_domain(raw, f"lists.{name}")
        semantics = tuple(self.entry(raw, f"semantics[{i}]") for i, raw in enumerate(self.data.get("semantics") or []))
        entities = tuple(
            (frozenset(str(w) for w in raw.get("words") or []), self.domain(raw, f"entities[{i}]"))
            for i, raw in enumerate(self.data.get("entities") or [])
        )
        return Vocabulary(
            semantics=semantics,
            entities=entities,
            temporal=self.temporal(self.data.get("temporal") or {}),
            people=tuple(
                (
                    frozenset(str(t) for t in group.get("tables") or []),
                    tuple(sorted((str(r) for r in group.get("roles") or []), key=len, reverse=True)),
                )
                for group in self.data.get("people") or []
            ),
            people_share=float(self.data.get("people_share", 1.0)),
            lists=self.lists,
        )

    def entry(self, raw: dict[str, Any], where: str) -> Entry:
        if not isinstance(raw, dict) or "semantic" not in raw or "names" not in raw:
            raise self.fail(where, "an entry needs 'semantic' and 'names'")
        types: set[str] = set()
        for name in raw.get("types") or []:
            if name in _GROUPS:
                types.update(_GROUPS[name])
            elif name in TYPE_FAMILIES:
                types.add(name)
            else:
                raise self.fail(where, f"unknown type family {name!r}; use {', '.join(TYPE_FAMILIES)}")
        if not types:
            raise self.fail(where, "'types' is empty")
        limits = {
            k: raw.get(k) for k in ("min_length", "max_length", "min_scale", "max_scale", "min_digits", "max_digits")
        }
        try:
            names = re.compile(str(raw["names"]))
            context = re.compile(str(raw["context"])) if raw.get("context") else None
        except re.error as exc:
            raise self.fail(where, f"bad regex: {exc}") from None
        return Entry(str(raw["semantic"]), names, frozenset(types), self.domain(raw, where), context, **limits)

    def domain(self, raw: dict[str, Any], where: str) -> Domain:
        kinds = [k for k in DOMAIN_KINDS if k in raw]
        if len(kinds) != 1:
            raise self.fail(where, f"give exactly one domain of {', '.join(DOMAIN_KINDS)} (found {kinds or 'none'})")
        kind = kinds[0]
        if kind in ("values", "list"):
            if kind == "list":
                listed = self.lists.get(str(raw["list"]))
                if listed is None:
                    raise self.fail(where, f"unknown list {raw['list']!r}")
                return listed
            return self.values_domain(raw, where)
        if kind == "range":
            low, high = raw["range"]
            return Domain(
                "range",
                low=float(low),
                high=float(high),
                distribution=self.distribution(raw, where),
                integral=bool(raw.get("integral")),
            )
        if kind in ("faker", "generator"):
            rule = str(raw[kind])
            if kind == "generator" and rule not in GENERATORS:
                raise self.fail(where, f"unknown generator {rule!r}; use {', '.join(GENERATORS)}")
            return Domain(kind, rule=rule)
        if kind in ("dates", "years"):
            value = raw[kind]
            if value == "window":
                return Domain(kind)
            first, second = (int(v) for v in value)
            return Domain(kind, years=(first, second))
        share = float(raw["boolean"])
        if not 0.0 <= share <= 1.0:
            raise self.fail(where, "a boolean share lies between 0 and 1")
        return Domain("boolean", share=share)

    def values_domain(self, raw: dict[str, Any], where: str) -> Domain:
        values = list(raw.get("values") or [])
        if len(values) < 2:
            raise self.fail(where, "a value list needs at least two values")
        weights = raw.get("weights")
        if weights is not None and len(weights) != len(values):
            raise self.fail(where, f"{len(values)} values but {len(weights)} weights")
        normal = (
            _normalised(weights)
            if weights is not None
            else skewed_weights(len(values), float(raw.get("skew", DEFAULT_SKEW)))
        )
        return Domain("values", values=tuple(values), weights=normal)

    def distribution(self, raw: dict[str, Any], where: str) -> tuple[str, tuple[float, ...]] | None:
        spec = raw.get("distribution")
        if spec is None:
            return None
        if not isinstance(spec, dict) or len(spec) != 1:
            raise self.fail(
                where,
                "distribution is one of {lognormal: [median, sigma]}, {normal: [mean, stddev]}, {beta: [alpha, beta]}",
            )
        name, params = next(iter(spec.items()))
        if name not in ("lognormal", "normal", "beta") or len(params) != 2:
            raise self.fail(where, f"unknown distribution {name!r} (lognormal, normal or beta with two parameters)")
        return str(name), tuple(float(p) for p in params)

    def temporal(self, raw: dict[str, Any]) -> Temporal:
        stages: dict[str, int] = {}
        for group in raw.get("stages") or []:
            for word in group.get("words") or []:
                stages[str(word)] = int(group["stage"])
        return Temporal(
            type_words=tuple(str(w) for w in raw.get("type_words") or []),
            stages=stages,
            deadlines=frozenset(str(w) for w in raw.get("deadlines") or []),
            ranges=tuple((str(a), str(b)) for a, b in raw.get("ranges") or []),
            strict=frozenset(str(w) for w in raw.get("strict") or []),
        )


def read_vocabulary(text: str) -> Vocabulary:
    import yaml  # only when the vocabulary is first needed: importing the package stays light

    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise VocabularyError("vocabulary.yaml must hold a mapping")
    return _Reader(data).read()


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary (read once per process)."""
    text = resources.files("dw_simulator.inference").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return read_vocabulary(text)
