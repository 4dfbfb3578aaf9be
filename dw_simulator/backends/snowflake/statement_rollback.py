"""Statement-level rollback inside BEGIN ... COMMIT, as Snowflake does it: a failed statement is undone on its own,
the transaction stays open, and COMMIT commits what succeeded.
https://docs.snowflake.com/en/sql-reference/transactions#statement-rollback

DuckDB aborts the whole transaction on any error and has no savepoints, so the session keeps the statements that
succeeded since BEGIN; after a failure the transaction is rolled back, begun again and those statements run again.
That is exact only when they give the same result a second time: a statement with a volatile function (RANDOM,
UUID_STRING, CURRENT_TIMESTAMP, a sequence...) or a COPY INTO (load history, PURGE) cannot be repeated. Then the
transaction is left rolled back and the COMMIT that follows fails with an error saying so: never a silent loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_VOLATILE = re.compile(
    r"\b(RANDOM|RANDSTR|UUID_STRING|UNIFORM|NORMAL|ZIPF|SEQ[1248]|NEXTVAL|AUTOINCREMENT|IDENTITY|CURRENT_TIMESTAMP"
    r"|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME|SYSDATE|SYSTIMESTAMP|GETDATE|COPY)\b",
    re.I,
)
_FILE_COMMANDS = re.compile(r"^\s*(PUT|GET|LIST|LS|REMOVE|RM)\b", re.I)


@dataclass
class TransactionLog:
    """The statements of the session's open BEGIN ... COMMIT that succeeded, to run again after a failure."""

    statements: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    replayable: bool = True
    lost: str = ""  # set when a failure could not be undone on its own: what COMMIT reports

    def reset(self) -> None:
        self.statements.clear()
        self.replayable = True
        self.lost = ""

    def record(self, command: str, params: Any, kwargs: dict[str, Any]) -> None:
        if _FILE_COMMANDS.match(command):
            return  # stage files are not transactional on Snowflake either
        if _VOLATILE.search(command):
            self.replayable = False
        self.statements.append((command, params, dict(kwargs)))
