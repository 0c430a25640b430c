"""Every query of the enrollment sub-domain: memberships, with the people they name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import after_keyset
from learnhub.services.courses.models import Enrollment, Person


async def get_enrollment(
    session: AsyncSession, course_id: str, enrollment_id: str
) -> Enrollment | None:
    enrollment = await session.get(Enrollment, enrollment_id)
    return enrollment if enrollment is not None and enrollment.course_id == course_id else None


async def add_enrollment(session: AsyncSession, enrollment: Enrollment) -> bool:
    """Insert a membership; False when the person already has one in the course (a
    concurrent request may have created it a moment ago)."""
    try:
        async with session.begin_nested():
            session.add(enrollment)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def get_memberships(
    session: AsyncSession, course_id: str, user_ids: list[str]
) -> dict[str, Enrollment]:
    if not user_ids:
        return {}
    rows = await session.scalars(
        select(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.user_id.in_(user_ids)
        )
    )
    return {row.user_id: row for row in rows}


async def get_people_by_emails(session: AsyncSession, emails: list[str]) -> dict[str, Person]:
    """People by lower-case e-mail."""
    found: dict[str, Person] = {}
    for start in range(0, len(emails), 500):  # bounded IN lists
        chunk = emails[start : start + 500]
        rows = await session.scalars(select(Person).where(Person.email.in_(chunk)))
        found.update({person.email: person for person in rows})
    return found


async def list_members(
    session: AsyncSession,
    course_id: str,
    *,
    status: str | None,
    role: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[Enrollment, Person | None]]:
    """A course's memberships in enrollment order, each with its person when known."""
    statement = (
        select(Enrollment, Person)
        .outerjoin(Person, Person.id == Enrollment.user_id)
        .where(Enrollment.course_id == course_id)
        .order_by(Enrollment.created_at, Enrollment.id)
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(Enrollment.status == status)
    if role is not None:
        statement = statement.where(Enrollment.role == role)
    if after is not None:
        statement = statement.where(after_keyset(Enrollment.created_at, Enrollment.id, after))
    return [(row.Enrollment, row.Person) for row in await session.execute(statement)]


async def add_enrollments(session: AsyncSession, enrollments: list[Enrollment]) -> None:
    """Insert new memberships in as few statements as the database allows; a person who
    already has one in the course makes the flush raise ``IntegrityError``."""
    session.add_all(enrollments)
    await session.flush()
