"""Logging: structured JSON lines when not on a TTY (or --log-format json), readable lines otherwise."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

# Correlation ids added to every log line while set (the API sets request_id, runs set run_id).
log_context: ContextVar[dict[str, Any] | None] = ContextVar("dw_sim_log_context", default=None)

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(log_context.get() or {})
        payload.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = dict(log_context.get() or {})
        extras.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")})
        tail = " ".join(f"{k}={v}" for k, v in extras.items())
        base = (
            f"{datetime.fromtimestamp(record.created).strftime('%H:%M:%S')} {record.levelname:<7} {record.getMessage()}"
        )
        text = f"{base} {tail}" if tail else base
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(level: str = "WARNING", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Install one handler on the `dw_simulator` logger. `stream` defaults to stdout (12-factor)."""
    out = stream or sys.stdout
    use_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    logger = logging.getLogger("dw_simulator")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
