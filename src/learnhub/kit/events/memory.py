"""The in-process bus of the all-in-one mode.

It behaves like the broker: events cross it as JSON, each consuming service has its own
durable FIFO queue (the ``deliveries`` table of its own database, see
:mod:`learnhub.kit.events.deliveries`) and worker, so a failing or slow handler delays
only its own service; a failing delivery is retried with back-off and finally kept as a
dead letter, which ``learnhub events dlq`` lists and replays. ``publish`` returns once
every subscriber's queue holds the events: the relay never waits for handlers, and a
process that stops before handling them handles them after its restart.

A worker takes up to ``batch_size`` due deliveries at a time. When the subscription has a
batch handler, each run of deliveries on their first attempt goes to it together (one
transaction for many events, see :func:`learnhub.kit.events.inbox.inbox_batch_delivery`);
if that raises, the run is delivered one event at a time instead, so a failing event is
retried and dead-lettered alone, and a delivery that failed before is always handled alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from learnhub.kit.db import utcnow
from learnhub.kit.events.bus import (
    BatchDeliveryHandler,
    Subscription,
    log_failed_delivery,
    retry_delay,
)
from learnhub.kit.events.deliveries import Delivery, DeliveryQueue
from learnhub.kit.events.envelope import CloudEvent, MalformedEvent
from learnhub.kit.observability import CONSUMER_LAG

log = logging.getLogger(__name__)


@dataclass
class _Consumer:
    subscription: Subscription
    queue: DeliveryQueue
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    worker: asyncio.Task[None] | None = None
    # Publishes to this consumer so far, and how many of them its worker had seen when it
    # last found its queue empty. Starting at one publish makes the first pass count, so
    # what a previous process left in the queue is waited for too.
    published: int = 1
    settled: int = 0


class InProcessBus:
    """Delivers events between services running in one process, through each consuming
    service's queue in its own database (so every subscription names its database)."""

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        retry_base: float = 0.05,
        retry_cap: float = 2.0,
        poll_interval: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        # Picks up what another process put in a queue (a replay from the command line).
        self.poll_interval = poll_interval
        # Due deliveries a worker takes at once: a backlog costs one transaction per batch
        # when the consumer has a batch handler, else one query and one delete per batch.
        self.batch_size = batch_size
        self._consumers: dict[str, _Consumer] = {}
        self._progress = asyncio.Event()

    async def start(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def subscribe(self, subscription: Subscription) -> None:
        if subscription.consumer in self._consumers:
            raise ValueError(f"{subscription.consumer} already subscribed")
        if subscription.database is None:
            raise ValueError(
                f"{subscription.consumer} has no database to keep its queue in; "
                "the in-process bus needs one"
            )
        consumer = _Consumer(subscription, DeliveryQueue(subscription.database))
        consumer.worker = asyncio.create_task(
            self._work(consumer), name=f"bus:{subscription.consumer}"
        )
        self._consumers[subscription.consumer] = consumer

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        for consumer in list(self._consumers.values()):
            wanted = [event for event in events if event.type in consumer.subscription.event_types]
            if wanted:
                await consumer.queue.accept(wanted)
                consumer.published += 1
                consumer.wake.set()

    async def wait_idle(self, within: float = 10.0) -> None:
        """Return once every worker has found its queue empty (dead letters aside) after the
        last publish to it: every event published so far was handled or dead-lettered."""
        async with asyncio.timeout(within):
            while True:
                self._progress.clear()
                if all(c.settled >= c.published for c in self._consumers.values()):
                    return
                await self._progress.wait()

    async def close(self) -> None:
        """Stop the workers; a delivery being handled stays queued and is handled again
        after the next start."""
        for consumer in self._consumers.values():
            if consumer.worker:
                consumer.worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await consumer.worker
        self._consumers.clear()

    async def _work(self, consumer: _Consumer) -> None:
        name = consumer.subscription.consumer
        failures = 0
        while True:
            try:
                consumer.wake.clear()
                seen = consumer.published
                due = await consumer.queue.due(limit=self.batch_size)
                # Removed together after the batch: a stop before that only means the
                # inbox skips them when they come again.
                handled = await self._deliver_all(consumer, due)
                waiting, next_at = await consumer.queue.finish(handled)
                if len(due) == self.batch_size:
                    continue
                CONSUMER_LAG.labels(name).set(waiting)
                failures = 0
                if not waiting:
                    consumer.settled = seen
                    self._progress.set()
                await self._sleep_until(consumer, next_at)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The service's database is unreachable: nothing is lost, try again later.
                failures += 1
                delay = retry_delay(failures, base=0.5, cap=30.0)
                log.exception("the event queue of %s failed; retrying in %.1fs", name, delay)
                await asyncio.sleep(delay)

    async def _sleep_until(self, consumer: _Consumer, next_at: datetime | None) -> None:
        timeout = self.poll_interval
        if next_at is not None:
            timeout = min(timeout, max(0.0, (next_at - utcnow()).total_seconds()))
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(consumer.wake.wait(), timeout)

    async def _deliver_all(self, consumer: _Consumer, due: list[Delivery]) -> list[Delivery]:
        """Deliver the due deliveries in order; returns those that were handled."""
        batch_handler = consumer.subscription.batch_handler
        handled: list[Delivery] = []
        for run in _runs_of_first_attempts(due) if batch_handler else [due]:
            if (
                batch_handler is not None
                and len(run) > 1
                and await self._deliver_batch(consumer, batch_handler, run)
            ):
                handled.extend(run)
                continue
            handled.extend(
                [delivery for delivery in run if await self._deliver(consumer, delivery)]
            )
        return handled

    async def _deliver_batch(
        self, consumer: _Consumer, batch_handler: BatchDeliveryHandler, run: list[Delivery]
    ) -> bool:
        """Hand the run to the batch handler at once: True when it succeeded, False when
        it raised (nothing of it was kept) or an event was unreadable."""
        subscription = consumer.subscription
        try:
            events = [CloudEvent.from_json(delivery.body) for delivery in run]
        except MalformedEvent:
            return False  # one at a time, where it is dead-lettered alone
        try:
            await batch_handler(events)
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
            return False
        return True

    async def _deliver(self, consumer: _Consumer, delivery: Delivery) -> bool:
        """Run the handler; True when it succeeded, else the delivery is rescheduled or
        dead-lettered."""
        subscription = consumer.subscription
        name = subscription.consumer
        try:
            event = CloudEvent.from_json(delivery.body)
        except MalformedEvent as error:
            log.error("dead-lettering a malformed event for %s: %s", name, error)
            await consumer.queue.dead_letter(delivery, error=repr(error))
            return False
        try:
            await subscription.handler(event)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            attempt = delivery.attempts + 1
            if attempt >= self.max_attempts:
                log_failed_delivery(name, event, error, attempt=attempt, retry_in=None)
                await consumer.queue.dead_letter(delivery, error=repr(error))
            else:
                delay = retry_delay(attempt, base=self.retry_base, cap=self.retry_cap)
                log_failed_delivery(name, event, error, attempt=attempt, retry_in=delay)
                await consumer.queue.retry_later(delivery, error=repr(error), delay=delay)
            return False
        return True


def _runs_of_first_attempts(due: list[Delivery]) -> Iterator[list[Delivery]]:
    """The due deliveries in order, as runs of first attempts (handed over together) and
    deliveries that failed before (alone, so a failing event does not fail a batch again)."""
    run: list[Delivery] = []
    for delivery in due:
        if delivery.attempts == 0:
            run.append(delivery)
            continue
        if run:
            yield run
            run = []
        yield [delivery]
    if run:
        yield run
