"""Recording many lesson completions in one course at once (seeding a platform).

It is ``record_item_outcome`` for lessons, for many learners in one transaction: the same
progress rows, the same events in the same order for each learner (``lesson.completed.v1``,
``progress.updated.v1``, and ``course.completed.v1`` with a certificate when the course's
rule is met), the same cached summaries once the transaction commits. Only the round trips
differ: the memberships are locked and read together, the rows inserted together and the
events recorded together, and the standing after each lesson is computed in memory by the
service's own rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.contracts.courses import LessonCompleted, ProgressUpdated
from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_events
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.errors import ItemNotFound
from learnhub.services.courses.models import Course, Enrollment, Item
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.errors import NotALesson, OutcomeRecordedMeanwhile
from learnhub.services.courses.progress.models import ItemProgress
from learnhub.services.courses.progress.service import (
    _apply_outcome,
    _cache_after_commit,
    _cache_ttl,
    _CachedProgress,
    _complete_course,
    _outline,
    _standing,
    progress_key,
)

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
        try:
            await repository.add_item_progress_rows(session, self.rows)
        except IntegrityError as error:
            raise OutcomeRecordedMeanwhile(
                "Some of these lessons were completed by their learners meanwhile: "
                "record the completions again to skip them."
            ) from error
        await record_events(session, self.events)
        self.rows, self.events = [], []


async def complete_lessons(
    session: AsyncSession,
    cache: Cache,
    *,
    course: Course,
    lessons_by_learner: Mapping[str, Sequence[str]],
) -> BulkProgress:
    """Mark lessons done, in the order given, for each learner (user id → lesson ids).

    A lesson already completed is skipped. As with one learner at a time, only active
    learners get progress events, completion and a cached summary; anyone else's outcome is
    just stored.
    """
    items = await courses_repository.list_items(session, course.id)
    by_id = {item.id: item for item in items}
    for lesson_ids in lessons_by_learner.values():
        for lesson_id in lesson_ids:
            _check_lesson(by_id.get(lesson_id), lesson_id)
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
    touched: list[Enrollment] = []
    for user_id, lesson_ids in lessons_by_learner.items():
        membership = memberships.get(user_id)
        learner = (
            membership is not None
            and membership.role == "learner"
            and membership.status == "active"
        )
        own = rows_by_user[user_id]
        changed = False
        for lesson_id in lesson_ids:
            row = own.get(lesson_id)
            if row is not None and row.status == "completed":
                continue
            if row is None:
                row = _completed_row(course.id, lesson_id, user_id, now)
                pending.rows.append(row)
                own[lesson_id] = row
            else:
                _apply_outcome(row, now, completed=True, score=None, max_score=None, passed=None)
            lessons_completed += 1
            changed = True
            if not learner:
                continue
            assert membership is not None
            item = by_id[lesson_id]
            pending.events.append((_lesson_completed(course, item, user_id, now), course.id))
            standing = _standing(
                course,
                items,
                own.values(),
                completed_at=membership.completed_at,
                certificate_code=None,
            )
            if item.required:
                pending.events.append(
                    (
                        ProgressUpdated(
                            course_id=course.id,
                            course_title=course.title,
                            user_id=user_id,
                            completed_items=standing.summary.completed_items,
                            total_items=standing.summary.total_items,
                            percent=standing.summary.percent,
                            updated_at=now,
                        ),
                        course.id,
                    )
                )
            if standing.rule_met and membership.completed_at is None:
                # The completion's own events follow this lesson's, as one by one.
                await pending.write(session)
                await _complete_course(
                    session,
                    course,
                    membership,
                    standing.summary,
                    final_percent=standing.final_percent,
                    now=now,
                )
                courses_completed += 1
        if learner and changed:
            assert membership is not None
            touched.append(membership)
    await pending.write(session)
    await _refresh_cached_summaries(session, cache, course, items, touched, rows_by_user)
    return BulkProgress(lessons_completed=lessons_completed, courses_completed=courses_completed)


def _check_lesson(item: Item | None, item_id: str) -> None:
    if item is None:
        raise ItemNotFound(f"There is no item {item_id} in this course.")
    if item.kind != "lesson":
        raise NotALesson(
            f"This item is a {item.kind}: it is completed by submitting it, not marked done."
        )


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


def _lesson_completed(course: Course, item: Item, user_id: str, now: datetime) -> LessonCompleted:
    return LessonCompleted(
        course_id=course.id,
        course_title=course.title,
        item_id=item.id,
        item_title=item.title,
        user_id=user_id,
        completed_at=now,
    )


async def _refresh_cached_summaries(
    session: AsyncSession,
    cache: Cache,
    course: Course,
    items: list[Item],
    memberships: list[Enrollment],
    rows_by_user: dict[str, dict[str, ItemProgress]],
) -> None:
    """Cache each learner's new summary once the transaction commits, as one by one."""
    outline = _outline(items)
    for membership in memberships:
        certificate = (
            await repository.get_certificate(session, course.id, membership.user_id)
            if membership.completed_at is not None
            else None
        )
        summary = _standing(
            course,
            items,
            rows_by_user[membership.user_id].values(),
            completed_at=membership.completed_at,
            certificate_code=certificate.code if certificate else None,
        ).summary
        _cache_after_commit(
            session,
            cache,
            progress_key(course.id, membership.user_id),
            _CachedProgress(outline=outline, summary=summary).model_dump_json(),
            _cache_ttl(session),
        )
