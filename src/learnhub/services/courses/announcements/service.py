"""The rules of announcements: the course's staff post them, their author or an editor of
the course changes or deletes them, its members read them. Posting is announced in the
same transaction. Nothing here commits: the request boundary does."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import AnnouncementPosted
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import decode_keyset, encode_cursor
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.announcements import repository
from learnhub.services.courses.announcements.errors import AnnouncementNotFound
from learnhub.services.courses.announcements.models import Announcement
from learnhub.services.courses.announcements.schemas import (
    AnnouncementPage,
    AnnouncementRead,
    AnnouncementsViewer,
    AnnouncementUpdate,
    AnnouncementViewer,
    AnnouncementWrite,
    MyAnnouncement,
)
from learnhub.services.courses.errors import NotCourseStaff, NotEnrolled
from learnhub.services.courses.rendering import render_markdown

# Inside a page with its own title: a "#" heading of the body becomes h3.
BODY_TOP_HEADING = 3


def _may_edit(access: CourseAccess, announcement: Announcement) -> bool:
    return access.can_edit or (access.is_staff and announcement.created_by == access.user_id)


def _read(
    access: CourseAccess, announcement: Announcement, author_name: str | None
) -> AnnouncementRead:
    return AnnouncementRead(
        id=announcement.id,
        course_id=announcement.course_id,
        title=announcement.title,
        body=announcement.body,
        body_html=render_markdown(announcement.body, top_heading=BODY_TOP_HEADING),
        created_by=announcement.created_by,
        author_name=author_name,
        created_at=announcement.created_at,
        updated_at=announcement.updated_at,
        viewer=AnnouncementViewer(can_edit=_may_edit(access, announcement)),
    )


def _must_be_member(access: CourseAccess) -> None:
    if not access.is_member:
        raise NotEnrolled("Enroll in this course to read its announcements.")


def _must_be_staff(access: CourseAccess) -> None:
    if not access.is_staff:
        raise NotCourseStaff("Only the course's staff may post announcements.")


async def list_announcements(
    session: AsyncSession, access: CourseAccess, *, cursor: str | None, limit: int
) -> AnnouncementPage:
    """A page of the course's announcements, newest first (its members and admins)."""
    _must_be_member(access)
    after = decode_keyset(cursor, datetime, str)
    rows = await repository.list_page(
        session,
        access.course.id,
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.created_at, last.id])
    return AnnouncementPage(
        items=[_read(access, announcement, name) for announcement, name in rows],
        next_cursor=next_cursor,
        viewer=AnnouncementsViewer(can_post=access.is_staff),
    )


async def read(
    session: AsyncSession, access: CourseAccess, announcement_id: str
) -> AnnouncementRead:
    _must_be_member(access)
    announcement = await _found(session, access, announcement_id)
    return _read(
        access, announcement, await repository.author_name(session, announcement.created_by)
    )


async def _found(session: AsyncSession, access: CourseAccess, announcement_id: str) -> Announcement:
    announcement = await repository.get(session, access.course.id, announcement_id)
    if announcement is None:
        raise AnnouncementNotFound(f"There is no announcement {announcement_id} in this course.")
    return announcement


async def _editable(
    session: AsyncSession, access: CourseAccess, announcement_id: str
) -> Announcement:
    _must_be_staff(access)
    announcement = await _found(session, access, announcement_id)
    if not _may_edit(access, announcement):
        raise NotCourseStaff("Only its author or the course's instructors may change it.")
    return announcement


async def post(
    session: AsyncSession, access: CourseAccess, body: AnnouncementWrite
) -> AnnouncementRead:
    """Post an announcement to the course's members, and announce it."""
    _must_be_staff(access)
    now = utcnow()
    user_id = access.signed_in_user_id
    announcement = Announcement(
        id=str(uuid.uuid4()),
        course_id=access.course.id,
        title=body.title,
        body=body.body,
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(announcement)
    author_name = await repository.author_name(session, user_id)
    await record_event(
        session,
        AnnouncementPosted(
            announcement_id=announcement.id,
            course_id=access.course.id,
            course_title=access.course.title,
            title=announcement.title,
            body=announcement.body,
            posted_by=user_id,
            author_name=author_name,
            posted_at=now,
        ),
        subject=access.course.id,
    )
    return _read(access, announcement, author_name)


async def update(
    session: AsyncSession, access: CourseAccess, announcement_id: str, body: AnnouncementUpdate
) -> AnnouncementRead:
    """Correct an announcement (not announced again)."""
    announcement = await _editable(session, access, announcement_id)
    for field, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(announcement, field, value)
    announcement.updated_at = utcnow()
    return _read(
        access, announcement, await repository.author_name(session, announcement.created_by)
    )


async def delete(session: AsyncSession, access: CourseAccess, announcement_id: str) -> None:
    announcement = await _editable(session, access, announcement_id)
    await session.delete(announcement)


async def my_recent(session: AsyncSession, user_id: str, *, limit: int) -> list[MyAnnouncement]:
    """The newest announcements of the caller's courses, for their dashboard."""
    return [
        MyAnnouncement(
            id=announcement.id,
            course_id=course.id,
            course_slug=course.slug,
            course_title=course.title,
            title=announcement.title,
            body_html=render_markdown(announcement.body, top_heading=BODY_TOP_HEADING),
            author_name=author_name,
            created_at=announcement.created_at,
        )
        for announcement, course, author_name in await repository.recent_for_member(
            session, user_id, limit=limit
        )
    ]
