"""The rules of assignments: settings, the rubric, and what a caller may do (the viewer
block). Handing in work is in ``submissions.py``, grading in ``grading.py``. Nothing here
commits: the request boundary does."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import utcnow
from learnhub.kit.errors import AppError, Unauthorized
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.assignments import repository
from learnhub.services.courses.assignments.errors import (
    AlreadyGraded,
    AssignmentNotFound,
    FileLimitAbovePlatform,
    PastDue,
    ResubmissionClosed,
    RubricCriterionNotFound,
    RubricTotalMismatch,
    SingleSubmissionOnly,
    UnknownRubricCriterion,
    field_error,
)
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.assignments.schemas import (
    AssignmentRead,
    AssignmentUpdate,
    AssignmentViewer,
    RubricCriterion,
    RubricCriterionCreate,
    RubricCriterionUpdate,
)
from learnhub.services.courses.errors import NotEnrolled
from learnhub.services.courses.models import Assignment, Item
from learnhub.services.courses.rendering import render_markdown

SECONDS_PER_DAY = 86_400
_SETTING_FIELDS = (
    "instructions",
    "due_at",
    "late_policy",
    "penalty_percent_per_day",
    "penalty_cap_percent",
    "submission_types",
    "allowed_file_types",
    "max_file_bytes",
    "resubmission",
)


def defaults(item: Item) -> Assignment:
    """The settings of an assignment nobody has configured yet (not added to the session)."""
    return Assignment(**default_values(item))


def default_values(item: Item) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "course_id": item.course_id,
        "due_at": None,
        "instructions": "",
        "late_policy": "accept",
        "penalty_percent_per_day": 0.0,
        "penalty_cap_percent": 100.0,
        "submission_types": ["text", "file"],
        "allowed_file_types": [],
        "max_file_bytes": None,
        "resubmission": "until_due",
        "rubric": [],
        "updated_at": None,
    }


async def get_item(session: AsyncSession, access: CourseAccess, item_id: str) -> Item:
    """The course's assignment, as the caller may see it (a draft: staff only)."""
    item = await courses_repository.get_item(session, access.course.id, item_id)
    if item is None or item.kind != "assignment" or not access.sees(item):
        raise AssignmentNotFound(f"There is no assignment {item_id} in this course.")
    return item


async def get_settings(session: AsyncSession, item: Item) -> Assignment:
    return await repository.get_assignment(session, item.id) or defaults(item)


def file_limit(assignment: Assignment, max_upload_bytes: int) -> int:
    return min(assignment.max_file_bytes or max_upload_bytes, max_upload_bytes)


def round_points(value: float) -> float:
    return round(value + 0.0, 2)


# ---------------------------------------------------------------- the rules of handing in


def late_seconds(assignment: Assignment, now: datetime) -> int:
    if assignment.due_at is None:
        return 0
    return max(0, math.ceil((now - assignment.due_at).total_seconds()))


def penalty_percent(assignment: Assignment, late_by_seconds: int) -> float:
    """The late penalty: a percent per started day late, up to the cap (policy ``penalty``)."""
    if assignment.late_policy != "penalty" or late_by_seconds <= 0:
        return 0.0
    days = math.ceil(late_by_seconds / SECONDS_PER_DAY)
    return min(assignment.penalty_cap_percent, assignment.penalty_percent_per_day * days)


def submission_refusal(
    access: CourseAccess, assignment: Assignment, previous: list[Submission], now: datetime
) -> AppError | None:
    """Why the caller may not hand in work now, as the error a submission gets; None when
    they may. ``previous`` are their versions, newest first. The one rule behind both the
    submission and the viewer block."""
    if access.principal is None:
        return Unauthorized("Log in to hand in work.")
    if not access.is_learner:
        return NotEnrolled("Enroll in this course first.")
    if previous and previous[0].returned_at is not None:
        return None  # a grader asked for a new version
    if late_seconds(assignment, now) and assignment.late_policy == "refuse":
        return PastDue("The due date has passed and this assignment refuses late work.")
    if not previous:
        return None
    if assignment.resubmission == "never":
        return SingleSubmissionOnly("This assignment takes one submission only.")
    if assignment.resubmission == "until_graded" and previous[0].graded_at is not None:
        return AlreadyGraded("Your submission has been graded; it cannot be replaced.")
    if (
        assignment.resubmission == "until_due"
        and assignment.due_at is not None
        and now > assignment.due_at
    ):
        return ResubmissionClosed("Submissions can be replaced only until the due date.")
    return None


async def viewer(
    session: AsyncSession, access: CourseAccess, item: Item, assignment: Assignment
) -> AssignmentViewer:
    now = utcnow()
    previous = (
        await repository.list_versions(session, item.id, access.user_id)
        if access.is_learner and access.user_id
        else []
    )
    refusal = submission_refusal(access, assignment, previous, now)
    late = late_seconds(assignment, now)
    return AssignmentViewer(
        can_edit=access.can_edit,
        can_grade=access.is_staff,
        can_submit=refusal is None,
        can_resubmit=refusal is None and bool(previous),
        reason_if_not=refusal.slug if refusal else None,  # type: ignore[arg-type]
        submitted_versions=len(previous),
        late_now=late > 0,
        penalty_percent_now=penalty_percent(assignment, late),
    )


# ---------------------------------------------------------------- settings


async def _read(
    session: AsyncSession,
    access: CourseAccess,
    item: Item,
    assignment: Assignment,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    return AssignmentRead(
        id=item.id,
        course_id=item.course_id,
        title=item.title,
        points=item.max_points,
        due_at=assignment.due_at,
        instructions=assignment.instructions,
        instructions_html=render_markdown(assignment.instructions),
        late_policy=assignment.late_policy,  # type: ignore[arg-type]
        penalty_percent_per_day=assignment.penalty_percent_per_day,
        penalty_cap_percent=assignment.penalty_cap_percent,
        submission_types=assignment.submission_types,  # type: ignore[arg-type]
        allowed_file_types=assignment.allowed_file_types,
        max_file_bytes=file_limit(assignment, max_upload_bytes),
        resubmission=assignment.resubmission,  # type: ignore[arg-type]
        rubric=[RubricCriterion(**criterion) for criterion in assignment.rubric],
        viewer=await viewer(session, access, item, assignment),
    )


async def read_assignment(
    session: AsyncSession, access: CourseAccess, assignment_id: str, *, max_upload_bytes: int
) -> AssignmentRead:
    """The settings, for the course's staff and its enrolled learners."""
    if not access.is_member:
        raise NotEnrolled("Enroll in this course to see its assignments.")
    item = await get_item(session, access, assignment_id)
    assignment = await get_settings(session, item)
    return await _read(session, access, item, assignment, max_upload_bytes=max_upload_bytes)


def _rubric_total(rubric: list[dict[str, Any]]) -> float:
    return round_points(sum(criterion["points"] for criterion in rubric))


def _set_points(item: Item, points: float | None) -> None:
    if points != item.max_points:
        item.max_points = points
        item.updated_at = utcnow()


async def _locked_settings(session: AsyncSession, item: Item) -> Assignment:
    """The settings row, created with the defaults if missing, locked until the commit so
    that concurrent changes (two criteria added at once) apply one after the other."""
    return await repository.lock_assignment(session, default_values(item), now=utcnow())


async def update_assignment(
    session: AsyncSession,
    access: CourseAccess,
    assignment_id: str,
    changes: AssignmentUpdate,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    """Apply the settings sent; a rubric sent replaces the whole rubric, and its total must
    equal the points."""
    item = await get_item(session, access, assignment_id)
    sent = changes.model_dump(exclude_unset=True)
    if "max_file_bytes" in sent and (sent["max_file_bytes"] or 0) > max_upload_bytes:
        raise FileLimitAbovePlatform(
            f"Files can be at most {max_upload_bytes} bytes on this platform.",
            max_bytes=max_upload_bytes,
            errors=[
                field_error(
                    "max_file_bytes",
                    "#/max_file_bytes",
                    "above_platform_limit",
                    f"must be at most {max_upload_bytes}",
                )
            ],
        )
    assignment = await _locked_settings(session, item)
    rubric = assignment.rubric
    if "rubric" in sent:
        known = {criterion["id"] for criterion in assignment.rubric}
        rubric = []
        for index, criterion in enumerate(entry.model_dump() for entry in changes.rubric or []):
            if criterion["id"] is not None and criterion["id"] not in known:
                raise UnknownRubricCriterion(
                    f"The rubric has no criterion {criterion['id']}; omit the id for a new one.",
                    errors=[
                        field_error(
                            f"rubric.{index}.id",
                            f"#/rubric/{index}/id",
                            "unknown_criterion",
                            "is not a criterion of this rubric",
                        )
                    ],
                )
            rubric.append({**criterion, "id": criterion["id"] or str(uuid.uuid4())})
    points = sent.get("points", item.max_points)
    if rubric:
        total = _rubric_total(rubric)
        if points is None:
            points = total
        elif not math.isclose(total, points):
            raise RubricTotalMismatch(
                f"The rubric's criteria add up to {total:g} points, but the assignment is worth "
                f"{points:g}; make them equal.",
                rubric_total=total,
                points=points,
            )
    assignment.rubric = rubric
    _set_points(item, points)
    for field in _SETTING_FIELDS:
        if field in sent:
            setattr(assignment, field, sent[field])
    assignment.updated_at = utcnow()
    await session.flush()
    return await _read(session, access, item, assignment, max_upload_bytes=max_upload_bytes)


# ---------------------------------------------------------------- the rubric, one criterion at a time


async def add_criterion(
    session: AsyncSession,
    access: CourseAccess,
    assignment_id: str,
    body: RubricCriterionCreate,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    """Add a criterion at the end of the rubric; the assignment is then worth the rubric's
    new total."""
    item = await get_item(session, access, assignment_id)
    assignment = await _locked_settings(session, item)
    assignment.rubric = [*assignment.rubric, {"id": str(uuid.uuid4()), **body.model_dump()}]
    return await _rubric_changed(
        session, access, item, assignment, max_upload_bytes=max_upload_bytes
    )


def _criterion_index(assignment: Assignment, criterion_id: str) -> int:
    for index, criterion in enumerate(assignment.rubric):
        if criterion["id"] == criterion_id:
            return index
    raise RubricCriterionNotFound(f"The rubric has no criterion {criterion_id}.")


async def update_criterion(
    session: AsyncSession,
    access: CourseAccess,
    assignment_id: str,
    criterion_id: str,
    body: RubricCriterionUpdate,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    """Change one criterion's title, description or points (the total follows)."""
    item = await get_item(session, access, assignment_id)
    assignment = await _locked_settings(session, item)
    index = _criterion_index(assignment, criterion_id)
    rubric = [dict(criterion) for criterion in assignment.rubric]
    rubric[index].update(body.model_dump(exclude_unset=True))
    assignment.rubric = rubric
    return await _rubric_changed(
        session, access, item, assignment, max_upload_bytes=max_upload_bytes
    )


async def remove_criterion(
    session: AsyncSession,
    access: CourseAccess,
    assignment_id: str,
    criterion_id: str,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    """Remove one criterion; without criteria left the points stay as they were."""
    item = await get_item(session, access, assignment_id)
    assignment = await _locked_settings(session, item)
    index = _criterion_index(assignment, criterion_id)
    assignment.rubric = [c for position, c in enumerate(assignment.rubric) if position != index]
    return await _rubric_changed(
        session, access, item, assignment, max_upload_bytes=max_upload_bytes
    )


async def _rubric_changed(
    session: AsyncSession,
    access: CourseAccess,
    item: Item,
    assignment: Assignment,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    if assignment.rubric:
        _set_points(item, _rubric_total(assignment.rubric))
    assignment.updated_at = utcnow()
    await session.flush()
    return await _read(session, access, item, assignment, max_upload_bytes=max_upload_bytes)
