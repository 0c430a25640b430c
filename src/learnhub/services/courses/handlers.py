"""Reactions of the courses service to other services' events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.services.courses import repository
from learnhub.services.courses.models import Person


async def remember_person(session: AsyncSession, event: UserRegistered) -> None:
    """Keep the new user's e-mail and name, for enrollment by e-mail and for certificates."""
    await remember_people(session, [event])


async def remember_people(session: AsyncSession, events: Sequence[UserRegistered]) -> None:
    """:func:`remember_person` for several registrations in turn, with one query for the
    people already known."""
    known = await repository.get_people(session, [event.user_id for event in events])
    for event in events:
        if event.user_id not in known:
            person = Person(
                id=event.user_id,
                email=str(event.email).lower(),
                display_name=event.display_name,
                updated_at=event.registered_at,
            )
            session.add(person)
            known[event.user_id] = person


async def update_person(session: AsyncSession, event: UserProfileUpdated) -> None:
    person = await session.get(Person, event.user_id)
    if person is not None and event.updated_at >= person.updated_at:
        person.display_name = event.display_name
        person.updated_at = event.updated_at


EVENT_HANDLERS = {
    UserRegistered.event_type: remember_person,
    UserProfileUpdated.event_type: update_person,
}
EVENT_BATCH_HANDLERS = {UserRegistered.event_type: remember_people}
