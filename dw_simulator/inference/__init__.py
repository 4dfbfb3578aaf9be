"""Inference of what a schema leaves unsaid: keys nobody declared, what columns hold, and the order of time.

Owns the vocabulary of column semantics (`vocabulary.yaml`, data) and pure functions over a schema in its dict
form (the JSON shape users write and the DDL importer builds), so any front door (DDL import today; JSON, dbt
projects and samples later) can run it before the schema model validates. Every change it makes is returned as a
record `{kind, table, column, reason, value}` for the schema's `inferences` list; what it declines to guess is
returned as notes. May import only `dw_simulator.schema`, PyYAML (when the vocabulary is first read) and the
standard library.

    result = infer_schema(data, today=date.today(), keys=True)
    data["inferences"] = result.records
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dw_simulator.inference.key_shares import nullable_key_shares, people_coverage
from dw_simulator.inference.keys import KeyInference, Record, infer_foreign_keys, infer_primary_keys, record
from dw_simulator.inference.listed_values import comment_values
from dw_simulator.inference.semantics import infer_semantics
from dw_simulator.inference.temporal import infer_temporal_orders
from dw_simulator.inference.vocabulary import Vocabulary, VocabularyError, vocabulary
from dw_simulator.schema.column_schema import literal_default

WINDOW_YEARS = 3

__all__ = [
    "WINDOW_YEARS",
    "InferenceResult",
    "Record",
    "Vocabulary",
    "VocabularyError",
    "comment_values",
    "default_window",
    "infer_schema",
    "literal_default",
    "record",
    "vocabulary",
]


@dataclass
class InferenceResult:
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_window(today: date) -> tuple[date, date]:
    """The experiment's default date window: from 1 January three years back to today."""
    return date(today.year - WINDOW_YEARS, 1, 1), today


def infer_schema(
    data: dict[str, Any], *, today: date, keys: bool = True, vocab: Vocabulary | None = None
) -> InferenceResult:
    """Fill in `data` (a schema dict, changed in place): the date window when it has none, primary and foreign
    keys (unless `keys` is False), NULL shares of nullable keys, column semantics and temporal orders."""
    words = vocab or vocabulary()
    result = InferenceResult()
    if data.get("date_start") is None and data.get("date_end") is None:
        start, end = default_window(today)
        data["date_start"], data["date_end"] = start.isoformat(), end.isoformat()
        result.records.append(
            record(
                "time_window",
                None,
                None,
                f"dates without a range of their own fall in {start}..{end} (three years up to "
                "the import), so dates of all tables overlap; set the experiment's "
                "date_start/date_end to move it",
                f"{start}..{end}",
            )
        )
    found = KeyInference()
    if keys:
        infer_primary_keys(data, found)
        infer_foreign_keys(data, words, found)
    nullable_key_shares(data, found)
    people_coverage(data, words, found)
    result.records += found.records
    result.notes += found.notes
    result.records += infer_semantics(data, words, today=today)
    result.records += infer_temporal_orders(data, words)
    return result
