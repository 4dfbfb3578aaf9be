"""Where the embedded DuckDB warehouse keeps its files: one database file per experiment and per run.

```
<root>/<experiment>/CURRENT                     {"run": "run-000042"}: the file readers open
<root>/<experiment>/run-000042/warehouse.duckdb  a run's data (`created/` before the first run)
<root>/<experiment>/.prepare-run-000043/         a run being loaded; renamed to run-000043/ when complete
```

Replacing `CURRENT` (`os.replace`) is the commit point of a run. The file stem stays `warehouse`, so the DuckDB
catalog is called `warehouse` whichever run is current. No driver is imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dw_simulator import crashpoints
from dw_simulator.errors import QueryError

DB_NAME = "warehouse.duckdb"
POINTER = "CURRENT"
CREATED = "created"  # the generation `create_experiment` writes (empty tables)
PREPARING = ".prepare-"
TRASH = ".trash-"
_GENERATION_RE = re.compile(r"^(created|run-\d{6,}|load-\d{8}T\d{6}-[0-9a-f]{6})$")

# database files this process has open: never deleted from under it
_open_files: Counter[Path] = Counter()
_open_lock = threading.Lock()


@dataclass(frozen=True)
class Layout:
    """The DuckDB warehouse's folder (`<data_root>/warehouse/duckdb`)."""

    root: Path

    def experiment_dir(self, experiment: str) -> Path:
        return self.root / experiment.lower()

    def pointer(self, experiment: str) -> Path:
        return self.experiment_dir(experiment) / POINTER

    def generation_file(self, experiment: str, generation: str) -> Path:
        return self.experiment_dir(experiment) / generation / DB_NAME

    def preparing_dir(self, experiment: str, run: str) -> Path:
        return self.experiment_dir(experiment) / f"{PREPARING}{run}"

    def current(self, experiment: str) -> str | None:
        """The generation `CURRENT` names (None when the experiment has no files)."""
        try:
            data = json.loads(self.pointer(experiment).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise QueryError(f"the DuckDB warehouse pointer {self.pointer(experiment)} is unreadable: {exc}") from None
        generation = data.get("run") if isinstance(data, dict) else None
        if not isinstance(generation, str) or not _GENERATION_RE.match(generation):
            raise QueryError(f"the DuckDB warehouse pointer {self.pointer(experiment)} names no run: {data!r}")
        return generation

    def current_file(self, experiment: str) -> Path | None:
        generation = self.current(experiment)
        return None if generation is None else self.generation_file(experiment, generation)

    def set_current(self, experiment: str, generation: str) -> None:
        """Point `CURRENT` at `generation`, atomically and durably (the commit point)."""
        directory = self.experiment_dir(experiment)
        if not self.generation_file(experiment, generation).is_file():
            raise QueryError(f"run {generation} of experiment '{experiment}' has no prepared DuckDB file")
        tmp = directory / f".{POINTER}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"run": generation}))
            handle.flush()
            os.fsync(handle.fileno())
        crashpoints.reached("in-commit")
        os.replace(tmp, self.pointer(experiment))
        fsync_dir(directory)

    def generations(self, experiment: str) -> list[str]:
        """Complete generations on disk (current or not), oldest name first."""
        directory = self.experiment_dir(experiment)
        if not directory.is_dir():
            return []
        return sorted(p.name for p in directory.iterdir() if p.is_dir() and _GENERATION_RE.match(p.name))

    def preparing(self, experiment: str) -> list[str]:
        directory = self.experiment_dir(experiment)
        if not directory.is_dir():
            return []
        return sorted(p.name[len(PREPARING) :] for p in directory.iterdir() if p.name.startswith(PREPARING))

    def remove_tree(self, path: Path) -> None:
        """Rename `path` out of the way (atomic), then delete it: a crash leaves a `.trash-` folder, never a
        half-deleted generation under its own name."""
        if not path.exists():
            return
        trash = path.parent / f"{TRASH}{path.name}.{os.getpid()}.{threading.get_ident()}"
        try:
            os.replace(path, trash)
        except OSError:
            trash = path
        shutil.rmtree(trash, ignore_errors=True)

    def empty_trash(self, experiment: str) -> None:
        """Delete half-deleted folders and the pointer files a killed commit left (never a live process's)."""
        directory = self.experiment_dir(experiment)
        if not directory.is_dir():
            return
        for child in directory.iterdir():
            if child.name.startswith(TRASH):
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(f".{POINTER}.") and child.is_file():
                pid = child.name.split(".")[2]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    child.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened for fsync
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def mark_open(path: Path) -> None:
    with _open_lock:
        _open_files[path.resolve()] += 1


def mark_closed(path: Path) -> None:
    with _open_lock:
        key = path.resolve()
        _open_files[key] -= 1
        if _open_files[key] <= 0:
            del _open_files[key]


def open_here(path: Path) -> bool:
    with _open_lock:
        return _open_files.get(path.resolve(), 0) > 0
