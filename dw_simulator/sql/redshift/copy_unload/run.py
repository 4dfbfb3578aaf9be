"""Run a COPY or UNLOAD action against an engine (`CopyTarget`) and the staging area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dw_simulator.sql.redshift.copy_unload.actions import CopyAction, UnloadAction
from dw_simulator.sql.redshift.copy_unload.load import run_copy
from dw_simulator.sql.redshift.copy_unload.target import CopyTarget
from dw_simulator.sql.redshift.copy_unload.unload import run_unload

if TYPE_CHECKING:
    from dw_simulator.staging import Stage


def run_action(action: CopyAction | UnloadAction, target: CopyTarget, stage: Stage, *, query_id: int = 0) -> int:
    if isinstance(action, CopyAction):
        return run_copy(action, target, stage, query_id=query_id)
    return run_unload(action, target, stage)
