"""The rules of assignments: settings, submissions, late work, resubmission and grading.
Nothing here commits: the request boundary does."""

from __future__ import annotations

import math
import mimetypes
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from learnhub.contracts.courses import SubmissionGraded
from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.assignments import repository
from learnhub.services.courses.assignments.errors import (
    AssignmentNotFound,
    FileTooLarge,
    FileTypeNotAllowed,
    InvalidAssignmentSettings,
    InvalidGrade,
    InvalidSubmission,
    NoPoints,
    NotYourSubmission,
    PastDue,
    ResubmissionNotAllowed,
    SubmissionNotFound,
    SupersededSubmission,
)
from learnhub.services.courses.assignments.models import Assignment, Submission
from learnhub.services.courses.assignments.schemas import (
    AssignmentRead,
    AssignmentUpdate,
    GradeRead,
    GradeSubmit,
    QueueEntry,
    RubricCriterion,
    RubricScore,
    SubmissionRead,
    SubmittedFile,
)
from learnhub.services.courses.errors import NotEnrolled
from learnhub.services.courses.models import Item
from learnhub.services.courses.progress.service import record_item_outcome
from learnhub.services.courses.rendering import render_markdown
from learnhub.services.courses.storage import ObjectStore, StoredFile

MAX_TEXT_LENGTH = 100_000
SECONDS_PER_DAY = 86_400


def defaults(item: Item) -> Assignment:
    """The settings of an assignment nobody has configured yet (not added to the session)."""
    return Assignment(
        item_id=item.id,
        course_id=item.course_id,
        due_at=None,
        instructions="",
        late_policy="accept",
        penalty_percent_per_day=0.0,
        penalty_cap_percent=100.0,
        submission_types=["text", "file"],
        allowed_file_types=[],
        max_file_bytes=None,
        resubmission="until_due",
        rubric=[],
        updated_at=None,
    )


async def get_item(session: AsyncSession, course_id: str, item_id: str) -> Item:
    item = await courses_repository.get_item(session, course_id, item_id)
    if item is None or item.kind != "assignment":
        raise AssignmentNotFound(f"There is no assignment {item_id} in this course.")
    return item


async def get_settings(session: AsyncSession, item: Item) -> Assignment:
    return await repository.get_assignment(session, item.id) or defaults(item)


def to_read(item: Item, assignment: Assignment, *, max_upload_bytes: int) -> AssignmentRead:
    return AssignmentRead(
        id=item.id,
        course_id=item.course_id,
        title=item.title,
        points=item.max_points,
        due_at=assignment.due_at,
        instructions=assignment.instructions,
        instructions_html=render_markdown(assignment.instructions),
        late_policy=assignment.late_policy,
        penalty_percent_per_day=assignment.penalty_percent_per_day,
        penalty_cap_percent=assignment.penalty_cap_percent,
        submission_types=assignment.submission_types,
        allowed_file_types=assignment.allowed_file_types,
        max_file_bytes=_file_limit(assignment, max_upload_bytes),
        resubmission=assignment.resubmission,
        rubric=[RubricCriterion(**criterion) for criterion in assignment.rubric],
    )


def _file_limit(assignment: Assignment, max_upload_bytes: int) -> int:
    return min(assignment.max_file_bytes or max_upload_bytes, max_upload_bytes)


async def read_assignment(
    session: AsyncSession, access: CourseAccess, assignment_id: str, *, max_upload_bytes: int
) -> AssignmentRead:
    """The settings, for the course's staff and its enrolled learners."""
    if not (access.is_staff or access.is_learner):
        raise NotEnrolled("Enroll in this course to see its assignments.")
    item = await get_item(session, access.course.id, assignment_id)
    return to_read(item, await get_settings(session, item), max_upload_bytes=max_upload_bytes)


async def update_assignment(
    session: AsyncSession,
    access: CourseAccess,
    assignment_id: str,
    changes: AssignmentUpdate,
    *,
    max_upload_bytes: int,
) -> AssignmentRead:
    """Apply the settings sent (creating the row on the first write); the rubric's total
    must equal the points."""
    item = await get_item(session, access.course.id, assignment_id)
    assignment = await repository.get_assignment(session, item.id)
    if assignment is None:
        assignment = defaults(item)
        session.add(assignment)
    sent = changes.model_dump(exclude_unset=True)
    if "max_file_bytes" in sent and (sent["max_file_bytes"] or 0) > max_upload_bytes:
        raise InvalidAssignmentSettings(
            f"Files can be at most {max_upload_bytes} bytes on this platform."
        )
    if "rubric" in sent:
        known = {criterion["id"] for criterion in assignment.rubric}
        rubric = []
        for criterion in [entry.model_dump() for entry in changes.rubric or []]:
            if criterion["id"] is not None and criterion["id"] not in known:
                raise InvalidAssignmentSettings(
                    f"The rubric has no criterion {criterion['id']}; omit the id for a new one."
                )
            rubric.append({**criterion, "id": criterion["id"] or str(uuid.uuid4())})
        assignment.rubric = rubric
    points = sent.get("points", item.max_points)
    if assignment.rubric:
        total = _round(sum(criterion["points"] for criterion in assignment.rubric))
        if points is None:
            points = total
        elif not math.isclose(total, points):
            raise InvalidAssignmentSettings(
                f"The rubric's criteria add up to {total:g} points, but the assignment is worth "
                f"{points:g}; make them equal."
            )
    if points != item.max_points:
        item.max_points = points
        item.updated_at = utcnow()
    for field in (
        "instructions",
        "due_at",
        "late_policy",
        "penalty_percent_per_day",
        "penalty_cap_percent",
        "submission_types",
        "allowed_file_types",
        "max_file_bytes",
        "resubmission",
    ):
        if field in sent:
            setattr(assignment, field, sent[field])
    assignment.updated_at = utcnow()
    return to_read(item, assignment, max_upload_bytes=max_upload_bytes)


# ---------------------------------------------------------------- submissions


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def penalty_percent(assignment: Assignment, late_seconds: int) -> float:
    """The late penalty: a percent per started day late, up to the cap (policy ``penalty``)."""
    if assignment.late_policy != "penalty" or late_seconds <= 0:
        return 0.0
    days = math.ceil(late_seconds / SECONDS_PER_DAY)
    return min(assignment.penalty_cap_percent, assignment.penalty_percent_per_day * days)


def to_submission_read(submission: Submission, *, max_score: float | None) -> SubmissionRead:
    file = None
    if submission.file_key is not None:
        file = SubmittedFile(
            name=submission.file_name or "file",
            content_type=submission.file_content_type or "application/octet-stream",
            size=submission.file_size or 0,
            download_url=(
                f"/api/v1/courses/{submission.course_id}/assignments/{submission.item_id}"
                f"/submissions/{submission.id}/file"
            ),
        )
    grade = None
    if submission.graded_at is not None:
        grade = GradeRead(
            score=submission.score or 0.0,
            rubric=(
                [RubricScore(**entry) for entry in submission.rubric_points]
                if submission.rubric_points is not None
                else None
            ),
            penalty_percent=submission.penalty_percent or 0.0,
            final_score=submission.final_score or 0.0,
            max_score=max_score or 0.0,
            feedback=submission.feedback or "",
            graded_by=submission.graded_by or "",
            graded_at=submission.graded_at,
        )
    return SubmissionRead(
        id=submission.id,
        course_id=submission.course_id,
        assignment_id=submission.item_id,
        user_id=submission.user_id,
        version=submission.version,
        text=submission.text,
        file=file,
        submitted_at=submission.submitted_at,
        late=submission.late_seconds > 0,
        late_by_seconds=submission.late_seconds,
        status="graded" if grade is not None else "submitted",
        grade=grade,
    )


def _check_resubmission(assignment: Assignment, previous: list[Submission], now: datetime) -> None:
    if not previous:
        return
    if assignment.resubmission == "never":
        raise ResubmissionNotAllowed("This assignment takes one submission only.")
    if assignment.resubmission == "until_graded" and previous[0].graded_at is not None:
        raise ResubmissionNotAllowed("Your submission has been graded; it cannot be replaced.")
    if (
        assignment.resubmission == "until_due"
        and assignment.due_at is not None
        and now > assignment.due_at
    ):
        raise ResubmissionNotAllowed("Submissions can be replaced only until the due date.")


async def _read_upload(
    assignment: Assignment, file: UploadFile, *, max_upload_bytes: int
) -> tuple[str, str, bytes]:
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name:
        raise InvalidSubmission("The file needs a name.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if assignment.allowed_file_types and extension not in assignment.allowed_file_types:
        raise FileTypeNotAllowed(
            f"Send one of these kinds of file: {', '.join(assignment.allowed_file_types)}."
        )
    limit = _file_limit(assignment, max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"Files can be at most {limit} bytes.", max_bytes=limit)
    if not data:
        raise InvalidSubmission("The file is empty.")
    content_type = (
        file.content_type
        if file.content_type and file.content_type != "application/octet-stream"
        else mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    return name, content_type, data


async def submit(
    session: AsyncSession,
    cache: Cache,
    store: ObjectStore,
    access: CourseAccess,
    assignment_id: str,
    *,
    text: str | None,
    file: UploadFile | None,
    max_upload_bytes: int,
) -> SubmissionRead:
    """Hand in work (a new version when resubmitting), flagged late after the due date or
    refused then if the policy says so. The first submission marks the item in progress."""
    item = await get_item(session, access.course.id, assignment_id)
    assignment = await get_settings(session, item)
    user_id = access.user_id or ""
    now = utcnow()
    text = text if text and text.strip() else None
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        raise InvalidSubmission(f"The text can be at most {MAX_TEXT_LENGTH} characters.")
    if file is not None and not file.filename and not file.size:
        file = None  # an empty file field of a form
    if text is None and file is None:
        raise InvalidSubmission("Send the text of your work, a file, or both.")
    if text is not None and "text" not in assignment.submission_types:
        raise InvalidSubmission("This assignment takes a file, not text.")
    if file is not None and "file" not in assignment.submission_types:
        raise InvalidSubmission("This assignment takes text, not a file.")
    late_seconds = (
        max(0, math.ceil((now - assignment.due_at).total_seconds())) if assignment.due_at else 0
    )
    if late_seconds and assignment.late_policy == "refuse":
        raise PastDue("The due date has passed and this assignment refuses late work.")
    previous = await repository.list_versions(session, item.id, user_id)
    _check_resubmission(assignment, previous, now)
    submission = Submission(
        id=str(uuid.uuid4()),
        course_id=item.course_id,
        item_id=item.id,
        user_id=user_id,
        version=(previous[0].version + 1) if previous else 1,
        text=text,
        submitted_at=now,
        late_seconds=late_seconds,
    )
    if file is not None:
        name, content_type, data = await _read_upload(
            assignment, file, max_upload_bytes=max_upload_bytes
        )
        submission.file_key = f"courses/{item.course_id}/submissions/{submission.id}"
        submission.file_name = name
        submission.file_content_type = content_type
        submission.file_size = len(data)
        await store.put(submission.file_key, data, content_type=content_type)
    session.add(submission)
    progress = await repository.get_progress(session, item.id, user_id)
    if progress is None or progress.status == "not_started":
        # Completion comes with the grade; until then the item is only started.
        await record_item_outcome(
            session, cache, course=access.course, item=item, user_id=user_id, completed=False
        )
    return to_submission_read(submission, max_score=item.max_points)


async def list_mine(
    session: AsyncSession, access: CourseAccess, assignment_id: str
) -> list[SubmissionRead]:
    """The caller's versions, newest first, with their grades and feedback."""
    item = await get_item(session, access.course.id, assignment_id)
    versions = await repository.list_versions(session, item.id, access.user_id or "")
    return [to_submission_read(version, max_score=item.max_points) for version in versions]


async def get_submission_file(
    session: AsyncSession,
    store: ObjectStore,
    access: CourseAccess,
    assignment_id: str,
    submission_id: str,
) -> tuple[str, StoredFile]:
    """The file of a submission, for its author and the course's staff: (name, file)."""
    item = await get_item(session, access.course.id, assignment_id)
    submission = await repository.get_submission(session, item.course_id, item.id, submission_id)
    if submission is None:
        raise SubmissionNotFound(f"There is no submission {submission_id} of this assignment.")
    if submission.user_id != access.user_id and not access.is_staff:
        raise NotYourSubmission("Only its author and the course's staff may open this file.")
    if submission.file_key is None:
        raise SubmissionNotFound("This submission has no file.")
    return submission.file_name or "file", await store.get(submission.file_key)


# ---------------------------------------------------------------- grading


async def grading_queue(
    session: AsyncSession,
    access: CourseAccess,
    *,
    assignment_id: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[QueueEntry]:
    """Every learner's latest submission, oldest first, optionally of one assignment and
    ungraded or graded only."""
    if assignment_id is not None:
        await get_item(session, access.course.id, assignment_id)
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


def _rubric_score(assignment: Assignment, given: list[RubricScore]) -> float:
    criteria = {criterion["id"]: criterion for criterion in assignment.rubric}
    seen: set[str] = set()
    for entry in given:
        criterion = criteria.get(entry.criterion_id)
        if criterion is None:
            raise InvalidGrade(f"The rubric has no criterion {entry.criterion_id}.")
        if entry.criterion_id in seen:
            raise InvalidGrade(f"Criterion {entry.criterion_id} is graded twice.")
        if entry.points > criterion["points"]:
            raise InvalidGrade(
                f"“{criterion['title']}” is worth at most {criterion['points']:g} points."
            )
        seen.add(entry.criterion_id)
    missing = [criterion["title"] for criterion in assignment.rubric if criterion["id"] not in seen]
    if missing:
        raise InvalidGrade(f"Grade every criterion of the rubric; missing: {', '.join(missing)}.")
    return _round(sum(entry.points for entry in given))


async def grade(
    session: AsyncSession,
    cache: Cache,
    access: CourseAccess,
    assignment_id: str,
    submission_id: str,
    body: GradeSubmit,
) -> SubmissionRead:
    """Grade (or regrade) a learner's latest submission: the late penalty is applied, the
    outcome recorded in their progress (completing the item) and announced."""
    item = await get_item(session, access.course.id, assignment_id)
    submission = await repository.get_submission(session, item.course_id, item.id, submission_id)
    if submission is None:
        raise SubmissionNotFound(f"There is no submission {submission_id} of this assignment.")
    points = item.max_points
    if points is None:
        raise NoPoints("Set the assignment's points before grading it.")
    latest = await repository.get_latest_version(session, item.id, submission.user_id)
    if submission.version != latest:
        raise SupersededSubmission(
            f"The learner has sent a newer version (version {latest}); grade that one."
        )
    assignment = await get_settings(session, item)
    if assignment.rubric:
        if body.rubric is None:
            raise InvalidGrade("This assignment has a rubric: send points for every criterion.")
        score = _rubric_score(assignment, body.rubric)
        if body.score is not None and not math.isclose(body.score, score):
            raise InvalidGrade(f"The score must be the rubric's sum, {score:g}.")
        rubric_points = [entry.model_dump() for entry in body.rubric]
    else:
        if body.rubric is not None:
            raise InvalidGrade("This assignment has no rubric; send a score only.")
        if body.score is None:
            raise InvalidGrade("Send the score.")
        score = _round(body.score)
        rubric_points = None
    if score > points:
        raise InvalidGrade(f"The score can be at most {points:g}.")
    penalty = penalty_percent(assignment, submission.late_seconds)
    final_score = _round(score * (100 - penalty) / 100)
    submission.score = score
    submission.rubric_points = rubric_points
    submission.penalty_percent = penalty
    submission.final_score = final_score
    submission.feedback = body.feedback
    submission.graded_by = access.user_id
    submission.graded_at = utcnow()
    await record_item_outcome(
        session,
        cache,
        course=access.course,
        item=item,
        user_id=submission.user_id,
        completed=True,
        score=final_score,
        max_score=points,
        passed=None,
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
            percent=_round(final_score / points * 100),
            graded_by=access.user_id or "",
            graded_at=submission.graded_at,
        ),
        subject=submission.user_id,
    )
    return to_submission_read(submission, max_score=points)
