"""OpenTelemetry spans, optional and free when off.

Tracing is on only after `configure_tracing()` found something to export to: an explicit exporter (tests use an
in-memory one) or an OTLP endpoint in `OTEL_EXPORTER_OTLP_ENDPOINT` (spans go over OTLP/HTTP, e.g. to Jaeger on
port 4318). Otherwise `span()` hands back one shared no-op context manager and nothing from OpenTelemetry is
imported. The SDK and exporter come with the `otel` extra.

dw-sim keeps its own tracer provider instead of the process-global one, so embedding applications keep theirs and
tests can switch exporters.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from dw_simulator.errors import MissingDependencyError

log = logging.getLogger(__name__)

SPAN_PREFIX = "dwsim."
_NULL: AbstractContextManager[None] = contextlib.nullcontext()
_state_lock = threading.Lock()
_provider: Any = None  # opentelemetry.sdk.trace.TracerProvider while tracing is on
_tracer: Any = None

AttrValue = str | bool | int | float


def tracing_enabled() -> bool:
    return _tracer is not None


def configure_tracing(*, exporter: Any = None, service_name: str | None = None) -> bool:
    """Turn tracing on if there is somewhere to send spans; returns whether it is on.

    `exporter`: a span exporter (spans are exported synchronously, for tests). Without it, spans are batched and
    sent over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; when it is not, tracing stays off.
    """
    global _provider, _tracer
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return tracing_enabled()
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        raise MissingDependencyError("tracing (OTEL_EXPORTER_OTLP_ENDPOINT)", "otel", "opentelemetry.sdk") from None
    if exporter is None:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise MissingDependencyError(
                "tracing over OTLP", "otel", "opentelemetry.exporter.otlp.proto.http"
            ) from None
        processor: Any = BatchSpanProcessor(OTLPSpanExporter())
    else:
        processor = SimpleSpanProcessor(exporter)
    from dw_simulator import __version__

    attributes: dict[str, str] = {"service.version": __version__}
    if service_name or not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = service_name or "dw-sim"
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(processor)
    with _state_lock:
        old = _provider
        _provider = provider
        _tracer = provider.get_tracer("dw_simulator")
    if old is not None:
        old.shutdown()
    log.info("tracing enabled", extra={"exporter": type(processor.span_exporter).__name__})
    return True


def flush_tracing(timeout_ms: int = 5000) -> None:
    """Export the spans still queued (the server calls it when it stops)."""
    provider = _provider
    if provider is not None:
        provider.force_flush(timeout_ms)


def shutdown_tracing() -> None:
    """Flush pending spans and turn tracing off."""
    global _provider, _tracer
    with _state_lock:
        provider, _provider, _tracer = _provider, None, None
    if provider is not None:
        provider.shutdown()


def span(name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Any]:
    """A span named `dwsim.<name>`, current for the `with` block; a no-op when tracing is off.

    The span records an exception raised through it and gets status ERROR.
    """
    tracer = _tracer
    if tracer is None:
        return _NULL
    manager: AbstractContextManager[Any] = tracer.start_as_current_span(
        SPAN_PREFIX + name, attributes=_clean(attributes)
    )
    return manager


def start_span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    parent: Any = None,
    start_time_ns: int | None = None,
) -> Any:
    """A span the caller ends (`end_span`): a child of `parent` (a span from `start_span`) or of the current span.
    None when tracing is off."""
    tracer = _tracer
    if tracer is None:
        return None
    context = None
    if parent is not None:
        from opentelemetry import trace

        context = trace.set_span_in_context(parent)
    return tracer.start_span(
        SPAN_PREFIX + name, context=context, attributes=_clean(attributes), start_time=start_time_ns
    )


def end_span(handle: Any, *, error: str | None = None, end_time_ns: int | None = None) -> None:
    if handle is None:
        return
    if error is not None:
        from opentelemetry.trace import Status, StatusCode

        handle.set_status(Status(StatusCode.ERROR, error))
    handle.end(end_time=end_time_ns)


@contextlib.contextmanager
def use_span(handle: Any) -> Iterator[None]:
    """Make a span from `start_span` the current one for the block (so spans inside become its children)."""
    if handle is None:
        yield
        return
    from opentelemetry import trace

    with trace.use_span(handle, end_on_exit=False):
        yield


def current_context() -> Any:
    """The active trace context, to carry into another thread with `attach_context`; None when off."""
    if _tracer is None:
        return None
    from opentelemetry import context

    return context.get_current()


@contextlib.contextmanager
def attach_context(ctx: Any) -> Iterator[None]:
    if ctx is None:
        yield
        return
    from opentelemetry import context

    token = context.attach(ctx)
    try:
        yield
    finally:
        context.detach(token)


def set_attributes(handle: Any, attributes: Mapping[str, Any]) -> None:
    if handle is not None:
        handle.set_attributes(_clean(attributes))


def current_trace_id() -> str | None:
    """Hex trace id of the current span (for log lines), or None."""
    if _tracer is None:
        return None
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, AttrValue]:
    if not attributes:
        return {}
    out: dict[str, AttrValue] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, str | bool | int | float) else str(value)
    return out
