"""Grading assignments: the queue of work handed in, one submission with its versions, and
the grade. Nothing here commits: the request boundary does.

Any version may be graded. The grade given last is the one that counts: it is recorded as
the learner's outcome (progress, gradebook) and announced, whichever version it belongs to.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import SubmissionGraded
from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.assignments import repository
from learnhub.services.courses.assignments.errors import (
    InvalidRubricPoints,
    NoPoints,
    NoRubricToGrade,
    RubricPointsRequired,
    ScoreAboveMaximum,
    ScoreNotRubricSum,
    ScoreRequired,
    SubmissionNotFound,
    field_error,
)
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.assignments.schemas import (
    GradeSubmit,
    QueueEntry,
    RubricScore,
    SubmissionDetail,
    SubmissionRead,
)
from learnhub.services.courses.assignments.service import (
    get_item,
    get_settings,
    penalty_percent,
    round_points,
)
from learnhub.services.courses.assignments.submissions import to_submission_read
from learnhub.services.courses.enrollment import groups
from learnhub.services.courses.models import Assignment
from learnhub.services.courses.progress.service import record_item_outcome


async def grading_queue(
    session: AsyncSession,
    access: CourseAccess,
    *,
    assignment_id: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
    group_id: str | None = None,
) -> Page[QueueEntry]:
    """Every learner's latest submission, oldest first, optionally of one assignment and
    ungraded or graded only."""
    if assignment_id is not None:
        await get_item(session, access, assignment_id)
    if group_id is not None:
        await groups.find_group(session, access, group_id)
    after: tuple[datetime, str] | None = None
    if cursor:
        submitted_at, submission_id = decode_cursor(cursor, length=2)
        try:
            after = (datetime.fromisoformat(submitted_at), str(submission_id))
        except (TypeError, ValueError) as error:
            raise InvalidCursor("The cursor is not one this API gave out.") from error
        if after[0].tzinfo is None:
            raise InvalidCursor("The cursor is not one this API gave out.")
    rows = await repository.list_queue(
        session,
        access.course.id,
        item_id=assignment_id,
        graded=None if status is None else status == "graded",
        after=after,
        limit=limit + 1,
        group_id=group_id,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.submitted_at.isoformat(), last.id])
    items = await courses_repository.list_items(session, access.course.id)
    points = {item.id: item.max_points for item in items}
    return Page[QueueEntry](
        items=[
            QueueEntry(
                submission=to_submission_read(submission, max_score=points.get(submission.item_id)),
                assignment_title=title,
                learner_name=person.display_name if person else None,
                learner_email=person.email if person else None,
            )
            for submission, title, person in rows
        ],
        next_cursor=next_cursor,
    )


async def _submission(
    session: AsyncSession, course_id: str, item_id: str, submission_id: str
) -> Submission:
    submission = await repository.get_submission(session, course_id, item_id, submission_id)
    if submission is None:
        raise SubmissionNotFound(f"There is no submission {submission_id} of this assignment.")
    return submission


async def submission_detail(
    session: AsyncSession, access: CourseAccess, assignment_id: str, submission_id: str
) -> SubmissionDetail:
    """One version of a learner's work, with all their versions, for the course's staff."""
    item = await get_item(session, access, assignment_id)
    submission = await _submission(session, item.course_id, item.id, submission_id)
    versions = await repository.list_versions(session, item.id, submission.user_id)
    person = await courses_repository.get_person(session, submission.user_id)
    return SubmissionDetail(
        submission=to_submission_read(submission, max_score=item.max_points),
        assignment_title=item.title,
        learner_name=person.display_name if person else None,
        learner_email=person.email if person else None,
        is_latest=versions[0].id == submission.id,
        versions=[to_submission_read(version, max_score=item.max_points) for version in versions],
    )


def _rubric_score(assignment: Assignment, given: list[RubricScore]) -> float:
    criteria = {criterion["id"]: criterion for criterion in assignment.rubric}
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(given):
        field, pointer = f"rubric.{entry.criterion_id}", f"#/rubric/{index}"
        criterion = criteria.get(entry.criterion_id)
        if criterion is None:
            problems.append(field_error(field, pointer, "unknown_criterion", "is not a criterion"))
        elif entry.criterion_id in seen:
            problems.append(field_error(field, pointer, "graded_twice", "is graded twice"))
        elif entry.points > criterion["points"]:
            problems.append(
                field_error(
                    field,
                    pointer + "/points",
                    "above_criterion_points",
                    f"must be at most {criterion['points']:g}",
                )
            )
        seen.add(entry.criterion_id)
    for criterion in assignment.rubric:
        if criterion["id"] not in seen:
            problems.append(
                field_error(
                    f"rubric.{criterion['id']}", "#/rubric", "missing_criterion", "is not graded"
                )
            )
    if problems:
        raise InvalidRubricPoints("Correct the rubric points listed in `errors`.", errors=problems)
    return round_points(sum(entry.points for entry in given))


def _score(assignment: Assignment, body: GradeSubmit, points: float) -> float:
    """The score before any penalty, checked against the rubric or the points."""
    if assignment.rubric:
        if body.rubric is None:
            raise RubricPointsRequired(
                "This assignment has a rubric: send points for every criterion."
            )
        score = _rubric_score(assignment, body.rubric)
        if body.score is not None and not math.isclose(body.score, score):
            raise ScoreNotRubricSum(f"The score must be the rubric's sum, {score:g}.")
    else:
        if body.rubric is not None:
            raise NoRubricToGrade("This assignment has no rubric; send a score only.")
        if body.score is None:
            raise ScoreRequired(
                "Send the score.",
                errors=[field_error("score", "#/score", "missing", "Field required")],
            )
        score = round_points(body.score)
    if score > points:
        raise ScoreAboveMaximum(
            f"The score can be at most {points:g}.",
            max_score=points,
            errors=[
                field_error("score", "#/score", "above_maximum", f"must be at most {points:g}")
            ],
        )
    return score


async def grade(
    session: AsyncSession,
    cache: Cache,
    access: CourseAccess,
    assignment_id: str,
    submission_id: str,
    body: GradeSubmit,
) -> SubmissionRead:
    """Grade (or regrade) any version of a learner's work: the late penalty is applied, and
    this grade becomes the learner's outcome (completing the item, unless the work is
    returned for a new version) and is announced."""
    item = await get_item(session, access, assignment_id)
    submission = await _submission(session, item.course_id, item.id, submission_id)
    points = item.max_points
    if points is None:
        raise NoPoints("Set the assignment's points before grading it.")
    assignment = await get_settings(session, item)
    score = _score(assignment, body, points)
    penalty = penalty_percent(assignment, submission.late_seconds)
    final_score = round_points(score * (100 - penalty) / 100)
    submission.score = score
    submission.rubric_points = (
        [entry.model_dump() for entry in body.rubric] if assignment.rubric and body.rubric else None
    )
    submission.penalty_percent = penalty
    submission.final_score = final_score
    submission.feedback = body.feedback
    submission.graded_by = access.user_id
    submission.graded_at = utcnow()
    submission.returned_at = submission.graded_at if body.return_for_resubmission else None
    await record_item_outcome(
        session,
        cache,
        course=access.course,
        item=item,
        user_id=submission.user_id,
        completed=not body.return_for_resubmission,
        score=final_score,
        max_score=points,
        passed=None,
        returned=body.return_for_resubmission,
    )
    await record_event(
        session,
        SubmissionGraded(
            course_id=access.course.id,
            course_title=access.course.title,
            item_id=item.id,
            item_title=item.title,
            item_kind="assignment",
            submission_id=submission.id,
            user_id=submission.user_id,
            score=final_score,
            max_score=points,
            percent=round_points(final_score / points * 100),
            graded_by=access.user_id or "",
            graded_at=submission.graded_at,
        ),
        subject=access.course.id,
    )
    return to_submission_read(submission, max_score=points)
