"""Named points of a run where the crash tests stop the process (`tests/crash/`).

`reached(name)` does nothing unless `DW_SIM_CRASH_POINT` names that point; then it writes the point's name to the
file `DW_SIM_CRASH_POINT_FILE` and waits, so the test can SIGKILL the process exactly there. Never set in normal use.
"""

from __future__ import annotations

import os
import time

ENV = "DW_SIM_CRASH_POINT"
FILE_ENV = "DW_SIM_CRASH_POINT_FILE"
WAIT_S = 120.0


def reached(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    marker = os.environ.get(FILE_ENV)
    if marker:
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(f"{name} {os.getpid()}\n")
            handle.flush()
            os.fsync(handle.fileno())
    time.sleep(WAIT_S)  # the test kills the process here; if it does not, the run goes on
