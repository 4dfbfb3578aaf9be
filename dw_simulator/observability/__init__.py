"""Observability: Prometheus metrics and OpenTelemetry spans for generation, staging, loading and queries.

The service layer calls two things from here:

- `stage(name, **attrs)`: a `with` block that becomes a `dwsim.<name>` span and, for `generation`, `stage`,
  `load` and `query`, a sample in the matching duration histogram.
- `RunObservation`: one generation run — a `dwsim.generate` span with the run's phases, per-table and per-batch
  spans under it, the active-runs gauge, rows generated and the final status.

Both cost next to nothing while metrics are off (the CLI) and tracing is off (no OTLP endpoint).

Owns: the Prometheus registry (`metrics`, prometheus-client imported when metrics are enabled) and the
OpenTelemetry tracer (`tracing`, the SDK imported when an OTLP endpoint is configured: the `otel` extra).
May import: `logs`, `errors` and those two libraries only. The service, the API and the backends call it; it
never imports any of them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from dw_simulator.observability.metrics import (
    enable_metrics,
    metrics,
    observe_stage,
    record_error,
    record_rows,
    render,
)
from dw_simulator.observability.tracing import (
    attach_context,
    configure_tracing,
    current_context,
    current_trace_id,
    end_span,
    flush_tracing,
    set_attributes,
    shutdown_tracing,
    span,
    start_span,
    tracing_enabled,
    use_span,
)


@contextlib.contextmanager
def stage(name: str, **attrs: Any) -> Iterator[Any]:
    """Time and trace one step (`generation`, `stage`, `load`, `query`, ...). Yields the span (None when off)."""
    started = time.perf_counter()
    ok = False
    try:
        with span(name, attrs) as handle:
            yield handle
            ok = True
    finally:
        observe_stage(name, time.perf_counter() - started, attrs, ok=ok)


class RunObservation:
    """Metrics and spans of one generation run. Create it when the run starts; call `finish` exactly once."""

    def __init__(self, experiment: str, run_id: int, warehouse: str, **attrs: Any) -> None:
        self.experiment = experiment
        self.warehouse = warehouse
        self.run_id = run_id
        self._finished = False
        self._span = start_span(
            "generate", {"experiment": experiment, "run_id": run_id, "warehouse": warehouse, **attrs}
        )
        self._last_ns = time.time_ns()
        self._tables: dict[str, dict[str, Any]] = {}
        metrics().active_runs.inc()

    def phase(self, name: str) -> contextlib.AbstractContextManager[Any]:
        """A child stage of the run: `generation`, `stage` or `load`."""
        return _phase(self, name)

    def progress(self, event: Any) -> None:
        """Turn a generator progress event into per-table and per-batch spans (no-op when tracing is off)."""
        if self._span is None or self._finished:
            return
        table = str(getattr(event, "table", ""))
        done = int(getattr(event, "rows_done", 0))
        total = int(getattr(event, "rows_total", 0))
        now_ns = time.time_ns()
        state = self._tables.get(table)
        if state is None:
            table_span = start_span(
                "table",
                {"experiment": self.experiment, "table": table, "rows_total": total},
                parent=self._span,
                start_time_ns=self._last_ns,
            )
            state = self._tables[table] = {"span": table_span, "last_ns": self._last_ns, "rows": 0}
        if done > state["rows"]:
            batch = start_span(
                "batch",
                {"experiment": self.experiment, "table": table, "rows": done - state["rows"], "rows_done": done},
                parent=state["span"],
                start_time_ns=state["last_ns"],
            )
            end_span(batch, end_time_ns=now_ns)
            state["rows"] = done
        state["last_ns"] = now_ns
        self._last_ns = now_ns
        if total and done >= total and state["span"] is not None:
            set_attributes(state["span"], {"rows_done": done})
            end_span(state["span"], end_time_ns=now_ns)
            state["span"] = None

    def finish(self, status: str, *, rows: dict[str, int] | None = None, error: BaseException | None = None) -> None:
        if self._finished:
            return
        self._finished = True
        live = metrics()
        live.active_runs.dec()
        live.runs.labels(status=status).inc()
        if rows:
            record_rows(self.experiment, rows)
        if status == "FAILED":
            record_error(str(getattr(error, "kind", "internal_error")), "run")
        message = None
        if error is not None:
            message = str(getattr(error, "message", None) or f"{type(error).__name__}: {error}")
        for state in self._tables.values():
            end_span(state["span"], error="run ended first" if status != "COMPLETED" else None)
        set_attributes(self._span, {"status": status, "rows": sum(rows.values()) if rows else 0})
        end_span(self._span, error=message if status == "FAILED" else None)


@contextlib.contextmanager
def _phase(run: RunObservation, name: str) -> Iterator[Any]:
    with use_span(run._span), stage(name, experiment=run.experiment, warehouse=run.warehouse) as handle:
        yield handle


__all__ = [
    "RunObservation",
    "attach_context",
    "configure_tracing",
    "current_context",
    "current_trace_id",
    "enable_metrics",
    "flush_tracing",
    "metrics",
    "record_error",
    "render",
    "shutdown_tracing",
    "span",
    "stage",
    "tracing_enabled",
]
