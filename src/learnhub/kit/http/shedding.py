"""Admission at the door: a fixed number of requests in progress, a bounded queue in front.

A process that starts every request it receives keeps starting them past its capacity:
each waits longer for the CPU, the database pool or the write lock, until they all time
out together. Here at most ``max_in_flight`` requests are worked on at once; the next ones
wait in a first-come queue (a burst of quiz starts is served, in order, within seconds);
when the queue is full, or a request has waited ``queue_timeout``, it is refused at once
with 503 and ``Retry-After``, so clients (and the gateway) know when to come back.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from learnhub.kit.http.problems import problem_response
from learnhub.kit.observability import REQUESTS_SHED


class ShedLoad:
    """Lets ``max_in_flight`` HTTP requests in at once and queues up to ``max_queued``
    more; answers the rest with a 503 problem and ``Retry-After``. Health checks always
    pass, so an orchestrator does not restart a process that is merely busy."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_queued: int = 0,
        queue_timeout: float = 10.0,
        retry_after: int = 1,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self.queued = 0
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        slots = self._slots
        if slots.locked():
            if self.queued >= self.max_queued:
                await self._refuse(scope, receive, send)
                return
            self.queued += 1
            try:
                async with asyncio.timeout(self.queue_timeout):
                    await slots.acquire()
            except TimeoutError:
                await self._refuse(scope, receive, send)
                return
            finally:
                self.queued -= 1
        else:
            await slots.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        REQUESTS_SHED.inc()
        response = problem_response(
            503,
            title="Too busy",
            type_uri="/problems/overloaded",
            detail="The platform is busy right now; retry in a moment.",
            headers={"Retry-After": str(self.retry_after)},
        )
        await response(scope, receive, send)
