"""Where a learner stands in a course: computed from the course's outline and the learner's
item outcomes. Pure functions over plain facts, shared by the write path (recording an
outcome), the learner's progress read and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.kit.readcache import View, keep, read
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.config import CoursesSettings
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.models import ItemProgress
from learnhub.services.courses.progress.schemas import ItemState, ProgressSummary
from learnhub.services.courses.readmodels import course_stamp


class OutlineItem(BaseModel):
    id: str
    kind: str
    title: str
    required: bool


class DueDate(BaseModel):
    item_id: str
    due_at: datetime


class OutlineFacts(BaseModel):
    """A course's items in outline order and its assignments' due dates: what progress and
    the dashboard need of the course's content, cached with the course."""

    items: list[OutlineItem]
    due: list[DueDate]


def outline_view(course_id: str) -> View:
    return View(f"outline:{course_id}", (course_stamp(course_id),))


async def outline_facts(session: AsyncSession, cache: Cache, course_id: str) -> OutlineFacts:
    """A course's outline from the read cache, or read with ``session`` and cached."""
    view = outline_view(course_id)
    snapshot = await read(cache, [view])
    found = snapshot.value(view)
    if found is not None:
        return OutlineFacts.model_validate_json(found)
    outline = (await load_outlines(session, [course_id]))[course_id]
    settings: CoursesSettings = session.info["service_settings"]
    await keep(cache, snapshot, {view: outline.model_dump_json()}, ttl=settings.read_cache_ttl)
    return outline


async def load_outlines(session: AsyncSession, course_ids: list[str]) -> dict[str, OutlineFacts]:
    """The outlines of several courses as learners have them, in two queries: draft items
    are not in them, so they are neither counted nor offered as the next step."""
    items = await courses_repository.list_items_of_courses(session, course_ids)
    due = await repository.list_due_dates(session, course_ids)
    outlines = {course_id: OutlineFacts(items=[], due=[]) for course_id in course_ids}
    published = set()
    for item in items:
        if not item.published:
            continue
        published.add(item.id)
        outlines[item.course_id].items.append(
            OutlineItem(id=item.id, kind=item.kind, title=item.title, required=item.required)
        )
    for course_id, item_id, due_at in due:
        if item_id in published:
            outlines[course_id].due.append(DueDate(item_id=item_id, due_at=due_at))
    return outlines


class _Outcome(Protocol):
    item_id: str
    status: str
    score: float | None
    max_score: float | None
    passed: bool | None
    completed_at: datetime | None


@dataclass(frozen=True)
class Standing:
    summary: ProgressSummary
    rule_met: bool
    final_percent: float | None


def item_states(items: Sequence[Any], rows: Iterable[_Outcome]) -> list[ItemState]:
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


def standing(
    completion_rule: dict[str, Any] | None,
    items: Sequence[Any],
    rows: Iterable[ItemProgress],
    *,
    completed_at: datetime | None,
    certificate_code: str | None,
) -> Standing:
    """Percent done, whether the completion rule is met, the final score and the next item.

    ``items`` are the course's items in outline order (rows of the items table or
    :class:`OutlineItem`), ``rows`` the learner's outcomes."""
    by_item = {row.item_id: row for row in rows}
    done = {item_id for item_id, row in by_item.items() if row.status == "completed"}
    required = [item for item in items if item.required]
    completed_required = sum(1 for item in required if item.id in done)
    percent = round(100 * completed_required / len(required), 1) if required else 0.0

    rule = completion_rule or {}
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
    return Standing(summary, rule_met, final_percent)
