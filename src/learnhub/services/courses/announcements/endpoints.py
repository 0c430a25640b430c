"""Routes of the announcements sub-domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from learnhub.kit.auth import CurrentPrincipal
from learnhub.kit.http.deps import SessionDep
from learnhub.kit.http.problems import problem_responses
from learnhub.services.courses.announcements import service
from learnhub.services.courses.announcements.schemas import (
    AnnouncementPage,
    AnnouncementRead,
    AnnouncementUpdate,
    AnnouncementWrite,
    MyAnnouncement,
)
from learnhub.services.courses.deps import CoursesSettingsDep, MemberCourse, StaffCourse

router = APIRouter(tags=["courses: announcements"])

ANNOUNCEMENTS = "/api/v1/courses/{course_id}/announcements"
ANNOUNCEMENT = ANNOUNCEMENTS + "/{announcement_id}"
Id = Annotated[str, Path(max_length=36)]


@router.get(
    ANNOUNCEMENTS, response_model=AnnouncementPage, responses=problem_responses(400, 401, 403, 404)
)
async def list_announcements(
    access: MemberCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> AnnouncementPage:
    """The course's announcements, newest first (its members and administrators)."""
    return await service.list_announcements(
        session,
        access,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.post(
    ANNOUNCEMENTS,
    response_model=AnnouncementRead,
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
)
async def post_announcement(
    body: AnnouncementWrite, access: StaffCourse, session: SessionDep
) -> AnnouncementRead:
    """Post an announcement to the course's members (its staff)."""
    return await service.post(session, access, body)


@router.get(
    ANNOUNCEMENT, response_model=AnnouncementRead, responses=problem_responses(401, 403, 404)
)
async def read_announcement(
    announcement_id: Id, access: MemberCourse, session: SessionDep
) -> AnnouncementRead:
    """One announcement (the course's members and administrators)."""
    return await service.read(session, access, announcement_id)


@router.patch(
    ANNOUNCEMENT, response_model=AnnouncementRead, responses=problem_responses(401, 403, 404, 422)
)
async def update_announcement(
    announcement_id: Id, body: AnnouncementUpdate, access: StaffCourse, session: SessionDep
) -> AnnouncementRead:
    """Correct an announcement (its author, or the course's instructors)."""
    return await service.update(session, access, announcement_id, body)


@router.delete(ANNOUNCEMENT, status_code=204, responses=problem_responses(401, 403, 404))
async def delete_announcement(
    announcement_id: Id, access: StaffCourse, session: SessionDep
) -> Response:
    """Delete an announcement (its author, or the course's instructors)."""
    await service.delete(session, access, announcement_id)
    return Response(status_code=204)


@router.get(
    "/api/v1/me/announcements",
    response_model=list[MyAnnouncement],
    responses=problem_responses(401, 422),
)
async def my_announcements(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[MyAnnouncement]:
    """The newest announcements of the caller's courses, newest first."""
    return await service.my_recent(session, principal.user_id, limit=limit)
