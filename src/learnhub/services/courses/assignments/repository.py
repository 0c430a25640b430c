"""Every query of the assignments sub-domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import insert_and_lock
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.models import Assignment, Enrollment, Item, Person
from learnhub.services.courses.progress.models import ItemProgress


async def get_item(session: AsyncSession, item_id: str) -> Item | None:
    return await session.get(Item, item_id)


async def get_assignment(session: AsyncSession, item_id: str) -> Assignment | None:
    return await session.get(Assignment, item_id)


async def lock_assignment(
    session: AsyncSession, defaults: dict[str, Any], *, now: datetime
) -> Assignment:
    """The assignment's settings row, inserted with ``defaults`` if missing, locked until
    the transaction ends (see :func:`insert_and_lock`)."""
    return await insert_and_lock(session, Assignment, defaults, now=now)


async def get_submission(
    session: AsyncSession, course_id: str, item_id: str, submission_id: str
) -> Submission | None:
    submission = await session.get(Submission, submission_id)
    if submission is None or (submission.course_id, submission.item_id) != (course_id, item_id):
        return None
    return submission


async def list_versions(session: AsyncSession, item_id: str, user_id: str) -> list[Submission]:
    """A learner's submissions of an assignment, newest first."""
    statement = (
        select(Submission)
        .where(Submission.item_id == item_id, Submission.user_id == user_id)
        .order_by(Submission.version.desc())
    )
    return list((await session.scalars(statement)).all())


async def get_progress(session: AsyncSession, item_id: str, user_id: str) -> ItemProgress | None:
    return await session.scalar(
        select(ItemProgress).where(ItemProgress.item_id == item_id, ItemProgress.user_id == user_id)
    )


async def list_queue(
    session: AsyncSession,
    course_id: str,
    *,
    item_id: str | None,
    graded: bool | None,
    after: tuple[datetime, str] | None,
    limit: int,
    group_id: str | None = None,
) -> list[tuple[Submission, str, Person | None]]:
    """The latest submission of every learner on the course's assignments (or one of
    them), oldest first, with the assignment's title and the learner."""
    latest = select(
        Submission.item_id, Submission.user_id, func.max(Submission.version).label("version")
    ).where(Submission.course_id == course_id)
    if item_id is not None:
        latest = latest.where(Submission.item_id == item_id)
    latest_versions = latest.group_by(Submission.item_id, Submission.user_id).subquery()
    statement = (
        select(Submission, Item.title, Person)
        .join(
            latest_versions,
            and_(
                latest_versions.c.item_id == Submission.item_id,
                latest_versions.c.user_id == Submission.user_id,
                latest_versions.c.version == Submission.version,
            ),
        )
        .join(Item, Item.id == Submission.item_id)
        .outerjoin(Person, Person.id == Submission.user_id)
    )
    if group_id is not None:
        statement = statement.join(
            Enrollment,
            and_(
                Enrollment.course_id == Submission.course_id,
                Enrollment.user_id == Submission.user_id,
                Enrollment.group_id == group_id,
            ),
        )
    if graded is True:
        statement = statement.where(Submission.graded_at.is_not(None))
    elif graded is False:
        statement = statement.where(Submission.graded_at.is_(None))
    statement = keyset_page(
        statement, Submission.submitted_at, Submission.id, after=after, limit=limit
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def count_waiting(session: AsyncSession, course_ids: list[str]) -> dict[str, int]:
    """Per course, the learners' latest hand-ins not graded yet (courses without any left out)."""
    if not course_ids:
        return {}
    latest = (
        select(
            Submission.item_id, Submission.user_id, func.max(Submission.version).label("version")
        )
        .where(Submission.course_id.in_(course_ids))
        .group_by(Submission.item_id, Submission.user_id)
        .subquery()
    )
    statement = (
        select(Submission.course_id, func.count())
        .join(
            latest,
            and_(
                latest.c.item_id == Submission.item_id,
                latest.c.user_id == Submission.user_id,
                latest.c.version == Submission.version,
            ),
        )
        .where(Submission.graded_at.is_(None))
        .group_by(Submission.course_id)
    )
    return {course_id: int(count) for course_id, count in await session.execute(statement)}


async def latest_graded_feedback(
    session: AsyncSession, course_id: str, user_id: str
) -> dict[str, Submission]:
    """The submission graded last of each of the course's assignments for one learner: its
    grade is the one that counts, whichever version it is."""
    statement = (
        select(Submission)
        .where(
            Submission.course_id == course_id,
            Submission.user_id == user_id,
            Submission.graded_at.is_not(None),
        )
        .order_by(Submission.graded_at, Submission.version)
    )
    return {row.item_id: row for row in (await session.scalars(statement)).all()}
