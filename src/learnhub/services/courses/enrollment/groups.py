"""Groups of a course's learners (sections of a large class): the course's instructors
make, rename and delete them and put learners in them; its staff read them and filter the
gradebook and the grading queues by them. Nothing here commits: the request boundary does."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import utcnow
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment.errors import (
    GroupNameTaken,
    GroupNotFound,
    NotLearnersOfCourse,
)
from learnhub.services.courses.enrollment.schemas import GroupMembersAdd, GroupRead, GroupWrite
from learnhub.services.courses.models import CourseGroup, Enrollment

_ACTIVE_LEARNER = (Enrollment.role == "learner", Enrollment.status == "active")


async def list_groups(session: AsyncSession, access: CourseAccess) -> list[GroupRead]:
    """The course's groups by name, with their active learners counted, in one query."""
    statement = (
        select(CourseGroup, func.count(Enrollment.id))
        .outerjoin(
            Enrollment,
            (Enrollment.group_id == CourseGroup.id) & _ACTIVE_LEARNER[0] & _ACTIVE_LEARNER[1],
        )
        .where(CourseGroup.course_id == access.course.id)
        .group_by(CourseGroup.id)
        .order_by(CourseGroup.name, CourseGroup.id)
    )
    return [
        GroupRead(id=group.id, course_id=group.course_id, name=group.name, learner_count=count)
        for group, count in await session.execute(statement)
    ]


async def find_group(session: AsyncSession, access: CourseAccess, group_id: str) -> CourseGroup:
    """The course's group (a filter of the gradebook or a queue), or ``GroupNotFound``."""
    group = await session.get(CourseGroup, group_id)
    if group is None or group.course_id != access.course.id:
        raise GroupNotFound(f"There is no group {group_id} in this course.")
    return group


async def _read(session: AsyncSession, group: CourseGroup) -> GroupRead:
    statement = select(func.count()).where(Enrollment.group_id == group.id, *_ACTIVE_LEARNER)
    return GroupRead(
        id=group.id,
        course_id=group.course_id,
        name=group.name,
        learner_count=int(await session.scalar(statement) or 0),
    )


async def _named(session: AsyncSession, group: CourseGroup, name: str) -> GroupRead:
    """Write the group with its new ``name``; a name the course already uses is refused
    (the unique constraint decides, so two requests at once cannot both take it). The
    session is not touched again after a refusal: the request rolls back."""
    try:
        await session.flush()
    except IntegrityError as error:
        raise GroupNameTaken(f"The course already has a group named {name!r}.") from error
    return await _read(session, group)


async def create_group(session: AsyncSession, access: CourseAccess, body: GroupWrite) -> GroupRead:
    now = utcnow()
    group = CourseGroup(
        id=str(uuid.uuid4()),
        course_id=access.course.id,
        name=body.name,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    return await _named(session, group, body.name)


async def rename_group(
    session: AsyncSession, access: CourseAccess, group_id: str, body: GroupWrite
) -> GroupRead:
    group = await find_group(session, access, group_id)
    group.name = body.name
    group.updated_at = utcnow()
    return await _named(session, group, body.name)


async def delete_group(session: AsyncSession, access: CourseAccess, group_id: str) -> None:
    """Delete the group; its learners stay in the course, in no group."""
    group = await find_group(session, access, group_id)
    await session.execute(
        update(Enrollment).where(Enrollment.group_id == group.id).values(group_id=None)
    )
    await session.delete(group)


async def add_members(
    session: AsyncSession, access: CourseAccess, group_id: str, body: GroupMembersAdd
) -> GroupRead:
    """Put the course's active learners in the group, all or none: an id that is not one
    of them is refused, listed in ``user_ids``."""
    group = await find_group(session, access, group_id)
    wanted = list(dict.fromkeys(body.user_ids))
    found = set(
        await session.scalars(
            select(Enrollment.user_id).where(
                Enrollment.course_id == access.course.id,
                Enrollment.user_id.in_(wanted),
                *_ACTIVE_LEARNER,
            )
        )
    )
    missing = [user_id for user_id in wanted if user_id not in found]
    if missing:
        raise NotLearnersOfCourse(
            "Only the course's active learners can be put in a group.", user_ids=missing
        )
    await session.execute(
        update(Enrollment)
        .where(Enrollment.course_id == access.course.id, Enrollment.user_id.in_(wanted))
        .values(group_id=group.id, updated_at=utcnow())
    )
    return await _read(session, group)


async def remove_member(
    session: AsyncSession, access: CourseAccess, group_id: str, user_id: str
) -> None:
    """Take a learner out of the group (they stay in the course)."""
    group = await find_group(session, access, group_id)
    await session.execute(
        update(Enrollment)
        .where(
            Enrollment.course_id == access.course.id,
            Enrollment.user_id == user_id,
            Enrollment.group_id == group.id,
        )
        .values(group_id=None, updated_at=utcnow())
    )
