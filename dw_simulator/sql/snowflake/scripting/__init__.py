"""Snowflake Scripting: anonymous blocks (`EXECUTE IMMEDIATE $$ ... $$`) and SQL stored procedures' bodies.

`parse` reads a block into a statement tree; `interpret` runs it, executing every expression and SQL statement
through a callback that runs one Snowflake statement in the caller's session. Nothing here talks to an engine.
"""

from __future__ import annotations

from typing import Any

from dw_simulator.sql.snowflake.scripting.interpret import Interpreter, Outcome, Result, Runner, ScriptError, literal
from dw_simulator.sql.snowflake.scripting.parse import ScriptSyntaxError, is_block, parse_block

__all__ = [
    "Outcome",
    "Result",
    "Runner",
    "ScriptError",
    "ScriptSyntaxError",
    "is_block",
    "literal",
    "parse_block",
    "run_script",
]


def run_script(text: str, run: Runner, arguments: dict[str, Any] | None = None) -> tuple[Outcome, list[str]]:
    """Run the block in `text`; returns what it returned and the temporary tables it made (the caller drops them
    once it has read a returned table)."""
    interpreter = Interpreter(run)
    outcome = interpreter.execute(parse_block(text), arguments)
    return outcome, interpreter.temp_tables
