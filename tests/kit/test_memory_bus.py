"""The in-process bus behaves like the broker: JSON on the wire, a durable queue per
consumer in its own database, retries with back-off, then a dead letter that is kept,
listed and replayed; publish returns once the events are queued, not once handled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnhub.kit.db import Database
from learnhub.kit.events.bus import Subscription
from learnhub.kit.events.deliveries import DeliveryQueue
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.events.tables import deliveries_table, messaging_metadata

COURSE_PUBLISHED = "test.course.published.v1"
LESSON_COMPLETED = "test.lesson.completed.v1"


class HandlerFailed(Exception):
    """What the failing handlers raise."""


class Recorder:
    """A handler that keeps what it was given and when."""

    def __init__(self, *, failures: int = 0, delay: float = 0.0) -> None:
        self.failures = failures
        self.delay = delay
        self.events: list[CloudEvent] = []
        self.called_at: list[float] = []

    async def __call__(self, event: CloudEvent) -> None:
        self.called_at.append(time.monotonic())
        if self.delay:
            await asyncio.sleep(self.delay)
        self.events.append(event)
        if len(self.events) <= self.failures:
            raise HandlerFailed(f"attempt {len(self.events)}")


async def eventually(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.005)


def course_published(title: str = "Algebra") -> CloudEvent:
    return CloudEvent(
        type=COURSE_PUBLISHED, source="tests", data={"title": title, "tags": ["a"]}, subject="c-1"
    )


Databases = Callable[[str], Awaitable[Database]]


@pytest.fixture
async def databases(tmp_path: Path) -> AsyncIterator[Databases]:
    """Each consumer's own SQLite database with the messaging tables."""
    opened: dict[str, Database] = {}

    async def database(consumer: str) -> Database:
        if consumer not in opened:
            db = Database(
                f"sqlite+aiosqlite:///{(tmp_path / consumer).as_posix()}.db", service=consumer
            )
            async with db.engine.begin() as connection:
                await connection.run_sync(messaging_metadata.create_all)
            opened[consumer] = db
        return opened[consumer]

    yield database
    for db in opened.values():
        await db.dispose()


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    in_process = InProcessBus(max_attempts=3, retry_base=0.02, retry_cap=0.05)
    yield in_process
    await in_process.close()


async def subscribe(
    bus: InProcessBus,
    databases: Databases,
    consumer: str,
    handler: Callable[[CloudEvent], Awaitable[None]],
    *types: str,
) -> None:
    await bus.subscribe(
        Subscription(
            consumer, frozenset(types or {COURSE_PUBLISHED}), handler, await databases(consumer)
        )
    )


async def queued(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(deliveries_table)) or 0)


async def test_a_subscriber_gets_an_equal_but_distinct_event(
    bus: InProcessBus, databases: Databases
) -> None:
    # given
    recorder = Recorder()
    await subscribe(bus, databases, "reader", recorder)
    event = course_published()

    # when
    await bus.publish([event])
    await bus.wait_idle()

    # then: it crossed the bus as JSON, as it would cross a broker
    [received] = recorder.events
    assert received == event
    assert received is not event
    assert received.data is not event.data
    assert await queued(await databases("reader")) == 0


async def test_publish_returns_once_the_events_are_queued_not_once_handled(
    bus: InProcessBus, databases: Databases
) -> None:
    # given: a handler that waits for a signal
    release = asyncio.Event()
    handled: list[CloudEvent] = []

    async def held(event: CloudEvent) -> None:
        await release.wait()
        handled.append(event)

    await subscribe(bus, databases, "held", held)
    event = course_published()

    # when
    await asyncio.wait_for(bus.publish([event]), 5.0)

    # then: queued in the consumer's database, not yet handled
    assert handled == []
    assert await queued(await databases("held")) == 1
    release.set()
    await bus.wait_idle()
    assert handled == [event]
    assert await queued(await databases("held")) == 0


async def test_events_queued_before_a_stop_are_handled_after_the_restart(
    databases: Databases,
) -> None:
    # given: a consumer that never gets to finish, then the process stops
    never = asyncio.Event()

    async def stuck(_event: CloudEvent) -> None:
        await never.wait()

    first = InProcessBus()
    await subscribe(first, databases, "reader", stuck)
    events = [course_published("one"), course_published("two")]
    await first.publish(events)
    await first.close()

    # when: the service starts again
    second = InProcessBus()
    recorder = Recorder()
    try:
        await subscribe(second, databases, "reader", recorder)
        await second.wait_idle()
    finally:
        await second.close()

    # then
    assert [event.id for event in recorder.events] == [event.id for event in events]


async def test_an_event_published_twice_is_queued_once(
    bus: InProcessBus, databases: Databases
) -> None:
    # given: a consumer busy with something else, so both copies would wait together
    release = asyncio.Event()
    handled: list[CloudEvent] = []

    async def held(event: CloudEvent) -> None:
        await release.wait()
        handled.append(event)

    await subscribe(bus, databases, "held", held)
    event = course_published()

    # when
    await bus.publish([event])
    await bus.publish([event])

    # then
    assert await queued(await databases("held")) == 1
    release.set()
    await bus.wait_idle()
    assert handled == [event]


async def test_a_failing_handler_is_retried_with_back_off_then_kept_as_a_dead_letter(
    bus: InProcessBus, databases: Databases
) -> None:
    # given
    broken = Recorder(failures=3)
    healthy = Recorder()
    await subscribe(bus, databases, "broken", broken)
    await subscribe(bus, databases, "healthy", healthy)
    event = course_published()

    # when
    await bus.publish([event])
    await bus.wait_idle()

    # then
    assert healthy.events == [event]
    assert len(broken.called_at) == 3
    waits = [
        later - earlier
        for earlier, later in zip(broken.called_at, broken.called_at[1:], strict=False)
    ]
    assert waits[0] >= 0.02
    assert waits[1] >= 0.04
    [dead] = await DeliveryQueue(await databases("broken")).dead_letters()
    assert (dead.consumer, dead.event_id, dead.event_type, dead.attempts) == (
        "broken",
        event.id,
        COURSE_PUBLISHED,
        3,
    )
    assert dead.error == "HandlerFailed('attempt 3')"
    assert CloudEvent.from_json(dead.body) == event
    assert await DeliveryQueue(await databases("healthy")).dead_letters() == []


async def test_a_dead_letter_survives_a_restart_and_a_replay_handles_it(
    databases: Databases,
) -> None:
    # given: a dead letter, and the process stopped
    first = InProcessBus(max_attempts=1)
    await subscribe(first, databases, "reader", Recorder(failures=1))
    event = course_published()
    await first.publish([event])
    await first.wait_idle()
    await first.close()
    queue = DeliveryQueue(await databases("reader"))
    assert [dead.event_id for dead in await queue.dead_letters()] == [event.id]

    # when: the handler is fixed, the service restarted and the dead letter replayed
    second = InProcessBus(max_attempts=1, poll_interval=0.05)
    fixed = Recorder()
    try:
        await subscribe(second, databases, "reader", fixed)
        await second.wait_idle()
        assert fixed.events == []
        assert await queue.replay(event_ids={"another-event"}) == 0
        assert await queue.replay() == 1
        # The replay happened behind the bus's back, as from the command line: poll.
        for _ in range(500):
            if not await queue.waiting():
                break
            await asyncio.sleep(0.01)
    finally:
        await second.close()

    # then
    assert fixed.events == [event]
    assert await queue.dead_letters() == []
    assert await queued(await databases("reader")) == 0


async def test_a_handler_that_recovers_is_not_dead_lettered(
    bus: InProcessBus, databases: Databases
) -> None:
    flaky = Recorder(failures=2)
    await subscribe(bus, databases, "flaky", flaky)
    event = course_published()

    await bus.publish([event])
    await bus.wait_idle()

    assert flaky.events == [event, event, event]
    assert await DeliveryQueue(await databases("flaky")).dead_letters() == []


async def test_a_stuck_consumer_blocks_no_other_consumer(
    bus: InProcessBus, databases: Databases
) -> None:
    # given
    release = asyncio.Event()
    stuck_calls: list[CloudEvent] = []

    async def stuck(event: CloudEvent) -> None:
        stuck_calls.append(event)
        await release.wait()

    healthy = Recorder()
    await subscribe(bus, databases, "stuck", stuck)
    await subscribe(bus, databases, "healthy", healthy)
    first, second = course_published("one"), course_published("two")

    # when
    await bus.publish([first, second])
    await eventually(lambda: len(healthy.events) == 2)

    # then
    assert healthy.events == [first, second]
    assert stuck_calls == [first]
    release.set()
    await bus.wait_idle()
    assert stuck_calls == [first, second]


async def test_only_subscribed_types_are_delivered(bus: InProcessBus, databases: Databases) -> None:
    courses = Recorder()
    lessons = Recorder()
    await subscribe(bus, databases, "courses", courses, COURSE_PUBLISHED)
    await subscribe(bus, databases, "lessons", lessons, LESSON_COMPLETED)
    published = course_published()
    completed = CloudEvent(type=LESSON_COMPLETED, source="tests", data={"lesson": 7})
    nobody = CloudEvent(type="test.nobody.listens.v1", source="tests", data={})

    await bus.publish([completed, published, nobody])
    await bus.wait_idle()

    assert courses.events == [published]
    assert lessons.events == [completed]


async def test_each_consumer_sees_events_in_publish_order(
    bus: InProcessBus, databases: Databases
) -> None:
    # given: handlers that take varying time, so an unordered bus would reorder
    slow = Recorder(delay=0.002)
    fast = Recorder()
    await subscribe(bus, databases, "slow", slow)
    await subscribe(bus, databases, "fast", fast)
    events = [course_published(str(number)) for number in range(20)]

    # when: one batch, then two more one after the other
    await bus.publish(events[:10])
    await bus.publish(events[10:15])
    await bus.publish(events[15:])
    await bus.wait_idle()

    # then
    assert [event.id for event in slow.events] == [event.id for event in events]
    assert [event.id for event in fast.events] == [event.id for event in events]


async def test_a_consumer_cannot_subscribe_twice_nor_without_a_database(
    bus: InProcessBus, databases: Databases
) -> None:
    await subscribe(bus, databases, "reader", Recorder())

    with pytest.raises(ValueError, match="reader already subscribed"):
        await subscribe(bus, databases, "reader", Recorder(), LESSON_COMPLETED)
    with pytest.raises(ValueError, match="nobody has no database"):
        await bus.subscribe(Subscription("nobody", frozenset({COURSE_PUBLISHED}), Recorder()))


async def test_publish_without_subscribers_queues_nothing(bus: InProcessBus) -> None:
    await bus.publish([course_published()])
    await bus.wait_idle()
