"""Pools of readable values (Faker output, names, words, products) that string columns sample from by index.

Faker is slow (tens of microseconds a call), so it is called only here: a pool draws `POOL_DRAWS` values of one
rule from a Faker instance seeded by ``(seed, rule)``, once per run (and cached in the process). The pool keeps
every draw, duplicates included, so sampling a pool position uniformly reproduces Faker's own frequencies
(common first names stay common). Columns then pick positions with the counter-based hash of their rows; pools
travel to worker processes inside the pickled plan, so every process samples the very same pool.

Pools for the defaults (column named `product_name`, generic VARCHAR, e-mail parts) are built from Faker's bundled
word and name lists without calling Faker at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.generator.random import U64, below, derive, stream_key
from dw_simulator.schema.faker_rules import split_rule

POOL_DRAWS = 2048
MAX_POOL_DRAWS = 16384


def pool_draws(rows: int) -> int:
    """How many Faker draws a pool for a table of `rows` holds: 2,048, growing with the rows (a quarter of them, in
    powers of two) up to 16,384, so large tables repeat values less; deterministic for a given row count."""
    draws = POOL_DRAWS
    while draws < MAX_POOL_DRAWS and draws * 4 < rows:
        draws *= 2
    return draws


class PoolError(ValueError):
    """A Faker rule could not build a pool (its method needs arguments or failed)."""


@dataclass(frozen=True)
class Pool:
    """String values sampled by position. `values` may repeat a value to weight it."""

    values: pa.Array

    def __len__(self) -> int:
        return len(self.values)

    @property
    def max_length(self) -> int:
        if len(self.values) == 0:
            return 0
        return int(pc.max(pc.utf8_length(self.values)).as_py() or 0)

    def truncated(self, length: int | None) -> Pool:
        if length is None or self.max_length <= length:
            return self
        return Pool(pc.utf8_slice_codeunits(self.values, 0, length))

    def lower(self) -> Pool:
        return Pool(pc.utf8_lower(self.values))

    def sample(self, key: int, rows: U64) -> pa.Array:
        return self.values.take(pa.array(below(key, rows, len(self.values))))

    def at(self, positions: U64) -> pa.Array:
        return self.values.take(pa.array(positions % np.uint64(len(self.values))))


def _from_strings(values: Sequence[str]) -> Pool:
    return Pool(pa.array(list(values), type=pa.string()))


@lru_cache(maxsize=256)
def faker_draws(rule: str, seed: int, draws: int = POOL_DRAWS) -> tuple[Any, ...]:
    """`draws` raw values of a Faker rule (e.g. `person.first_name`), seeded by (seed, rule)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(stream_key(seed, "faker", rule))
    _, method_name = split_rule(rule)
    method: Callable[[], Any] | None = getattr(fake, method_name, None)
    if method is None or not callable(method):
        raise PoolError(f"faker_rule '{rule}' is not a Faker method")
    try:
        return tuple(method() for _ in range(draws))
    except Exception as exc:  # Faker methods raise anything; report it as a schema problem
        raise PoolError(f"faker_rule '{rule}' cannot be called without arguments: {exc}") from None


@lru_cache(maxsize=256)
def faker_pool(rule: str, seed: int, draws: int = POOL_DRAWS) -> Pool:
    """A string pool for a Faker rule. First and last names come straight from Faker's weighted en_US name lists
    (the very data `person.first_name` draws from) without calling Faker."""
    method = split_rule(rule)[1]
    if method == "first_name":
        return first_names()
    if method == "last_name":
        return last_names()
    return _from_strings([_text(v) for v in faker_draws(rule, seed, draws)])


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


# -- defaults that need no Faker call --------------------------------------------------------------------------

PRODUCT_ADJECTIVES = (
    "Ergonomic", "Rustic", "Sleek", "Compact", "Deluxe", "Classic", "Portable", "Smart", "Vintage", "Modern",
    "Premium", "Durable", "Lightweight", "Handmade", "Practical", "Elegant", "Heavy-Duty", "Eco", "Wireless",
    "Mini", "Ultra", "Organic", "Refined", "Gorgeous", "Sturdy",
)  # fmt: skip
PRODUCT_MATERIALS = (
    "Steel", "Wooden", "Cotton", "Leather", "Ceramic", "Bamboo", "Granite", "Plastic", "Glass", "Aluminum",
    "Wool", "Copper", "Linen", "Marble", "Rubber", "Silk", "Titanium", "Concrete",
)  # fmt: skip
PRODUCT_NOUNS = (
    "Chair", "Table", "Lamp", "Backpack", "Keyboard", "Mug", "Bottle", "Watch", "Headphones", "Jacket", "Shoes",
    "Wallet", "Notebook", "Pillow", "Blanket", "Speaker", "Charger", "Knife", "Pan", "Bowl", "Vase", "Clock",
    "Mirror", "Desk", "Shelf", "Towel", "Gloves", "Hat", "Scarf", "Umbrella", "Sunglasses", "Bicycle", "Helmet",
    "Camera", "Tripod", "Router", "Monitor", "Mouse", "Tent", "Kettle",
)  # fmt: skip


@lru_cache(maxsize=16)
def product_pool(seed: int) -> Pool:
    """Product-like names ("Sleek Bamboo Lamp"), drawn from adjective x material x noun."""
    rows = np.arange(POOL_DRAWS, dtype=np.uint64)
    key = stream_key(seed, "pool", "product")
    a = below(derive(key, "a"), rows, len(PRODUCT_ADJECTIVES))
    m = below(derive(key, "m"), rows, len(PRODUCT_MATERIALS))
    n = below(derive(key, "n"), rows, len(PRODUCT_NOUNS))
    return _from_strings(
        [f"{PRODUCT_ADJECTIVES[i]} {PRODUCT_MATERIALS[j]} {PRODUCT_NOUNS[k]}" for i, j, k in zip(a, m, n, strict=True)]
    )


@lru_cache(maxsize=1)
def english_words() -> tuple[str, ...]:
    from faker.providers.lorem.en_US import Provider

    return tuple(w for w in Provider.word_list if re.fullmatch(r"[a-z]+", w))


@lru_cache(maxsize=16)
def word_pool(seed: int) -> Pool:
    """Short phrases of one to three English words (the default for VARCHAR columns)."""
    words = english_words()
    rows = np.arange(POOL_DRAWS, dtype=np.uint64)
    key = stream_key(seed, "pool", "words")
    count = below(derive(key, "n"), rows, 3) + np.uint64(1)
    picks = [below(derive(key, "w", i), rows, len(words)) for i in range(3)]
    return _from_strings([" ".join(words[int(picks[j][r])] for j in range(int(count[r]))) for r in range(POOL_DRAWS)])


@lru_cache(maxsize=1)
def single_words() -> Pool:
    """Distinct English words (JSON labels, prefixes)."""
    return _from_strings(english_words())


@lru_cache(maxsize=1)
def first_names() -> Pool:
    from faker.providers.person.en_US import Provider

    return _weighted(Provider.first_names)


@lru_cache(maxsize=1)
def last_names() -> Pool:
    from faker.providers.person.en_US import Provider

    return _weighted(Provider.last_names)


@lru_cache(maxsize=1)
def email_domains() -> Pool:
    from faker.providers.internet.en_US import Provider

    domains = [*Provider.free_email_domains, "example.com", "example.org", "example.net"]
    return _from_strings(domains)


def _weighted(names: Any) -> Pool:
    """Names repeated by their frequency weight (rounded onto `POOL_DRAWS` slots, each name at least once)."""
    items = list(names.items()) if hasattr(names, "items") else [(n, 1.0) for n in names]
    total = sum(w for _, w in items)
    out: list[str] = []
    for name, weight in items:
        out.extend([name] * max(1, round(weight / total * POOL_DRAWS)))
    return _from_strings(out)
