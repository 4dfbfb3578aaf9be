"""Composed values: readable strings assembled column-wise from parts, so their variety grows with the rows.

A pool of Faker draws holds 2,048 values, which is fine for cities and far too few for columns that are
near-unique in production (e-mail addresses, phone numbers, user names, street addresses). These generators build
values from parts chosen by the counter-based hash of the row (names from Faker's weighted lists, digits, street
names) or from a permutation of the row numbers (so user names are distinct), each a pure function of the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.generator import arrow as build
from dw_simulator.generator.columns import UniqueGen, ValueGen
from dw_simulator.generator.domains import EmailDomain
from dw_simulator.generator.pools import (
    PRODUCT_ADJECTIVES,
    PRODUCT_MATERIALS,
    PRODUCT_NOUNS,
    Pool,
    first_names,
    last_names,
)
from dw_simulator.generator.random import U64, Bijection, below, derive, hash_rows

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
PLACE_KINDS = ("Center", "Hall", "Arena", "Plaza", "Park", "Market", "Store", "Outlet", "Depot", "Square", "Theater",
               "Pavilion", "Branch", "Gallery")  # fmt: skip


def _strings(values: tuple[str, ...]) -> Pool:
    return Pool(pa.array(list(values), type=pa.string()))


def _cut(arr: pa.Array, length: int | None) -> pa.Array:
    return arr if length is None else pc.utf8_slice_codeunits(arr, 0, length)


@dataclass
class PhoneGen(ValueGen):
    """North American numbers `NPA-NXX-XXXX` (area and exchange codes 200-999): ~6.4 billion, near-unique."""

    key: int
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        area = below(derive(self.key, "area"), rows, 800) + np.uint64(200)
        exchange = below(derive(self.key, "exchange"), rows, 800) + np.uint64(200)
        line = below(derive(self.key, "line"), rows, 10_000)
        out = np.empty((rows.shape[0], 12), dtype=np.uint8)
        out[:, 0:3] = build.radix_codes(area, 3, _DIGITS)
        out[:, 4:7] = build.radix_codes(exchange, 3, _DIGITS)
        out[:, 8:12] = build.radix_codes(line, 4, _DIGITS)
        out[:, 3] = out[:, 7] = ord("-")
        return build.fixed_width_strings(out)

    def max_length(self) -> int:
        return 12


@dataclass
class PersonNameGen(ValueGen):
    """`First Last` from Faker's weighted en_US name lists (common names stay common), cut to `length`."""

    key: int
    length: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        h = hash_rows(self.key, rows)
        first = first_names().at(h)
        last = last_names().at(h >> np.uint64(24))
        return _cut(pc.binary_join_element_wise(first, last, " "), self.length)

    def max_length(self) -> int:
        longest = first_names().max_length + 1 + last_names().max_length
        return longest if self.length is None else min(longest, self.length)


@dataclass
class UserNameGen(ValueGen):
    """`jsmith1234`: a first initial and last name (lower case) and a distinct number per row, cut so the number
    always fits -- distinct values for distinct rows."""

    key: int
    rows: int
    length: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.string)
    bijection: Bijection = field(init=False)

    def __post_init__(self) -> None:
        self.bijection = Bijection(max(self.rows, 2), derive(self.key, "number"))

    @property
    def digits(self) -> int:
        return len(str(max(self.rows, 2)))

    def values(self, rows: U64) -> pa.Array:
        h = hash_rows(self.key, rows)
        initial = pc.utf8_slice_codeunits(first_names().lower().at(h), 0, 1)
        last = last_names().lower().at(h >> np.uint64(24))
        letters = pc.binary_join_element_wise(initial, last, "")
        letters = pc.replace_substring_regex(letters, r"[^a-z]", "")
        if self.length is not None:
            letters = pc.utf8_slice_codeunits(letters, 0, max(self.length - self.digits, 1))
        number = build.decimal_strings(self.bijection(rows % np.uint64(max(self.rows, 2))) + np.uint64(1))
        return _cut(pc.binary_join_element_wise(letters, number, ""), self.length)

    def max_length(self) -> int:
        longest = 1 + last_names().max_length + self.digits
        return longest if self.length is None else min(longest, self.length)


@dataclass
class StreetAddressGen(ValueGen):
    """`1234 Street Name` (house numbers 1-19,999, street names from a Faker pool): tens of millions of
    combinations, so addresses stay near-unique as tables grow."""

    key: int
    streets: Pool
    length: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        number = build.decimal_strings(below(derive(self.key, "number"), rows, 19_999) + np.uint64(1))
        street = self.streets.at(hash_rows(derive(self.key, "street"), rows))
        return _cut(pc.binary_join_element_wise(number, street, " "), self.length)

    def max_length(self) -> int:
        longest = 5 + 1 + self.streets.max_length
        return longest if self.length is None else min(longest, self.length)


@dataclass
class ProductNameGen(ValueGen):
    """`Sleek Bamboo Lamp`: adjective, material and noun chosen per row (18,000 combinations)."""

    key: int
    length: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        parts = [
            _strings(words).at(hash_rows(derive(self.key, i), rows))
            for i, words in enumerate((PRODUCT_ADJECTIVES, PRODUCT_MATERIALS, PRODUCT_NOUNS))
        ]
        return _cut(pc.binary_join_element_wise(*parts, " "), self.length)

    def max_length(self) -> int:
        longest = sum(max(len(w) for w in ws) for ws in (PRODUCT_ADJECTIVES, PRODUCT_MATERIALS, PRODUCT_NOUNS)) + 2
        return longest if self.length is None else min(longest, self.length)


@dataclass
class PlaceNameGen(ValueGen):
    """`Harris Arena`, `Lopez Market`: a family name and a kind of place."""

    key: int
    length: int | None = None
    arrow_type: pa.DataType = field(default_factory=pa.string)

    def values(self, rows: U64) -> pa.Array:
        h = hash_rows(self.key, rows)
        name = last_names().at(h)
        kind = _strings(PLACE_KINDS).at(h >> np.uint64(32))
        return _cut(pc.binary_join_element_wise(name, kind, " "), self.length)

    def max_length(self) -> int:
        longest = last_names().max_length + 1 + max(len(k) for k in PLACE_KINDS)
        return longest if self.length is None else min(longest, self.length)


COMPOSED_SEMANTICS = ("email", "phone", "user_name", "street_address", "person_name", "product_name", "place_name")
_RULE_SEMANTICS = {"email": "email", "phone_number": "phone", "user_name": "user_name",
                   "street_address": "street_address", "name": "person_name"}  # fmt: skip


def composed_semantic(semantic: str | None, faker_method: str | None) -> str | None:
    """Which composed generator a string column takes: its semantic, or the one its Faker rule stands for."""
    if semantic in COMPOSED_SEMANTICS:
        return semantic
    return _RULE_SEMANTICS.get((faker_method or "").lower())


def composed_gen(semantic: str, key: int, rows: int, length: int | None, streets: Pool | None) -> ValueGen | None:
    """The composed generator for a semantic, fitted to the column's length; None when the values cannot fit."""
    if semantic == "email":
        budget = None if length is None else length - EmailDomain.suffix_length(rows)
        if budget is not None and budget < 3:
            return None
        return UniqueGen(EmailDomain(key, budget), rows, Bijection(max(rows, 2), derive(key, "order")))
    if semantic == "phone":
        return PhoneGen(key) if length is None or length >= 12 else None
    if semantic == "user_name":
        return UserNameGen(key, rows, length) if length is None or length >= 4 else None
    if semantic == "street_address":
        return StreetAddressGen(key, streets, length) if streets is not None and (length or 16) >= 12 else None
    if semantic == "person_name":
        return PersonNameGen(key, length) if length is None or length >= 8 else None
    if semantic == "product_name":
        return ProductNameGen(key, length) if length is None or length >= 8 else None
    if semantic == "place_name":
        return PlaceNameGen(key, length) if length is None or length >= 8 else None
    return None
