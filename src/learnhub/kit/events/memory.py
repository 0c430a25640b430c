"""The in-process bus of the all-in-one mode.

It behaves like the broker: events cross it as JSON bytes, each consuming service has its
own FIFO queue and worker (a failing handler delays only its own service), a failing
delivery is retried with back-off and finally dead-lettered. A consumer that has fallen
behind takes its waiting events in batches through the subscription's batch handler (one
transaction for many), and one at a time again if a batch fails. ``publish`` returns once
every subscriber has handled (or dead-lettered) the events, so the outbox marks an event
published only when nothing in memory can lose it any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from learnhub.kit.events.bus import Subscription, retry_delay
from learnhub.kit.events.envelope import CloudEvent, MalformedEvent
from learnhub.kit.observability import CONSUMER_LAG, HANDLER_FAILURES

log = logging.getLogger(__name__)


@dataclass
class DeadLetter:
    consumer: str
    event: CloudEvent
    error: str
    attempts: int


@dataclass
class _Consumer:
    subscription: Subscription
    queue: asyncio.Queue[tuple[bytes, asyncio.Future[None]]] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None


class InProcessBus:
    """Delivers events between services running in one process."""

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        retry_base: float = 0.05,
        retry_cap: float = 2.0,
        max_batch: int = 100,
    ) -> None:
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        # A consumer that fell behind takes up to this many waiting events at once through
        # its batch handler: one transaction instead of one per event.
        self.max_batch = max_batch
        self.dead_letters: list[DeadLetter] = []
        self._consumers: dict[str, _Consumer] = {}

    async def start(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def wait_idle(self, within: float = 10.0) -> None:
        # publish() returns only after every subscriber handled the events.
        return None

    async def subscribe(self, subscription: Subscription) -> None:
        if subscription.consumer in self._consumers:
            raise ValueError(f"{subscription.consumer} already subscribed")
        consumer = _Consumer(subscription)
        consumer.worker = asyncio.create_task(
            self._work(consumer), name=f"bus:{subscription.consumer}"
        )
        self._consumers[subscription.consumer] = consumer

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        loop = asyncio.get_running_loop()
        pending: list[asyncio.Future[None]] = []
        for event in events:
            consumers = [
                consumer
                for consumer in self._consumers.values()
                if event.type in consumer.subscription.event_types
            ]
            if not consumers:
                continue
            raw = event.to_json()
            for consumer in consumers:
                done: asyncio.Future[None] = loop.create_future()
                consumer.queue.put_nowait((raw, done))
                CONSUMER_LAG.labels(consumer.subscription.consumer).set(consumer.queue.qsize())
                pending.append(done)
        if pending:
            await asyncio.gather(*pending)

    async def close(self) -> None:
        for consumer in self._consumers.values():
            if consumer.worker:
                consumer.worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await consumer.worker
        self._consumers.clear()

    async def _work(self, consumer: _Consumer) -> None:
        name = consumer.subscription.consumer
        while True:
            waiting = [await consumer.queue.get()]
            while len(waiting) < self.max_batch and not consumer.queue.empty():
                waiting.append(consumer.queue.get_nowait())
            try:
                if len(waiting) > 1 and consumer.subscription.batch_handler is not None:
                    await self._deliver_batch(consumer.subscription, [raw for raw, _ in waiting])
                else:
                    for raw, _ in waiting:
                        await self._deliver(consumer.subscription, raw)
            finally:
                CONSUMER_LAG.labels(name).set(consumer.queue.qsize())
                for _, done in waiting:
                    if not done.done():
                        done.set_result(None)

    async def _deliver_batch(self, subscription: Subscription, raws: list[bytes]) -> None:
        """All of them in one go; if that fails, each on its own with its own retries."""
        assert subscription.batch_handler is not None
        events = []
        for raw in raws:
            try:
                events.append(CloudEvent.from_json(raw))
            except MalformedEvent as error:
                log.error("dropping malformed event for %s: %s", subscription.consumer, error)
        try:
            await subscription.batch_handler(events)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning(
                "a batch of %d events failed for %s (%r); delivering them one at a time",
                len(events),
                subscription.consumer,
                error,
                extra={"service": subscription.consumer},
            )
        for event in events:
            await self._deliver_event(subscription, event)

    async def _deliver(self, subscription: Subscription, raw: bytes) -> None:
        try:
            event = CloudEvent.from_json(raw)
        except MalformedEvent as error:
            log.error("dropping malformed event for %s: %s", subscription.consumer, error)
            return
        await self._deliver_event(subscription, event)

    async def _deliver_event(self, subscription: Subscription, event: CloudEvent) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                await subscription.handler(event)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                HANDLER_FAILURES.labels(subscription.consumer, event.type).inc()
                if attempt == self.max_attempts:
                    log.exception(
                        "dead-lettering %s for %s after %d attempts",
                        event.type,
                        subscription.consumer,
                        attempt,
                        extra={
                            "service": subscription.consumer,
                            "event_type": event.type,
                            "event_id": event.id,
                        },
                    )
                    self.dead_letters.append(
                        DeadLetter(subscription.consumer, event, repr(error), attempt)
                    )
                    return
                log.warning(
                    "handler of %s failed (attempt %d): %r; retrying",
                    event.type,
                    attempt,
                    error,
                    extra={
                        "service": subscription.consumer,
                        "event_type": event.type,
                        "event_id": event.id,
                    },
                )
                await asyncio.sleep(retry_delay(attempt, base=self.retry_base, cap=self.retry_cap))
