"""The bus interface every backend implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from learnhub.kit.events.envelope import CloudEvent

DeliveryHandler = Callable[[CloudEvent], Awaitable[None]]
BatchDeliveryHandler = Callable[[Sequence[CloudEvent]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A consuming service: its name (one durable queue each), the event types it wants,
    and the function that handles one delivery (raising means "retry later").

    ``batch_handler``, when given, handles several waiting deliveries at once, all or
    nothing; a bus may use it for a backlog and falls back to ``handler`` one event at a
    time when it raises, so retries and dead letters stay per event."""

    consumer: str
    event_types: frozenset[str]
    handler: DeliveryHandler
    batch_handler: BatchDeliveryHandler | None = None


class Bus(Protocol):
    """Publishes CloudEvents and delivers them to subscribed services, at least once.

    ``publish`` returns only when the bus has taken responsibility for every event (the
    broker confirmed it, or, in-process, every subscriber has handled or dead-lettered
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


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential back-off: base, 2*base, 4*base... never more than cap."""
    return min(cap, base * (2 ** max(0, attempt - 1)))
