"""Routes of the enrollment sub-domain: joining, leaving, and managing a course's members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile

from learnhub.kit.http.deps import SessionDep
from learnhub.kit.http.pagination import Page
from learnhub.kit.http.problems import problem_responses
from learnhub.services.courses.deps import (
    CoursesSettingsDep,
    EditableCourse,
    MemberCourse,
    StaffCourse,
)
from learnhub.services.courses.enrollment import groups, service
from learnhub.services.courses.enrollment.errors import InvalidCsv
from learnhub.services.courses.enrollment.schemas import (
    BulkReport,
    CourseRole,
    EnrollmentRead,
    EnrollmentStatus,
    EnrollSomeone,
    GroupMembersAdd,
    GroupRead,
    GroupWrite,
    MemberRead,
)

router = APIRouter(tags=["courses: enrollment"])

ENROLLMENTS = "/api/v1/courses/{course_id}/enrollments"
MAX_CSV_BYTES = 2 * 1024 * 1024
EnrollmentId = Annotated[str, Path(max_length=36)]
GROUPS = "/api/v1/courses/{course_id}/groups"
GroupId = Annotated[str, Path(max_length=36)]


@router.post(
    ENROLLMENTS,
    response_model=EnrollmentRead,
    status_code=201,
    responses={
        202: {"description": "Enrollment requested; it waits for the staff's approval."},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def enroll(
    access: MemberCourse,
    session: SessionDep,
    response: Response,
    body: EnrollSomeone | None = None,
) -> EnrollmentRead:
    """Enroll yourself (no body) or, as staff, enroll someone by e-mail."""
    if body is None or body.email is None:
        enrollment = await service.enroll_self(session, access)
    else:
        enrollment = await service.enroll_person(
            session, access, email=str(body.email), role=body.role
        )
    if enrollment.status == "pending":
        response.status_code = 202
    return EnrollmentRead.model_validate(enrollment)


@router.post(
    f"{ENROLLMENTS}/bulk",
    response_model=BulkReport,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def enroll_from_csv(
    access: StaffCourse,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV with a header line `email[,role]`.")],
) -> BulkReport:
    """Enroll everyone in a CSV file (up to 5000 rows) and report each row (course staff)."""
    data = await file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidCsv(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
    return await service.bulk_enroll(session, access, data)


@router.get(
    ENROLLMENTS,
    response_model=Page[MemberRead],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_enrollments(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    status: EnrollmentStatus | None = None,
    role: CourseRole | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Page[MemberRead]:
    """The course's members with names and e-mails (course staff), filtered and paged."""
    return await service.list_members(
        session,
        access.course,
        status=status,
        role=role,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.post(
    f"{ENROLLMENTS}/{{enrollment_id}}/approve",
    response_model=EnrollmentRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def approve_enrollment(
    access: StaffCourse, session: SessionDep, enrollment_id: EnrollmentId
) -> EnrollmentRead:
    """Accept a request to join (course staff)."""
    return EnrollmentRead.model_validate(await service.approve(session, access, enrollment_id))


@router.post(
    f"{ENROLLMENTS}/{{enrollment_id}}/reject",
    response_model=EnrollmentRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def reject_enrollment(
    access: StaffCourse, session: SessionDep, enrollment_id: EnrollmentId
) -> EnrollmentRead:
    """Turn down a request to join (course staff)."""
    return EnrollmentRead.model_validate(await service.reject(session, access, enrollment_id))


@router.delete(
    f"{ENROLLMENTS}/{{enrollment_id}}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409),
)
async def unenroll(access: MemberCourse, session: SessionDep, enrollment_id: EnrollmentId) -> None:
    """Leave the course (your own enrollment) or remove a member (course staff)."""
    await service.unenroll(session, access, enrollment_id)


@router.get(GROUPS, response_model=list[GroupRead], responses=problem_responses(401, 403, 404))
async def list_groups(access: StaffCourse, session: SessionDep) -> list[GroupRead]:
    """The course's groups by name, with their learners counted (course staff)."""
    return await groups.list_groups(session, access)


@router.post(
    GROUPS,
    response_model=GroupRead,
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_group(body: GroupWrite, access: EditableCourse, session: SessionDep) -> GroupRead:
    """Make a group (instructors, administrators); names are unique in the course."""
    return await groups.create_group(session, access, body)


@router.patch(
    f"{GROUPS}/{{group_id}}",
    response_model=GroupRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def rename_group(
    group_id: GroupId, body: GroupWrite, access: EditableCourse, session: SessionDep
) -> GroupRead:
    return await groups.rename_group(session, access, group_id, body)


@router.delete(
    f"{GROUPS}/{{group_id}}", status_code=204, responses=problem_responses(401, 403, 404)
)
async def delete_group(group_id: GroupId, access: EditableCourse, session: SessionDep) -> Response:
    """Delete a group; its learners stay in the course, in no group."""
    await groups.delete_group(session, access, group_id)
    return Response(status_code=204)


@router.post(
    f"{GROUPS}/{{group_id}}/members",
    response_model=GroupRead,
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def add_group_members(
    group_id: GroupId, body: GroupMembersAdd, access: EditableCourse, session: SessionDep
) -> GroupRead:
    """Put active learners in the group (moving them from another); all or none."""
    return await groups.add_members(session, access, group_id, body)


@router.delete(
    f"{GROUPS}/{{group_id}}/members/{{user_id}}",
    status_code=204,
    responses=problem_responses(401, 403, 404),
)
async def remove_group_member(
    group_id: GroupId,
    user_id: Annotated[str, Path(max_length=36)],
    access: EditableCourse,
    session: SessionDep,
) -> Response:
    await groups.remove_member(session, access, group_id, user_id)
    return Response(status_code=204)
