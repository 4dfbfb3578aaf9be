"""Column and table names taken apart, the way warehouse DDL spells them.

* a table's **column prefix**: TPC-style schemas start every column with a short table alias (`c_custkey`,
  `ps_partkey`, `ss_item_sk`); `column_prefix` finds it when most columns share it;
* a column's **stem**: its name without that prefix, lower case (`c_nationkey` -> `nationkey`);
* a table's **forms**: the words it may be referred to by (`customers` -> `customers`, `customer`; `dim_customer`
  -> `customer`; `date_dim` -> `date`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_AFFIXES_BEFORE = ("dim_", "fact_", "fct_", "d_", "f_", "tbl_", "stg_", "src_", "raw_", "t_")
_AFFIXES_AFTER = ("_dim", "_fact", "_fct", "_table", "_tbl", "_master", "_details", "_detail", "_info")
_IRREGULAR = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "data": "data",
    "status": "status",
    "address": "address",
    "sales": "sale",
    "news": "news",
}


def tokens(name: str) -> list[str]:
    """`orderDate` / `order_date` -> ['order', 'date'] (lower case; empty parts dropped)."""
    spaced = _CAMEL.sub("_", name)
    return [t for t in spaced.lower().split("_") if t]


def column_prefix(table_name: str, column_names: Iterable[str]) -> str | None:
    """The short table alias most columns start with (`c_` in `customer(c_custkey, c_name, ...)`), or None.

    60% of the columns (at least two, unless there is only one) start with the same 1-4 letter token and `_`, whose
    letters abbreviate the table's name (its first letter, then letters in order: `ps` for `partsupp`, `cd` for
    `customer_demographics`), so `is_active, is_deleted` in `users` is no prefix."""
    names = [n.lower() for n in column_names]
    heads = Counter(n.split("_", 1)[0] for n in names if "_" in n.strip("_"))
    if not heads:
        return None
    head, count = heads.most_common(1)[0]
    if not (1 <= len(head) <= 4 and head.isalpha() and count >= max(min(2, len(names)), 0.6 * len(names))):
        return None
    return head + "_" if _abbreviates(head, compact(table_name.lower())) else None


def _abbreviates(head: str, word: str) -> bool:
    if not word or head[0] != word[0]:
        return False
    position = 0
    for letter in head:
        position = word.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def stem(column_name: str, prefix: str | None) -> str:
    lowered = column_name.lower()
    if prefix and lowered.startswith(prefix) and len(lowered) > len(prefix):
        return lowered[len(prefix) :]
    return lowered


def singular(word: str) -> str:
    """A conservative English singular: `customers` -> `customer`, `categories` -> `category`, `boxes` -> `box`."""
    lowered = word.lower()
    if lowered in _IRREGULAR:
        return _IRREGULAR[lowered]
    if lowered.endswith("ies") and len(lowered) > 4:
        return lowered[:-3] + "y"
    if lowered.endswith(("sses", "xes", "ches", "shes", "zes")):
        return lowered[:-2]
    if lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")) and len(lowered) > 3:
        return lowered[:-1]
    return lowered


def table_forms(table_name: str) -> list[str]:
    """The words a table is referred to by, most specific first (no duplicates)."""
    lowered = table_name.lower()
    out: list[str] = []

    def add(word: str) -> None:
        if word and word not in out:
            out.append(word)

    add(lowered)
    add(singular(lowered))
    core = lowered
    for affix in _AFFIXES_BEFORE:
        if core.startswith(affix) and len(core) > len(affix) + 2:
            core = core[len(affix) :]
            break
    for affix in _AFFIXES_AFTER:
        if core.endswith(affix) and len(core) > len(affix) + 2:
            core = core[: -len(affix)]
            break
    add(core)
    add(singular(core))
    parts = core.split("_")
    if len(parts) > 1:
        last = singular(parts[-1])
        add("_".join([*parts[:-1], last]))
    return out


def compact(text: str) -> str:
    """`order_date` -> `orderdate`: for comparing names written with and without underscores."""
    return text.replace("_", "")
