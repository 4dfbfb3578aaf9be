"""What a session's rewrites may know (`SessionContext`) and the shape of a rewrite (`Rewrite`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp


@dataclass(frozen=True)
class SessionContext:
    """What a session's rewrites may need to know: the names CURRENT_* report and catalog lookups."""

    user: str = "DWSIM"
    role: str = "SYSADMIN"
    warehouse: str = "DWSIM_WH"
    account: str = "DWSIM"
    region: str = "LOCAL"
    # GET_DDL(kind, name, use_fqn) -> the DDL text; raises ValueError with a message for the user
    ddl_lookup: Callable[[str, str, bool], str] | None = field(default=None, compare=False)
    # the engine's keywords that cannot be names unquoted (lower case)
    engine_keywords: frozenset[str] = field(default=frozenset(), compare=False)
    # the session's current database and schema
    database: str | None = None
    schema: str | None = None
    # session parameters that change answers (dw_simulator.sql.snowflake.parameters)
    week_start: int = 0
    week_of_year_policy: int = 0
    nulls_first: bool = False  # DEFAULT_NULL_ORDERING = FIRST


Rewrite = Callable[[exp.Expr, SessionContext], exp.Expr]
