"""The queries an experiment's schema was fitted to (`dw-sim experiment fit --queries`): kept with the schema so
each run can be checked against them (does every query return rows, which predicate starves it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WorkloadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    sql: str = Field(min_length=1, max_length=200_000)
    source: str | None = Field(default=None, description="the file it was read from")
    dialect: str | None = Field(default=None, description="the SQL dialect it is written in")
