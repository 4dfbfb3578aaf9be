"""Where a generation run executes and where its parts go, from the settings: the executor (`local` process pool or
`dask` cluster) and the destination (`<data_root>/generated`, a shared folder, or an `s3://` prefix), and removing a
run's parts once they are no longer needed (a failed or cancelled run, a replaced one, a deleted experiment).

The generator is imported when a run starts, not with this module (it brings NumPy and PyArrow).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dw_simulator.config import Settings
    from dw_simulator.generator.destination import Destination
    from dw_simulator.generator.executors import Executor

log = logging.getLogger(__name__)


def executor(settings: Settings, name: str | None, scheduler: str | None, workers: int | None) -> Executor:
    """The run's executor: `name` (else the `executor` setting); a Dask scheduler address implies `dask`."""
    from dw_simulator.generator.run import executor_for

    chosen = name or ("dask" if scheduler else settings.executor)
    if chosen == "dask":
        address = scheduler or settings.dask_scheduler
        count = None if address else (workers or settings.dask_workers)
        return executor_for("dask", scheduler=address, workers=count)
    return executor_for(chosen, workers=workers or settings.workers, scheduler=scheduler)


def destination(settings: Settings, experiment: str, run_id: int) -> Destination:
    """`<root>/<experiment>/run-NNNNNN`, under the `run_destination` setting (default `<data_root>/generated`)."""
    from dw_simulator.generator.destination import S3Options, destination_for

    run = f"run-{run_id:06d}"
    root = settings.run_destination
    if root and root.lower().startswith("s3://"):
        options = S3Options(
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
        )
        return destination_for(f"{root.rstrip('/')}/{experiment}/{run}", options)
    base = Path(root).expanduser() if root else settings.generated_dir
    return destination_for(base / experiment / run)


def remove(settings: Settings, location: str | Path) -> None:
    """Remove a run's parts: a folder, or every object under an `s3://` prefix (best effort, never raises)."""
    text = str(location)
    if not text.lower().startswith("s3://"):
        shutil.rmtree(text, ignore_errors=True)
        return
    from dw_simulator.staging.parts import s3_stage

    try:
        s3_stage(settings).delete_prefix(text.rstrip("/") + "/")
    except Exception as exc:  # cleanup must not turn a finished (or already failed) run into an error
        log.warning("could not remove a run's parts on S3", extra={"prefix": text, "error": str(exc)})
