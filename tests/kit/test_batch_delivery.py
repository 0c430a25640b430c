"""Events in bulk: many recorded in one statement, a backlog handled in one transaction, and
nothing of the outbox/inbox guarantees lost on the way (all or nothing, once per event,
one failing event retried and dead-lettered alone)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.kit.db import Database, utcnow
from learnhub.kit.events import record_event, record_events
from learnhub.kit.events.bus import Subscription
from learnhub.kit.events.deliveries import DeliveryQueue
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.inbox import inbox_batch_delivery, inbox_delivery, subscription_for
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.events.tables import deliveries_table, inbox_table
from tests.kit.sample_service import (
    HANDLERS,
    Note,
    note_ids,
    open_database,
    outbox_rows,
    registered,
)

REGISTERED = UserRegistered.event_type
PROFILE_UPDATED = UserProfileUpdated.event_type


class HandlerFailed(Exception):
    """What the failing handlers raise."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = await open_database(
            f"sqlite+aiosqlite:///{(tmp_path / 'notebook.db').as_posix()}"
        )
        yield database
        await database.dispose()
        return
    url = request.getfixturevalue("postgres_database")
    service = f"notebook_{uuid.uuid4().hex[:8]}"
    database = await open_database(url, service=service)
    yield database
    async with database.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{service}" CASCADE'))
    await database.dispose()


async def inbox_ids(db: Database) -> set[str]:
    async with db.session() as session:
        return set((await session.scalars(select(inbox_table.c.event_id))).all())


def registration(user_id: str) -> CloudEvent:
    return CloudEvent.from_payload(registered(user_id), source="auth", subject=user_id)


def profile_update(user_id: str) -> CloudEvent:
    payload = UserProfileUpdated(
        user_id=user_id,
        display_name="Ada L.",
        locale="en",
        time_zone="UTC",
        changed=["display_name"],
        updated_at=utcnow(),
    )
    return CloudEvent.from_payload(payload, source="users", subject=user_id)


# ---------------------------------------------------------------- record_events


async def test_many_events_are_recorded_as_one_by_one_in_order(db: Database) -> None:
    # given
    payloads = [registered(f"u-{number}") for number in range(3)]

    # when
    async with db.transaction() as session:
        single = await record_event(session, registered("u-first"), subject="u-first")
        recorded = await record_events(
            session, [(payload, payload.user_id) for payload in payloads]
        )

    # then: the same rows record_event writes, in the order given, after the earlier one
    rows = await outbox_rows(db)
    assert [row["id"] for row in rows] == [single.id, *(event.id for event in recorded)]
    assert [row["subject"] for row in rows] == ["u-first", "u-0", "u-1", "u-2"]
    assert {row["type"] for row in rows} == {REGISTERED}
    assert [json.loads(str(row["data"]))["user_id"] for row in rows[1:]] == ["u-0", "u-1", "u-2"]
    assert all(row["published_at"] is None and row["attempts"] == 0 for row in rows)
    times = [row["created_at"] for row in rows]
    assert times == sorted(times) and len(set(times)) == 4


async def test_events_recorded_together_roll_back_together(db: Database) -> None:
    # when
    with pytest.raises(HandlerFailed):
        async with db.transaction() as session:
            await record_events(session, [(registered("u-1"), "u-1"), (registered("u-2"), "u-2")])
            raise HandlerFailed("the state change failed")

    # then
    assert await outbox_rows(db) == []


async def test_recording_no_events_writes_nothing_and_wakes_no_relay(db: Database) -> None:
    async with db.transaction() as session:
        assert await record_events(session, []) == []

    assert await outbox_rows(db) == []
    assert not db.outbox_signal.is_set()


async def test_events_recorded_together_wake_the_relay_once_committed(db: Database) -> None:
    async with db.transaction() as session:
        await record_events(session, [(registered("u-1"), "u-1")])
        assert not db.outbox_signal.is_set()

    assert db.outbox_signal.is_set()


# ---------------------------------------------------------------- inbox_batch_delivery


async def test_a_batch_commits_every_effect_and_event_id_together(db: Database) -> None:
    # given
    deliver = inbox_batch_delivery(db, HANDLERS)
    events = [registration("u-1"), registration("u-2"), registration("u-3")]

    # when
    await deliver(events)

    # then
    assert await note_ids(db) == ["u-1", "u-2", "u-3"]
    assert await inbox_ids(db) == {event.id for event in events}


async def test_a_batch_skips_events_already_handled_or_repeated_within_it(db: Database) -> None:
    # given: u-1 handled before; u-2 delivered twice in the same batch
    deliver = inbox_batch_delivery(db, HANDLERS)
    first, second = registration("u-1"), registration("u-2")
    await deliver([first])

    # when
    await deliver(
        [CloudEvent.from_json(first.to_json()), second, CloudEvent.from_json(second.to_json())]
    )

    # then: one effect each
    assert await note_ids(db) == ["u-1", "u-2"]
    assert await inbox_ids(db) == {first.id, second.id}


async def test_a_raising_handler_rolls_the_whole_batch_back(db: Database) -> None:
    # given: the third event's handler fails after the first two wrote their notes
    async def fussy(session: AsyncSession, payload: UserRegistered) -> None:
        if payload.user_id == "u-3":
            raise HandlerFailed("cannot handle u-3")
        session.add(Note(id=payload.user_id, body="noted", created_at=utcnow()))

    deliver = inbox_batch_delivery(db, {REGISTERED: fussy})

    # when
    with pytest.raises(HandlerFailed, match="u-3"):
        await deliver([registration("u-1"), registration("u-2"), registration("u-3")])

    # then: nothing of the batch is left, so every event is delivered again
    assert await note_ids(db) == []
    assert await inbox_ids(db) == set()


async def test_runs_of_one_type_go_to_its_batch_handler_in_order(db: Database) -> None:
    # given
    calls: list[tuple[str, list[str]]] = []

    async def one(_session: AsyncSession, payload: UserRegistered | UserProfileUpdated) -> None:
        calls.append((payload.event_type, [payload.user_id]))

    async def many(_session: AsyncSession, payloads: Sequence[UserRegistered]) -> None:
        calls.append(("batch " + REGISTERED, [payload.user_id for payload in payloads]))

    deliver = inbox_batch_delivery(
        db, {REGISTERED: one, PROFILE_UPDATED: one}, batch_handlers={REGISTERED: many}
    )
    events = [
        registration("u-1"),
        registration("u-2"),
        profile_update("u-1"),
        registration("u-3"),
    ]

    # when
    await deliver(events)

    # then: the order of the events is the order of the calls
    assert calls == [
        ("batch " + REGISTERED, ["u-1", "u-2"]),
        (PROFILE_UPDATED, ["u-1"]),
        ("batch " + REGISTERED, ["u-3"]),
    ]
    assert await inbox_ids(db) == {event.id for event in events}


async def test_events_without_a_handler_are_left_out_of_a_batch(db: Database) -> None:
    # given
    deliver = inbox_batch_delivery(db, HANDLERS)
    unknown = profile_update("u-9")

    # when
    await deliver([unknown, registration("u-1")])

    # then
    assert await note_ids(db) == ["u-1"]
    assert unknown.id not in await inbox_ids(db)


# ---------------------------------------------------------------- the in-process bus


class Calls:
    """A consumer's handlers that keep what each was given."""

    def __init__(self, *, batch_fails: bool = False, poison: str | None = None) -> None:
        self.batch_fails = batch_fails
        self.poison = poison
        self.batches: list[list[str]] = []
        self.single: list[str] = []

    async def one(self, event: CloudEvent) -> None:
        self.single.append(event.subject or "")
        if event.subject == self.poison:
            raise HandlerFailed(f"cannot handle {event.subject}")

    async def many(self, events: Sequence[CloudEvent]) -> None:
        self.batches.append([event.subject or "" for event in events])
        if self.batch_fails:
            raise HandlerFailed("the batch failed")

    def subscription(self, db: Database) -> Subscription:
        return Subscription(
            db.service, frozenset({REGISTERED}), self.one, database=db, batch_handler=self.many
        )


async def test_a_backlog_reaches_the_batch_handler_in_batches_of_at_most_batch_size(
    db: Database,
) -> None:
    # given
    bus = InProcessBus(batch_size=4)
    calls = Calls()
    await bus.subscribe(calls.subscription(db))
    events = [registration(f"u-{number}") for number in range(10)]

    # when
    try:
        await bus.publish(events)
        await bus.wait_idle()
    finally:
        await bus.close()

    # then
    assert calls.batches == [
        ["u-0", "u-1", "u-2", "u-3"],
        ["u-4", "u-5", "u-6", "u-7"],
        ["u-8", "u-9"],
    ]
    assert calls.single == []
    assert await DeliveryQueue(db).waiting() == 0


async def test_a_single_waiting_event_goes_to_the_per_event_handler(db: Database) -> None:
    bus = InProcessBus()
    calls = Calls()
    await bus.subscribe(calls.subscription(db))

    try:
        await bus.publish([registration("u-1")])
        await bus.wait_idle()
    finally:
        await bus.close()

    assert (calls.batches, calls.single) == ([], ["u-1"])


async def test_a_failed_batch_is_delivered_one_by_one_and_only_the_bad_event_dead_letters(
    db: Database,
) -> None:
    # given
    bus = InProcessBus(max_attempts=2, retry_base=0.001, retry_cap=0.002)
    calls = Calls(batch_fails=True, poison="u-2")
    await bus.subscribe(calls.subscription(db))
    events = [registration("u-1"), registration("u-2"), registration("u-3")]

    # when
    try:
        await bus.publish(events)
        await bus.wait_idle()
    finally:
        await bus.close()

    # then: the good events once each; the bad one retried alone, then kept as a dead letter
    assert calls.batches == [["u-1", "u-2", "u-3"]]
    assert calls.single == ["u-1", "u-2", "u-3", "u-2"]
    [dead] = await DeliveryQueue(db).dead_letters()
    assert (dead.consumer, dead.event_id, dead.attempts, dead.error) == (
        db.service,
        events[1].id,
        2,
        "HandlerFailed('cannot handle u-2')",
    )
    assert await DeliveryQueue(db).waiting() == 0


async def test_a_delivery_that_failed_before_is_never_batched_with_others(db: Database) -> None:
    # given: u-1 failed once and is due again, u-2 and u-3 wait for their first attempt
    queue = DeliveryQueue(db)
    events = [registration("u-1"), registration("u-2"), registration("u-3")]
    await queue.accept(events)
    [first, *_] = await queue.due(limit=3)
    await queue.retry_later(first, error="HandlerFailed('once')", delay=0)
    bus = InProcessBus()
    calls = Calls()

    # when
    try:
        await bus.subscribe(calls.subscription(db))
        await bus.wait_idle()
    finally:
        await bus.close()

    # then: the retried one alone and first (the queue's order), the others together
    assert (calls.single, calls.batches) == (["u-1"], [["u-2", "u-3"]])
    assert await queue.waiting() == 0


async def test_an_unreadable_event_is_dead_lettered_alone_and_the_others_handled(
    db: Database,
) -> None:
    # given: a body that is not a CloudEvent waits between two good events
    queue = DeliveryQueue(db)
    await queue.accept([registration("u-1")])
    async with db.transaction() as session:
        now = utcnow()
        await session.execute(
            deliveries_table.insert().values(
                event_id="not-an-event",
                type=REGISTERED,
                body="{not json",
                accepted_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
    await queue.accept([registration("u-3")])
    bus = InProcessBus()
    calls = Calls()

    # when
    try:
        await bus.subscribe(calls.subscription(db))
        await bus.wait_idle()
    finally:
        await bus.close()

    # then
    assert calls.single == ["u-1", "u-3"]
    assert [dead.event_id for dead in await queue.dead_letters()] == ["not-an-event"]


async def test_a_failed_batch_falls_back_without_a_second_effect(db: Database) -> None:
    # given: a batch that fails after its first handler ran, on a real inbox
    async def fussy(session: AsyncSession, payload: UserRegistered) -> None:
        session.add(Note(id=payload.user_id, body="noted", created_at=utcnow()))
        await session.flush()
        if payload.user_id == "u-2":
            raise HandlerFailed("u-2 fails in a batch")

    subscription = subscription_for(db, HANDLERS)
    assert subscription is not None
    bus = InProcessBus()
    await bus.subscribe(
        replace(subscription, batch_handler=inbox_batch_delivery(db, {REGISTERED: fussy}))
    )
    events = [registration("u-1"), registration("u-2")]

    # when
    try:
        await bus.publish(events)
        await bus.wait_idle()
    finally:
        await bus.close()

    # then: handled one at a time instead, once each
    assert await note_ids(db) == ["u-1", "u-2"]
    assert await inbox_ids(db) == {event.id for event in events}
    assert await DeliveryQueue(db).dead_letters() == []


async def test_a_batch_already_handled_elsewhere_is_handled_once(db: Database) -> None:
    # given: the events were handled (by another replica, say) but are delivered again
    events = [registration("u-1"), registration("u-2")]
    await inbox_batch_delivery(db, HANDLERS)(events)
    subscription = subscription_for(db, HANDLERS)
    assert subscription is not None
    bus = InProcessBus()
    await bus.subscribe(subscription)

    # when
    try:
        await bus.publish(events)
        await bus.wait_idle()
    finally:
        await bus.close()

    # then
    assert await note_ids(db) == ["u-1", "u-2"]
    assert await DeliveryQueue(db).waiting() == 0


async def test_a_batch_loses_to_a_concurrent_delivery_and_is_handled_once(db: Database) -> None:
    # given: while the batch runs, another delivery of its second event commits first
    events = [registration("u-1"), registration("u-2")]
    raced: list[str] = []

    async def racing(session: AsyncSession, payloads: Sequence[UserRegistered]) -> None:
        if not raced:
            raced.append(payloads[1].user_id)
            await inbox_delivery(db, HANDLERS)(events[1])
        for payload in payloads:
            session.add(Note(id=f"batch-{payload.user_id}", body="noted", created_at=utcnow()))

    subscription = subscription_for(db, HANDLERS)
    assert subscription is not None
    bus = InProcessBus()
    await bus.subscribe(
        replace(
            subscription,
            batch_handler=inbox_batch_delivery(db, HANDLERS, batch_handlers={REGISTERED: racing}),
        )
    )

    # when
    try:
        await bus.publish(events)
        await bus.wait_idle()
    finally:
        await bus.close()

    # then: nothing of the batch is kept; one by one, u-2 is a duplicate
    assert raced == ["u-2"]
    assert await note_ids(db) == ["u-1", "u-2"]
    assert await inbox_ids(db) == {event.id for event in events}
    assert await DeliveryQueue(db).dead_letters() == []
