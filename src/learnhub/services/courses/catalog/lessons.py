"""Lessons and their files: writing and reading a lesson, attachments in the object store.
Nothing here commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.catalog import repository
from learnhub.services.courses.catalog.errors import (
    AttachmentNotFound,
    LessonNotFound,
)
from learnhub.services.courses.catalog.models import Attachment, Lesson
from learnhub.services.courses.catalog.schemas import (
    AttachmentRead,
    LessonRead,
    LessonUpdate,
    VideoRead,
)
from learnhub.services.courses.catalog.service import (
    attachment_key,
    delete_files_after_commit,
    new_id,
    safe_content_type,
    touch,
)
from learnhub.services.courses.errors import FileTooLarge, ItemNotFound
from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.progress.service import record_item_outcome
from learnhub.services.courses.rendering import (
    describe_video,
    render_lesson,
    safe_filename,
)
from learnhub.services.courses.storage import ObjectStore, StoredFile

# ---------------------------------------------------------------- lessons


async def _lesson(session: AsyncSession, course_id: str, item_id: str) -> tuple[Item, Lesson]:
    item = await courses_repository.get_item(session, course_id, item_id)
    if item is None or item.kind != "lesson":
        raise LessonNotFound(f"This course has no lesson {item_id}.")
    lesson = await repository.get_lesson(session, item.id)
    if lesson is None:
        lesson = _empty_lesson(item)
        session.add(lesson)
    return item, lesson


def _empty_lesson(item: Item) -> Lesson:
    return Lesson(
        item_id=item.id,
        course_id=item.course_id,
        content_markdown="",
        video_url=None,
        transcript="",
        complete_on_view=False,
        updated_at=item.updated_at,
    )


async def view_item(
    session: AsyncSession, cache: Cache, access: CourseAccess, item_id: str
) -> None:
    """The caller opened an item. A learner opening a complete-on-view lesson completes it
    (through progress); any other view changes nothing (yet: views are not counted)."""
    item = await courses_repository.get_item(session, access.course.id, item_id)
    if item is None or not access.sees(item):
        raise ItemNotFound(f"There is no item {item_id} in this course.")
    if not (access.is_learner and access.user_id) or item.kind != "lesson":
        return
    lesson = await repository.get_lesson(session, item.id)
    if lesson is not None and lesson.complete_on_view:
        await record_item_outcome(
            session, cache, course=access.course, item=item, user_id=access.user_id, completed=True
        )


async def _lesson_read(
    session: AsyncSession, item: Item, lesson: Lesson, *, drafts: bool = True
) -> LessonRead:
    """The lesson with its previous and next item: among the drafts too for staff
    (``drafts``), among the published items only for learners."""
    outline = await courses_repository.list_items(session, item.course_id)
    ids = [other.id for other in outline if other.published or drafts or other.id == item.id]
    index = ids.index(item.id)
    video = describe_video(lesson.video_url) if lesson.video_url else None
    attachments = await repository.list_attachments(
        session, course_id=item.course_id, item_id=item.id
    )
    return LessonRead(
        item_id=item.id,
        course_id=item.course_id,
        section_id=item.section_id,
        title=item.title,
        required=item.required,
        content_markdown=lesson.content_markdown,
        content_html=render_lesson(lesson.content_markdown, item.title),
        video=VideoRead(url=video.url, provider=video.provider, embed_url=video.embed_url)
        if video
        else None,
        transcript=lesson.transcript,
        complete_on_view=lesson.complete_on_view,
        attachments=[AttachmentRead.model_validate(a) for a in attachments],
        previous_item_id=ids[index - 1] if index > 0 else None,
        next_item_id=ids[index + 1] if index + 1 < len(ids) else None,
        updated_at=lesson.updated_at,
    )


async def write_lesson(
    session: AsyncSession, course: Course, item_id: str, body: LessonUpdate
) -> LessonRead:
    item, lesson = await _lesson(session, course.id, item_id)
    lesson.content_markdown = body.content_markdown
    lesson.video_url = str(body.video_url) if body.video_url else None
    lesson.transcript = body.transcript
    lesson.complete_on_view = body.complete_on_view
    lesson.updated_at = utcnow()
    touch(course)
    await session.flush()
    return await _lesson_read(session, item, lesson)


async def read_lesson(
    session: AsyncSession, course_id: str, item_id: str, *, drafts: bool
) -> LessonRead | None:
    """A lesson as staff (``drafts``) or learners see it (a lesson not written yet reads
    as empty); None when the course has no such lesson, or it is a draft and not
    ``drafts``. Reading writes nothing."""
    item = await courses_repository.get_item(session, course_id, item_id)
    if item is None or item.kind != "lesson" or not (item.published or drafts):
        return None
    lesson = await repository.get_lesson(session, item.id) or _empty_lesson(item)
    return await _lesson_read(session, item, lesson, drafts=drafts)


# ---------------------------------------------------------------- attachments


async def add_attachment(
    session: AsyncSession,
    store: ObjectStore,
    access: CourseAccess,
    item_id: str,
    *,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    max_bytes: int,
) -> Attachment:
    """Keep an uploaded file with a lesson."""
    if len(data) > max_bytes:
        raise FileTooLarge(f"Files may be at most {max_bytes} bytes.", max_bytes=max_bytes)
    item, _lesson_row = await _lesson(session, access.course.id, item_id)
    attachment_id = new_id()
    attachment = Attachment(
        id=attachment_id,
        course_id=access.course.id,
        item_id=item.id,
        filename=safe_filename(filename),
        content_type=safe_content_type(content_type),
        size=len(data),
        storage_key=attachment_key(access.course.id, attachment_id),
        uploaded_by=access.user_id or "",
        created_at=utcnow(),
    )
    session.add(attachment)
    await session.flush()
    await store.put(attachment.storage_key, data, content_type=attachment.content_type)
    return attachment


async def get_attachment(
    session: AsyncSession, course_id: str, item_id: str, attachment_id: str
) -> Attachment:
    await _lesson(session, course_id, item_id)
    attachment = await repository.get_attachment(session, item_id, attachment_id)
    if attachment is None:
        raise AttachmentNotFound(f"This lesson has no attachment {attachment_id}.")
    return attachment


async def download_attachment(
    session: AsyncSession, store: ObjectStore, course_id: str, item_id: str, attachment_id: str
) -> tuple[Attachment, StoredFile]:
    attachment = await get_attachment(session, course_id, item_id, attachment_id)
    return attachment, await store.get(attachment.storage_key)


async def delete_attachment(
    session: AsyncSession, store: ObjectStore, course_id: str, item_id: str, attachment_id: str
) -> None:
    attachment = await get_attachment(session, course_id, item_id, attachment_id)
    await session.delete(attachment)
    await session.flush()
    delete_files_after_commit(session, store, [attachment.storage_key])
