"""Shedding load at the door: past a number of requests in progress, answer at once.

A process that accepts every request keeps accepting past its capacity: each new request
waits longer for the CPU, the database pool or the write lock, until they all time out
together. Refusing the excess immediately with 503 and ``Retry-After`` keeps the ones let
in fast, and tells clients (and the gateway) when to come back.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from learnhub.kit.http.problems import problem_response
from learnhub.kit.observability import REQUESTS_SHED


class ShedLoad:
    """Lets at most ``max_in_flight`` HTTP requests in at once; answers the rest with a 503
    problem and ``Retry-After``. Health checks always pass, so an orchestrator does not
    restart a process that is merely busy."""

    def __init__(self, app: ASGIApp, *, max_in_flight: int, retry_after: int = 1) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = retry_after
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            REQUESTS_SHED.inc()
            response = problem_response(
                503,
                title="Too busy",
                type_uri="/problems/overloaded",
                detail="The platform is busy right now; retry in a moment.",
                headers={"Retry-After": str(self.retry_after)},
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
