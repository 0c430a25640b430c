"""The transactional outbox and its relay: events commit with the state change, are published
in order, survive a failing bus and a process killed between commit and publish."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path

import aio_pika
import pytest
from sqlalchemy import update
from typing_extensions import override

from learnhub.kit.db import Database, utcnow
from learnhub.kit.events.bus import Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.events.outbox import OutboxRelay
from learnhub.kit.events.tables import outbox_table
from tests.kit import sample_service
from tests.kit.sample_service import note_ids, open_database, outbox_rows, unpublished, write_note

REGISTERED = "user.registered.v1"


class BusDown(ConnectionError):
    """What the failing bus raises."""


class Recorder:
    """A subscriber that keeps every event it is given."""

    def __init__(self) -> None:
        self.events: list[CloudEvent] = []

    async def __call__(self, event: CloudEvent) -> None:
        self.events.append(event)

    @property
    def ids(self) -> list[str]:
        return [event.id for event in self.events]


class FlakyBus:
    """A bus whose first ``failures`` publishes raise; later ones are recorded."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.published: list[CloudEvent] = []

    async def start(self) -> None:
        return None

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise BusDown("broker unreachable")
        self.published.extend(events)

    async def subscribe(self, subscription: Subscription) -> None:
        raise NotImplementedError

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


async def eventually(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(f"sqlite+aiosqlite:///{(tmp_path / 'notebook.db').as_posix()}")
    yield database
    await database.dispose()


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    in_process = InProcessBus()
    yield in_process
    await in_process.close()


async def subscribed(bus: InProcessBus, db: Database, consumer: str = "reader") -> Recorder:
    """A consumer keeping its queue in ``db`` (the producer's own: a service may consume
    its own events)."""
    recorder = Recorder()
    await bus.subscribe(Subscription(consumer, frozenset({REGISTERED}), recorder, db))
    return recorder


async def test_the_event_commits_with_the_state_change(db: Database) -> None:
    # when
    async with db.transaction() as session:
        event_id = await write_note(session, "n-1")

    # then
    assert await note_ids(db) == ["n-1"]
    [row] = await outbox_rows(db)
    assert row["id"] == event_id
    assert row["type"] == REGISTERED
    assert row["subject"] == "n-1"
    assert row["published_at"] is None
    assert row["attempts"] == 0
    assert db.outbox_signal.is_set()


async def test_a_rolled_back_transaction_leaves_no_event_and_publishes_nothing(
    db: Database, bus: InProcessBus
) -> None:
    # given
    recorder = await subscribed(bus, db)
    relay = OutboxRelay(db, bus)

    # when
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with db.transaction() as session:
            await write_note(session, "n-1")
            raise RuntimeError("changed my mind")

    # then
    assert await note_ids(db) == []
    assert await outbox_rows(db) == []
    assert not db.outbox_signal.is_set()
    assert await relay.publish_pending() == 0
    assert recorder.events == []


async def test_the_relay_publishes_in_recorded_order_and_marks_published(
    db: Database, bus: InProcessBus
) -> None:
    # given: five events over three transactions, more than one relay batch
    recorder = await subscribed(bus, db)
    recorded: list[str] = []
    for batch in (["a", "b"], ["c"], ["d", "e"]):
        async with db.transaction() as session:
            for note_id in batch:
                recorded.append(await write_note(session, note_id))
    relay = OutboxRelay(db, bus, batch_size=2)

    # when
    await relay.drain()
    await bus.wait_idle()

    # then
    assert recorder.ids == recorded
    assert [event.subject for event in recorder.events] == ["a", "b", "c", "d", "e"]
    assert all(event.source == "notebook" for event in recorder.events)
    rows = await outbox_rows(db)
    assert [row["id"] for row in rows] == recorded
    assert all(row["published_at"] is not None for row in rows)
    assert await relay.publish_pending() == 0
    assert await relay.backlog() == 0
    assert len(recorder.events) == 5


async def test_a_failing_bus_marks_nothing_and_the_next_run_publishes(db: Database) -> None:
    # given
    async with db.transaction() as session:
        first = await write_note(session, "n-1")
        second = await write_note(session, "n-2")
    flaky = FlakyBus(failures=1)
    relay = OutboxRelay(db, flaky)

    # when
    with pytest.raises(BusDown):
        await relay.publish_pending()

    # then
    rows = await outbox_rows(db)
    assert [(row["id"], row["published_at"], row["attempts"]) for row in rows] == [
        (first, None, 1),
        (second, None, 1),
    ]
    assert await relay.backlog() == 2

    # when: the bus is back
    assert await relay.publish_pending() == 2

    # then
    assert [event.id for event in flaky.published] == [first, second]
    rows = await outbox_rows(db)
    assert all(row["published_at"] is not None for row in rows)
    assert [row["attempts"] for row in rows] == [1, 1]
    assert await relay.publish_pending() == 0
    assert flaky.calls == 2


async def test_a_commit_wakes_the_running_relay_without_waiting_for_its_poll(
    db: Database, bus: InProcessBus
) -> None:
    # given: a relay that would otherwise poll only every minute
    recorder = await subscribed(bus, db)
    relay = OutboxRelay(db, bus, poll_interval=60.0)
    relay.start()
    try:
        await asyncio.sleep(0)

        # when
        async with db.transaction() as session:
            event_id = await write_note(session, "n-1")

        # then
        await eventually(lambda: recorder.ids == [event_id], within=2.0)
    finally:
        await relay.stop()
    assert await unpublished(db) == 0


class WatchingBus:
    """A bus that notes, while it publishes, how many connections of the producer's
    database are in use (one would be an open relay transaction)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.connections_in_use: list[int] = []
        self.published: list[CloudEvent] = []

    async def start(self) -> None:
        return None

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        self.connections_in_use.append(self.db.engine.pool.checkedout())
        self.published.extend(events)

    async def subscribe(self, subscription: Subscription) -> None:
        raise NotImplementedError

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RelayDied(BaseException):
    """The process ends in the middle of a publish (not an error the relay handles)."""


class DyingBus(WatchingBus):
    @override
    async def publish(self, events: Sequence[CloudEvent]) -> None:
        raise RelayDied


async def test_no_transaction_is_open_while_the_bus_publishes(db: Database) -> None:
    # given
    async with db.transaction() as session:
        event_id = await write_note(session, "n-1")
    bus = WatchingBus(db)

    # when
    assert await OutboxRelay(db, bus).publish_pending() == 1

    # then
    assert bus.connections_in_use == [0]
    assert [event.id for event in bus.published] == [event_id]
    [row] = await outbox_rows(db)
    assert row["published_at"] is not None
    assert row["claimed_until"] is None


async def test_a_batch_claimed_by_a_relay_that_died_goes_out_once_its_lease_ends(
    db: Database,
) -> None:
    # given: a relay that claimed the event and died while publishing it
    async with db.transaction() as session:
        event_id = await write_note(session, "n-1")
    with pytest.raises(RelayDied):
        await OutboxRelay(db, DyingBus(db), lease=timedelta(hours=1)).publish_pending()
    [row] = await outbox_rows(db)
    assert row["claimed_until"] is not None
    assert row["published_at"] is None

    # when: another relay looks while the lease lasts
    other = WatchingBus(db)
    assert await OutboxRelay(db, other).publish_pending() == 0

    # then
    assert other.published == []

    # when: the lease has run out
    async with db.transaction() as session:
        await session.execute(
            update(outbox_table).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert await OutboxRelay(db, other).publish_pending() == 1

    # then
    assert [event.id for event in other.published] == [event_id]
    assert await unpublished(db) == 0


def crash_after_commit(url: str, service: str, note_id: str) -> str:
    """Run a process that commits a note and its event, then is killed before any relay runs;
    returns the recorded event id."""
    script = Path(sample_service.__file__)
    finished = subprocess.run(
        [sys.executable, str(script), url, service, note_id],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=script.parent,
    )
    assert finished.returncode == -signal.SIGKILL, finished.stderr
    return finished.stdout.strip()


async def test_a_process_killed_between_commit_and_publish_still_delivers_after_restart(
    tmp_path: Path,
) -> None:
    # given: the service's database, and a process that dies right after its commit
    url = f"sqlite+aiosqlite:///{(tmp_path / 'notebook.db').as_posix()}"
    created = await open_database(url)
    await created.dispose()
    event_id = await asyncio.to_thread(crash_after_commit, url, "notebook", "n-1")

    # when: the service restarts
    db = Database(url, service="notebook")
    bus = InProcessBus()
    try:
        recorder = await subscribed(bus, db)
        assert await note_ids(db) == ["n-1"]
        assert await unpublished(db) == 1
        relay = OutboxRelay(db, bus)
        await relay.drain()
        await relay.drain()
        await bus.wait_idle()

        # then
        assert recorder.ids == [event_id]
        assert recorder.events[0].subject == "n-1"
        [row] = await outbox_rows(db)
        assert row["published_at"] is not None
    finally:
        await bus.close()
        await db.dispose()


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_a_killed_process_still_delivers_on_postgresql_and_rabbitmq(
    postgres_database: str, rabbitmq_vhost_url: str
) -> None:
    from learnhub.kit.events.rabbitmq import (
        RabbitMQBus,
        consumer_queue_name,
        dead_letter_queue_name,
        retry_queue_name,
    )

    # given
    service = f"notebook_{uuid.uuid4().hex[:8]}"
    exchange = f"test.events.{uuid.uuid4().hex}"
    consumer = f"test-reader-{uuid.uuid4().hex[:12]}"
    created = await open_database(postgres_database, service=service)
    await created.dispose()
    event_id = await asyncio.to_thread(crash_after_commit, postgres_database, service, "n-1")

    db = Database(postgres_database, service=service)
    bus = RabbitMQBus(rabbitmq_vhost_url, exchange=exchange, retry_base=0.01, retry_cap=0.2)
    try:
        await bus.start()
        recorder = Recorder()
        await bus.subscribe(Subscription(consumer, frozenset({REGISTERED}), recorder))
        assert await note_ids(db) == ["n-1"]
        assert await unpublished(db) == 1

        # when
        relay = OutboxRelay(db, bus)
        await relay.drain()

        # then
        await eventually(lambda: len(recorder.events) >= 1)
        assert await relay.publish_pending() == 0
        await asyncio.sleep(0.2)  # room for a duplicate to show up, were there one
        assert recorder.ids == [event_id]
        [row] = await outbox_rows(db)
        assert row["published_at"] is not None
    finally:
        await bus.close()
        async with db.engine.begin() as connection:
            from sqlalchemy import text

            await connection.execute(text(f'DROP SCHEMA "{service}" CASCADE'))
        await db.dispose()
        connection = await aio_pika.connect(rabbitmq_vhost_url)
        async with connection:
            channel = await connection.channel()
            for queue in (
                consumer_queue_name(consumer),
                retry_queue_name(consumer),
                dead_letter_queue_name(consumer),
            ):
                await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)
