"""Every query of the authoring and catalog sub-domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import escape_like
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.catalog.models import Attachment, Lesson
from learnhub.services.courses.models import Course, Enrollment, Item, Person, Section


async def get_course_by_slug(session: AsyncSession, slug: str) -> Course | None:
    return await session.scalar(select(Course).where(Course.slug == slug))


async def list_instructors(session: AsyncSession, course_id: str) -> list[tuple[str, str | None]]:
    """``(user id, name)`` of the course's active instructors, longest-serving first; the
    name is None for someone the service has not heard of yet."""
    rows = await session.execute(
        select(Enrollment.user_id, Person.display_name)
        .outerjoin(Person, Person.id == Enrollment.user_id)
        .where(
            Enrollment.course_id == course_id,
            Enrollment.role == "instructor",
            Enrollment.status == "active",
        )
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    return [(row.user_id, row.display_name) for row in rows]


async def slugs_starting_with(session: AsyncSession, prefix: str) -> set[str]:
    pattern = escape_like(prefix) + "%"
    rows = await session.scalars(select(Course.slug).where(Course.slug.like(pattern, escape="\\")))
    return set(rows.all())


async def list_published_courses(
    session: AsyncSession,
    *,
    query: str | None,
    category: str | None,
    level: str | None,
    language: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Course]:
    """Published courses, newest first, matching ``query`` in title, summary or tags."""
    statement = select(Course).where(Course.visibility == "published")
    if query:
        pattern = f"%{escape_like(query.lower())}%"
        statement = statement.where(
            or_(
                Course.title.ilike(pattern, escape="\\"),
                Course.summary.ilike(pattern, escape="\\"),
                Course.tags_text.ilike(pattern, escape="\\"),
            )
        )
    if category is not None:
        statement = statement.where(Course.category == category)
    if level is not None:
        statement = statement.where(Course.level == level)
    if language is not None:
        statement = statement.where(Course.language == language)
    statement = keyset_page(
        statement, Course.created_at, Course.id, after=after, limit=limit, descending=True
    )
    return list((await session.scalars(statement)).all())


async def count_items_by_kind(
    session: AsyncSession, course_ids: list[str]
) -> dict[str, dict[str, int]]:
    if not course_ids:
        return {}
    rows = await session.execute(
        select(Item.course_id, Item.kind, func.count())
        .where(Item.course_id.in_(course_ids), Item.published.is_(True))
        .group_by(Item.course_id, Item.kind)
    )
    counts: dict[str, dict[str, int]] = {}
    for course_id, kind, count in rows.all():
        counts.setdefault(course_id, {})[kind] = count
    return counts


async def count_active_learners(session: AsyncSession, course_id: str) -> int:
    return (
        await session.scalar(
            select(func.count()).where(
                Enrollment.course_id == course_id,
                Enrollment.role == "learner",
                Enrollment.status == "active",
            )
        )
        or 0
    )


async def list_member_ids(session: AsyncSession, course_id: str) -> list[str]:
    """Everyone with a membership of the course, in any role or state."""
    rows = await session.scalars(
        select(Enrollment.user_id).where(Enrollment.course_id == course_id)
    )
    return list(rows.all())


async def list_categories(session: AsyncSession) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Course.category, func.count())
        .where(Course.visibility == "published", Course.category.is_not(None))
        .group_by(Course.category)
        .order_by(Course.category)
    )
    return [(category, count) for category, count in rows.all()]


async def get_section(session: AsyncSession, course_id: str, section_id: str) -> Section | None:
    section = await session.get(Section, section_id)
    return section if section is not None and section.course_id == course_id else None


async def next_section_position(session: AsyncSession, course_id: str) -> int:
    highest = await session.scalar(
        select(func.max(Section.position)).where(Section.course_id == course_id)
    )
    return (highest or 0) + 1


async def next_item_position(session: AsyncSession, section_id: str) -> int:
    highest = await session.scalar(
        select(func.max(Item.position)).where(Item.section_id == section_id)
    )
    return (highest or 0) + 1


async def list_section_items(session: AsyncSession, section_id: str) -> list[Item]:
    rows = await session.scalars(
        select(Item).where(Item.section_id == section_id).order_by(Item.position)
    )
    return list(rows.all())


async def get_lesson(session: AsyncSession, item_id: str) -> Lesson | None:
    return await session.get(Lesson, item_id)


async def list_lessons(session: AsyncSession, course_id: str) -> dict[str, Lesson]:
    rows = await session.scalars(select(Lesson).where(Lesson.course_id == course_id))
    return {lesson.item_id: lesson for lesson in rows.all()}


async def get_attachment(
    session: AsyncSession, item_id: str, attachment_id: str
) -> Attachment | None:
    attachment = await session.get(Attachment, attachment_id)
    return attachment if attachment is not None and attachment.item_id == item_id else None


async def list_attachments(
    session: AsyncSession, *, course_id: str, item_id: str | None = None
) -> list[Attachment]:
    statement = (
        select(Attachment)
        .where(Attachment.course_id == course_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    if item_id is not None:
        statement = statement.where(Attachment.item_id == item_id)
    return list((await session.scalars(statement)).all())


async def delete_item(session: AsyncSession, item: Item) -> None:
    await session.execute(delete(Item).where(Item.id == item.id))


async def delete_section(session: AsyncSession, section: Section) -> None:
    await session.execute(delete(Item).where(Item.section_id == section.id))
    await session.execute(delete(Section).where(Section.id == section.id))


async def delete_course(session: AsyncSession, course: Course) -> None:
    await session.execute(delete(Course).where(Course.id == course.id))
