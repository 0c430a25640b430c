"""The catalog's hot reads, answered from the cache: the course page (outline), the catalog
pages and categories, a course found by its address, and a lesson.

Each returns the JSON body to send. The parts every caller shares are cached once (the
outline, a catalog page); the parts that depend on the caller (their role, what they may
do) are computed from the cached access facts and spliced in.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import TypeAdapter

from learnhub.kit.auth import Principal
from learnhub.kit.cache import Cache
from learnhub.kit.db import Database
from learnhub.kit.http.responses import with_members
from learnhub.kit.readcache import View, keep, read_through
from learnhub.services.courses import readmodels
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.catalog import lessons, repository, service
from learnhub.services.courses.catalog.errors import LessonNotFound
from learnhub.services.courses.catalog.schemas import CatalogViewer, Instructor
from learnhub.services.courses.errors import CourseNotFound, NotEnrolled
from learnhub.services.courses.progress.dashboard import active_memberships
from learnhub.services.courses.readmodels import (
    CATALOG_STAMP,
    PEOPLE_STAMP,
    course_stamp,
    roster_stamp,
)

_NOT_FOUND = "null"
_INSTRUCTORS = TypeAdapter(list[Instructor])


def _detail_view(course_id: str, *, drafts: bool) -> View:
    """The course page's shared part: with draft items for staff, without for the rest."""
    audience = "staff" if drafts else "public"
    return View(f"detail:{audience}:{course_id}", (course_stamp(course_id),))


def _learner_count_view(course_id: str) -> View:
    return View(f"learners:{course_id}", (roster_stamp(course_id),))


def _instructors_view(course_id: str) -> View:
    """Who teaches the course: renewed when its staff changes or anyone's name does."""
    return View(f"instructors:{course_id}", (roster_stamp(course_id), PEOPLE_STAMP))


def _lesson_view(course_id: str, item_id: str, *, drafts: bool) -> View:
    audience = "staff" if drafts else "public"
    return View(f"lesson:{audience}:{course_id}:{item_id}", (course_stamp(course_id),))


async def course_detail(
    db: Database,
    cache: Cache,
    principal: Principal | None,
    course_id: str,
    *,
    as_learner: bool = False,
) -> str:
    """A course with its outline, counts and the caller's membership (draft items: staff
    only, unless they ask for the outline ``as_learner`` sees it)."""
    public, with_drafts = (
        _detail_view(course_id, drafts=False),
        _detail_view(course_id, drafts=True),
    )
    learners, staff = _learner_count_view(course_id), _instructors_view(course_id)
    # Both outlines are asked for in the one round trip: which one the caller gets is
    # known only once their access is read.
    access, snapshot = await readmodels.cached_access(
        db, cache, principal, course_id, public, with_drafts, learners, staff
    )
    drafts = access.is_staff and not as_learner
    detail = with_drafts if drafts else public
    body, count, names = snapshot.value(detail), snapshot.value(learners), snapshot.value(staff)
    if body is None or count is None or names is None:
        built: dict[View, str] = {}
        async with db.session() as session:
            if body is None:
                course = await service.get_course_row(session, course_id)
                full = await service.course_detail(
                    session, CourseAccess(course, None, None), drafts=drafts
                )
                body = built[detail] = full.model_dump_json(
                    exclude={"learner_count", "instructors", "viewer"}
                )
            if count is None:
                count = built[learners] = str(
                    await repository.count_active_learners(session, course_id)
                )
            if names is None:
                found = await service.list_instructors(session, course_id)
                names = built[staff] = _INSTRUCTORS.dump_json(found).decode()
        await keep(cache, snapshot, built, ttl=readmodels.cache_ttl(db))
    viewer = service.viewer(access).model_dump_json()
    return with_members(body, {"learner_count": count, "instructors": names, "viewer": viewer})


async def course_id_by_slug(db: Database, cache: Cache, slug: str) -> str:
    async def build() -> str:
        async with db.session() as session:
            course = await service.get_course_by_slug(session, slug)
        return course.id if course else _NOT_FOUND

    view = View(f"slug:{slug}", (CATALOG_STAMP,))
    found = await read_through(cache, view, build, ttl=readmodels.cache_ttl(db))
    if found == _NOT_FOUND:
        raise CourseNotFound(f"There is no course at {slug!r}.")
    return found


async def catalog_page(
    db: Database,
    cache: Cache,
    principal: Principal | None,
    *,
    query: str | None,
    category: str | None,
    level: str | None,
    language: str | None,
    cursor: str | None,
    limit: int,
) -> str:
    """A page of published courses, as every visitor asking the same question sees it
    (cached once), with the caller's memberships among them spliced in."""

    async def build() -> str:
        async with db.session() as session:
            page = await service.list_catalog(
                session,
                query=query,
                category=category,
                level=level,
                language=language,
                cursor=cursor,
                limit=limit,
            )
        return page.model_dump_json()

    question = json.dumps([query, category, level, language, cursor, limit])
    digest = hashlib.sha256(question.encode()).hexdigest()[:32]
    view = View(f"catalog:{digest}", (CATALOG_STAMP,))
    page = await read_through(cache, view, build, ttl=readmodels.cache_ttl(db))
    viewer = await _catalog_viewer(db, cache, principal, page)
    return with_members(page, {"viewer": viewer.model_dump_json()})


async def _catalog_viewer(
    db: Database, cache: Cache, principal: Principal | None, page: str
) -> CatalogViewer:
    """The caller's part in the listed courses, from their cached memberships: the page
    stays one cached body for everyone, and nobody asks again per course."""
    viewer = CatalogViewer(enrolled_course_ids=[], completed_course_ids=[], teaching_course_ids=[])
    if principal is None:
        return viewer
    memberships = {m.course_id: m for m in await active_memberships(db, cache, principal.user_id)}
    if not memberships:
        return viewer
    for course in json.loads(page)["items"]:
        membership = memberships.get(course["id"])
        if membership is None:
            continue
        if membership.role == "learner":
            viewer.enrolled_course_ids.append(course["id"])
            if membership.completed_at is not None:
                viewer.completed_course_ids.append(course["id"])
        else:
            viewer.teaching_course_ids.append(course["id"])
    return viewer


async def categories(db: Database, cache: Cache) -> str:
    async def build() -> str:
        async with db.session() as session:
            found = await service.list_categories(session)
        return json.dumps([entry.model_dump() for entry in found])

    view = View("categories", (CATALOG_STAMP,))
    return await read_through(cache, view, build, ttl=readmodels.cache_ttl(db))


async def lesson(
    db: Database, cache: Cache, principal: Principal, course_id: str, item_id: str
) -> str:
    """A lesson for the course's staff and enrolled learners, with its previous and next
    item (a draft lesson, and drafts around it, for staff only)."""
    public, with_drafts = (
        _lesson_view(course_id, item_id, drafts=False),
        _lesson_view(course_id, item_id, drafts=True),
    )
    access, snapshot = await readmodels.cached_access(
        db, cache, principal, course_id, public, with_drafts
    )
    if not access.is_member:
        raise NotEnrolled("Enroll in this course to open its lessons and files.")
    view = with_drafts if access.is_staff else public
    found = snapshot.value(view)
    if found is None:
        async with db.session() as session:
            read_model = await lessons.read_lesson(
                session, course_id, item_id, drafts=access.is_staff
            )
        if read_model is None:
            raise LessonNotFound(f"This course has no lesson {item_id}.")
        found = read_model.model_dump_json()
        await keep(cache, snapshot, {view: found}, ttl=readmodels.cache_ttl(db))
    return found
