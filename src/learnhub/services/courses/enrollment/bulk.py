"""Enrolling many people in a course at once, by account id (seeding a platform).

The rules are the enrollment service's own (who may add whom, which courses are open, how a
waiting or removed membership is reactivated) and every new membership is announced by its
own ``enrollment.created.v1``, exactly as when staff enroll people one by one; only the
round trips differ: one query for the memberships already there, one insert for the new
ones and one for their events. Someone who joins the course while they are being enrolled
keeps the membership they made, as with one call each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import utcnow
from learnhub.kit.events import record_events
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment import repository
from learnhub.services.courses.enrollment.service import (
    check_may_add,
    check_open_for,
    enrollment_created,
    join_course,
)
from learnhub.services.courses.models import Enrollment


@dataclass(frozen=True)
class BulkEnrollment:
    enrolled: int
    already_enrolled: int


async def enroll_many(
    session: AsyncSession, access: CourseAccess, user_ids: Sequence[str], *, role: str = "learner"
) -> BulkEnrollment:
    """Make everyone in ``user_ids`` an active member with ``role``, as staff enrolling them
    would: a waiting request is approved, a removed membership comes back, an active one is
    left alone (counted as already enrolled).

    The caller vouches that the ids are accounts (the seed registered them a moment ago);
    enrolling by e-mail, which needs the person known here first, is ``bulk_enroll``'s job.
    """
    check_may_add(access, role)
    check_open_for(access.course, role)
    course = access.course
    wanted = list(dict.fromkeys(user_ids))
    memberships = await repository.get_memberships(session, course.id, wanted)
    now = utcnow()
    new = [
        Enrollment(
            id=str(uuid.uuid4()),
            course_id=course.id,
            user_id=user_id,
            role=role,
            status="active",
            enrolled_by=access.user_id,
            group_id=None,
            created_at=now,
            updated_at=now,
            completed_at=None,
        )
        for user_id in wanted
        if user_id not in memberships
    ]
    if await repository.add_enrollments(session, new) < len(new):
        # Concurrent joins won for some: theirs stand and count as already enrolled.
        current = await repository.get_memberships(session, course.id, [row.user_id for row in new])
        new = [row for row in new if current[row.user_id].id == row.id]
    await record_events(session, ((enrollment_created(course, row), course.id) for row in new))
    reactivated = 0
    for user_id, membership in memberships.items():
        joined = await join_course(
            session,
            course,
            user_id=user_id,
            role=role,
            status="active",
            enrolled_by=access.user_id,
            existing=membership,
            now=now,
        )
        reactivated += joined is not None
    enrolled = len(new) + reactivated
    return BulkEnrollment(enrolled=enrolled, already_enrolled=len(wanted) - enrolled)
