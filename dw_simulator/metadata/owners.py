"""Who owns a run: the process (pid, host, start time) that wrote its first row, and whether it is still there.

A pid alone is not enough: pids are reused (a container restarts as the same pid), so a run also records when its
owner process started (from `/proc` on Linux). A run's owner is gone when its host is this one and no process with
that pid and start time exists. Runs recorded on another host (a data root on a shared disk) are never judged.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass

_START_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class Owner:
    pid: int
    host: str
    started: float | None  # seconds since the epoch; None where the OS does not tell


@functools.cache
def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def process_start(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), or None (no such process, or no /proc)."""
    boot = _boot_time()
    if boot is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        ticks = int(fields[19])  # field 22 of proc(5), counted after the command name
    except (IndexError, ValueError):
        return None
    return round(boot + ticks / os.sysconf("SC_CLK_TCK"), 2)


def host_name() -> str:
    return socket.gethostname()


@functools.cache
def _me(pid: int) -> Owner:
    return Owner(pid, host_name(), process_start(pid))


def current_owner() -> Owner:
    """This process (computed once per pid: a forked child is a new owner)."""
    return _me(os.getpid())


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_gone(pid: int | None, host: str | None, started: float | None) -> bool:
    """True when the recorded owner certainly no longer runs (then its runs may be recovered)."""
    if pid is None:
        return True  # every run records its owner in its first write: none means an older dw-sim's orphan
    if host is not None and host != host_name():
        return False  # another machine's process: cannot be checked from here
    if not pid_alive(pid):
        return True
    if started is None:
        return False
    now_started = process_start(pid)
    return now_started is not None and abs(now_started - started) > _START_TOLERANCE_S
