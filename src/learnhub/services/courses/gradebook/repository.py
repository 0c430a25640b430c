"""Every query of the gradebook sub-domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.gradebook.models import GradebookSettings, GradeOverride
from learnhub.services.courses.models import Course, Enrollment, Person
from learnhub.services.courses.progress.models import ItemProgress


async def get_settings(session: AsyncSession, course_id: str) -> GradebookSettings | None:
    return await session.get(GradebookSettings, course_id)


def _active_learners(course_id: str, group_id: str | None = None) -> Any:
    conditions = (
        Enrollment.course_id == course_id,
        Enrollment.role == "learner",
        Enrollment.status == "active",
    )
    return conditions if group_id is None else (*conditions, Enrollment.group_id == group_id)


# Learners are listed by name; one not yet known from the users service sorts first.
_NAME = func.coalesce(Person.display_name, "")


async def list_learners(
    session: AsyncSession,
    course_id: str,
    *,
    after: tuple[str, str] | None,
    limit: int,
    group_id: str | None = None,
) -> list[tuple[str, Person | None]]:
    """A page of the course's active learners (of one group) by name: (user id, person)."""
    statement = (
        select(Enrollment.user_id, Person)
        .outerjoin(Person, Person.id == Enrollment.user_id)
        .where(*_active_learners(course_id, group_id))
    )
    statement = keyset_page(statement, _NAME, Enrollment.user_id, after=after, limit=limit)
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def count_learners(session: AsyncSession, course_id: str, group_id: str | None = None) -> int:
    statement = (
        select(func.count()).select_from(Enrollment).where(*_active_learners(course_id, group_id))
    )
    return int(await session.scalar(statement) or 0)


async def taught_courses(session: AsyncSession, user_id: str) -> list[Course]:
    """The courses (not archived) the user is an active instructor or assistant of."""
    statement = (
        select(Course)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(
            Enrollment.user_id == user_id,
            Enrollment.status == "active",
            Enrollment.role.in_(("instructor", "teaching_assistant")),
            Course.visibility != "archived",
        )
        .order_by(Course.title, Course.id)
    )
    return list((await session.scalars(statement)).all())


async def list_progress(
    session: AsyncSession, course_id: str, user_ids: list[str]
) -> list[ItemProgress]:
    """The outcomes of these learners in the course."""
    if not user_ids:
        return []
    statement = select(ItemProgress).where(
        ItemProgress.course_id == course_id, ItemProgress.user_id.in_(user_ids)
    )
    return list((await session.scalars(statement)).all())


async def list_overrides(
    session: AsyncSession,
    course_id: str,
    *,
    user_id: str | None = None,
    user_ids: list[str] | None = None,
    item_id: str | None = None,
) -> list[GradeOverride]:
    """Override history, oldest first (of one learner, or of some learners)."""
    statement = (
        select(GradeOverride)
        .where(GradeOverride.course_id == course_id)
        .order_by(GradeOverride.created_at, GradeOverride.id)
    )
    if user_id is not None:
        statement = statement.where(GradeOverride.user_id == user_id)
    if user_ids is not None:
        statement = statement.where(GradeOverride.user_id.in_(user_ids))
    if item_id is not None:
        statement = statement.where(GradeOverride.item_id == item_id)
    return list((await session.scalars(statement)).all())
