"""Handing in work: checking it against the assignment's rules, versions, late work, files.
Nothing here commits: the request boundary does."""

from __future__ import annotations

import mimetypes
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.assignments import repository
from learnhub.services.courses.assignments.errors import (
    EmptyFile,
    EmptySubmission,
    FileNameMissing,
    FileNotAccepted,
    FileTypeNotAllowed,
    NotYourSubmission,
    SubmissionHasNoFile,
    SubmissionNotFound,
    TextNotAccepted,
    TextTooLong,
    field_error,
)
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.assignments.schemas import (
    GradeRead,
    RubricScore,
    SubmissionRead,
    SubmittedFile,
)
from learnhub.services.courses.assignments.service import (
    file_limit,
    get_item,
    get_settings,
    late_seconds,
    submission_refusal,
)
from learnhub.services.courses.errors import FileTooLarge
from learnhub.services.courses.models import Assignment
from learnhub.services.courses.progress.service import record_item_outcome
from learnhub.services.courses.rendering import render_markdown
from learnhub.services.courses.storage import ObjectStore, StoredFile

MAX_TEXT_LENGTH = 100_000
# A learner's work and its feedback are shown inside pages with their own headings: a `#`
# heading in them becomes an `h3`.
WORK_HEADING = 3


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
            feedback_html=render_markdown(submission.feedback or "", top_heading=WORK_HEADING),
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
        text_html=(
            render_markdown(submission.text, top_heading=WORK_HEADING)
            if submission.text is not None
            else None
        ),
        file=file,
        submitted_at=submission.submitted_at,
        late=submission.late_seconds > 0,
        late_by_seconds=submission.late_seconds,
        status="graded" if grade is not None else "submitted",
        grade=grade,
        returned=submission.returned_at is not None,
    )


async def _read_upload(
    assignment: Assignment, file: UploadFile, *, max_upload_bytes: int
) -> tuple[str, str, bytes]:
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name:
        raise FileNameMissing("The file needs a name.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if assignment.allowed_file_types and extension not in assignment.allowed_file_types:
        raise FileTypeNotAllowed(
            f"Send one of these kinds of file: {', '.join(assignment.allowed_file_types)}.",
            allowed_file_types=assignment.allowed_file_types,
        )
    limit = file_limit(assignment, max_upload_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"Files can be at most {limit} bytes.", max_bytes=limit)
    if not data:
        raise EmptyFile("The file is empty.")
    content_type = (
        file.content_type
        if file.content_type and file.content_type != "application/octet-stream"
        else mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    return name, content_type, data


def _check_content(assignment: Assignment, *, text: str | None, file: UploadFile | None) -> None:
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        raise TextTooLong(
            f"The text can be at most {MAX_TEXT_LENGTH} characters.",
            max_length=MAX_TEXT_LENGTH,
            errors=[
                field_error("text", "#/text", "too_long", f"must be at most {MAX_TEXT_LENGTH}")
            ],
        )
    if text is None and file is None:
        raise EmptySubmission("Send the text of your work, a file, or both.")
    if text is not None and "text" not in assignment.submission_types:
        raise TextNotAccepted("This assignment takes a file, not text.")
    if file is not None and "file" not in assignment.submission_types:
        raise FileNotAccepted("This assignment takes text, not a file.")


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
    item = await get_item(session, access, assignment_id)
    assignment = await get_settings(session, item)
    user_id = access.user_id or ""
    now = utcnow()
    text = text if text and text.strip() else None
    if file is not None and not file.filename and not file.size:
        file = None  # an empty file field of a form
    _check_content(assignment, text=text, file=file)
    previous = await repository.list_versions(session, item.id, user_id)
    refusal = submission_refusal(access, assignment, previous, now)
    if refusal is not None:
        raise refusal
    submission = Submission(
        id=str(uuid.uuid4()),
        course_id=item.course_id,
        item_id=item.id,
        user_id=user_id,
        version=(previous[0].version + 1) if previous else 1,
        text=text,
        submitted_at=now,
        late_seconds=late_seconds(assignment, now),
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
    if progress is None or progress.status in ("not_started", "in_progress", "returned"):
        # Completion comes with the grade; until then the work waits for it.
        await record_item_outcome(
            session,
            cache,
            course=access.course,
            item=item,
            user_id=user_id,
            completed=False,
            handed_in=True,
        )
    return to_submission_read(submission, max_score=item.max_points)


async def list_mine(
    session: AsyncSession, access: CourseAccess, assignment_id: str
) -> list[SubmissionRead]:
    """The caller's versions, newest first, with their grades and feedback."""
    item = await get_item(session, access, assignment_id)
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
    item = await get_item(session, access, assignment_id)
    submission = await repository.get_submission(session, item.course_id, item.id, submission_id)
    if submission is None:
        raise SubmissionNotFound(f"There is no submission {submission_id} of this assignment.")
    if submission.user_id != access.user_id and not access.is_staff:
        raise NotYourSubmission("Only its author and the course's staff may open this file.")
    if submission.file_key is None:
        raise SubmissionHasNoFile("This submission has no file.")
    return submission.file_name or "file", await store.get(submission.file_key)
