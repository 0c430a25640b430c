"""The inbox: an event has one effect however often it is delivered, a failed handling
leaves nothing behind (so it is retried), and types without a handler are ignored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserRolesChanged
from learnhub.kit.db import Database, utcnow
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.inbox import inbox_delivery
from learnhub.kit.events.tables import inbox_table
from tests.kit.sample_service import HANDLERS, Note, note_ids, open_database, registered


class HandlerFailed(Exception):
    """What the failing handler raises."""


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


async def inbox_ids(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.scalars(select(inbox_table.c.event_id))).all())


def registration_event(user_id: str = "u-1") -> CloudEvent:
    return CloudEvent.from_payload(registered(user_id), source="auth", subject=user_id)


async def test_an_event_delivered_twice_has_one_effect(db: Database) -> None:
    # given
    deliver = inbox_delivery(db, HANDLERS)
    event = registration_event()

    # when
    await deliver(event)
    await deliver(CloudEvent.from_json(event.to_json()))

    # then
    assert await note_ids(db) == ["u-1"]
    assert await inbox_ids(db) == [event.id]


async def test_two_concurrent_deliveries_of_one_event_have_one_effect(db: Database) -> None:
    # given
    deliver = inbox_delivery(db, HANDLERS)
    event = registration_event()

    # when
    outcomes = await asyncio.gather(deliver(event), deliver(event), return_exceptions=True)

    # then
    assert outcomes == [None, None]
    assert await note_ids(db) == ["u-1"]
    assert await inbox_ids(db) == [event.id]


async def test_different_events_each_have_their_effect(db: Database) -> None:
    deliver = inbox_delivery(db, HANDLERS)

    await deliver(registration_event("u-1"))
    await deliver(registration_event("u-2"))

    assert await note_ids(db) == ["u-1", "u-2"]
    assert len(await inbox_ids(db)) == 2


async def test_a_raising_handler_leaves_no_effect_and_no_inbox_row(db: Database) -> None:
    # given: a handler that writes, then fails
    async def half_done(session: AsyncSession, payload: UserRegistered) -> None:
        session.add(Note(id=payload.user_id, body="half", created_at=utcnow()))
        await session.flush()
        raise HandlerFailed("disk full")

    event = registration_event()

    # when
    with pytest.raises(HandlerFailed, match="disk full"):
        await inbox_delivery(db, {UserRegistered.event_type: half_done})(event)

    # then
    assert await note_ids(db) == []
    assert await inbox_ids(db) == []

    # and the redelivery, with the handler fixed, has its effect
    await inbox_delivery(db, HANDLERS)(event)
    assert await note_ids(db) == ["u-1"]
    assert await inbox_ids(db) == [event.id]


async def test_an_event_without_a_handler_is_ignored(db: Database) -> None:
    # given
    from datetime import UTC, datetime

    event = CloudEvent.from_payload(
        UserRolesChanged(
            user_id="u-1",
            roles=["admin"],
            previous_roles=["learner"],
            changed_by="u-0",
            changed_at=datetime(2024, 5, 1, tzinfo=UTC),
        ),
        source="users",
    )

    # when
    await inbox_delivery(db, HANDLERS)(event)

    # then
    assert await note_ids(db) == []
    assert await inbox_ids(db) == []
