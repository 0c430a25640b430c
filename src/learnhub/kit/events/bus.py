"""The bus interface every backend implements."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from learnhub.kit.db import Database
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.observability import HANDLER_FAILURES

log = logging.getLogger(__name__)

DeliveryHandler = Callable[[CloudEvent], Awaitable[None]]
BatchDeliveryHandler = Callable[[Sequence[CloudEvent]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A consuming service: its name (one durable queue each), the event types it wants,
    the function that handles one delivery (raising means "retry later"), and its
    database, where the in-process bus keeps the service's queue (RabbitMQ keeps its own).

    ``batch_handler``, when given, handles several waiting deliveries at once, all or
    nothing; a bus may use it for a backlog and falls back to ``handler`` one event at a
    time when it raises, so retries and dead letters stay per event."""

    consumer: str
    event_types: frozenset[str]
    handler: DeliveryHandler
    database: Database | None = None
    batch_handler: BatchDeliveryHandler | None = None


@dataclass(frozen=True)
class DeadLetter:
    """An event a consuming service failed to handle ``attempts`` times (or could not read),
    kept for an operator to look at and replay."""

    consumer: str
    event_id: str
    event_type: str
    attempts: int
    error: str
    failed_at: str
    body: bytes


class Bus(Protocol):
    """Publishes CloudEvents and delivers them to subscribed services, at least once.

    ``publish`` returns only when the bus has taken responsibility for every event (the
    broker confirmed it, or, in-process, every subscriber's queue in its database holds
    it), so the outbox relay may then mark them published.
    """

    async def start(self) -> None: ...

    async def publish(self, events: Sequence[CloudEvent]) -> None: ...

    async def subscribe(self, subscription: Subscription) -> None: ...

    async def ping(self) -> None: ...

    async def wait_idle(self, within: float = 10.0) -> None:
        """Return once nothing published is still waiting to be handled (tests, seeding)."""
        ...

    async def close(self) -> None: ...


def log_failed_delivery(
    consumer: str, event: CloudEvent, error: Exception, *, attempt: int, retry_in: float | None
) -> None:
    """Count and log a handler's failure: a warning when the delivery will be retried in
    ``retry_in`` seconds, an error with the traceback when it is dead-lettered (None)."""
    HANDLER_FAILURES.labels(consumer, event.type).inc()
    context = {"service": consumer, "event_type": event.type, "event_id": event.id}
    if retry_in is None:
        log.error(
            "dead-lettering %s for %s after %d attempts: %r",
            event.type,
            consumer,
            attempt,
            error,
            exc_info=error,
            extra=context,
        )
    else:
        log.warning(
            "handler of %s failed (attempt %d): %r; retrying in %.2fs",
            event.type,
            attempt,
            error,
            retry_in,
            extra=context,
        )


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential back-off: base, 2*base, 4*base... never more than cap."""
    return float(min(cap, base * (2 ** max(0, attempt - 1))))
