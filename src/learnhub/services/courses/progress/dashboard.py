"""The learner's dashboard: their courses with progress, next step and upcoming due dates.

It is assembled from cached pieces: the person's memberships (renewed when they join or
leave a course) and one entry per course (renewed when the course or the person's progress
in it changes). An entry lists the due dates of the next 30 days, so it also expires at the
first moment that list would change by the clock alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.kit.db import Database, utcnow
from learnhub.kit.readcache import View, keep, read
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.models import Course
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.schemas import (
    CourseCard,
    DashboardEntry,
    DueItem,
    NextItem,
)
from learnhub.services.courses.progress.standing import OutlineFacts, load_outlines, standing
from learnhub.services.courses.readmodels import (
    cache_ttl,
    learner_stamps,
    person_stamp,
)

DUE_SOON = timedelta(days=30)
_ORDER = {"in_progress": 0, "not_started": 1, "completed": 2, "teaching": 3}


class Membership(BaseModel):
    """One of a person's active memberships, as their dashboard and the catalog read it."""

    course_id: str
    role: str
    completed_at: datetime | None


class _Memberships(BaseModel):
    items: list[Membership]


class _Entry(BaseModel):
    """A dashboard entry as cached: its JSON, its state (for ordering), when it expires."""

    state: str
    visible: bool
    expires_at: datetime | None
    body: str


def _memberships_view(user_id: str) -> View:
    return View(f"memberships:{user_id}", (person_stamp(user_id),))


def _entry_view(course_id: str, user_id: str) -> View:
    return View(f"dashboard:{course_id}:{user_id}", learner_stamps(course_id, user_id))


async def active_memberships(db: Database, cache: Cache, user_id: str) -> list[Membership]:
    """The person's active memberships, most recently joined first (cached; renewed when
    they join, leave or complete a course)."""
    view = _memberships_view(user_id)
    snapshot = await read(cache, [view])
    cached = snapshot.value(view)
    if cached is not None:
        return _Memberships.model_validate_json(cached).items
    async with db.session() as session:
        rows = await repository.list_active_memberships(session, user_id)
    memberships = [
        Membership(course_id=row.course_id, role=row.role, completed_at=row.completed_at)
        for row in rows
    ]
    await keep(
        cache,
        snapshot,
        {view: _Memberships(items=memberships).model_dump_json()},
        ttl=cache_ttl(db),
    )
    return memberships


async def dashboard(db: Database, cache: Cache, user_id: str) -> str:
    """The caller's active courses as a JSON list: learning ones in progress first, then not
    started, then completed; the ones they teach last; within each, newest first."""
    ttl = cache_ttl(db)
    memberships = await active_memberships(db, cache, user_id)
    views = {m.course_id: _entry_view(m.course_id, user_id) for m in memberships}
    snapshot = await read(cache, list(views.values()))
    now = utcnow()
    entries: dict[str, _Entry] = {}
    for course_id, entry_view in views.items():
        found = snapshot.value(entry_view)
        if found is not None:
            entry = _Entry.model_validate_json(found)
            if entry.expires_at is None or entry.expires_at > now:
                entries[course_id] = entry
    missing = [m for m in memberships if m.course_id not in entries]
    if missing:
        async with db.session() as session:
            built = await _build_entries(session, user_id, missing, now=now)
        entries.update(built)
        await keep(
            cache,
            snapshot,
            {views[course_id]: entry.model_dump_json() for course_id, entry in built.items()},
            ttl=ttl,
        )
    # A course deleted since the memberships were cached has no entry.
    shown = [
        entries[m.course_id]
        for m in memberships
        if m.course_id in entries and entries[m.course_id].visible
    ]
    shown.sort(key=lambda entry: _ORDER[entry.state])
    return "[" + ",".join(entry.body for entry in shown) + "]"


async def _build_entries(
    session: AsyncSession, user_id: str, memberships: list[Membership], *, now: datetime
) -> dict[str, _Entry]:
    course_ids = [m.course_id for m in memberships]
    courses = await courses_repository.get_courses(session, course_ids)
    learning = [m.course_id for m in memberships if m.role == "learner"]
    outlines = await load_outlines(session, learning)
    rows = await repository.list_progress_of_user(session, user_id, learning)
    certificates = await repository.list_certificates_of(session, user_id, learning)
    built = {}
    for membership in memberships:
        course = courses.get(membership.course_id)
        if course is None:
            continue
        if membership.role != "learner":
            built[course.id] = _teaching_entry(course, membership.role)
            continue
        certificate = certificates.get(course.id)
        built[course.id] = _learning_entry(
            course,
            outlines[course.id],
            [row for row in rows if row.course_id == course.id],
            completed_at=membership.completed_at,
            certificate_code=certificate.code if certificate else None,
            now=now,
        )
    return built


def _card(course: Course) -> CourseCard:
    return CourseCard.model_validate(course, from_attributes=True)


def _teaching_entry(course: Course, role: str) -> _Entry:
    body = DashboardEntry(
        course=_card(course),
        role=role,
        state="teaching",
        percent=None,
        completed=False,
        completed_at=None,
        next_item=None,
        upcoming_due=[],
    )
    return _Entry(state="teaching", visible=True, expires_at=None, body=body.model_dump_json())


def _learning_entry(
    course: Course,
    outline: OutlineFacts,
    rows: list,
    *,
    completed_at: datetime | None,
    certificate_code: str | None,
    now: datetime,
) -> _Entry:
    summary = standing(
        course.completion_rule,
        outline.items,
        rows,
        completed_at=completed_at,
        certificate_code=certificate_code,
    ).summary
    done = {row.item_id for row in rows if row.status == "completed"}
    items = {item.id: item for item in outline.items}
    if summary.completed:
        state = "completed"
    elif rows:
        state = "in_progress"
    else:
        state = "not_started"
    upcoming = [
        due
        for due in outline.due
        if due.item_id not in done and now <= due.due_at <= now + DUE_SOON
    ]
    # The list changes by the clock alone when a due date passes or comes within 30 days.
    changes = [due.due_at for due in outline.due if due.due_at > now] + [
        due.due_at - DUE_SOON for due in outline.due if due.due_at - DUE_SOON > now
    ]
    next_item = items.get(summary.next_item_id or "")
    body = DashboardEntry(
        course=_card(course),
        role="learner",
        state=state,
        percent=summary.percent,
        completed_items=summary.completed_items,
        total_items=summary.total_items,
        completed=summary.completed,
        completed_at=summary.completed_at,
        certificate_code=certificate_code if summary.completed else None,
        next_item=NextItem(id=next_item.id, title=next_item.title, kind=next_item.kind)
        if next_item
        else None,
        upcoming_due=[
            DueItem(
                item_id=due.item_id,
                title=items[due.item_id].title,
                kind=items[due.item_id].kind,
                due_at=due.due_at,
            )
            for due in upcoming
            if due.item_id in items
        ],
    )
    return _Entry(
        state=state,
        # Learners do not see draft courses on their dashboard; staff do.
        visible=course.visibility != "draft",
        expires_at=min(changes) if changes else None,
        body=body.model_dump_json(),
    )
