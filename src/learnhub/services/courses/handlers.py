"""Reactions of the courses service to other services' events.

The two events that describe a person may arrive in either order (each service relays
its own outbox); whichever comes first makes the row, and the newer name wins.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.services.courses import repository


async def remember_person(session: AsyncSession, event: UserRegistered) -> None:
    """Keep the new user's e-mail and name, for enrollment by e-mail and for certificates."""
    email = str(event.email).lower()
    if await repository.add_person(
        session,
        user_id=event.user_id,
        email=email,
        display_name=event.display_name,
        updated_at=event.registered_at,
    ):
        return
    person = await repository.get_person(session, event.user_id)
    assert person is not None
    person.email = email
    if event.registered_at > person.updated_at:
        person.display_name = event.display_name
        person.updated_at = event.registered_at


async def update_person(session: AsyncSession, event: UserProfileUpdated) -> None:
    """Keep the newer name; before the registration arrives, a row without an e-mail."""
    if await repository.add_person(
        session,
        user_id=event.user_id,
        email=None,
        display_name=event.display_name,
        updated_at=event.updated_at,
    ):
        return
    person = await repository.get_person(session, event.user_id)
    assert person is not None
    if event.updated_at >= person.updated_at:
        person.display_name = event.display_name
        person.updated_at = event.updated_at


EVENT_HANDLERS = {
    UserRegistered.event_type: remember_person,
    UserProfileUpdated.event_type: update_person,
}
