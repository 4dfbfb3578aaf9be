"""Prometheus metrics for the generator, the loaders, queries and the HTTP API.

Recording is off (every call a no-op, nothing imported) until `enable_metrics()` runs; the HTTP API calls it, the
CLI does not, so a one-shot command pays nothing. `prometheus_client` comes with the `api` extra. All metrics live
in one process-wide registry; `/metrics` renders it with `render()`.
"""

from __future__ import annotations

import threading
from typing import Any

# Buckets (seconds) sized for a local tool: a query takes milliseconds, a big generation minutes.
QUERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Noop:
    """Stands in for every metric while recording is off."""

    def labels(self, *_args: Any, **_kwargs: Any) -> _Noop:
        return self

    def inc(self, *_args: Any) -> None:
        pass

    def dec(self, *_args: Any) -> None:
        pass

    def set(self, *_args: Any) -> None:
        pass

    def observe(self, *_args: Any) -> None:
        pass


class Metrics:
    """Every metric dw-sim exports. Names are prefixed `dwsim_`. `Metrics(None)` records nothing."""

    def __init__(self, prom: Any) -> None:
        self.enabled = prom is not None
        if prom is None:
            self.registry: Any = None
            noop: Any = _Noop()
            self.rows_generated = self.runs = self.errors = self.http_requests = noop
            self.generation_seconds = self.load_seconds = self.stage_seconds = noop
            self.query_seconds = self.http_seconds = self.active_runs = noop
            return
        registry = prom.CollectorRegistry(auto_describe=True)
        self.registry = registry
        prom.ProcessCollector(registry=registry)
        prom.PlatformCollector(registry=registry)
        self.rows_generated = prom.Counter(
            "dwsim_rows_generated",
            "Rows generated and loaded by completed runs, by experiment and table.",
            ["experiment", "table"],
            registry=registry,
        )
        self.runs = prom.Counter(
            "dwsim_runs", "Generation runs that ended, by final status.", ["status"], registry=registry
        )
        self.errors = prom.Counter(
            "dwsim_errors",
            "Errors by kind (validation_error, not_found, query_error, internal_error, run_failed, ...) and where "
            "they surfaced (api or run).",
            ["kind", "where"],
            registry=registry,
        )
        self.generation_seconds = prom.Histogram(
            "dwsim_generation_duration_seconds",
            "Time to generate a run's Parquet files, by experiment.",
            ["experiment"],
            buckets=RUN_BUCKETS,
            registry=registry,
        )
        self.stage_seconds = prom.Histogram(
            "dwsim_stage_duration_seconds",
            "Time to stage a run's files (e.g. upload to S3), by warehouse.",
            ["warehouse"],
            buckets=RUN_BUCKETS,
            registry=registry,
        )
        self.load_seconds = prom.Histogram(
            "dwsim_load_duration_seconds",
            "Time to load a run's files into the warehouse, by experiment and warehouse.",
            ["experiment", "warehouse"],
            buckets=RUN_BUCKETS,
            registry=registry,
        )
        self.query_seconds = prom.Histogram(
            "dwsim_query_duration_seconds",
            "Time to run a user's SQL, by experiment, warehouse and outcome (ok or error).",
            ["experiment", "warehouse", "outcome"],
            buckets=QUERY_BUCKETS,
            registry=registry,
        )
        self.active_runs = prom.Gauge(
            "dwsim_active_runs", "Generation runs in progress in this process.", registry=registry
        )
        self.http_requests = prom.Counter(
            "dwsim_http_requests",
            "HTTP requests served, by method, route template and status code.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.http_seconds = prom.Histogram(
            "dwsim_http_request_duration_seconds",
            "HTTP request latency, by method and route template.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=registry,
        )


_DISABLED = Metrics(None)
_enabled: Metrics | None = None
_enable_lock = threading.Lock()


def metrics() -> Metrics:
    """The live metrics once enabled, else a set of no-ops."""
    return _enabled or _DISABLED


def enable_metrics() -> Metrics:
    """Start recording (idempotent). Raises MissingDependencyError without prometheus_client."""
    global _enabled
    with _enable_lock:
        if _enabled is None:
            try:
                import prometheus_client
            except ImportError:
                from dw_simulator.errors import MissingDependencyError

                raise MissingDependencyError("Prometheus metrics", "api", "prometheus_client") from None
            _enabled = Metrics(prometheus_client)
        return _enabled


# Which histogram a `stage(...)` name feeds, and the labels it takes from the stage's attributes.
_STAGE_HISTOGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "generation": ("generation_seconds", ("experiment",)),
    "stage": ("stage_seconds", ("warehouse",)),
    "load": ("load_seconds", ("experiment", "warehouse")),
    "query": ("query_seconds", ("experiment", "warehouse", "outcome")),
}


def observe_stage(name: str, seconds: float, attrs: dict[str, Any], *, ok: bool) -> None:
    """Record a stage's duration in its histogram, if it has one."""
    entry = _STAGE_HISTOGRAMS.get(name)
    if entry is None:
        return
    attribute, label_names = entry
    values = {**attrs, "outcome": "ok" if ok else "error"}
    labels = {label: str(values.get(label, "")) for label in label_names}
    getattr(metrics(), attribute).labels(**labels).observe(seconds)


def record_rows(experiment: str, counts: dict[str, int]) -> None:
    for table, rows in counts.items():
        metrics().rows_generated.labels(experiment=experiment, table=table).inc(rows)


def record_error(kind: str, where: str) -> None:
    metrics().errors.labels(kind=kind, where=where).inc()


def render() -> tuple[bytes, str]:
    """The registry in Prometheus text format, and its content type (enables metrics if they were off)."""
    live = enable_metrics()
    import prometheus_client

    return prometheus_client.generate_latest(live.registry), prometheus_client.CONTENT_TYPE_LATEST
