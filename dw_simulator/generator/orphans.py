"""Worker processes end when the process that started them is gone: a killed `--workers N` run leaves none behind.

Two guards, for any start method: on Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG), and
everywhere a daemon thread notices the parent's pid change (the orphan is re-parented) and exits at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

POLL_S = 0.2


def die_with_parent() -> None:
    """Call first thing in a worker process."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # ctypes or prctl missing: the watch below still works
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(POLL_S)

    threading.Thread(target=watch, name="dwsim-parent-watch", daemon=True).start()
