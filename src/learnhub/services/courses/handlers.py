"""Reactions of the courses service to other services' events.

The two events that describe a person may arrive in either order (each service relays
its own outbox): whichever comes first makes the row, the registration brings the
e-mail, and the newer name wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.services.courses import repository


async def _project_person(
    session: AsyncSession, user_id: str, *, email: str | None, display_name: str, at: datetime
) -> None:
    if await repository.add_person(
        session, user_id=user_id, email=email, display_name=display_name, updated_at=at
    ):
        return
    person = await repository.get_person(session, user_id)
    assert person is not None
    if email is not None:
        person.email = email
    if at >= person.updated_at:
        person.display_name = display_name
        person.updated_at = at


async def remember_person(session: AsyncSession, event: UserRegistered) -> None:
    """Keep the new user's e-mail and name, for enrollment by e-mail and for certificates."""
    await _project_person(
        session,
        event.user_id,
        email=str(event.email).lower(),
        display_name=event.display_name,
        at=event.registered_at,
    )


async def update_person(session: AsyncSession, event: UserProfileUpdated) -> None:
    """Keep the newer name; before the registration arrives, a row without an e-mail."""
    await _project_person(
        session, event.user_id, email=None, display_name=event.display_name, at=event.updated_at
    )


EVENT_HANDLERS = {
    UserRegistered.event_type: remember_person,
    UserProfileUpdated.event_type: update_person,
}
