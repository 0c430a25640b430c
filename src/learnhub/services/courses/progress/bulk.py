"""Recording many lesson completions in one course at once (seeding a platform).

It is ``record_item_outcome`` for lessons, for many learners in one transaction: the same
progress rows, the same events in the same order for each learner (``lesson.completed.v1``,
``progress.updated.v1``, and ``course.completed.v1`` with a certificate when the course's
rule is met), the same cached reads renewed once the transaction commits (the rows written
renew their learners' stamps, a completion its membership's). Only the round trips differ:
the memberships are locked and read together, the rows inserted together and the events
recorded together, and the standing after each lesson is computed in memory by the
service's own rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_events
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.models import Course
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.errors import OutcomeRecordedMeanwhile
from learnhub.services.courses.progress.models import ItemProgress
from learnhub.services.courses.progress.service import (
    apply_outcome,
    check_lesson,
    complete_course,
    lesson_completed,
    progress_updated,
)
from learnhub.services.courses.progress.standing import standing

_ID_CHUNK = 500


@dataclass(frozen=True)
class BulkProgress:
    lessons_completed: int
    courses_completed: int


@dataclass
class _Pending:
    """Rows and events computed but not written yet."""

    rows: list[ItemProgress] = field(default_factory=list)
    events: list[tuple[EventPayload, str | None]] = field(default_factory=list)

    async def write(self, session: AsyncSession) -> None:
        if await repository.add_item_progress_rows(session, self.rows) < len(self.rows):
            # Only someone whose membership was not locked (not an active learner) can
            # have an outcome recorded meanwhile; the caller's rollback undoes the rest.
            raise OutcomeRecordedMeanwhile(
                "Some of these lessons were completed by their learners meanwhile: "
                "record the completions again to skip them."
            )
        await record_events(session, self.events)
        self.rows, self.events = [], []


async def complete_lessons(
    session: AsyncSession, *, course: Course, lessons_by_learner: Mapping[str, Sequence[str]]
) -> BulkProgress:
    """Mark lessons done, in the order given, for each learner (user id → lesson ids).

    A lesson already completed is skipped. As with one learner at a time, only active
    learners get progress events and completion; anyone else's outcome is just stored.
    """
    items = await courses_repository.list_items(session, course.id)
    by_id = {item.id: item for item in items}
    for lesson_ids in lessons_by_learner.values():
        for lesson_id in lesson_ids:
            check_lesson(by_id.get(lesson_id), lesson_id)
    user_ids = list(lessons_by_learner)
    await repository.lock_memberships(session, course.id, user_ids)
    memberships = await repository.get_memberships_of(session, course.id, user_ids)
    rows_by_user: dict[str, dict[str, ItemProgress]] = {user_id: {} for user_id in user_ids}
    for start in range(0, len(user_ids), _ID_CHUNK):
        chunk = user_ids[start : start + _ID_CHUNK]
        for row in await repository.list_course_progress(session, course.id, chunk):
            rows_by_user[row.user_id][row.item_id] = row

    now = utcnow()
    pending = _Pending()
    lessons_completed = courses_completed = 0
    for user_id, lesson_ids in lessons_by_learner.items():
        membership = memberships.get(user_id)
        learner = (
            membership
            if membership is not None
            and membership.role == "learner"
            and membership.status == "active"
            else None
        )
        own = rows_by_user[user_id]
        for lesson_id in lesson_ids:
            row = own.get(lesson_id)
            if row is not None and row.status == "completed":
                continue
            if row is None:
                row = _completed_row(course.id, lesson_id, user_id, now)
                pending.rows.append(row)
                own[lesson_id] = row
            else:
                apply_outcome(row, now, completed=True, score=None, max_score=None, passed=None)
            lessons_completed += 1
            if learner is None:
                continue
            item = by_id[lesson_id]
            pending.events.append((lesson_completed(course, item, user_id, now), course.id))
            current = standing(
                course.completion_rule,
                items,
                own.values(),
                completed_at=learner.completed_at,
                certificate_code=None,
            )
            if item.required:
                pending.events.append(
                    (progress_updated(course, user_id, current.summary, now), course.id)
                )
            if current.rule_met and learner.completed_at is None:
                # The completion's own events follow this lesson's, as one by one.
                await pending.write(session)
                await complete_course(
                    session, course, learner, final_percent=current.final_percent, now=now
                )
                courses_completed += 1
    await pending.write(session)
    return BulkProgress(lessons_completed=lessons_completed, courses_completed=courses_completed)


def _completed_row(course_id: str, item_id: str, user_id: str, now: datetime) -> ItemProgress:
    return ItemProgress(
        id=str(uuid.uuid4()),
        course_id=course_id,
        item_id=item_id,
        user_id=user_id,
        status="completed",
        score=None,
        max_score=None,
        passed=None,
        completed_at=now,
        updated_at=now,
    )
