"""Every query of the announcements sub-domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.announcements.models import Announcement
from learnhub.services.courses.models import Course, Enrollment, Person


async def get(session: AsyncSession, course_id: str, announcement_id: str) -> Announcement | None:
    announcement = await session.get(Announcement, announcement_id)
    return announcement if announcement and announcement.course_id == course_id else None


async def list_page(
    session: AsyncSession, course_id: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[tuple[Announcement, str | None]]:
    """A page of the course's announcements, newest first, with their authors' names."""
    statement = (
        select(Announcement, Person.display_name)
        .outerjoin(Person, Person.id == Announcement.created_by)
        .where(Announcement.course_id == course_id)
    )
    statement = keyset_page(
        statement,
        Announcement.created_at,
        Announcement.id,
        after=after,
        limit=limit,
        descending=True,
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def author_name(session: AsyncSession, user_id: str) -> str | None:
    return await session.scalar(select(Person.display_name).where(Person.id == user_id))


async def recent_for_member(
    session: AsyncSession, user_id: str, *, limit: int
) -> list[tuple[Announcement, Course, str | None]]:
    """The newest announcements of the courses the user is an active member of."""
    statement = (
        select(Announcement, Course, Person.display_name)
        .join(Course, Course.id == Announcement.course_id)
        .join(
            Enrollment,
            (Enrollment.course_id == Announcement.course_id)
            & (Enrollment.user_id == user_id)
            & (Enrollment.status == "active"),
        )
        .outerjoin(Person, Person.id == Announcement.created_by)
        .where(Course.visibility != "archived")
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]
