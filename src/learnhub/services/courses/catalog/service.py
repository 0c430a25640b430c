"""The rules of authoring and the catalog. Nothing here commits: the request boundary does."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import CourseCreated, CoursePublished
from learnhub.kit.auth import Principal
from learnhub.kit.db import on_commit, utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import Page, decode_keyset, page_of
from learnhub.services.courses import readmodels
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.catalog import repository
from learnhub.services.courses.catalog.errors import (
    InvalidFields,
    InvalidOutline,
    SectionNotFound,
    SlugTaken,
)
from learnhub.services.courses.catalog.models import Lesson
from learnhub.services.courses.catalog.schemas import (
    CategoryCount,
    CourseCreate,
    CourseDetail,
    CourseRead,
    CourseSummary,
    CourseUpdate,
    Instructor,
    ItemCounts,
    ItemCreate,
    ItemUpdate,
    Outline,
    OutlineItem,
    OutlineSection,
    OutlineUpdate,
    SectionCreate,
    Viewer,
)
from learnhub.services.courses.enrollment import service as enrollment_service
from learnhub.services.courses.errors import CourseNotFound, CourseStateConflict, ItemNotFound
from learnhub.services.courses.models import Course, Enrollment, Item, Section
from learnhub.services.courses.rendering import (
    render_markdown,
    slugify,
)
from learnhub.services.courses.storage import ObjectStore

log = logging.getLogger(__name__)

# Fields a PATCH may clear with null; the others keep their value when sent null.
_CLEARABLE = {"category", "estimated_hours", "starts_at", "ends_at", "cover_image_url"}
_EMPTY_WHEN_NULL: dict[str, Any] = {"summary": "", "description": ""}
DEFAULT_COMPLETION_RULE: dict[str, Any] = {"required_items": True, "passing_quiz_ids": []}
# type/subtype with optional parameters: what a Content-Type header may carry safely.
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\-\"]+)*$")
# Files deleted from the store at once after a commit.
_DELETES_AT_ONCE = 8


def new_id() -> str:
    return str(uuid.uuid4())


def attachment_key(course_id: str, attachment_id: str) -> str:
    return f"courses/{course_id}/attachments/{attachment_id}"


def safe_content_type(content_type: str | None) -> str:
    """A media type fit for a response header; anything else is served as bytes."""
    candidate = (content_type or "").strip()
    if len(candidate) <= 200 and _CONTENT_TYPE.match(candidate):
        return candidate
    return "application/octet-stream"


# ---------------------------------------------------------------- courses


async def unique_slug(session: AsyncSession, title: str, *, own: str | None = None) -> str:
    """A slug made from the title, with ``-2``, ``-3``... when it is taken (by a course
    other than the one whose slug is ``own``)."""
    base = slugify(title) or "course"
    taken = await repository.slugs_starting_with(session, base) - {own}
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def _available_slug(
    session: AsyncSession, principal: Principal, slug: str, *, course: Course | None
) -> str:
    """The slug asked for, if no other course holds it. A course the caller may see makes
    it a conflict; a draft they may not see must not reveal itself, so they get the slug
    with a number added, as if they had given only a title."""
    existing = await repository.get_course_by_slug(session, slug)
    if existing is None or existing is course:
        return slug
    membership = await courses_repository.get_membership(session, existing.id, principal.user_id)
    if CourseAccess(existing, principal, membership).can_view:
        raise SlugTaken(f"Another course already uses the address {slug!r}; choose another.")
    return await unique_slug(session, slug, own=course.slug if course else None)


def _set_tags(course: Course, tags: list[str]) -> None:
    course.tags = tags
    course.tags_text = "\n".join(tags)


async def create_course(
    session: AsyncSession, principal: Principal, body: CourseCreate, *, visibility: str = "draft"
) -> Course:
    """Create a draft course owned by the caller, who becomes its first instructor."""
    if body.slug is not None:
        slug = await _available_slug(session, principal, body.slug, course=None)
    else:
        slug = await unique_slug(session, body.title)
    now = utcnow()
    course = Course(
        id=new_id(),
        slug=slug,
        title=body.title,
        summary=body.summary or "",
        description=body.description or "",
        cover_image_url=str(body.cover_image_url) if body.cover_image_url else None,
        category=body.category,
        language=body.language or "en",
        level=body.level or "beginner",
        estimated_hours=body.estimated_hours,
        visibility=visibility,
        enrollment_policy=body.enrollment_policy or "open",
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        owner_id=principal.user_id,
        completion_rule=dict(DEFAULT_COMPLETION_RULE),
        created_at=now,
        updated_at=now,
        published_at=None,
    )
    _set_tags(course, body.tags or [])
    session.add(course)
    session.add(
        Enrollment(
            id=new_id(),
            course_id=course.id,
            user_id=principal.user_id,
            role="instructor",
            status="active",
            enrolled_by=principal.user_id,
            group_id=None,
            created_at=now,
            updated_at=now,
            completed_at=None,
        )
    )
    await session.flush()
    await record_event(
        session,
        CourseCreated(
            course_id=course.id,
            slug=course.slug,
            title=course.title,
            owner_id=course.owner_id,
            category=course.category,
            language=course.language,
            level=course.level,
            created_at=now,
        ),
        subject=course.id,
    )
    return course


async def _check_completion_rule(
    session: AsyncSession, course: Course, rule: dict[str, Any]
) -> dict[str, Any]:
    quiz_ids = {
        item.id
        for item in await courses_repository.list_items(session, course.id)
        if item.kind == "quiz"
    }
    passing = list(dict.fromkeys(rule["passing_quiz_ids"]))
    unknown = [item_id for item_id in passing if item_id not in quiz_ids]
    if unknown:
        raise InvalidFields(
            "completion_rule.passing_quiz_ids",
            f"not quizzes of this course: {', '.join(unknown)}",
        )
    return {"required_items": rule["required_items"], "passing_quiz_ids": passing}


async def _publish(session: AsyncSession, course: Course) -> None:
    items = await courses_repository.list_items(session, course.id)
    if not any(item.published for item in items):
        raise CourseStateConflict(
            "Publish at least one lesson, quiz or assignment before publishing the course."
        )
    course.published_at = utcnow()
    await record_event(
        session,
        CoursePublished(
            course_id=course.id,
            slug=course.slug,
            title=course.title,
            summary=course.summary,
            category=course.category,
            tags=list(course.tags),
            language=course.language,
            level=course.level,
            owner_id=course.owner_id,
            published_at=course.published_at,
        ),
        subject=course.id,
    )


async def update_course(
    session: AsyncSession, access: CourseAccess, changes: CourseUpdate
) -> Course:
    """Apply the fields sent by an editor of the course. Moving to ``published`` needs an
    item and announces it. A partial ``completion_rule`` changes only the members it names."""
    course = access.course
    sent = changes.model_dump(exclude_unset=True)
    if sent.get("slug") is not None and sent["slug"] != course.slug:
        sent["slug"] = await _available_slug(session, access.signed_in, sent["slug"], course=course)
    starts_at = sent.get("starts_at", course.starts_at)
    ends_at = sent.get("ends_at", course.ends_at)
    if starts_at and ends_at and ends_at <= starts_at:
        raise InvalidFields("ends_at", "must be after starts_at")
    if sent.get("completion_rule") is not None:
        current = {**DEFAULT_COMPLETION_RULE, **(course.completion_rule or {})}
        sent["completion_rule"] = await _check_completion_rule(
            session, course, {**current, **sent["completion_rule"]}
        )
    publishing = sent.get("visibility") == "published" and course.visibility != "published"
    for field, value in sent.items():
        if value is None and field in _EMPTY_WHEN_NULL:
            value = _EMPTY_WHEN_NULL[field]
        elif value is None and field not in _CLEARABLE and field != "tags":
            continue
        if field == "tags":
            _set_tags(course, value or [])
        elif field == "cover_image_url":
            course.cover_image_url = str(value) if value else None
        else:
            setattr(course, field, value)
    if publishing:
        await _publish(session, course)
    course.updated_at = utcnow()
    return course


async def delete_course(session: AsyncSession, store: ObjectStore, course: Course) -> None:
    """Delete a draft or archived course with everything in it; published ones are refused."""
    if course.visibility == "published":
        raise CourseStateConflict("Archive the course before deleting it: learners may use it.")
    keys = [a.storage_key for a in await repository.list_attachments(session, course_id=course.id)]
    members = await repository.list_member_ids(session, course.id)
    await repository.delete_course(session, course)
    readmodels.course_changed(session, course.id)
    for user_id in members:
        readmodels.membership_changed(session, course.id, user_id)
    delete_files_after_commit(session, store, keys)


def delete_files_after_commit(session: AsyncSession, store: ObjectStore, keys: list[str]) -> None:
    """Remove stored files once the rows that named them are gone for good: a commit that
    fails must leave the rows pointing at files that still exist."""
    if not keys:
        return

    async def delete_files() -> None:
        turns = asyncio.Semaphore(_DELETES_AT_ONCE)

        async def delete(key: str) -> None:
            async with turns:
                await store.delete(key)

        # One failing file must not keep the others: each is tried, failures are logged.
        results = await asyncio.gather(*(delete(key) for key in keys), return_exceptions=True)
        for key, result in zip(keys, results, strict=True):
            if isinstance(result, Exception):
                log.warning("could not delete the stored file %s: %r", key, result)

    on_commit(session, delete_files)


async def _outline(session: AsyncSession, course_id: str, *, drafts: bool) -> list[OutlineSection]:
    """The sections with their items in order; draft items only with ``drafts`` (staff)."""
    sections = await courses_repository.list_sections(session, course_id)
    items = await courses_repository.list_items(session, course_id)
    by_section: dict[str, list[OutlineItem]] = {section.id: [] for section in sections}
    for item in items:
        if not (item.published or drafts):
            continue
        by_section[item.section_id].append(OutlineItem.model_validate(item, from_attributes=True))
    return [
        OutlineSection(
            id=section.id,
            title=section.title,
            position=section.position,
            items=by_section[section.id],
        )
        for section in sections
    ]


def _course_read(course: Course) -> dict[str, Any]:
    data = CourseRead.model_validate(
        {
            **{
                field: getattr(course, field)
                for field in CourseRead.model_fields
                if field not in {"description_html", "completion_rule"}
            },
            "description_html": render_markdown(course.description),
            "completion_rule": course.completion_rule or DEFAULT_COMPLETION_RULE,
        }
    )
    return data.model_dump()


def read_course(course: Course) -> CourseRead:
    return CourseRead.model_validate(_course_read(course))


def viewer(access: CourseAccess) -> Viewer:
    """What the caller may do in the course, from the rules the actions apply."""
    membership = access.membership
    refusal = enrollment_service.self_enrollment_refusal(access)
    return Viewer(
        role=membership.role if membership else None,
        status=membership.status if membership else None,
        enrollment_id=membership.id if membership else None,
        can_edit=access.can_edit,
        is_staff=access.is_staff,
        is_learner=access.is_learner,
        can_grade=access.is_staff,
        can_study=access.is_member,
        can_announce=access.is_staff,
        can_enroll=refusal is None,
        enroll_needs_approval=access.course.enrollment_policy == "approval",
        enroll_refusal=refusal.slug if refusal else None,  # type: ignore[arg-type]
        can_unenroll=enrollment_service.self_unenrollment_refusal(access) is None,
    )


async def course_detail(
    session: AsyncSession, access: CourseAccess, *, drafts: bool | None = None
) -> CourseDetail:
    """The course with its outline: with draft items for its staff (or as ``drafts``
    says), without for everyone else."""
    course = access.course
    sections = await _outline(
        session, course.id, drafts=access.is_staff if drafts is None else drafts
    )
    counts = await repository.count_items_by_kind(session, [course.id])
    return CourseDetail(
        **_course_read(course),
        sections=sections,
        item_counts=ItemCounts(**counts.get(course.id, {})),
        learner_count=await repository.count_active_learners(session, course.id),
        instructors=await list_instructors(session, course.id),
        viewer=viewer(access),
    )


async def list_instructors(session: AsyncSession, course_id: str) -> list[Instructor]:
    """The course's active instructors whose names are known, longest-serving first."""
    return [
        Instructor(id=user_id, display_name=name)
        for user_id, name in await repository.list_instructors(session, course_id)
        if name is not None
    ]


async def get_course_row(session: AsyncSession, course_id: str) -> Course:
    course = await courses_repository.get_course(session, course_id)
    if course is None:
        raise CourseNotFound(f"There is no course {course_id}.")
    return course


async def get_course_by_slug(session: AsyncSession, slug: str) -> Course | None:
    return await repository.get_course_by_slug(session, slug)


# ---------------------------------------------------------------- catalog


async def list_catalog(
    session: AsyncSession,
    *,
    query: str | None,
    category: str | None,
    level: str | None,
    language: str | None,
    cursor: str | None,
    limit: int,
) -> Page[CourseSummary]:
    rows = await repository.list_published_courses(
        session,
        query=(query or "").strip() or None,
        category=category,
        level=level,
        language=language,
        after=decode_keyset(cursor, datetime, str),
        limit=limit + 1,
    )
    counts = await repository.count_items_by_kind(session, [row.id for row in rows[:limit]])
    return page_of(
        rows,
        limit=limit,
        keyset=lambda row: (row.created_at, row.id),
        item=lambda row: CourseSummary(
            **{
                field: getattr(row, field)
                for field in CourseSummary.model_fields
                if field != "item_counts"
            },
            item_counts=ItemCounts(**counts.get(row.id, {})),
        ),
    )


async def list_categories(session: AsyncSession) -> list[CategoryCount]:
    return [
        CategoryCount(category=category, course_count=count)
        for category, count in await repository.list_categories(session)
    ]


# ---------------------------------------------------------------- structure


async def get_section(session: AsyncSession, course_id: str, section_id: str) -> Section:
    section = await repository.get_section(session, course_id, section_id)
    if section is None:
        raise SectionNotFound(f"This course has no section {section_id}.")
    return section


async def get_item(session: AsyncSession, course_id: str, item_id: str) -> Item:
    item = await courses_repository.get_item(session, course_id, item_id)
    if item is None:
        raise ItemNotFound(f"This course has no item {item_id}.")
    return item


def touch(course: Course) -> None:
    course.updated_at = utcnow()


async def add_section(session: AsyncSession, course: Course, body: SectionCreate) -> Section:
    section = Section(
        id=new_id(),
        course_id=course.id,
        title=body.title,
        position=await repository.next_section_position(session, course.id),
    )
    session.add(section)
    touch(course)
    await session.flush()
    return section


async def rename_section(
    session: AsyncSession, course: Course, section_id: str, title: str
) -> Section:
    section = await get_section(session, course.id, section_id)
    section.title = title
    touch(course)
    return section


async def _forget_items(session: AsyncSession, course: Course, item_ids: set[str]) -> list[str]:
    """Drop deleted items from the completion rule; the keys of their files."""
    rule = dict(course.completion_rule or {})
    if any(item_id in item_ids for item_id in rule.get("passing_quiz_ids", [])):
        rule["passing_quiz_ids"] = [
            item_id for item_id in rule["passing_quiz_ids"] if item_id not in item_ids
        ]
        course.completion_rule = rule
    return [
        attachment.storage_key
        for attachment in await repository.list_attachments(session, course_id=course.id)
        if attachment.item_id in item_ids
    ]


async def _check_still_publishable(
    session: AsyncSession, course: Course, leaving: set[str]
) -> None:
    """A published course keeps at least one published item: deleting or unpublishing
    ``leaving`` must not take its last one."""
    if course.visibility == "published":
        remaining = [
            item
            for item in await courses_repository.list_items(session, course.id)
            if item.published and item.id not in leaving
        ]
        if not remaining:
            raise CourseStateConflict("A published course must keep at least one published item.")


async def delete_section(
    session: AsyncSession, store: ObjectStore, course: Course, section_id: str
) -> None:
    """Delete a section with its items; the others close up."""
    section = await get_section(session, course.id, section_id)
    items = await repository.list_section_items(session, section.id)
    await _check_still_publishable(session, course, {item.id for item in items})
    keys = await _forget_items(session, course, {item.id for item in items})
    await repository.delete_section(session, section)
    for position, other in enumerate(await courses_repository.list_sections(session, course.id), 1):
        other.position = position
    touch(course)
    delete_files_after_commit(session, store, keys)


async def add_item(
    session: AsyncSession, course: Course, section_id: str, body: ItemCreate
) -> Item:
    """Append a lesson, quiz or assignment to a section (a lesson starts empty)."""
    section = await get_section(session, course.id, section_id)
    now = utcnow()
    item = Item(
        id=new_id(),
        course_id=course.id,
        section_id=section.id,
        kind=body.kind,
        title=body.title,
        position=await repository.next_item_position(session, section.id),
        required=body.required,
        grade_category=body.grade_category,
        max_points=body.max_points,
        published=body.published,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    await session.flush()
    if item.kind == "lesson":
        session.add(
            Lesson(
                item_id=item.id,
                course_id=course.id,
                content_markdown="",
                video_url=None,
                transcript="",
                complete_on_view=False,
                updated_at=now,
            )
        )
    touch(course)
    await session.flush()
    return item


async def update_item(
    session: AsyncSession, course: Course, item_id: str, changes: ItemUpdate
) -> Item:
    item = await get_item(session, course.id, item_id)
    if changes.published is False and item.published:
        await _check_still_publishable(session, course, {item.id})
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is None and field in {"title", "required", "published"}:
            continue
        setattr(item, field, value)
    item.updated_at = utcnow()
    touch(course)
    return item


async def delete_item(
    session: AsyncSession, store: ObjectStore, course: Course, item_id: str
) -> None:
    item = await get_item(session, course.id, item_id)
    await _check_still_publishable(session, course, {item.id})
    keys = await _forget_items(session, course, {item.id})
    section_id = item.section_id
    await repository.delete_item(session, item)
    for position, other in enumerate(await repository.list_section_items(session, section_id), 1):
        other.position = position
    touch(course)
    delete_files_after_commit(session, store, keys)


async def move_item(session: AsyncSession, course: Course, item_id: str, direction: str) -> Outline:
    """Move one item a place up or down the outline; at the edge of its section it goes to
    the end (up) or the start (down) of the neighbouring section. The course is updated
    first, so that concurrent moves wait for each other and each moves from what the one
    before left."""
    touch(course)
    await session.flush()
    item = await get_item(session, course.id, item_id)
    sections = await courses_repository.list_sections(session, course.id)
    order: dict[str, list[Item]] = {section.id: [] for section in sections}
    for other in await courses_repository.list_items(session, course.id):
        order[other.section_id].append(other)
    section_ids = [section.id for section in sections]
    siblings = order[item.section_id]
    index = siblings.index(item)
    step = -1 if direction == "up" else 1
    if 0 <= index + step < len(siblings):
        siblings[index], siblings[index + step] = siblings[index + step], siblings[index]
    else:
        neighbour = section_ids.index(item.section_id) + step
        if not 0 <= neighbour < len(section_ids):
            return Outline(sections=await _outline(session, course.id, drafts=True))
        siblings.remove(item)
        target = order[section_ids[neighbour]]
        if step < 0:
            target.append(item)
        else:
            target.insert(0, item)
        item.section_id = section_ids[neighbour]
        item.updated_at = utcnow()
    now = utcnow()
    for section_items in order.values():
        for position, other in enumerate(section_items, 1):
            if other.position != position:
                other.position = position
                other.updated_at = now
    await session.flush()
    return Outline(sections=await _outline(session, course.id, drafts=True))


async def reorder_outline(session: AsyncSession, course: Course, body: OutlineUpdate) -> Outline:
    """Put the sections, and the items within and across them, in the order given. The
    order must name every section and item of the course exactly once."""
    sections = {
        section.id: section
        for section in await courses_repository.list_sections(session, course.id)
    }
    items = {item.id: item for item in await courses_repository.list_items(session, course.id)}
    sent_sections = [entry.id for entry in body.sections]
    sent_items = [item_id for entry in body.sections for item_id in entry.item_ids]
    if sorted(sent_sections) != sorted(sections) or len(set(sent_sections)) != len(sections):
        raise InvalidOutline("List every section of the course exactly once, and no other.")
    if sorted(sent_items) != sorted(items) or len(set(sent_items)) != len(items):
        raise InvalidOutline("List every item of the course exactly once, and no other.")
    for section_position, entry in enumerate(body.sections, 1):
        sections[entry.id].position = section_position
        for item_position, item_id in enumerate(entry.item_ids, 1):
            item = items[item_id]
            if item.section_id != entry.id or item.position != item_position:
                item.section_id = entry.id
                item.position = item_position
                item.updated_at = utcnow()
    touch(course)
    await session.flush()
    return Outline(sections=await _outline(session, course.id, drafts=True))
