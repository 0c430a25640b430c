"""The courses service's cached read models.

A hot read (a course page, a learner's progress, a dashboard) is answered from the cache
when it can: the facts the access rules need (a course's visibility, a caller's
membership) and the JSON bodies themselves are cached as views (``kit.readcache``), each
guarded by the stamps of the entities it was built from:

- ``course``: the course, its outline, its lessons and its due dates;
- ``membership``: one person's membership of one course (role, state, completion);
- ``progress``: one person's outcomes in one course (and their certificate);
- ``person``: one person's list of memberships (their dashboard);
- ``roster``: who is enrolled in a course (the learner count);
- ``catalog``: the list of published courses and the slugs that lead to them;
- ``people``: the names of the people the service knows (a course's instructors).

A write renews the stamps of what it changed once its transaction commits, so the next
read rebuilds. Rows changed through the ORM renew their stamps by themselves (every table
that feeds a view is listed in ``_STAMPS_OF``); a write made with a bulk statement calls
the matching ``…_changed`` function itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.auth import Principal
from learnhub.kit.cache import Cache
from learnhub.kit.db import Database
from learnhub.kit.readcache import (
    Snapshot,
    View,
    keep,
    read,
    renew_stamps_of_flushed_rows,
    restamp_after_commit,
)
from learnhub.services.courses import repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.config import CoursesSettings
from learnhub.services.courses.errors import CourseNotFound

CATALOG_STAMP = "stamp:catalog"
PEOPLE_STAMP = "stamp:people"
_NO_MEMBERSHIP = "null"


def course_stamp(course_id: str) -> str:
    return f"stamp:course:{course_id}"


def membership_stamp(course_id: str, user_id: str) -> str:
    return f"stamp:membership:{course_id}:{user_id}"


def progress_stamp(course_id: str, user_id: str) -> str:
    return f"stamp:progress:{course_id}:{user_id}"


def learner_stamps(course_id: str, user_id: str) -> tuple[str, ...]:
    """The stamps of what a learner's own view of a course is built from."""
    return (
        course_stamp(course_id),
        membership_stamp(course_id, user_id),
        progress_stamp(course_id, user_id),
    )


def person_stamp(user_id: str) -> str:
    return f"stamp:person:{user_id}"


def roster_stamp(course_id: str) -> str:
    return f"stamp:roster:{course_id}"


def course_view(course_id: str) -> View:
    return View(f"course:{course_id}", (course_stamp(course_id),))


def membership_view(course_id: str, user_id: str) -> View:
    return View(f"member:{course_id}:{user_id}", (membership_stamp(course_id, user_id),))


# ---------------------------------------------------------------- what the rules need


class CourseFacts(BaseModel):
    """The fields of a course that access rules, progress and dashboards read."""

    id: str
    slug: str
    title: str
    summary: str
    cover_image_url: str | None
    visibility: str
    enrollment_policy: str
    owner_id: str
    completion_rule: dict[str, Any]
    starts_at: datetime | None
    ends_at: datetime | None


class MembershipFacts(BaseModel):
    """A person's membership of a course, as the access rules read it."""

    id: str
    user_id: str
    role: str
    status: str
    completed_at: datetime | None


def course_facts(course: Any) -> CourseFacts:
    return CourseFacts.model_validate(course, from_attributes=True)


def membership_facts(membership: Any) -> MembershipFacts:
    return MembershipFacts.model_validate(membership, from_attributes=True)


# ---------------------------------------------------------------- invalidation


def _cache(session: AsyncSession) -> Cache:
    return session.info["cache"]


def course_changed(session: AsyncSession, course_id: str, *, catalog: bool = True) -> None:
    """The course's fields, outline, lessons or due dates changed."""
    stamps = [course_stamp(course_id)]
    if catalog:
        stamps.append(CATALOG_STAMP)
    restamp_after_commit(session, _cache(session), *stamps)


def membership_changed(session: AsyncSession, course_id: str, user_id: str) -> None:
    """Someone joined, left, was approved, changed role or completed the course."""
    restamp_after_commit(
        session,
        _cache(session),
        membership_stamp(course_id, user_id),
        person_stamp(user_id),
        roster_stamp(course_id),
    )


def people_changed(session: AsyncSession) -> None:
    """People were added with a bulk statement (a name changed through the ORM renews the
    stamp by itself)."""
    restamp_after_commit(session, _cache(session), PEOPLE_STAMP)


def _people(_row: Any) -> list[str]:
    return [PEOPLE_STAMP]


def _course_and_catalog(row: Any) -> list[str]:
    return [course_stamp(row.id), CATALOG_STAMP]


def _content(row: Any) -> list[str]:
    return [course_stamp(row.course_id)]


def _content_and_catalog(row: Any) -> list[str]:
    return [course_stamp(row.course_id), CATALOG_STAMP]


def _membership(row: Any) -> list[str]:
    return [
        membership_stamp(row.course_id, row.user_id),
        person_stamp(row.user_id),
        roster_stamp(row.course_id),
    ]


def _progress(row: Any) -> list[str]:
    return [progress_stamp(row.course_id, row.user_id)]


# Every table a cached view is built from, and the stamps a changed row of it renews.
_STAMPS_OF = {
    "courses": _course_and_catalog,
    "sections": _content,
    "items": _content_and_catalog,
    "lessons": _content,
    "attachments": _content,
    "assignments": _content,
    "enrollments": _membership,
    "item_progress": _progress,
    "certificates": _progress,
    "people": _people,
}


renew_stamps_of_flushed_rows("courses", _STAMPS_OF)


def cache_ttl(db: Database) -> float:
    settings: CoursesSettings = db.info["service_settings"]
    return float(settings.read_cache_ttl)


# ---------------------------------------------------------------- the cached access check


async def cached_access(
    db: Database,
    cache: Cache,
    principal: Principal | None,
    course_id: str,
    *views: View,
) -> tuple[CourseAccess, Snapshot]:
    """The course as this caller may see it, from the cache (the database on a miss),
    together with ``views`` read in the same round trip. Raises 404 like the database
    loaders when the course does not exist or the caller may not see it."""
    wanted_course = course_view(course_id)
    wanted_membership = membership_view(course_id, principal.user_id) if principal else None
    snapshot = await read(
        cache, [wanted_course, *([wanted_membership] if wanted_membership else []), *views]
    )
    built: dict[View, str] = {}
    cached_course = snapshot.value(wanted_course)
    cached_membership = snapshot.value(wanted_membership) if wanted_membership else None
    if cached_course is None or (wanted_membership and cached_membership is None):
        async with db.session() as session:
            if cached_course is None:
                row = await repository.get_course(session, course_id)
                if row is None:
                    raise CourseNotFound(f"There is no course {course_id}.")
                cached_course = built[wanted_course] = course_facts(row).model_dump_json()
            if principal and wanted_membership and cached_membership is None:
                member = await repository.get_membership(session, course_id, principal.user_id)
                cached_membership = built[wanted_membership] = (
                    membership_facts(member).model_dump_json() if member else _NO_MEMBERSHIP
                )
        await keep(cache, snapshot, built, ttl=cache_ttl(db))
    course = CourseFacts.model_validate_json(cached_course)
    membership = (
        MembershipFacts.model_validate_json(cached_membership)
        if cached_membership and cached_membership != _NO_MEMBERSHIP
        else None
    )
    access = CourseAccess(course, principal, membership)  # type: ignore[arg-type]
    if not access.can_view:
        raise CourseNotFound(f"There is no course {course_id}.")
    return access, snapshot
