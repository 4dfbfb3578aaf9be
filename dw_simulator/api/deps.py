"""Objects routes receive by injection (`Annotated` aliases, used as parameter types)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from dw_simulator.api.runner import RunManager
from dw_simulator.api.settings import ApiSettings
from dw_simulator.api.state import AppState
from dw_simulator.service import Simulator


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.dwsim
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_simulator(state: StateDep) -> Iterator[Simulator]:
    """A simulator for this request; its warehouse connections are released when the request is done."""
    sim = state.sibling()
    try:
        yield sim
    finally:
        sim.release_backends()


def get_runs(state: StateDep) -> RunManager:
    return state.runs


def get_api_settings(state: StateDep) -> ApiSettings:
    return state.api


SimulatorDep = Annotated[Simulator, Depends(get_simulator)]
RunsDep = Annotated[RunManager, Depends(get_runs)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]
