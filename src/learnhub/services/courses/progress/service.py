"""The rules of progress, completion and certificates. Nothing here commits.

A learner's summary (percent, completion, certificate, next item) is cached per course and
learner. The write path refreshes it only once its transaction has committed, so the cache
never shows what the database may still roll back; a miss rebuilds it from the database.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from learnhub.contracts.courses import (
    CertificateIssued,
    CourseCompleted,
    LessonCompleted,
    ProgressUpdated,
)
from learnhub.kit.cache import Cache
from learnhub.kit.config import Settings
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.config import CoursesSettings
from learnhub.services.courses.errors import ItemNotFound
from learnhub.services.courses.models import Course, Enrollment, Item
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.errors import CertificateNotFound, NotALesson
from learnhub.services.courses.progress.models import Certificate, ItemProgress
from learnhub.services.courses.progress.schemas import (
    CertificateRead,
    CertificateVerification,
    CourseCard,
    DashboardEntry,
    DueItem,
    ItemState,
    LearnerProgress,
    MyProgress,
    NextItem,
    ProgressSummary,
)

log = logging.getLogger(__name__)

# Unambiguous when read aloud or typed from paper: no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PENDING_CACHE_WRITES = "courses.progress.cache_writes"
DUE_SOON = timedelta(days=30)
_DASHBOARD_ORDER = {"in_progress": 0, "not_started": 1, "completed": 2, "teaching": 3}


# ---------------------------------------------------------------- settings


def _public_url(session: AsyncSession) -> str:
    settings: Settings = session.info["settings"]
    return settings.public_url.rstrip("/")


def _cache_ttl(session: AsyncSession) -> float:
    settings: CoursesSettings = session.info["service_settings"]
    return float(settings.progress_cache_ttl)


def verification_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/certificates/{code}"


# ---------------------------------------------------------------- the progress cache


def progress_key(course_id: str, user_id: str) -> str:
    return f"progress:{course_id}:{user_id}"


class _CachedProgress(BaseModel):
    outline: str  # fingerprint of the items the summary was computed for
    summary: ProgressSummary


def _outline(items: list[Item]) -> str:
    text = "|".join(f"{item.id}:{int(item.required)}" for item in items)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cache_after_commit(
    session: AsyncSession, cache: Cache, key: str, value: str, ttl: float
) -> None:
    session.info.setdefault(_PENDING_CACHE_WRITES, {})[key] = (cache, value, ttl)


@event.listens_for(Session, "after_commit")
def _write_cache_after_commit(session: Session) -> None:
    writes: dict[str, tuple[Cache, str, float]] = session.info.pop(_PENDING_CACHE_WRITES, {})
    for key, (cache, value, ttl) in writes.items():
        write = cache.set(key, value, ttl=ttl)
        try:
            # Commits of an AsyncSession run in SQLAlchemy's greenlet, which can await.
            await_only(write)
        except Exception:  # the cache is an optimisation: a miss rebuilds from the database
            write.close()
            log.warning("could not refresh the cached progress %s", key, exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_cache_writes(session: Session, _previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING_CACHE_WRITES, None)


async def forget_progress(cache: Cache, course_id: str, user_id: str) -> None:
    """Drop a learner's cached summary (the next read rebuilds it)."""
    await cache.delete(progress_key(course_id, user_id))


# ---------------------------------------------------------------- computing progress


@dataclass(frozen=True)
class _Standing:
    summary: ProgressSummary
    rule_met: bool
    final_percent: float | None


def _item_states(items: list[Item], rows: Iterable[ItemProgress]) -> list[ItemState]:
    by_item = {row.item_id: row for row in rows}
    states = []
    for item in items:
        row = by_item.get(item.id)
        states.append(
            ItemState(
                item_id=item.id,
                kind=item.kind,
                title=item.title,
                required=item.required,
                status=row.status if row else "not_started",
                score=row.score if row else None,
                max_score=row.max_score if row else None,
                passed=row.passed if row else None,
                completed_at=row.completed_at if row else None,
            )
        )
    return states


def _standing(
    course: Course,
    items: list[Item],
    rows: Iterable[ItemProgress],
    *,
    completed_at: datetime | None,
    certificate_code: str | None,
) -> _Standing:
    by_item = {row.item_id: row for row in rows}
    done = {item_id for item_id, row in by_item.items() if row.status == "completed"}
    required = [item for item in items if item.required]
    completed_required = sum(1 for item in required if item.id in done)
    percent = round(100 * completed_required / len(required), 1) if required else 0.0

    rule = course.completion_rule or {}
    course_item_ids = {item.id for item in items}
    passing_ids = [
        quiz_id for quiz_id in rule.get("passing_quiz_ids") or [] if quiz_id in course_item_ids
    ]
    checks: list[bool] = []
    if rule.get("required_items", True) and required:
        checks.append(completed_required == len(required))
    checks.extend(
        by_item.get(quiz_id) is not None and by_item[quiz_id].passed is True
        for quiz_id in passing_ids
    )
    # A course with nothing to do cannot be completed by accident.
    rule_met = bool(checks) and all(checks)

    graded = [
        row
        for row in by_item.values()
        if row.item_id in course_item_ids and row.score is not None and row.max_score
    ]
    final_percent = (
        round(
            100 * sum(row.score or 0 for row in graded) / sum(row.max_score or 0 for row in graded),
            1,
        )
        if graded
        else None
    )
    next_item = next((item for item in items if item.id not in done), None)
    summary = ProgressSummary(
        percent=percent,
        completed_items=completed_required,
        total_items=len(required),
        completed=completed_at is not None,
        completed_at=completed_at,
        certificate_code=certificate_code,
        next_item_id=next_item.id if next_item else None,
    )
    return _Standing(summary, rule_met, final_percent)


async def _current_standing(
    session: AsyncSession, course: Course, membership: Enrollment
) -> tuple[_Standing, list[Item], list[ItemProgress]]:
    items = await courses_repository.list_items(session, course.id)
    rows = await repository.list_learner_progress(session, course.id, membership.user_id)
    certificate = await repository.get_certificate(session, course.id, membership.user_id)
    standing = _standing(
        course,
        items,
        rows,
        completed_at=membership.completed_at,
        certificate_code=certificate.code if certificate else None,
    )
    return standing, items, rows


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
) -> None:
    """Record what a learner achieved on an item (a lesson done, a quiz or assignment
    graded), then update their progress, announce it, and complete the course if its rule
    is now met. Quizzes, assignments and lessons call this; it is the one way in.

    Completion sticks: a later outcome with ``completed=False`` (a worse attempt) keeps the
    item completed. The score, maximum and pass mark sent replace the stored ones when a
    score is sent (the caller decides which attempt counts). Only active learners get
    course progress, events and completion; anyone else's outcome is just stored.
    """
    membership = await courses_repository.get_membership(session, course.id, user_id)
    learner = (
        membership is not None and membership.role == "learner" and membership.status == "active"
    )
    if learner:
        assert membership is not None
        await repository.lock_membership(session, membership.id)
        await session.refresh(membership)

    now = utcnow()
    row = await repository.get_item_progress(session, item.id, user_id)
    was_completed = row is not None and row.status == "completed"
    if row is None:
        row = ItemProgress(
            id=str(uuid.uuid4()),
            course_id=course.id,
            item_id=item.id,
            user_id=user_id,
            status="completed" if completed else "in_progress",
            score=score,
            max_score=max_score,
            passed=passed,
            completed_at=now if completed else None,
            updated_at=now,
        )
        if not await repository.add_item_progress(session, row):
            row = await repository.get_item_progress(session, item.id, user_id)
            assert row is not None  # the insert that beat ours
            was_completed = row.status == "completed"
            _apply_outcome(
                row, now, completed=completed, score=score, max_score=max_score, passed=passed
            )
    else:
        _apply_outcome(
            row, now, completed=completed, score=score, max_score=max_score, passed=passed
        )
    await session.flush()
    if not learner:
        return
    assert membership is not None

    newly_completed = completed and not was_completed
    if newly_completed and item.kind == "lesson":
        await record_event(
            session,
            LessonCompleted(
                course_id=course.id,
                course_title=course.title,
                item_id=item.id,
                item_title=item.title,
                user_id=user_id,
                completed_at=now,
            ),
            subject=course.id,
        )
    standing, items, _ = await _current_standing(session, course, membership)
    if newly_completed and item.required:
        await record_event(
            session,
            ProgressUpdated(
                course_id=course.id,
                course_title=course.title,
                user_id=user_id,
                completed_items=standing.summary.completed_items,
                total_items=standing.summary.total_items,
                percent=standing.summary.percent,
                updated_at=now,
            ),
            subject=course.id,
        )
    summary = standing.summary
    if standing.rule_met and membership.completed_at is None:
        summary = await _complete_course(
            session, course, membership, summary, final_percent=standing.final_percent, now=now
        )
    _cache_after_commit(
        session,
        cache,
        progress_key(course.id, user_id),
        _CachedProgress(outline=_outline(items), summary=summary).model_dump_json(),
        _cache_ttl(session),
    )


def _apply_outcome(
    row: ItemProgress,
    now: datetime,
    *,
    completed: bool,
    score: float | None,
    max_score: float | None,
    passed: bool | None,
) -> None:
    if completed and row.status != "completed":
        row.status = "completed"
        row.completed_at = now
    elif row.status == "not_started":
        row.status = "in_progress"
    if score is not None:
        row.score = score
        row.max_score = max_score
        row.passed = passed
    elif passed is not None:
        row.passed = passed
    row.updated_at = now


async def _complete_course(
    session: AsyncSession,
    course: Course,
    membership: Enrollment,
    summary: ProgressSummary,
    *,
    final_percent: float | None,
    now: datetime,
) -> ProgressSummary:
    # The conditional update is the arbiter: of two simultaneous last completions only
    # one sets completed_at, so the course completes and the certificate issues once.
    if not await repository.mark_course_completed(session, membership.id, now):
        await session.refresh(membership)
        certificate = await repository.get_certificate(session, course.id, membership.user_id)
        return summary.model_copy(
            update={
                "completed": True,
                "completed_at": membership.completed_at,
                "certificate_code": certificate.code if certificate else None,
            }
        )
    await session.refresh(membership)
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
    certificate = await _issue_certificate(session, course, membership.user_id, now)
    return summary.model_copy(
        update={"completed": True, "completed_at": now, "certificate_code": certificate.code}
    )


def new_certificate_code() -> str:
    """``LH-XXXX-XXXX``: 40 random bits, unguessable and easy to type."""
    characters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"LH-{characters[:4]}-{characters[4:]}"


async def _issue_certificate(
    session: AsyncSession, course: Course, user_id: str, now: datetime
) -> Certificate:
    code = new_certificate_code()
    while await repository.code_taken(session, code):
        code = new_certificate_code()
    person = await courses_repository.get_person(session, user_id)
    certificate = Certificate(
        id=str(uuid.uuid4()),
        code=code,
        course_id=course.id,
        user_id=user_id,
        learner_name=person.display_name if person else user_id,
        course_title=course.title,
        issued_at=now,
    )
    await repository.add_certificate(session, certificate)
    await record_event(
        session,
        CertificateIssued(
            certificate_id=certificate.id,
            code=certificate.code,
            course_id=course.id,
            course_title=course.title,
            user_id=user_id,
            learner_name=certificate.learner_name,
            verification_url=verification_url(_public_url(session), certificate.code),
            issued_at=now,
        ),
        subject=course.id,
    )
    return certificate


# ---------------------------------------------------------------- lessons


async def complete_lesson(
    session: AsyncSession, cache: Cache, access: CourseAccess, item_id: str
) -> MyProgress:
    """Mark a lesson done for the calling learner (idempotent) and return their progress."""
    assert access.membership is not None
    item = await courses_repository.get_item(session, access.course.id, item_id)
    if item is None:
        raise ItemNotFound(f"There is no item {item_id} in this course.")
    if item.kind != "lesson":
        raise NotALesson(
            f"This item is a {item.kind}: it is completed by submitting it, not marked done."
        )
    await record_item_outcome(
        session,
        cache,
        course=access.course,
        item=item,
        user_id=access.membership.user_id,
        completed=True,
    )
    return await my_progress(session, cache, access, use_cache=False)


# ---------------------------------------------------------------- reading progress


async def _summary(
    session: AsyncSession,
    cache: Cache,
    course: Course,
    membership: Enrollment,
    items: list[Item],
    rows: list[ItemProgress],
) -> ProgressSummary:
    """The learner's summary from the cache, or rebuilt from the database and cached.

    An entry made for another outline (items added, removed or made optional since) is
    rebuilt too, so authoring never leaves a stale percentage behind.
    """
    key = progress_key(course.id, membership.user_id)
    outline = _outline(items)
    cached = await cache.get(key)
    if cached is not None:
        try:
            entry = _CachedProgress.model_validate_json(cached)
        except ValueError:
            log.warning("ignoring a malformed cached progress %s", key)
        else:
            if entry.outline == outline:
                return entry.summary
    certificate = await repository.get_certificate(session, course.id, membership.user_id)
    summary = _standing(
        course,
        items,
        rows,
        completed_at=membership.completed_at,
        certificate_code=certificate.code if certificate else None,
    ).summary
    entry = _CachedProgress(outline=outline, summary=summary)
    await cache.set(key, entry.model_dump_json(), ttl=_cache_ttl(session))
    return summary


async def my_progress(
    session: AsyncSession, cache: Cache, access: CourseAccess, *, use_cache: bool = True
) -> MyProgress:
    """The calling learner's summary (cached) and the state of every item."""
    membership = access.membership
    assert membership is not None
    items = await courses_repository.list_items(session, access.course.id)
    rows = await repository.list_learner_progress(session, access.course.id, membership.user_id)
    if use_cache:
        summary = await _summary(session, cache, access.course, membership, items, rows)
    else:
        # Right after a write the cache is refreshed only at commit: read the database.
        certificate = await repository.get_certificate(
            session, access.course.id, membership.user_id
        )
        summary = _standing(
            access.course,
            items,
            rows,
            completed_at=membership.completed_at,
            certificate_code=certificate.code if certificate else None,
        ).summary
    return MyProgress(**summary.model_dump(), items=_item_states(items, rows))


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
        summary = _standing(
            course, items, own, completed_at=membership.completed_at, certificate_code=None
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
                items=_item_states(items, own),
            )
        )
    return Page[LearnerProgress](items=page, next_cursor=next_cursor)


# ---------------------------------------------------------------- certificates


def _certificate_read(session: AsyncSession, certificate: Certificate) -> CertificateRead:
    return CertificateRead(
        code=certificate.code,
        course_id=certificate.course_id,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_at=certificate.issued_at,
        verification_url=verification_url(_public_url(session), certificate.code),
    )


async def my_certificate(session: AsyncSession, access: CourseAccess) -> CertificateRead:
    assert access.user_id is not None
    certificate = await repository.get_certificate(session, access.course.id, access.user_id)
    if certificate is None:
        raise CertificateNotFound("You have no certificate for this course yet: complete it first.")
    return _certificate_read(session, certificate)


async def verify_certificate(session: AsyncSession, code: str) -> CertificateVerification:
    certificate = await repository.get_certificate_by_code(session, code.strip().upper())
    if certificate is None:
        raise CertificateNotFound(f"No certificate has the code {code}.")
    return CertificateVerification(
        code=certificate.code,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_at=certificate.issued_at,
        valid=True,
    )


# ---------------------------------------------------------------- the learner's dashboard


async def dashboard(session: AsyncSession, user_id: str) -> list[DashboardEntry]:
    """The caller's active courses: learning ones in progress first, then not started, then
    completed; the ones they teach last."""
    memberships = await repository.list_active_memberships_of(session, user_id)
    learning = [course.id for membership, course in memberships if membership.role == "learner"]
    rows = await repository.list_progress_of_user(session, user_id, learning)
    now = utcnow()
    due = await repository.list_due_assignments(session, learning, start=now, end=now + DUE_SOON)
    entries = []
    for membership, course in memberships:
        card = CourseCard.model_validate(course, from_attributes=True)
        if membership.role != "learner":
            entries.append(
                DashboardEntry(
                    course=card,
                    role=membership.role,
                    state="teaching",
                    percent=None,
                    completed=False,
                    completed_at=None,
                    next_item=None,
                    upcoming_due=[],
                )
            )
            continue
        items = await courses_repository.list_items(session, course.id)
        own = [row for row in rows if row.course_id == course.id]
        summary = _standing(
            course, items, own, completed_at=membership.completed_at, certificate_code=None
        ).summary
        done = {row.item_id for row in own if row.status == "completed"}
        next_item = next((item for item in items if item.id == summary.next_item_id), None)
        certificate = (
            await repository.get_certificate(session, course.id, user_id)
            if summary.completed
            else None
        )
        if summary.completed:
            state = "completed"
        elif own:
            state = "in_progress"
        else:
            state = "not_started"
        entries.append(
            DashboardEntry(
                course=card,
                role=membership.role,
                state=state,
                percent=summary.percent,
                completed_items=summary.completed_items,
                total_items=summary.total_items,
                completed=summary.completed,
                completed_at=summary.completed_at,
                certificate_code=certificate.code if certificate else None,
                next_item=NextItem(id=next_item.id, title=next_item.title, kind=next_item.kind)
                if next_item
                else None,
                upcoming_due=[
                    DueItem(
                        item_id=item.id, title=item.title, kind=item.kind, due_at=assignment.due_at
                    )
                    for assignment, item in due
                    if assignment.course_id == course.id
                    and item.id not in done
                    and assignment.due_at is not None
                ],
            )
        )
    # Stable: within a state, the most recently joined course comes first.
    return sorted(entries, key=lambda entry: _DASHBOARD_ORDER[entry.state])
