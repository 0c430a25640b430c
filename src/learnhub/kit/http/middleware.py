"""Request context for every HTTP request: request id, trace context, metrics, access log.

A pure ASGI middleware (no per-request task or body buffering), outermost in each app, so
it also turns any unhandled exception into a 500 problem and counts it. It runs on every
request, so it does as little as it can: metric children are looked up once per route, and
the access log keeps every server error and slow request but only a sample of the rest.
"""

from __future__ import annotations

import logging
import random
import re
import time
import uuid
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnhub.kit.http.problems import internal_error_response
from learnhub.kit.observability import HTTP_LATENCY, HTTP_REQUESTS, continue_trace, request_id_var

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = logging.getLogger("learnhub.http")
access_log = logging.getLogger("learnhub.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class _RouteMetrics:
    """The Prometheus children of one service, looked up once per label set."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._latencies: dict[tuple[str, str], Histogram] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels(self.service, method, route, str(status))
            self._counters[(method, route, status)] = counter
        latency = self._latencies.get((method, route))
        if latency is None:
            latency = HTTP_LATENCY.labels(self.service, method, route)
            self._latencies[(method, route)] = latency
        counter.inc()
        latency.observe(seconds)


class RequestContextMiddleware:
    """Gives each request an id (kept from ``X-Request-ID`` when well-formed), continues
    its W3C trace context, records Prometheus metrics by route template, and logs it.

    ``access_log_sample`` is the share of ordinary requests written to the access log;
    server errors and requests slower than ``slow_request_seconds`` are always written.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        access_log_sample: float = 1.0,
        slow_request_seconds: float = 1.0,
    ) -> None:
        self.app = app
        self.service = service
        self.access_log_sample = access_log_sample
        self.slow_request_seconds = slow_request_seconds
        self._metrics = _RouteMetrics(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        request_id_var.set(request_id)
        response: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["started"] = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        started_at = time.perf_counter()
        method = scope["method"]
        with continue_trace(_header(scope, b"traceparent")):
            try:
                await self.app(scope, receive, send_with_request_id)
            except Exception:
                log.exception(
                    "unhandled error in %s %s",
                    method,
                    scope["path"],
                    extra={"service": self.service},
                )
                if not response["started"]:
                    await internal_error_response()(scope, receive, send_with_request_id)
            finally:
                elapsed = time.perf_counter() - started_at
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                status = response["status"]
                self._metrics.record(method, template, status, elapsed)
                if self._should_log(status, elapsed):
                    access_log.info(
                        "%s %s %s %.1fms",
                        method,
                        scope["path"],
                        status,
                        elapsed * 1000,
                        extra={"service": self.service},
                    )

    def _should_log(self, status: int, elapsed: float) -> bool:
        if status >= 500 or elapsed >= self.slow_request_seconds:
            return True
        if self.access_log_sample >= 1.0:
            return access_log.isEnabledFor(logging.INFO)
        return random.random() < self.access_log_sample and access_log.isEnabledFor(logging.INFO)
