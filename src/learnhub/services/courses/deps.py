"""Loaders every sub-domain's endpoints use: the course as the caller may see it.

Learners' and visitors' loaders read the course and the caller's membership from the read
cache (``readmodels``): the facts the access rules need, no database query on a hit. A
write made with them re-reads what it changes in its own transaction. The staff loaders
give the course's row, since staff change the course itself.

``CacheDep`` and ``SessionDep`` are the kit's, named here too so that endpoints import
their dependencies from one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from learnhub.kit.auth import OptionalPrincipal, Principal, get_principal
from learnhub.kit.http.deps import CacheDep as CacheDep
from learnhub.kit.http.deps import DatabaseDep, SessionDep
from learnhub.services.courses import readmodels, repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.config import CoursesSettings
from learnhub.services.courses.errors import CourseNotFound, NotCourseStaff, NotEnrolled
from learnhub.services.courses.storage import ObjectStore


async def _access(session: SessionDep, principal: Principal | None, course_id: str) -> CourseAccess:
    course = await repository.get_course(session, course_id)
    if course is None:
        raise CourseNotFound(f"There is no course {course_id}.")
    membership = (
        await repository.get_membership(session, course_id, principal.user_id)
        if principal
        else None
    )
    access = CourseAccess(course, principal, membership)
    if not access.can_view:
        # A draft is invisible, not forbidden: its existence is not revealed.
        raise CourseNotFound(f"There is no course {course_id}.")
    return access


CourseId = Annotated[str, Path(max_length=36)]


async def viewable_course(
    db: DatabaseDep, cache: CacheDep, principal: OptionalPrincipal, course_id: CourseId
) -> CourseAccess:
    access, _ = await readmodels.cached_access(db, cache, principal, course_id)
    return access


async def signed_in_course(
    db: DatabaseDep,
    cache: CacheDep,
    principal: Annotated[Principal, Depends(get_principal)],
    course_id: CourseId,
) -> CourseAccess:
    access, _ = await readmodels.cached_access(db, cache, principal, course_id)
    return access


async def _signed_in_course_row(
    session: SessionDep,
    principal: Annotated[Principal, Depends(get_principal)],
    course_id: CourseId,
) -> CourseAccess:
    return await _access(session, principal, course_id)


async def editable_course(
    access: Annotated[CourseAccess, Depends(_signed_in_course_row)],
) -> CourseAccess:
    if not access.can_edit:
        raise NotCourseStaff("Only the course's instructors (or an administrator) may change it.")
    return access


async def staff_course(
    access: Annotated[CourseAccess, Depends(_signed_in_course_row)],
) -> CourseAccess:
    if not access.is_staff:
        raise NotCourseStaff("Only the course's instructors and teaching assistants may do this.")
    return access


async def learner_course(
    access: Annotated[CourseAccess, Depends(signed_in_course)],
) -> CourseAccess:
    if not access.is_learner:
        raise NotEnrolled("Enroll in this course first.")
    return access


async def get_courses_settings(request: Request) -> CoursesSettings:
    return request.app.state.runtime.service_settings


async def get_store(request: Request) -> ObjectStore:
    return request.app.state.runtime.state["store"]


ViewableCourse = Annotated[CourseAccess, Depends(viewable_course)]
"""Anyone who may see the course (anonymous included for published courses); the course's
cached facts."""
MemberCourse = Annotated[CourseAccess, Depends(signed_in_course)]
"""A signed-in caller who may see the course (check roles on the access object); the
course's cached facts."""
EditableCourse = Annotated[CourseAccess, Depends(editable_course)]
"""The course's instructors and administrators; the course's row."""
StaffCourse = Annotated[CourseAccess, Depends(staff_course)]
"""Instructors, teaching assistants and administrators; the course's row."""
LearnerCourse = Annotated[CourseAccess, Depends(learner_course)]
"""An actively enrolled learner; the course's cached facts."""
CoursesSettingsDep = Annotated[CoursesSettings, Depends(get_courses_settings)]
ObjectStoreDep = Annotated[ObjectStore, Depends(get_store)]
GroupFilter = Annotated[
    str | None, Query(max_length=36, description="Only the learners of this group.")
]
"""The group filter of the gradebook and the grading queues."""
