"""Routes of the progress sub-domain: marking lessons done, progress, certificates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from learnhub.kit.auth import CurrentPrincipal
from learnhub.kit.http.deps import DatabaseDep, SessionDep
from learnhub.kit.http.pagination import Page
from learnhub.kit.http.problems import problem_responses
from learnhub.kit.http.responses import JsonText
from learnhub.services.courses.deps import (
    CacheDep,
    CoursesSettingsDep,
    LearnerCourse,
    MemberCourse,
    StaffCourse,
)
from learnhub.services.courses.progress import certificates, dashboard, service
from learnhub.services.courses.progress.schemas import (
    CertificateRead,
    CertificateVerification,
    DashboardEntry,
    LearnerProgress,
    MyProgress,
)

router = APIRouter(tags=["courses: progress"])


@router.post(
    "/api/v1/courses/{course_id}/items/{item_id}/complete",
    response_model=MyProgress,
    responses=problem_responses(401, 403, 404, 409),
)
async def complete_item(
    access: LearnerCourse,
    session: SessionDep,
    cache: CacheDep,
    item_id: Annotated[str, Path(max_length=36)],
) -> MyProgress:
    """Mark a lesson done (enrolled learners; repeating it changes nothing)."""
    return await service.complete_lesson(session, cache, access, item_id)


@router.get(
    "/api/v1/courses/{course_id}/progress/me",
    response_model=MyProgress,
    responses=problem_responses(401, 403, 404),
)
async def read_my_progress(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    cache: CacheDep,
    course_id: Annotated[str, Path(max_length=36)],
) -> JsonText:
    """The caller's progress in the course: percentage, completion, certificate, every item."""
    return JsonText(await service.my_progress(db, cache, principal, course_id))


@router.get(
    "/api/v1/courses/{course_id}/progress",
    response_model=Page[LearnerProgress],
    responses=problem_responses(400, 401, 403, 404),
)
async def list_course_progress(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Page[LearnerProgress]:
    """Every learner's percentage and item states (course staff), paged with `cursor`."""
    return await service.course_progress(
        session,
        access.course,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.get(
    "/api/v1/courses/{course_id}/certificate/me",
    response_model=CertificateRead,
    responses=problem_responses(401, 404),
)
async def read_my_certificate(access: MemberCourse, session: SessionDep) -> CertificateRead:
    """The caller's certificate for this course, once they have completed it."""
    return await certificates.my_certificate(session, access)


@router.get(
    "/api/v1/certificates/{code}",
    response_model=CertificateVerification,
    responses=problem_responses(404),
)
async def verify_certificate(
    db: DatabaseDep, cache: CacheDep, code: Annotated[str, Path(max_length=20)]
) -> JsonText:
    """Check a certificate by its code (public: no sign-in needed)."""
    return JsonText(await certificates.verify_certificate(db, cache, code))


@router.get(
    "/api/v1/me/courses", response_model=list[DashboardEntry], responses=problem_responses(401)
)
async def my_courses(principal: CurrentPrincipal, db: DatabaseDep, cache: CacheDep) -> JsonText:
    """The caller's courses with progress, next step and upcoming due dates."""
    return JsonText(await dashboard.dashboard(db, cache, principal.user_id))
