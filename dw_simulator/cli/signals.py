"""SIGTERM and SIGHUP end a command the way Ctrl-C does (`docker stop`, a closed terminal): a KeyboardInterrupt in
the main thread, so a run is cancelled and cleaned up instead of dying mid-way. Later signals while that clean-up
runs are noted and ignored (SIGKILL still ends the process; recovery then settles the run)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

_NAMES = ("SIGTERM", "SIGHUP")
_stopping = False


def _stop(signum: int, frame: FrameType | None) -> None:
    global _stopping
    if _stopping:
        return  # already stopping: let the clean-up finish
    _stopping = True
    signal.signal(signal.SIGINT, _ignore_again)
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def _ignore_again(signum: int, frame: FrameType | None) -> None:
    return None


def install() -> None:
    """Handle SIGTERM/SIGHUP like SIGINT (only from the main thread; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in _NAMES:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _stop)


def uninstall() -> None:
    """Give SIGTERM/SIGHUP back their defaults: `dw-sim serve` hands them to uvicorn, whose graceful shutdown ends
    with re-raising the signal (the default then ends the process with it, not with Ctrl-C's 130)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in _NAMES:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_DFL)
