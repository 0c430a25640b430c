"""Every query of the enrollment sub-domain: memberships, with the people they name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import add_if_absent, insert_ignore
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.models import Enrollment, Person


async def get_enrollment(
    session: AsyncSession, course_id: str, enrollment_id: str
) -> Enrollment | None:
    enrollment = await session.get(Enrollment, enrollment_id)
    return enrollment if enrollment is not None and enrollment.course_id == course_id else None


async def add_enrollment(session: AsyncSession, enrollment: Enrollment) -> bool:
    """Insert a membership; False when the person already has one in the course (a
    concurrent request may have created it a moment ago)."""
    return await add_if_absent(session, enrollment, conflict_columns=["course_id", "user_id"])


async def get_memberships(
    session: AsyncSession, course_id: str, user_ids: list[str]
) -> dict[str, Enrollment]:
    """These people's memberships of the course, by user id."""
    found: dict[str, Enrollment] = {}
    for start in range(0, len(user_ids), 500):  # bounded IN lists
        rows = await session.scalars(
            select(Enrollment).where(
                Enrollment.course_id == course_id,
                Enrollment.user_id.in_(user_ids[start : start + 500]),
            )
        )
        found.update({row.user_id: row for row in rows})
    return found


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
    )
    if status is not None:
        statement = statement.where(Enrollment.status == status)
    if role is not None:
        statement = statement.where(Enrollment.role == role)
    statement = keyset_page(
        statement, Enrollment.created_at, Enrollment.id, after=after, limit=limit
    )
    return [(row.Enrollment, row.Person) for row in await session.execute(statement)]


async def add_enrollments(session: AsyncSession, enrollments: list[Enrollment]) -> int:
    """:func:`add_enrollment` for many memberships, a statement per thousand; returns how
    many were inserted (fewer when some people already had one in the course)."""
    inserted = 0
    for start in range(0, len(enrollments), 1000):  # bounded parameter lists
        inserted += await insert_ignore(
            session,
            Enrollment,
            [_row_of(enrollment) for enrollment in enrollments[start : start + 1000]],
            conflict_columns=["course_id", "user_id"],
        )
    return inserted


def _row_of(enrollment: Enrollment) -> dict[str, object]:
    return {column.key: getattr(enrollment, column.key) for column in Enrollment.__table__.columns}
