"""Every query of the gradebook sub-domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.services.courses.gradebook.models import GradebookSettings, GradeOverride
from learnhub.services.courses.models import Enrollment, Person
from learnhub.services.courses.progress.models import ItemProgress


async def get_settings(session: AsyncSession, course_id: str) -> GradebookSettings | None:
    return await session.get(GradebookSettings, course_id)


async def list_learners(session: AsyncSession, course_id: str) -> list[tuple[str, Person | None]]:
    """The course's active learners by name: (user id, person if known)."""
    statement = (
        select(Enrollment.user_id, Person)
        .outerjoin(Person, Person.id == Enrollment.user_id)
        .where(
            Enrollment.course_id == course_id,
            Enrollment.role == "learner",
            Enrollment.status == "active",
        )
        .order_by(Person.display_name, Person.email, Enrollment.user_id)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def list_progress(
    session: AsyncSession, course_id: str, user_ids: list[str] | None = None
) -> list[ItemProgress]:
    statement = select(ItemProgress).where(ItemProgress.course_id == course_id)
    if user_ids is not None:
        statement = statement.where(ItemProgress.user_id.in_(user_ids))
    return list((await session.scalars(statement)).all())


async def list_overrides(
    session: AsyncSession,
    course_id: str,
    *,
    user_id: str | None = None,
    item_id: str | None = None,
) -> list[GradeOverride]:
    """Override history, oldest first."""
    statement = (
        select(GradeOverride)
        .where(GradeOverride.course_id == course_id)
        .order_by(GradeOverride.created_at, GradeOverride.id)
    )
    if user_id is not None:
        statement = statement.where(GradeOverride.user_id == user_id)
    if item_id is not None:
        statement = statement.where(GradeOverride.item_id == item_id)
    return list((await session.scalars(statement)).all())
