"""Faker rules: which ones exist, close-match suggestions, and inference from column names.

A rule names a Faker method, optionally behind its provider: `internet.email`, `person.first_name`, `email`,
or the brief's draft form `faker.email`. The generator only uses Faker to build pools of values for a rule.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from dw_simulator.schema.types import BaseType, TypeSpec

# Faker providers that users commonly name in a rule's prefix (faker.providers.<name>).
KNOWN_PROVIDERS = frozenset(
    {
        "address", "automotive", "bank", "barcode", "color", "company", "credit_card", "currency", "date_time",
        "emoji", "file", "geo", "internet", "isbn", "job", "lorem", "misc", "passport", "person", "phone_number",
        "profile", "python", "sbn", "ssn", "user_agent", "faker",
    }
)  # fmt: skip

# Faker methods that do not return a scalar we can put in a column, or need arguments.
_EXCLUDED = frozenset({"seed", "seed_instance", "seed_locale", "add_provider", "get_providers", "provider",
                       "format", "parse", "random", "items", "weights", "factories", "locales", "unique",
                       "optional", "set_formatter", "get_formatter", "set_arguments", "get_arguments",
                       "del_arguments", "profile", "simple_profile", "json", "xml", "csv", "tsv", "psv",
                       "dsv", "zip", "tar", "image", "fixed_width", "pystruct", "pylist", "pyset", "pytuple",
                       "pydict", "pyiterable", "enum", "binary", "pyobject"})  # fmt: skip


@cache
def available_methods() -> frozenset[str]:
    """Every public Faker method usable as a rule (built once; Faker() is not free)."""
    from faker import Faker

    fake = Faker()
    names = set()
    for name in dir(fake):
        if name.startswith("_") or name in _EXCLUDED:
            continue
        try:
            attr = getattr(fake, name)
        except (AttributeError, TypeError, NotImplementedError):
            continue
        if callable(attr):
            names.add(name)
    return frozenset(names)


def split_rule(rule: str) -> tuple[str | None, str]:
    """`internet.email` -> ("internet", "email"); `email` -> (None, "email")."""
    text = rule.strip()
    if "." in text:
        provider, _, method = text.rpartition(".")
        return provider, method
    return None, text


def validate_rule(rule: str) -> str | None:
    """Return an error message for an unknown rule (with close matches), or None when it exists."""
    provider, method = split_rule(rule)
    if provider is not None and provider.lower() not in KNOWN_PROVIDERS:
        close = difflib.get_close_matches(provider, sorted(KNOWN_PROVIDERS), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown Faker provider '{provider}' in rule '{rule}'{hint}"
    if method not in available_methods():
        candidates = sorted(available_methods())
        close = difflib.get_close_matches(method, candidates, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown faker_rule '{rule}'{hint}"
    return None


# Column-name patterns -> Faker rule, tried in order; first match wins. Used for VARCHAR/CHAR columns only.
NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"e[-_]?mail", "internet.email"),
    (r"first[-_]?name|given[-_]?name|fname", "person.first_name"),
    (r"last[-_]?name|surname|family[-_]?name|lname", "person.last_name"),
    (r"^(full[-_]?)?name$|customer[-_]?name|contact[-_]?name|person[-_]?name|employee[-_]?name", "person.name"),
    (r"user[-_]?name|login|handle", "internet.user_name"),
    (r"phone|mobile|fax|tel(ephone)?", "phone_number.phone_number"),
    (r"street|address[-_]?(line)?[-_]?1?$|^addr", "address.street_address"),
    (r"city|town", "address.city"),
    (r"state[-_]?(code|abbr)", "address.state_abbr"),
    (r"^state$|province|region[-_]?name", "address.state"),
    (r"zip|postal|postcode", "address.postcode"),
    (r"country[-_]?code", "address.country_code"),
    (r"country|nation", "address.country"),
    (r"company|employer|organi[sz]ation|vendor[-_]?name|supplier[-_]?name|brand", "company.company"),
    (r"job|title|occupation|position", "job.job"),
    (r"url|website|homepage|link", "internet.url"),
    (r"domain", "internet.domain_name"),
    (r"ip[-_]?(v4)?[-_]?addr|^ip$", "internet.ipv4"),
    (r"user[-_]?agent", "internet.user_agent"),
    (r"uuid|guid", "misc.uuid4"),
    (r"iban", "bank.iban"),
    (r"currency", "currency.currency_code"),
    (r"colou?r", "color.color_name"),
    (r"description|comment|note|remarks|summary|bio", "lorem.sentence"),
    (r"category|segment|type|status|tier|channel", "lorem.word"),
)

_NAME_PATTERNS = tuple((re.compile(p, re.IGNORECASE), rule) for p, rule in NAME_RULES)


def infer_faker_rule(column_name: str, spec: TypeSpec) -> str | None:
    """A Faker rule that suits a column by its name, or None. Only string columns get one."""
    if spec.base not in (BaseType.VARCHAR, BaseType.CHAR):
        return None
    for pattern, rule in _NAME_PATTERNS:
        if pattern.search(column_name):
            return rule
    return None
