"""Routes of the assignments sub-domain: settings, submissions, the grading queue, grades."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from learnhub.kit.http.deps import SessionDep
from learnhub.kit.http.pagination import Page
from learnhub.kit.http.problems import problem_responses
from learnhub.services.courses.assignments import grading, service, submissions
from learnhub.services.courses.assignments.schemas import (
    AssignmentRead,
    AssignmentUpdate,
    GradeSubmit,
    QueueEntry,
    RubricCriterionCreate,
    RubricCriterionUpdate,
    SubmissionDetail,
    SubmissionRead,
)
from learnhub.services.courses.deps import (
    CacheDep,
    CoursesSettingsDep,
    EditableCourse,
    GroupFilter,
    LearnerCourse,
    MemberCourse,
    ObjectStoreDep,
    StaffCourse,
)

router = APIRouter(tags=["courses: assignments"])

ASSIGNMENT = "/api/v1/courses/{course_id}/assignments/{assignment_id}"
RUBRIC = ASSIGNMENT + "/rubric"
SUBMISSION = ASSIGNMENT + "/submissions/{submission_id}"

Id = Annotated[str, Path(max_length=36)]


@router.get(ASSIGNMENT, response_model=AssignmentRead, responses=problem_responses(401, 403, 404))
async def read_assignment(
    assignment_id: Id,
    access: MemberCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
) -> AssignmentRead:
    """An assignment's instructions and rules, and what the caller may do with it."""
    return await service.read_assignment(
        session, access, assignment_id, max_upload_bytes=settings.max_upload_bytes
    )


@router.patch(
    ASSIGNMENT, response_model=AssignmentRead, responses=problem_responses(400, 401, 403, 404, 422)
)
async def update_assignment(
    assignment_id: Id,
    body: AssignmentUpdate,
    access: EditableCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
) -> AssignmentRead:
    """Change an assignment's instructions, due date, late policy, file rules, points or rubric."""
    return await service.update_assignment(
        session, access, assignment_id, body, max_upload_bytes=settings.max_upload_bytes
    )


@router.post(
    RUBRIC,
    status_code=201,
    response_model=AssignmentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def add_rubric_criterion(
    assignment_id: Id,
    body: RubricCriterionCreate,
    access: EditableCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
) -> AssignmentRead:
    """Add one criterion at the end of the rubric; the points become the rubric's total."""
    return await service.add_criterion(
        session, access, assignment_id, body, max_upload_bytes=settings.max_upload_bytes
    )


@router.patch(
    RUBRIC + "/{criterion_id}",
    response_model=AssignmentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_rubric_criterion(
    assignment_id: Id,
    criterion_id: Id,
    body: RubricCriterionUpdate,
    access: EditableCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
) -> AssignmentRead:
    """Change one criterion of the rubric; the points become the rubric's total."""
    return await service.update_criterion(
        session,
        access,
        assignment_id,
        criterion_id,
        body,
        max_upload_bytes=settings.max_upload_bytes,
    )


@router.delete(
    RUBRIC + "/{criterion_id}",
    response_model=AssignmentRead,
    responses=problem_responses(401, 403, 404),
)
async def remove_rubric_criterion(
    assignment_id: Id,
    criterion_id: Id,
    access: EditableCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
) -> AssignmentRead:
    """Remove one criterion of the rubric; the points become the total of those left."""
    return await service.remove_criterion(
        session, access, assignment_id, criterion_id, max_upload_bytes=settings.max_upload_bytes
    )


@router.post(
    f"{ASSIGNMENT}/submissions",
    status_code=201,
    response_model=SubmissionRead,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
async def submit(
    assignment_id: Id,
    access: LearnerCourse,
    session: SessionDep,
    cache: CacheDep,
    store: ObjectStoreDep,
    settings: CoursesSettingsDep,
    text: Annotated[str | None, Form(description="The work as text (Markdown).")] = None,
    file: Annotated[UploadFile | None, File(description="The work as a file.")] = None,
) -> SubmissionRead:
    """Hand in work as multipart `text` and/or `file`; sending again adds a new version."""
    return await submissions.submit(
        session,
        cache,
        store,
        access,
        assignment_id,
        text=text,
        file=file,
        max_upload_bytes=settings.max_upload_bytes,
    )


@router.get(
    f"{ASSIGNMENT}/submissions/mine",
    response_model=list[SubmissionRead],
    responses=problem_responses(401, 403, 404),
)
async def list_my_submissions(
    assignment_id: Id, access: LearnerCourse, session: SessionDep
) -> list[SubmissionRead]:
    """The caller's submissions of this assignment, newest first, with grades and feedback."""
    return await submissions.list_mine(session, access, assignment_id)


@router.get(SUBMISSION, response_model=SubmissionDetail, responses=problem_responses(401, 403, 404))
async def read_submission(
    assignment_id: Id, submission_id: Id, access: StaffCourse, session: SessionDep
) -> SubmissionDetail:
    """One version of a learner's work with all their versions (the course's staff)."""
    return await grading.submission_detail(session, access, assignment_id, submission_id)


@router.get(
    f"{SUBMISSION}/file",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file."},
        **problem_responses(401, 403, 404),
    },
)
async def download_submission_file(
    assignment_id: Id,
    submission_id: Id,
    access: MemberCourse,
    session: SessionDep,
    store: ObjectStoreDep,
) -> Response:
    """The file of a submission, for its author and the course's staff."""
    name, stored = await submissions.get_submission_file(
        session, store, access, assignment_id, submission_id
    )
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/api/v1/courses/{course_id}/grading-queue",
    response_model=Page[QueueEntry],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def grading_queue(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    assignment_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[
        Literal["ungraded", "graded"] | None, Query(description="Default: both.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    group_id: GroupFilter = None,
) -> Page[QueueEntry]:
    """Each learner's latest submission, oldest first, for the course's staff to grade."""
    return await grading.grading_queue(
        session,
        access,
        assignment_id=assignment_id,
        status=status,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
        group_id=group_id,
    )


@router.post(
    f"{SUBMISSION}/grade",
    response_model=SubmissionRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def grade_submission(
    assignment_id: Id,
    submission_id: Id,
    body: GradeSubmit,
    access: StaffCourse,
    session: SessionDep,
    cache: CacheDep,
) -> SubmissionRead:
    """Grade or regrade any version: score or rubric points, and feedback; it then counts."""
    return await grading.grade(session, cache, access, assignment_id, submission_id, body)
