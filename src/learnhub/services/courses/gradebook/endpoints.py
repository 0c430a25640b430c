"""Routes of the gradebook sub-domain: the staff's gradebook, its CSV, weights, overrides,
and each learner's own grades."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from learnhub.kit.auth import CurrentPrincipal
from learnhub.kit.http.deps import RuntimeDep, SessionDep
from learnhub.kit.http.problems import problem_responses
from learnhub.services.courses.deps import (
    CoursesSettingsDep,
    EditableCourse,
    GroupFilter,
    LearnerCourse,
    StaffCourse,
)
from learnhub.services.courses.enrollment import groups
from learnhub.services.courses.gradebook import service, waiting
from learnhub.services.courses.gradebook.schemas import (
    Gradebook,
    GradebookSettingsRead,
    GradebookSettingsUpdate,
    MyGrades,
    OverrideRead,
    OverrideSet,
    WaitingToGrade,
)

router = APIRouter(tags=["courses: gradebook"])

GRADEBOOK = "/api/v1/courses/{course_id}/gradebook"


@router.get(
    GRADEBOOK, response_model=Gradebook, responses=problem_responses(400, 401, 403, 404, 422)
)
async def read_gradebook(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    group_id: GroupFilter = None,
) -> Gradebook:
    """A page of learners (of one group) by name with their grades on every graded item
    (staff only)."""
    return await service.gradebook(
        session,
        access,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
        group_id=group_id,
    )


@router.get(
    f"{GRADEBOOK}.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The gradebook as CSV."},
        **problem_responses(401, 403, 404),
    },
)
async def export_gradebook(
    access: StaffCourse, runtime: RuntimeDep, session: SessionDep, group_id: GroupFilter = None
) -> StreamingResponse:
    """The whole gradebook (or one group's) as a UTF-8 CSV file, streamed: learner, e-mail,
    items, total."""
    if group_id is not None:
        # Checked before the first byte: an error cannot follow a streamed 200.
        await groups.find_group(session, access, group_id)
    return StreamingResponse(
        service.gradebook_csv(runtime.db, access, group_id=group_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gradebook-{access.course.id}.csv"'},
    )


@router.get(
    f"{GRADEBOOK}/settings",
    response_model=GradebookSettingsRead,
    responses=problem_responses(401, 403, 404),
)
async def read_gradebook_settings(
    access: StaffCourse, session: SessionDep
) -> GradebookSettingsRead:
    """The category weights of the course's total."""
    return await service.read_settings(session, access)


@router.put(
    f"{GRADEBOOK}/settings",
    response_model=GradebookSettingsRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_gradebook_settings(
    body: GradebookSettingsUpdate, access: EditableCourse, session: SessionDep
) -> GradebookSettingsRead:
    """Set the category weights (adding up to 100), or {} to weigh by points."""
    return await service.update_settings(session, access, body)


@router.get(
    f"{GRADEBOOK}/overrides",
    response_model=list[OverrideRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_overrides(
    access: StaffCourse,
    session: SessionDep,
    user_id: Annotated[str | None, Query(max_length=36)] = None,
    item_id: Annotated[str | None, Query(max_length=36)] = None,
) -> list[OverrideRead]:
    """Every override set or removed, oldest first, with who did it and why."""
    return await service.override_history(session, access, user_id=user_id, item_id=item_id)


@router.put(
    f"{GRADEBOOK}/overrides",
    response_model=OverrideRead,
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def set_override(body: OverrideSet, access: StaffCourse, session: SessionDep) -> OverrideRead:
    """Replace a learner's grade on an item; the reason is required."""
    return await service.set_override(session, access, body)


@router.delete(
    f"{GRADEBOOK}/overrides",
    response_model=OverrideRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def remove_override(
    access: StaffCourse,
    session: SessionDep,
    user_id: Annotated[str, Query(max_length=36)],
    item_id: Annotated[str, Query(max_length=36)],
    reason: Annotated[str, Query(max_length=1000)] = "",
) -> OverrideRead:
    """Remove the override in effect, so the recorded score counts again."""
    return await service.remove_override(
        session, access, user_id=user_id, item_id=item_id, reason=reason
    )


@router.get(
    "/api/v1/courses/{course_id}/grades/me",
    response_model=MyGrades,
    responses=problem_responses(401, 403, 404),
)
async def read_my_grades(access: LearnerCourse, session: SessionDep) -> MyGrades:
    """The caller's own grades, feedback and weighted total in this course."""
    return await service.my_grades(session, access)


@router.get(
    "/api/v1/me/grading", response_model=list[WaitingToGrade], responses=problem_responses(401)
)
async def my_grading(principal: CurrentPrincipal, session: SessionDep) -> list[WaitingToGrade]:
    """The courses the caller teaches with work waiting for a grader, the most first."""
    return await waiting.waiting_to_grade(session, principal.user_id)
