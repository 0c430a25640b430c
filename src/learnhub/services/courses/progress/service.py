"""The rules of progress and completion. Nothing here commits.

``record_item_outcome`` is the one way outcomes land (lessons, quizzes and assignments call
it). A learner's progress is read from the cache (``readmodels``): the write renews the
learner's stamp once it commits, so the next read, theirs included, is rebuilt from the
database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.contracts.courses import CourseCompleted, LessonCompleted, ProgressUpdated
from learnhub.kit.auth import Principal
from learnhub.kit.cache import Cache
from learnhub.kit.db import Database, utcnow
from learnhub.kit.events import record_event, record_events
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.kit.readcache import View, keep
from learnhub.services.courses import readmodels
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.errors import ItemNotFound, NotEnrolled
from learnhub.services.courses.models import Course, Enrollment, Item
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.certificates import issue_certificate
from learnhub.services.courses.progress.errors import NotALesson
from learnhub.services.courses.progress.models import Certificate, ItemProgress
from learnhub.services.courses.progress.schemas import (
    LearnerProgress,
    MyProgress,
    ProgressSummary,
)
from learnhub.services.courses.progress.standing import (
    OutlineFacts,
    OutlineItem,
    Standing,
    item_states,
    load_outlines,
    outline_facts,
    outline_view,
    standing,
)


def progress_view(course_id: str, user_id: str) -> View:
    """A learner's progress body (``MyProgress``), valid until the course or they change."""
    return View(f"progress:{course_id}:{user_id}", readmodels.learner_stamps(course_id, user_id))


@dataclass(frozen=True)
class Recorded:
    """Where the learner stands right after an outcome was recorded."""

    standing: Standing
    items: list[OutlineItem]
    rows: list[ItemProgress]

    def progress(self) -> MyProgress:
        return MyProgress(
            **self.standing.summary.model_dump(), items=item_states(self.items, self.rows)
        )


# ---------------------------------------------------------------- recording outcomes


async def record_item_outcome(
    session: AsyncSession,
    cache: Cache,
    *,
    course: Course,
    item: Item,
    user_id: str,
    completed: bool,
    score: float | None = None,
    max_score: float | None = None,
    passed: bool | None = None,
    handed_in: bool = False,
    returned: bool = False,
) -> Recorded | None:
    """Record what a learner achieved on an item (a lesson done, a quiz or assignment
    graded, work handed in and waiting for its grade: ``handed_in``), then update their
    progress, announce it, and complete the course if its rule is now met. Quizzes,
    assignments and lessons call this; it is the one way in. Returns where the learner now
    stands (None for anyone who is not an active learner).

    Completion sticks: a later outcome with ``completed=False`` (a worse attempt) keeps the
    item completed; only work ``returned`` for a new version makes it to do again (the
    course's completion, once reached, stays). The score, maximum and pass mark sent replace the stored ones when a
    score is sent (the caller decides which attempt counts). Only active learners get
    course progress, events and completion; anyone else's outcome is just stored.
    """
    # Locked (read and locked in one statement), so one learner's outcomes in one course
    # are recorded one after the other, each seeing everything the previous one committed.
    membership = await repository.lock_membership_of(session, course.id, user_id)
    now = utcnow()
    outcome = {
        "completed": completed,
        "score": score,
        "max_score": max_score,
        "passed": passed,
        "handed_in": handed_in,
        "returned": returned,
    }
    if not (
        membership is not None and membership.role == "learner" and membership.status == "active"
    ):
        await _store_outcome(session, course.id, item.id, user_id, now=now, **outcome)
        return None

    # The learner's rows are read once, under the lock: the row to change is among them, and
    # with it they give the new standing without another query.
    rows = await repository.list_learner_progress(session, course.id, user_id)
    row = next((row for row in rows if row.item_id == item.id), None)
    was_completed = row is not None and row.status == "completed"
    if row is None:
        row = _new_outcome(course.id, item.id, user_id, now=now, **outcome)
        session.add(row)
        rows.append(row)
    else:
        apply_outcome(row, now, **outcome)

    outline = await outline_facts(session, cache, course.id)
    certificate = (
        await repository.get_certificate(session, course.id, user_id)
        if membership.completed_at is not None
        else None
    )
    current = standing(
        course.completion_rule,
        outline.items,
        rows,
        completed_at=membership.completed_at,
        certificate_code=certificate.code if certificate else None,
    )
    newly_completed = completed and not returned and not was_completed
    progress_changed = newly_completed or (returned and was_completed)
    events: list[EventPayload] = []
    if newly_completed and item.kind == "lesson":
        events.append(lesson_completed(course, item, user_id, now))
    if progress_changed and item.required:
        events.append(progress_updated(course, user_id, current.summary, now))
    await record_events(session, [(event, course.id) for event in events])
    if current.rule_met and membership.completed_at is None:
        enrollment = await courses_repository.get_membership(session, course.id, user_id)
        if enrollment is None:
            raise RuntimeError(f"the membership of {user_id} locked above is gone")
        certificate = await complete_course(
            session, course, enrollment, final_percent=current.final_percent, now=now
        )
        if certificate is not None:
            summary = current.summary.model_copy(
                update={
                    "completed": True,
                    "completed_at": now,
                    "certificate_code": certificate.code,
                }
            )
            current = Standing(summary, current.rule_met, current.final_percent)
    return Recorded(current, outline.items, rows)


def lesson_completed(course: Course, item: Item, user_id: str, now: datetime) -> LessonCompleted:
    return LessonCompleted(
        course_id=course.id,
        course_title=course.title,
        item_id=item.id,
        item_title=item.title,
        user_id=user_id,
        completed_at=now,
    )


def progress_updated(
    course: Course, user_id: str, summary: ProgressSummary, now: datetime
) -> ProgressUpdated:
    return ProgressUpdated(
        course_id=course.id,
        course_title=course.title,
        user_id=user_id,
        completed_items=summary.completed_items,
        total_items=summary.total_items,
        percent=summary.percent,
        updated_at=now,
    )


def _new_outcome(
    course_id: str,
    item_id: str,
    user_id: str,
    *,
    now: datetime,
    completed: bool,
    score: float | None,
    max_score: float | None,
    passed: bool | None,
    handed_in: bool = False,
    returned: bool = False,
) -> ItemProgress:
    return ItemProgress(
        id=str(uuid.uuid4()),
        course_id=course_id,
        item_id=item_id,
        user_id=user_id,
        status=_status_of(completed=completed, handed_in=handed_in, returned=returned),
        score=score,
        max_score=max_score,
        passed=passed,
        completed_at=now if completed and not returned else None,
        updated_at=now,
    )


async def _store_outcome(
    session: AsyncSession,
    course_id: str,
    item_id: str,
    user_id: str,
    *,
    now: datetime,
    **outcome: Any,
) -> None:
    """Keep a non-learner's outcome (a teacher trying their own quiz): no lock was taken,
    so a concurrent insert of the same row is possible; the unique constraint decides."""
    row = await repository.get_item_progress(session, item_id, user_id)
    if row is None:
        row = _new_outcome(course_id, item_id, user_id, now=now, **outcome)
        if await repository.add_item_progress(session, row):
            return
        row = await repository.get_item_progress(session, item_id, user_id)
        if row is None:
            raise RuntimeError(f"the progress of {user_id} on {item_id} that beat ours is gone")
    apply_outcome(row, now, **outcome)


def _status_of(*, completed: bool, handed_in: bool, returned: bool) -> str:
    if returned:
        return "returned"
    if completed:
        return "completed"
    return "submitted" if handed_in else "in_progress"


def apply_outcome(
    row: ItemProgress,
    now: datetime,
    *,
    completed: bool,
    score: float | None,
    max_score: float | None,
    passed: bool | None,
    handed_in: bool = False,
    returned: bool = False,
) -> None:
    if returned:
        # The grader asked for a new version: the item is to do again.
        row.status = "returned"
        row.completed_at = None
    elif completed and row.status != "completed":
        row.status = "completed"
        row.completed_at = now
    elif handed_in and row.status != "completed":
        row.status = "submitted"
    elif row.status == "not_started":
        row.status = "in_progress"
    if score is not None:
        row.score = score
        row.max_score = max_score
        row.passed = passed
    elif passed is not None:
        row.passed = passed
    row.updated_at = now


async def complete_course(
    session: AsyncSession,
    course: Course,
    membership: Enrollment,
    *,
    final_percent: float | None,
    now: datetime,
) -> Certificate | None:
    """Complete the learner's membership, announce it and issue the certificate (returned),
    unless a concurrent transaction completed it first (None)."""
    # The conditional update is the arbiter: of two simultaneous last completions only
    # one sets completed_at, so the course completes and the certificate issues once.
    if not await repository.mark_course_completed(session, membership.id, now):
        return None
    await session.refresh(membership)
    readmodels.membership_changed(session, course.id, membership.user_id)
    await record_event(
        session,
        CourseCompleted(
            course_id=course.id,
            course_title=course.title,
            user_id=membership.user_id,
            final_percent=final_percent,
            completed_at=now,
        ),
        subject=course.id,
    )
    return await issue_certificate(session, course, membership.user_id, now)


# ---------------------------------------------------------------- lessons


def check_lesson(item: Any, item_id: str) -> Any:
    """The item, if it is a lesson of the course (``item`` as found there, or None): only
    lessons are marked done by hand."""
    if item is None:
        raise ItemNotFound(f"There is no item {item_id} in this course.")
    if item.kind != "lesson":
        raise NotALesson(
            f"This item is a {item.kind}: it is completed by submitting it, not marked done."
        )
    return item


async def complete_lesson(
    session: AsyncSession, cache: Cache, access: CourseAccess, item_id: str
) -> MyProgress:
    """Mark a lesson done for the calling learner (idempotent) and return their progress."""
    outline = await outline_facts(session, cache, access.course.id)
    item = check_lesson(next((item for item in outline.items if item.id == item_id), None), item_id)
    recorded = await record_item_outcome(
        session,
        cache,
        course=access.course,
        item=item,
        user_id=access.enrollment.user_id,
        completed=True,
    )
    if recorded is None:  # no longer an active learner, since the access check
        raise NotEnrolled("Enroll in this course first.")
    return recorded.progress()


# ---------------------------------------------------------------- reading progress


async def my_progress(db: Database, cache: Cache, principal: Principal, course_id: str) -> str:
    """The calling learner's progress as JSON: a cache hit, or built and cached."""
    view = progress_view(course_id, principal.user_id)
    outline = outline_view(course_id)
    access, snapshot = await readmodels.cached_access(
        db, cache, principal, course_id, view, outline
    )
    if not access.is_learner:
        raise NotEnrolled("Enroll in this course first.")
    cached = snapshot.value(view)
    if cached is not None:
        return cached
    built: dict[View, str] = {}
    cached_outline = snapshot.value(outline)
    async with db.session() as session:
        if cached_outline is not None:
            facts = OutlineFacts.model_validate_json(cached_outline)
        else:
            facts = (await load_outlines(session, [course_id]))[course_id]
            built[outline] = facts.model_dump_json()
        rows = await repository.list_learner_progress(session, course_id, principal.user_id)
        certificate = (
            await repository.get_certificate(session, course_id, principal.user_id)
            if access.membership and access.membership.completed_at
            else None
        )
    summary: ProgressSummary = standing(
        access.course.completion_rule,
        facts.items,
        rows,
        completed_at=access.membership.completed_at if access.membership else None,
        certificate_code=certificate.code if certificate else None,
    ).summary
    body = MyProgress(**summary.model_dump(), items=item_states(facts.items, rows))
    built[view] = body.model_dump_json()
    await keep(cache, snapshot, built, ttl=readmodels.cache_ttl(db))
    return built[view]


async def course_progress(
    session: AsyncSession, course: Course, *, cursor: str | None, limit: int
) -> Page[LearnerProgress]:
    """Every active learner's percentage and item states, in enrollment order."""
    after: tuple[datetime, str] | None = None
    if cursor:
        created_at, enrollment_id = decode_cursor(cursor, length=2)
        try:
            after = (datetime.fromisoformat(created_at), str(enrollment_id))
        except (TypeError, ValueError) as error:
            raise InvalidCursor("The cursor is not one this API gave out.") from error
        if after[0].tzinfo is None:
            raise InvalidCursor("The cursor is not one this API gave out.")
    learners = await repository.list_learners(session, course.id, after=after, limit=limit + 1)
    next_cursor = None
    if len(learners) > limit:
        learners = learners[:limit]
        next_cursor = encode_cursor([learners[-1].created_at.isoformat(), learners[-1].id])
    items = await courses_repository.list_items(session, course.id)
    user_ids = [membership.user_id for membership in learners]
    rows = await repository.list_course_progress(session, course.id, user_ids)
    people = await courses_repository.get_people(session, user_ids)
    rows_by_user: dict[str, list[ItemProgress]] = {}
    for row in rows:
        rows_by_user.setdefault(row.user_id, []).append(row)
    page = []
    for membership in learners:
        own = rows_by_user.get(membership.user_id, [])
        summary = standing(
            course.completion_rule,
            items,
            own,
            completed_at=membership.completed_at,
            certificate_code=None,
        ).summary
        person = people.get(membership.user_id)
        page.append(
            LearnerProgress(
                enrollment_id=membership.id,
                user_id=membership.user_id,
                display_name=person.display_name if person else None,
                email=person.email if person else None,
                percent=summary.percent,
                completed_items=summary.completed_items,
                total_items=summary.total_items,
                completed_at=membership.completed_at,
                items=item_states(items, own),
            )
        )
    return Page[LearnerProgress](items=page, next_cursor=next_cursor)
