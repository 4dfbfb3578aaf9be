"""/api/experiments/{name}/fidelity: how close a learned experiment's generated data comes to its sample.

Learning itself (`dw-sim experiment learn --from ...`) is a CLI command: it reads files and databases the caller
names, which a server should not do on a request's word.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dw_simulator.api.deps import SimulatorDep
from dw_simulator.api.routes.common import errors
from dw_simulator.api.schemas import json_value

router = APIRouter(prefix="/api/experiments", tags=["experiments"])


class FidelityOut(BaseModel):
    experiment: str
    learned: bool = Field(description="false when the experiment was not learned from a sample or not generated yet")
    reason: str | None = Field(default=None, description="why there is nothing to compare, when learned is false")
    sources: list[str] = Field(description="where the sample came from (passwords hidden)")
    tables: list[dict[str, Any]] = Field(
        description="per table: per column the metric (ks, tvd, length_tvd), its distance, NULL and distinct "
        "shares of sample and generated data; per kept pair the rank correlation of both"
    )
    max_distance: float | None = None


@router.get(
    "/{name}/fidelity",
    summary="A learned experiment's generated data compared with the sample it was learned from ("
    "`learned: false` when it was not learned from a sample or has no completed run)",
    responses=errors(404, 503),
)
def fidelity(
    name: str,
    sim: SimulatorDep,
    rows: Annotated[int, Query(ge=1000, le=10_000_000, description="generated rows read per table")] = 200_000,
) -> FidelityOut:
    return FidelityOut.model_validate(json_value(sim.fidelity(name, rows=rows, strict=False)))
