"""What an engine says about users' SQL, made readable: one line, no hints that point at the engine's own catalog.

DuckDB reports `Catalog Error: Table with name x does not exist!`, a `Did you mean "pg_sequences"?` hint that
names its internal catalog, and a `LINE 1: ...` / `^^^` excerpt of the SQL *it* ran (the translation, not what the
user wrote). `duckdb_message` keeps the sentence, keeps hints that name the user's objects, drops the others, and
turns the excerpt into the text near the error. Pure text handling: no engine is imported here.
"""

from __future__ import annotations

import re

from dw_simulator.sql.parsing import near_text
from dw_simulator.sql.redshift.dialect import LIBRARY_SCHEMA

_KIND = re.compile(r"^(?:[A-Z][A-Za-z]* )*Error: ")  # "Catalog Error: ", "Invalid Input Error: "
_DID_YOU_MEAN = re.compile(r'Did you mean "([^"]*)"\?')
# objects of the engine itself, and of dw-sim's SQL library: never useful to the user as a suggestion
_INTERNAL = re.compile(
    rf"^(?:\w+\.)*(?:pg_|duckdb_|sqlite_|information_schema|{LIBRARY_SCHEMA}|__dwsim)|^(?:main|temp|system)\.(?:pg_|duckdb_)",
    re.IGNORECASE,
)
_EXCERPT = re.compile(r"^LINE (\d+): ?(.*)$")


def duckdb_message(text: str) -> str:
    """DuckDB's error text -> `DuckDB: Table with name x does not exist! (near "x")`."""
    lines = [line.rstrip() for line in str(text).strip().splitlines()]
    sentences: list[str] = []
    near = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        excerpt = _EXCERPT.match(line)
        if excerpt and i + 1 < len(lines) and set(lines[i + 1].strip()) <= {"^"} and lines[i + 1].strip():
            near = _under_carets(line, lines[i + 1])
            i += 2
            continue
        if line.strip():
            sentences.append(line.strip())
        i += 1
    message = " ".join(sentences)
    message = _KIND.sub("", message, count=1)
    message = _DID_YOU_MEAN.sub(lambda m: "" if _INTERNAL.search(m.group(1)) else m.group(0), message)
    message = re.sub(rf"\b{LIBRARY_SCHEMA}\.", "", message)  # the user wrote DATE_PART, not dwsim_redshift.date_part
    message = " ".join(message.split())
    where = f' (near "{near}")' if near and f'"{near}"' not in message else ""
    return f"DuckDB: {message}{where}"


def _under_carets(line: str, carets: str) -> str:
    """The text of `LINE n: ...` that the `^^^` row underlines (at least the word starting under the caret)."""
    start = carets.index("^")
    end = len(carets.rstrip())
    text = line[start:end] if end - start > 1 else line[start:]
    if end - start <= 1:
        word = re.match(r"[\w.]+|\S", text)
        text = word.group(0) if word else text
    return near_text(re.sub(rf"\b{LIBRARY_SCHEMA}\.", "", text), keep="start")
