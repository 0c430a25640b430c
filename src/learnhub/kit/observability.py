"""Metrics, JSON logs and trace context.

Metrics are Prometheus collectors labelled by service, so the all-in-one process exposes
every service on one ``/metrics``. The trace context is OpenTelemetry's: an incoming W3C
``traceparent`` header starts the request's span, the outbox copies the current context
into each event it records, and a consumer continues it while handling the event, so one
trace id follows a request into the events it causes and their handlers' logs.
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "learnhub_http_requests_total",
    "HTTP requests handled, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "learnhub_http_request_duration_seconds",
    "Time to handle an HTTP request, by route template.",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS_SHED = Counter(
    "learnhub_requests_shed_total",
    "Requests refused at once with 503 because the process had too many in progress.",
)
OVERLOADED = Counter(
    "learnhub_overloaded_total",
    "Requests refused with 503 after waiting too long for a database connection or lock.",
    ["service"],
)
OUTBOX_BACKLOG = Gauge(
    "learnhub_outbox_backlog", "Events recorded in the outbox and not yet published.", ["service"]
)
EVENTS_PUBLISHED = Counter(
    "learnhub_events_published_total",
    "Events the outbox relay handed to the bus.",
    ["service", "type"],
)
CONSUMER_LAG = Gauge(
    "learnhub_consumer_lag", "Events waiting in a consuming service's queue.", ["service"]
)
EVENTS_HANDLED = Counter(
    "learnhub_events_handled_total",
    "Events a service handled (duplicates included).",
    ["service", "type", "outcome"],
)
HANDLER_FAILURES = Counter(
    "learnhub_event_handler_failures_total", "Event handler runs that raised.", ["service", "type"]
)

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_PROPAGATOR = TraceContextTextMapPropagator()
_random = random.Random()


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the active span, to carry into events."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x")


@contextmanager
def continue_trace(traceparent: str | None) -> Iterator[None]:
    """Run a block inside a span that continues ``traceparent`` (or starts a new trace).

    No spans are exported, so the span is a non-recording one: it carries the trace id and a
    fresh span id (for logs and for the events the block records) and costs no more than
    attaching a context.
    """
    parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else None
    parent_context = trace.get_current_span(parent).get_span_context() if parent else None
    trace_id = (
        parent_context.trace_id
        if parent_context is not None and parent_context.is_valid
        else _random.getrandbits(128)
    )
    span = NonRecordingSpan(
        SpanContext(
            trace_id=trace_id,
            span_id=_random.getrandbits(64),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )
    )
    token = otel_context.attach(trace.set_span_in_context(span, parent))
    try:
        yield
    finally:
        otel_context.detach(token)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, carrying the request id and trace id of the moment."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        trace_id = getattr(record, "trace_id", None) or current_trace_id()
        if request_id:
            entry["request_id"] = request_id
        if trace_id:
            entry["trace_id"] = trace_id
        for key in ("service", "event_type", "event_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ContextFilter(logging.Filter):
    """Stamps request and trace ids on records, so text logs and tests can see them too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "trace_id"):
            record.trace_id = current_trace_id()
        return True


class TextLogFormatter(logging.Formatter):
    """One readable line a record: time, level, logger, ``[request trace]`` when the record
    belongs to a request or a trace (start-up lines have neither), message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        trace_id = getattr(record, "trace_id", None)
        record.context = f" [{request_id} {trace_id}]" if request_id or trace_id else ""
        return super().format(record)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send every log record to stderr, as JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(TextLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
