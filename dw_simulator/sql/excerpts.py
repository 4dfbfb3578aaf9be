"""The text near an error, as dw-sim shows it: one line, at most `NEAR_CHARS` characters.

Pure text handling on the standard library, so that error paths which only reword an engine's message
(`engine_errors`) do not import sqlglot.
"""

from __future__ import annotations

NEAR_CHARS = 40


def near_text(text: str, *, keep: str = "end") -> str:
    """`text` on one line, at most NEAR_CHARS characters (the end of it, where the error is, by default)."""
    flat = " ".join(text.split())
    if len(flat) <= NEAR_CHARS:
        return flat
    return "..." + flat[-NEAR_CHARS:] if keep == "end" else flat[:NEAR_CHARS] + "..."
