"""How often a foreign key is NULL, and how many parent rows it reaches: both made explicit, with a record.

* Nullable foreign keys get an explicit 10% NULL share (none when the name or comment says the key is required).
* Foreign keys into a table of people (the vocabulary's `people`) reach only a share of its rows
  (`active_share`, 70%): customers who never ordered and users who never posted are the rule in production.
"""

from __future__ import annotations

import re
from typing import Any

from dw_simulator.inference.keys import KeyInference, record
from dw_simulator.inference.names import table_forms
from dw_simulator.inference.vocabulary import Vocabulary

DEFAULT_FK_NULL_RATE = 0.1
_REQUIRED_WORDS = re.compile(r"\b(required|mandatory|must (be )?(set|present|given)|not null|never null|always set)\b",
                             re.IGNORECASE)  # fmt: skip
_OPTIONAL_WORDS = re.compile(r"\b(optional|nullable|may be (null|empty|missing)|if any)\b", re.IGNORECASE)


# -- NULLs in nullable foreign keys ---------------------------------------------------------------------------


def nullable_key_shares(data: dict[str, Any], result: KeyInference) -> None:
    """Make the NULL share of every nullable foreign key explicit, with its reason."""
    for table in data["tables"]:
        for column in table["columns"]:
            fk = column.get("foreign_key")
            if not fk or column.get("required") or fk.get("nullable") is False or column.get("null_rate") is not None:
                continue
            text = f"{column['name'].replace('_', ' ')} {column.get('description') or ''}"
            if _REQUIRED_WORDS.search(text) and not _OPTIONAL_WORDS.search(text):
                column["null_rate"] = 0.0
                result.records.append(
                    record(
                        "null_rate",
                        table["name"],
                        column["name"],
                        "a nullable foreign key whose name or comment says it is required: no NULLs",
                        "0%",
                        fields=["null_rate"],
                    )
                )
                continue
            column["null_rate"] = DEFAULT_FK_NULL_RATE
            result.records.append(
                record(
                    "null_rate",
                    table["name"],
                    column["name"],
                    "a nullable foreign key: 10% of rows have no parent (NULL); set null_rate to change it",
                    "10%",
                    fields=["null_rate"],
                )
            )


# -- how many parents have children ---------------------------------------------------------------------------

MIN_PEOPLE_ROWS = 20


def people_coverage(data: dict[str, Any], vocab: Vocabulary, result: KeyInference) -> None:
    """Foreign keys into a table of people reference only a share of its rows (`active_share`), with a record."""
    share = vocab.people_share
    if share >= 1.0:
        return
    tables = {t["name"].lower(): t for t in data["tables"]}
    for table in data["tables"]:
        members = {c.lower() for group in table.get("composite_keys") or [] for c in group}
        for column in table["columns"]:
            fk = column.get("foreign_key")
            if not fk or fk.get("active_share") is not None or fk.get("cardinality") is not None:
                continue
            parent = tables.get(fk["references_table"].lower())
            if parent is None or parent is table or column.get("is_unique") or column["name"].lower() in members:
                continue
            if int(parent.get("target_rows") or 0) < MIN_PEOPLE_ROWS:
                continue
            form = next((f for f in table_forms(parent["name"]) if vocab.holds_people(f)), None)
            if form is None:
                continue
            fk["active_share"] = share
            result.records.append(record(
                "coverage", table["name"], column["name"],
                f"'{parent['name']}' holds people, and many never appear in '{table['name']}' (who never bought, "
                f"posted...): {share:.0%} of its rows are referenced; set foreign_key.active_share to change it",
                f"{share:.0%} of {parent['name']}"))  # fmt: skip
