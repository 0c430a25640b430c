"""Every query of the progress sub-domain: item outcomes, course completion, certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import insert_ignore
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.models import Assignment, Enrollment
from learnhub.services.courses.progress.models import Certificate, ItemProgress

_LOCK_MEMBERSHIP = (
    update(Enrollment.__table__)
    .where(
        Enrollment.__table__.c.course_id == bindparam("the_course"),
        Enrollment.__table__.c.user_id == bindparam("the_user"),
    )
    .values(updated_at=Enrollment.__table__.c.updated_at)
    .returning(
        Enrollment.__table__.c.id,
        Enrollment.__table__.c.user_id,
        Enrollment.__table__.c.role,
        Enrollment.__table__.c.status,
        Enrollment.__table__.c.completed_at,
    )
)


async def lock_membership_of(
    session: AsyncSession, course_id: str, user_id: str
) -> Row[Any] | None:
    """A person's membership of a course (id, user id, role, status, completion), read and
    locked for the rest of the transaction in one statement; None when they have none.

    A no-op UPDATE locks the row on PostgreSQL and takes the database's write lock on
    SQLite, so one learner's outcomes in one course are recorded one after the other and
    each sees everything the previous one committed. (A plain statement, not an ORM load:
    this runs on every recorded outcome.)"""
    result = await session.execute(_LOCK_MEMBERSHIP, {"the_course": course_id, "the_user": user_id})
    return result.first()


async def get_item_progress(
    session: AsyncSession, item_id: str, user_id: str
) -> ItemProgress | None:
    return await session.scalar(
        select(ItemProgress)
        .where(ItemProgress.item_id == item_id, ItemProgress.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def add_item_progress(session: AsyncSession, row: ItemProgress) -> bool:
    """Insert the row; False when another transaction inserted the same item and learner
    first (the unique constraint decides, the caller then updates theirs)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def list_learner_progress(
    session: AsyncSession, course_id: str, user_id: str
) -> list[ItemProgress]:
    return list(
        (
            await session.scalars(
                select(ItemProgress).where(
                    ItemProgress.course_id == course_id, ItemProgress.user_id == user_id
                )
            )
        ).all()
    )


async def list_course_progress(
    session: AsyncSession, course_id: str, user_ids: list[str]
) -> list[ItemProgress]:
    if not user_ids:
        return []
    return list(
        (
            await session.scalars(
                select(ItemProgress).where(
                    ItemProgress.course_id == course_id, ItemProgress.user_id.in_(user_ids)
                )
            )
        ).all()
    )


async def list_progress_of_user(
    session: AsyncSession, user_id: str, course_ids: list[str]
) -> list[ItemProgress]:
    if not course_ids:
        return []
    return list(
        (
            await session.scalars(
                select(ItemProgress).where(
                    ItemProgress.user_id == user_id, ItemProgress.course_id.in_(course_ids)
                )
            )
        ).all()
    )


async def mark_course_completed(
    session: AsyncSession, enrollment_id: str, completed_at: datetime
) -> bool:
    """Set the membership's completion time unless it is already set; True only for the
    one caller that set it."""
    result = await session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.completed_at.is_(None))
        .values(completed_at=completed_at, updated_at=completed_at)
    )
    return result.rowcount == 1


async def list_learners(
    session: AsyncSession, course_id: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[Enrollment]:
    """A course's active learners in enrollment order."""
    statement = select(Enrollment).where(
        Enrollment.course_id == course_id,
        Enrollment.role == "learner",
        Enrollment.status == "active",
    )
    statement = keyset_page(
        statement, Enrollment.created_at, Enrollment.id, after=after, limit=limit
    )
    return list((await session.scalars(statement)).all())


async def get_certificate(
    session: AsyncSession, course_id: str, user_id: str
) -> Certificate | None:
    return await session.scalar(
        select(Certificate).where(
            Certificate.course_id == course_id, Certificate.user_id == user_id
        )
    )


async def get_certificate_by_code(session: AsyncSession, code: str) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.code == code))


async def code_taken(session: AsyncSession, code: str) -> bool:
    return await session.scalar(select(Certificate.id).where(Certificate.code == code)) is not None


async def add_certificate(session: AsyncSession, certificate: Certificate) -> None:
    session.add(certificate)
    await session.flush()


async def list_active_memberships(session: AsyncSession, user_id: str) -> list[Enrollment]:
    """A person's active memberships, the most recently joined first."""
    statement = (
        select(Enrollment)
        .where(Enrollment.user_id == user_id, Enrollment.status == "active")
        .order_by(Enrollment.created_at.desc(), Enrollment.id)
    )
    return list((await session.scalars(statement)).all())


async def list_due_dates(
    session: AsyncSession, course_ids: list[str]
) -> list[tuple[str, str, datetime]]:
    """``(course id, item id, due at)`` of these courses' assignments that have a due date."""
    if not course_ids:
        return []
    statement = (
        select(Assignment.course_id, Assignment.item_id, Assignment.due_at)
        .where(Assignment.course_id.in_(course_ids), Assignment.due_at.is_not(None))
        .order_by(Assignment.due_at, Assignment.item_id)
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(statement)]


async def list_certificates_of(
    session: AsyncSession, user_id: str, course_ids: list[str]
) -> dict[str, Certificate]:
    """A person's certificates for these courses, by course id."""
    if not course_ids:
        return {}
    rows = await session.scalars(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id.in_(course_ids)
        )
    )
    return {certificate.course_id: certificate for certificate in rows}


async def lock_memberships(session: AsyncSession, course_id: str, user_ids: list[str]) -> None:
    """:func:`lock_membership` for many learners of one course at once."""
    for start in range(0, len(user_ids), 500):  # bounded IN lists
        await session.execute(
            update(Enrollment)
            .where(
                Enrollment.course_id == course_id,
                Enrollment.user_id.in_(user_ids[start : start + 500]),
            )
            .values(updated_at=Enrollment.updated_at)
            .execution_options(synchronize_session=False)
        )


async def get_memberships_of(
    session: AsyncSession, course_id: str, user_ids: list[str]
) -> dict[str, Enrollment]:
    """These people's memberships of a course, as the database has them now."""
    found: dict[str, Enrollment] = {}
    for start in range(0, len(user_ids), 500):
        rows = await session.scalars(
            select(Enrollment)
            .where(
                Enrollment.course_id == course_id,
                Enrollment.user_id.in_(user_ids[start : start + 500]),
            )
            .execution_options(populate_existing=True)
        )
        found.update({row.user_id: row for row in rows})
    return found


async def add_item_progress_rows(session: AsyncSession, rows: list[ItemProgress]) -> int:
    """Insert new outcomes, a statement per thousand; returns how many were inserted (fewer
    when some item and learner already had one)."""
    inserted = 0
    for start in range(0, len(rows), 1000):  # bounded parameter lists
        inserted += await insert_ignore(
            session,
            ItemProgress,
            [
                {column.key: getattr(row, column.key) for column in ItemProgress.__table__.c}
                for row in rows[start : start + 1000]
            ],
            conflict_columns=["item_id", "user_id"],
        )
    return inserted
