"""Reactions of the courses service to other services' events.

The two events that describe a person may arrive in either order (each service relays
its own outbox): whichever comes first makes the row, the registration brings the
e-mail, and the newer name wins. A backlog of registrations is projected in a few
statements (:func:`remember_people`) with the same outcome as one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated
from learnhub.services.courses import readmodels, repository
from learnhub.services.courses.models import Person


class PeopleAddedMeanwhile(Exception):
    """Some people of a batch of registrations were added by a concurrent delivery."""


@dataclass(frozen=True)
class _PersonFact:
    """What one event says about a person, as of ``at``."""

    user_id: str
    email: str | None
    display_name: str
    at: datetime

    @classmethod
    def of_registration(cls, event: UserRegistered) -> _PersonFact:
        return cls(event.user_id, str(event.email).lower(), event.display_name, event.registered_at)

    def as_person(self) -> Person:
        return Person(
            id=self.user_id, email=self.email, display_name=self.display_name, updated_at=self.at
        )


def _merge(person: Person, fact: _PersonFact) -> None:
    if fact.email is not None:
        person.email = fact.email
    if fact.at >= person.updated_at:
        person.display_name = fact.display_name
        person.updated_at = fact.at


async def _project_person(session: AsyncSession, fact: _PersonFact) -> None:
    if await repository.add_person(
        session,
        user_id=fact.user_id,
        email=fact.email,
        display_name=fact.display_name,
        updated_at=fact.at,
    ):
        readmodels.people_changed(session)
        return
    person = await repository.get_person(session, fact.user_id)
    if person is None:
        raise RuntimeError(f"the person {fact.user_id} exists, the insert said, yet is not found")
    _merge(person, fact)


async def remember_person(session: AsyncSession, event: UserRegistered) -> None:
    """Keep the new user's e-mail and name, for enrollment by e-mail and for certificates."""
    await _project_person(session, _PersonFact.of_registration(event))


async def remember_people(session: AsyncSession, events: Sequence[UserRegistered]) -> None:
    """:func:`remember_person` for several registrations in turn: one query for the people
    already known (completed as one by one would), one insert for the others."""
    facts = [_PersonFact.of_registration(event) for event in events]
    known = await repository.get_people(session, [fact.user_id for fact in facts])
    new: dict[str, Person] = {}
    for fact in facts:
        person = known.get(fact.user_id) or new.get(fact.user_id)
        if person is None:
            new[fact.user_id] = fact.as_person()
        else:
            _merge(person, fact)
    if new:
        readmodels.people_changed(session)
    if new and await repository.add_people(session, list(new.values())) < len(new):
        # A concurrent delivery made some of them meanwhile: undo the batch, so that the bus
        # delivers these events one by one, which completes such rows.
        raise PeopleAddedMeanwhile(f"{len(new)} people to add, some added meanwhile")


async def update_person(session: AsyncSession, event: UserProfileUpdated) -> None:
    """Keep the newer name; before the registration arrives, a row without an e-mail."""
    await _project_person(
        session, _PersonFact(event.user_id, None, event.display_name, event.updated_at)
    )


EVENT_HANDLERS = {
    UserRegistered.event_type: remember_person,
    UserProfileUpdated.event_type: update_person,
}
EVENT_BATCH_HANDLERS = {UserRegistered.event_type: remember_people}
