"""Request context for every HTTP request: request id, trace span, metrics, access log.

A pure ASGI middleware (no per-request task or body buffering), outermost in each app, so
it also turns any unhandled exception into a 500 problem and counts it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from opentelemetry.trace import SpanKind
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


class RequestContextMiddleware:
    """Gives each request an id (kept from ``X-Request-ID`` when well-formed), continues
    its W3C trace context, records Prometheus metrics by route template, and logs it."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

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
        with continue_trace(
            _header(scope, b"traceparent"), f"{method} {scope['path']}", kind=SpanKind.SERVER
        ):
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
                HTTP_REQUESTS.labels(self.service, method, template, str(response["status"])).inc()
                HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
                access_log.info(
                    "%s %s %s %.1fms",
                    method,
                    scope["path"],
                    response["status"],
                    elapsed * 1000,
                    extra={"service": self.service},
                )
