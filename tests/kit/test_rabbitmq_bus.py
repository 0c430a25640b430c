"""The RabbitMQ bus against a real broker: delivery, retries, dead letters, redelivery.

Every test gets its own exchange and consumer names and deletes what it declared, so
tests never see each other's messages. The broker is ``LEARNHUB_TEST_RABBITMQ_URL``
(default: a local broker with the guest account).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aio_pika.exceptions import DeliveryError
from prometheus_client import REGISTRY

from learnhub.kit.events.bus import Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.rabbitmq import (
    BusUnavailable,
    DeadLetter,
    RabbitMQBus,
    consumer_queue_name,
    dead_letter_queue_name,
    list_dead_letters,
    replay_dead_letters,
    retry_queue_name,
)

pytestmark = pytest.mark.rabbitmq

BROKER_URL = os.environ.get("LEARNHUB_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
COURSE_PUBLISHED = "test.course.published.v1"
LESSON_COMPLETED = "test.lesson.completed.v1"
WAIT_SECONDS = 5.0


class HandlerFailed(Exception):
    """What the test handlers raise to ask for a retry."""


def course_published(title: str = "Algebra") -> CloudEvent:
    return CloudEvent(type=COURSE_PUBLISHED, source="tests", data={"title": title}, subject="c-1")


def lesson_completed() -> CloudEvent:
    return CloudEvent(type=LESSON_COMPLETED, source="tests", data={"lesson": 7})


async def eventually(condition: Callable[[], bool], *, within: float = WAIT_SECONDS) -> None:
    """Wait until ``condition()`` holds, polling, or fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)


async def eventually_async(
    condition: Callable[[], Awaitable[bool]], *, within: float = WAIT_SECONDS
) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)


def metric(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@dataclass
class Recorder:
    """A handler that records what it was given and fails its first ``failures`` calls."""

    failures: int = 0
    received: list[CloudEvent] = field(default_factory=list)
    called_at: list[float] = field(default_factory=list)

    async def __call__(self, event: CloudEvent) -> None:
        self.received.append(event)
        self.called_at.append(time.monotonic())
        if len(self.received) <= self.failures:
            raise HandlerFailed(f"failure {len(self.received)} of {event.id}")


@dataclass
class Broker:
    """One test's corner of the broker: a unique exchange, unique consumers, and cleanup."""

    connection: AbstractConnection
    channel: AbstractChannel
    exchange_name: str = field(default_factory=lambda: f"test.events.{uuid.uuid4().hex}")
    consumers: list[str] = field(default_factory=list)
    extra_queues: list[str] = field(default_factory=list)
    buses: list[RabbitMQBus] = field(default_factory=list)

    def consumer(self, role: str) -> str:
        name = f"test-{role}-{uuid.uuid4().hex[:12]}"
        self.consumers.append(name)
        return name

    async def bus(self, **options: Any) -> RabbitMQBus:
        """A started bus on this test's exchange, with back-off short enough for tests."""
        settings = {"retry_base": 0.01, "retry_cap": 0.2} | options
        bus = RabbitMQBus(BROKER_URL, exchange=self.exchange_name, **settings)
        self.buses.append(bus)
        await bus.start()
        return bus

    async def depth(self, queue: str) -> int:
        """Messages ready in a queue (delivered but unacknowledged ones are not counted)."""
        underlay = await self.channel.get_underlay_channel()
        declared = await underlay.queue_declare(queue, passive=True)
        return declared.message_count or 0

    async def exchange(self) -> AbstractExchange:
        return await self.channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    corner = Broker(connection, channel)
    try:
        yield corner
    finally:
        for bus in corner.buses:
            await bus.close()
        for consumer in corner.consumers:
            for queue in (
                consumer_queue_name(consumer),
                retry_queue_name(consumer),
                dead_letter_queue_name(consumer),
            ):
                await channel.queue_delete(queue)
        for queue in corner.extra_queues:
            await channel.queue_delete(queue)
        await channel.exchange_delete(corner.exchange_name)
        await connection.close()


async def test_subscriber_receives_an_equal_event(broker: Broker) -> None:
    bus = await broker.bus()
    recorder = Recorder()
    await bus.subscribe(
        Subscription(broker.consumer("reader"), frozenset({COURSE_PUBLISHED}), recorder)
    )
    event = course_published()

    await bus.publish([event])

    await eventually(lambda: len(recorder.received) == 1)
    assert recorder.received == [event]


async def test_only_bound_event_types_are_delivered(broker: Broker) -> None:
    bus = await broker.bus(prefetch=1)
    recorder = Recorder()
    consumer = broker.consumer("reader")
    await bus.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))
    wanted = course_published()

    # The unwanted event goes first: had it been routed, it would arrive first.
    await bus.publish([lesson_completed(), wanted])

    await eventually(lambda: len(recorder.received) == 1)
    assert recorder.received == [wanted]
    assert await broker.depth(consumer_queue_name(consumer)) == 0


async def test_each_consumer_gets_its_own_copy_and_a_stuck_one_blocks_nobody(
    broker: Broker,
) -> None:
    bus = await broker.bus()
    healthy = Recorder()
    release = asyncio.Event()
    stuck_calls: list[CloudEvent] = []

    async def stuck(event: CloudEvent) -> None:
        stuck_calls.append(event)
        await release.wait()
        raise HandlerFailed("still broken")

    await bus.subscribe(
        Subscription(broker.consumer("stuck"), frozenset({COURSE_PUBLISHED}), stuck)
    )
    await bus.subscribe(
        Subscription(broker.consumer("healthy"), frozenset({COURSE_PUBLISHED}), healthy)
    )
    events = [course_published("Algebra"), course_published("Geometry")]

    await bus.publish(events)

    await eventually(lambda: len(healthy.received) == 2 and len(stuck_calls) == 2)
    assert healthy.received == events
    assert stuck_calls == events
    release.set()


async def test_a_failing_handler_gets_the_event_again_with_back_off(broker: Broker) -> None:
    bus = await broker.bus(prefetch=1, retry_base=0.05, max_attempts=5)
    consumer = broker.consumer("flaky")
    recorder = Recorder(failures=2)
    await bus.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))
    event = course_published()

    await bus.publish([event])
    await eventually(lambda: len(recorder.received) == 3)
    # With a prefetch of one, the marker is delivered only once the third delivery was
    # acknowledged, so nothing about the first event can still arrive afterwards.
    marker = course_published("marker")
    await bus.publish([marker])
    await eventually(lambda: len(recorder.received) == 4)

    assert recorder.received == [event, event, event, marker]
    first_wait = recorder.called_at[1] - recorder.called_at[0]
    second_wait = recorder.called_at[2] - recorder.called_at[1]
    assert first_wait >= 0.05
    assert second_wait >= 0.10
    assert (
        metric("learnhub_event_handler_failures_total", service=consumer, type=COURSE_PUBLISHED)
        == 2.0
    )
    assert await broker.depth(retry_queue_name(consumer)) == 0
    assert await broker.depth(dead_letter_queue_name(consumer)) == 0


async def test_an_always_failing_handler_dead_letters_after_max_attempts(broker: Broker) -> None:
    bus = await broker.bus(max_attempts=3)
    consumer = broker.consumer("broken")
    recorder = Recorder(failures=1_000)
    await bus.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))
    event = course_published()
    before = datetime.now(UTC)

    await bus.publish([event])
    await eventually_async(lambda: _has_messages(broker, dead_letter_queue_name(consumer), 1))

    assert recorder.received == [event, event, event]
    [dead] = await list_dead_letters(BROKER_URL, consumer)
    assert dead == DeadLetter(
        consumer=consumer,
        event_id=event.id,
        event_type=COURSE_PUBLISHED,
        attempts=3,
        error=f"HandlerFailed('failure 3 of {event.id}')",
        failed_at=dead.failed_at,
        body=event.to_json(),
    )
    assert before <= datetime.fromisoformat(dead.failed_at) <= datetime.now(UTC)
    assert CloudEvent.from_json(dead.body) == event
    assert (
        metric("learnhub_event_handler_failures_total", service=consumer, type=COURSE_PUBLISHED)
        == 3.0
    )
    assert await broker.depth(retry_queue_name(consumer)) == 0


async def test_listing_dead_letters_leaves_them_in_place(broker: Broker) -> None:
    consumer, events = await _dead_letter_three(broker)

    first = await list_dead_letters(BROKER_URL, consumer)
    second = await list_dead_letters(BROKER_URL, consumer)
    limited = await list_dead_letters(BROKER_URL, consumer, limit=2)

    assert [dead.event_id for dead in first] == [event.id for event in events]
    assert second == first
    assert limited == first[:2]
    assert {dead.attempts for dead in first} == {1}
    assert await broker.depth(dead_letter_queue_name(consumer)) == 3


@pytest.mark.usefixtures("broker")
async def test_listing_an_unknown_consumer_finds_nothing() -> None:
    assert await list_dead_letters(BROKER_URL, f"nobody-{uuid.uuid4().hex}") == []
    assert await replay_dead_letters(BROKER_URL, f"nobody-{uuid.uuid4().hex}") == 0


async def test_replay_delivers_dead_letters_again_from_the_first_attempt(broker: Broker) -> None:
    bus = await broker.bus(max_attempts=2)
    consumer = broker.consumer("fixable")
    broken = True
    received: list[CloudEvent] = []

    async def handler(event: CloudEvent) -> None:
        received.append(event)
        # After the fix it still fails once: with the attempt count not reset, that one
        # failure would send the event straight back to the dead-letter queue.
        if broken or len(received) == 3:
            raise HandlerFailed("not yet")

    await bus.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), handler))
    event = course_published()
    await bus.publish([event])
    await eventually_async(lambda: _has_messages(broker, dead_letter_queue_name(consumer), 1))
    assert received == [event, event]

    broken = False
    replayed = await replay_dead_letters(BROKER_URL, consumer)

    assert replayed == 1
    await eventually(lambda: len(received) == 4)
    assert received == [event, event, event, event]
    assert await list_dead_letters(BROKER_URL, consumer) == []


async def test_replay_of_selected_events_leaves_the_others(broker: Broker) -> None:
    consumer, events = await _dead_letter_three(broker)
    replayed_to = Recorder()
    # The original bus keeps failing; a fixed instance of the service takes over.
    for bus in broker.buses:
        await bus.close()
    fixed = await broker.bus()
    await fixed.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), replayed_to))

    replayed = await replay_dead_letters(BROKER_URL, consumer, event_ids=[events[1].id])

    assert replayed == 1
    await eventually(lambda: len(replayed_to.received) == 1)
    assert replayed_to.received == [events[1]]
    remaining = await list_dead_letters(BROKER_URL, consumer)
    assert [dead.event_id for dead in remaining] == [events[0].id, events[2].id]


async def test_a_malformed_message_goes_straight_to_the_dead_letter_queue(broker: Broker) -> None:
    bus = await broker.bus()
    consumer = broker.consumer("reader")
    recorder = Recorder()
    await bus.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))
    exchange = await broker.exchange()

    await exchange.publish(
        aio_pika.Message(b"not a cloud event", message_id="garbage-1"), routing_key=COURSE_PUBLISHED
    )
    await eventually_async(lambda: _has_messages(broker, dead_letter_queue_name(consumer), 1))

    [dead] = await list_dead_letters(BROKER_URL, consumer)
    assert recorder.received == []
    assert (dead.event_id, dead.event_type, dead.attempts, dead.body) == (
        "garbage-1",
        COURSE_PUBLISHED,
        1,
        b"not a cloud event",
    )
    assert dead.error.startswith("MalformedEvent('not a CloudEvent: ")


async def test_start_against_an_unreachable_broker_raises_a_readable_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    bus = RabbitMQBus(f"amqp://learner:s3cret@127.0.0.1:{free_port}/")

    with pytest.raises(BusUnavailable) as raised:
        await bus.start()

    message = str(raised.value)
    assert message.startswith(
        f"Cannot connect to the RabbitMQ broker at amqp://learner:***@127.0.0.1:{free_port}/ ("
    )
    assert message.endswith(").")
    assert "s3cret" not in message
    with pytest.raises(BusUnavailable):
        await bus.publish([course_published()])
    with pytest.raises(BusUnavailable):
        await bus.ping()


async def test_publish_and_ping_after_close_raise(broker: Broker) -> None:
    bus = await broker.bus()
    await bus.ping()

    await bus.close()

    with pytest.raises(BusUnavailable, match="not started or already closed"):
        await bus.publish([course_published()])
    with pytest.raises(BusUnavailable, match="Not connected"):
        await bus.ping()


async def test_publish_raises_when_the_broker_refuses_an_event(broker: Broker) -> None:
    bus = await broker.bus()
    full_queue = f"test-full-{uuid.uuid4().hex}"
    broker.extra_queues.append(full_queue)
    queue = await broker.channel.declare_queue(
        full_queue, arguments={"x-max-length": 0, "x-overflow": "reject-publish"}
    )
    await queue.bind(await broker.exchange(), routing_key=COURSE_PUBLISHED)

    with pytest.raises(DeliveryError):
        await bus.publish([course_published()])
    # An event nobody subscribed to is confirmed and dropped, as on the in-process bus.
    await bus.publish([lesson_completed()])


async def test_consumer_lag_is_read_on_subscribe(broker: Broker) -> None:
    consumer = broker.consumer("late")
    first = await broker.bus()
    await first.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), Recorder()))
    await first.close()
    publisher = await broker.bus()
    events = [course_published(str(number)) for number in range(3)]
    await publisher.publish(events)

    later = await broker.bus()
    recorder = Recorder()
    await later.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))

    assert metric("learnhub_consumer_lag", service=consumer) == 3.0
    await eventually(lambda: len(recorder.received) == 3)
    assert sorted(event.id for event in recorder.received) == sorted(event.id for event in events)
    await later.refresh_lag()
    assert metric("learnhub_consumer_lag", service=consumer) == 0.0


async def test_an_event_interrupted_by_shutdown_is_delivered_to_the_next_instance(
    broker: Broker,
) -> None:
    consumer = broker.consumer("crashy")
    handler_started = asyncio.Event()
    interrupted: list[CloudEvent] = []

    async def blocks_forever(event: CloudEvent) -> None:
        interrupted.append(event)
        handler_started.set()
        await asyncio.Event().wait()

    dying = await broker.bus()
    await dying.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), blocks_forever))
    event = course_published()
    await dying.publish([event])
    await asyncio.wait_for(handler_started.wait(), WAIT_SECONDS)

    await dying.close()
    successor = await broker.bus()
    recorder = Recorder()
    await successor.subscribe(Subscription(consumer, frozenset({COURSE_PUBLISHED}), recorder))

    await eventually(lambda: len(recorder.received) == 1)
    assert interrupted == [event]
    assert recorder.received == [event]
    assert (
        metric("learnhub_event_handler_failures_total", service=consumer, type=COURSE_PUBLISHED)
        is None
    )


async def _has_messages(broker: Broker, queue: str, count: int) -> bool:
    return await broker.depth(queue) == count


async def _dead_letter_three(broker: Broker) -> tuple[str, list[CloudEvent]]:
    """Three events in a fresh consumer's dead-letter queue, in publication order."""
    # One attempt and one delivery at a time, so they are dead-lettered in order.
    bus = await broker.bus(max_attempts=1, prefetch=1)
    consumer = broker.consumer("broken")
    await bus.subscribe(
        Subscription(consumer, frozenset({COURSE_PUBLISHED}), Recorder(failures=1_000))
    )
    events = [course_published(title) for title in ("Algebra", "Geometry", "Calculus")]
    await bus.publish(events)
    await eventually_async(lambda: _has_messages(broker, dead_letter_queue_name(consumer), 3))
    return consumer, events
