"""The in-process bus behaves like the broker: JSON on the wire, delivery before publish
returns, retries with back-off then a dead letter, one queue per consumer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from learnhub.kit.events.bus import Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.memory import DeadLetter, InProcessBus

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


async def eventually(condition: Callable[[], bool], *, within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.001)


def course_published(title: str = "Algebra") -> CloudEvent:
    return CloudEvent(
        type=COURSE_PUBLISHED, source="tests", data={"title": title, "tags": ["a"]}, subject="c-1"
    )


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    in_process = InProcessBus(max_attempts=3, retry_base=0.02, retry_cap=0.05)
    yield in_process
    await in_process.close()


async def test_a_subscriber_gets_an_equal_but_distinct_event(bus: InProcessBus) -> None:
    # given
    recorder = Recorder()
    await bus.subscribe(Subscription("reader", frozenset({COURSE_PUBLISHED}), recorder))
    event = course_published()

    # when
    await bus.publish([event])

    # then: it crossed the bus as JSON, as it would cross a broker
    [received] = recorder.events
    assert received == event
    assert received is not event
    assert received.data is not event.data


async def test_publish_returns_only_after_the_handlers_ran(bus: InProcessBus) -> None:
    slow = Recorder(delay=0.05)
    await bus.subscribe(Subscription("slow", frozenset({COURSE_PUBLISHED}), slow))
    event = course_published()

    await bus.publish([event])

    assert slow.events == [event]


async def test_a_failing_handler_is_retried_with_back_off_then_dead_lettered_without_blocking_others(
    bus: InProcessBus,
) -> None:
    # given
    broken = Recorder(failures=3)
    healthy = Recorder()
    await bus.subscribe(Subscription("broken", frozenset({COURSE_PUBLISHED}), broken))
    await bus.subscribe(Subscription("healthy", frozenset({COURSE_PUBLISHED}), healthy))
    event = course_published()

    # when
    publishing = asyncio.create_task(bus.publish([event]))
    await eventually(lambda: bool(healthy.events))

    # then: the healthy consumer had it before the broken one's first retry
    assert healthy.events == [event]
    assert not publishing.done()
    await asyncio.wait_for(publishing, 2.0)
    assert len(broken.called_at) == 3
    assert healthy.called_at[0] < broken.called_at[1]
    waits = [
        later - earlier
        for earlier, later in zip(broken.called_at, broken.called_at[1:], strict=False)
    ]
    assert waits[0] >= 0.02
    assert waits[1] >= 0.04
    assert bus.dead_letters == [
        DeadLetter(consumer="broken", event=event, error="HandlerFailed('attempt 3')", attempts=3)
    ]
    assert healthy.events == [event]


async def test_a_handler_that_recovers_is_not_dead_lettered(bus: InProcessBus) -> None:
    flaky = Recorder(failures=2)
    await bus.subscribe(Subscription("flaky", frozenset({COURSE_PUBLISHED}), flaky))
    event = course_published()

    await bus.publish([event])

    assert flaky.events == [event, event, event]
    assert bus.dead_letters == []


async def test_a_stuck_consumer_blocks_no_other_consumer(bus: InProcessBus) -> None:
    # given
    release = asyncio.Event()
    stuck_calls: list[CloudEvent] = []

    async def stuck(event: CloudEvent) -> None:
        stuck_calls.append(event)
        await release.wait()

    healthy = Recorder()
    await bus.subscribe(Subscription("stuck", frozenset({COURSE_PUBLISHED}), stuck))
    await bus.subscribe(Subscription("healthy", frozenset({COURSE_PUBLISHED}), healthy))
    first, second = course_published("one"), course_published("two")

    # when
    publishing = asyncio.create_task(bus.publish([first, second]))
    await eventually(lambda: len(healthy.events) == 2)

    # then
    assert healthy.events == [first, second]
    assert stuck_calls == [first]
    assert not publishing.done()
    release.set()
    await asyncio.wait_for(publishing, 2.0)
    assert stuck_calls == [first, second]


async def test_only_subscribed_types_are_delivered(bus: InProcessBus) -> None:
    courses = Recorder()
    lessons = Recorder()
    await bus.subscribe(Subscription("courses", frozenset({COURSE_PUBLISHED}), courses))
    await bus.subscribe(Subscription("lessons", frozenset({LESSON_COMPLETED}), lessons))
    published = course_published()
    completed = CloudEvent(type=LESSON_COMPLETED, source="tests", data={"lesson": 7})
    nobody = CloudEvent(type="test.nobody.listens.v1", source="tests", data={})

    await bus.publish([completed, published, nobody])

    assert courses.events == [published]
    assert lessons.events == [completed]


async def test_each_consumer_sees_events_in_publish_order(bus: InProcessBus) -> None:
    # given: handlers that take varying time, so an unordered bus would reorder
    slow = Recorder(delay=0.002)
    fast = Recorder()
    await bus.subscribe(Subscription("slow", frozenset({COURSE_PUBLISHED}), slow))
    await bus.subscribe(Subscription("fast", frozenset({COURSE_PUBLISHED}), fast))
    events = [course_published(str(number)) for number in range(20)]

    # when: one batch, and two publishes racing each other
    await bus.publish(events[:10])
    await asyncio.gather(bus.publish(events[10:15]), bus.publish(events[15:]))

    # then
    assert [event.id for event in slow.events] == [event.id for event in events]
    assert [event.id for event in fast.events] == [event.id for event in events]


async def test_a_consumer_cannot_subscribe_twice(bus: InProcessBus) -> None:
    await bus.subscribe(Subscription("reader", frozenset({COURSE_PUBLISHED}), Recorder()))

    with pytest.raises(ValueError, match="reader already subscribed"):
        await bus.subscribe(Subscription("reader", frozenset({LESSON_COMPLETED}), Recorder()))


async def test_publish_without_subscribers_returns_at_once(bus: InProcessBus) -> None:
    await asyncio.wait_for(bus.publish([course_published()]), 0.5)

    assert bus.dead_letters == []
