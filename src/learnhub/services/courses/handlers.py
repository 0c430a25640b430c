"""Reactions of the courses service to other services' events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.services.courses.models import Person


async def remember_person(session: AsyncSession, event: UserRegistered) -> None:
    """Keep the new user's e-mail and name, for enrollment by e-mail and for certificates."""
    person = await session.get(Person, event.user_id)
    if person is None:
        session.add(
            Person(
                id=event.user_id,
                email=str(event.email).lower(),
                display_name=event.display_name,
                updated_at=event.registered_at,
            )
        )


async def update_person(session: AsyncSession, event: UserProfileUpdated) -> None:
    person = await session.get(Person, event.user_id)
    if person is not None and event.updated_at >= person.updated_at:
        person.display_name = event.display_name
        person.updated_at = event.updated_at


EVENT_HANDLERS = {
    UserRegistered.event_type: remember_person,
    UserProfileUpdated.event_type: update_person,
}
