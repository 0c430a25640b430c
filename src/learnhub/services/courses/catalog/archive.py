"""The course archive: a zip holding ``course.json`` (the course, its outline, lesson content,
attachment metadata and each quiz's and assignment's content) and ``files/<attachment id>``.
Importing makes a new draft course with new ids; it is all or nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.auth import Principal
from learnhub.kit.db import utcnow
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.assignments import archive as assignments_archive
from learnhub.services.courses.catalog import repository
from learnhub.services.courses.catalog.errors import FileTooLarge, InvalidArchive
from learnhub.services.courses.catalog.models import Attachment, Lesson
from learnhub.services.courses.catalog.schemas import CompletionRule, CourseCreate, ItemKind
from learnhub.services.courses.catalog.service import attachment_key, create_course, new_id
from learnhub.services.courses.models import Course, Item, Section
from learnhub.services.courses.quizzes import archive as quizzes_archive
from learnhub.services.courses.storage import ObjectStore

FORMAT = "learnhub-course"
VERSION = 1
_CONTENT = {"quiz": quizzes_archive, "assignment": assignments_archive}


class ArchivedLesson(BaseModel):
    content_markdown: str = Field("", max_length=500_000)
    video_url: str | None = Field(None, max_length=500)
    transcript: str = Field("", max_length=500_000)
    complete_on_view: bool = False


class ArchivedAttachment(BaseModel):
    id: str = Field(max_length=36)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=200)
    size: int = Field(ge=0)


class ArchivedItem(BaseModel):
    id: str = Field(max_length=36)
    kind: ItemKind
    title: str = Field(min_length=1, max_length=200)
    required: bool = True
    grade_category: str | None = Field(None, max_length=100)
    max_points: float | None = Field(None, ge=0)
    lesson: ArchivedLesson | None = None
    attachments: list[ArchivedAttachment] = Field(default_factory=list)
    content: dict[str, Any] = Field(default_factory=dict)


class ArchivedSection(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    items: list[ArchivedItem] = Field(max_length=1000)


class ArchivedCourse(CourseCreate):
    """The course's own fields (``slug`` is the original's, kept only as a hint)."""

    model_config = {"extra": "ignore"}
    completion_rule: CompletionRule = Field(default_factory=CompletionRule)


class ArchiveDocument(BaseModel):
    format: Literal["learnhub-course"]
    version: Literal[1]
    exported_at: datetime
    course: ArchivedCourse
    sections: list[ArchivedSection] = Field(max_length=500)


_COURSE_FIELDS = (
    "title",
    "slug",
    "summary",
    "description",
    "category",
    "tags",
    "language",
    "level",
    "estimated_hours",
    "enrollment_policy",
    "starts_at",
    "ends_at",
    "cover_image_url",
)


async def export_course(session: AsyncSession, store: ObjectStore, course: Course) -> bytes:
    """The course as a zip archive."""
    lessons = await repository.list_lessons(session, course.id)
    attachments: dict[str, list[Attachment]] = {}
    for attachment in await repository.list_attachments(session, course_id=course.id):
        attachments.setdefault(attachment.item_id, []).append(attachment)
    items_by_section: dict[str, list[Item]] = {}
    for item in await courses_repository.list_items(session, course.id):
        items_by_section.setdefault(item.section_id, []).append(item)
    sections = []
    files: dict[str, bytes] = {}
    for section in await courses_repository.list_sections(session, course.id):
        archived_items = []
        for item in items_by_section.get(section.id, []):
            entry: dict[str, Any] = {
                "id": item.id,
                "kind": item.kind,
                "title": item.title,
                "required": item.required,
                "grade_category": item.grade_category,
                "max_points": item.max_points,
                "lesson": None,
                "attachments": [],
                "content": {},
            }
            lesson = lessons.get(item.id)
            if item.kind == "lesson" and lesson is not None:
                entry["lesson"] = {
                    "content_markdown": lesson.content_markdown,
                    "video_url": lesson.video_url,
                    "transcript": lesson.transcript,
                    "complete_on_view": lesson.complete_on_view,
                }
            for attachment in attachments.get(item.id, []):
                entry["attachments"].append(
                    {
                        "id": attachment.id,
                        "filename": attachment.filename,
                        "content_type": attachment.content_type,
                        "size": attachment.size,
                    }
                )
                files[attachment.id] = (await store.get(attachment.storage_key)).data
            if item.kind in _CONTENT:
                entry["content"] = await _CONTENT[item.kind].export_item(session, item.id)
            archived_items.append(entry)
        sections.append({"title": section.title, "items": archived_items})
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "course": {
            **{field: getattr(course, field) for field in _COURSE_FIELDS},
            "starts_at": course.starts_at.isoformat() if course.starts_at else None,
            "ends_at": course.ends_at.isoformat() if course.ends_at else None,
            "completion_rule": course.completion_rule
            or {"required_items": True, "passing_quiz_ids": []},
        },
        "sections": sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(document, indent=2, ensure_ascii=False))
        for attachment_id, data in files.items():
            archive.writestr(f"files/{attachment_id}", data)
    return buffer.getvalue()


def _read_archive(data: bytes, *, max_bytes: int) -> tuple[ArchiveDocument, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
        if "course.json" not in infos:
            raise InvalidArchive("The archive has no course.json: it was not exported here.")
        if any(info.file_size > max_bytes for info in infos.values()):
            raise FileTooLarge(f"A file in the archive is larger than {max_bytes} bytes.")
        document = ArchiveDocument.model_validate_json(archive.read("course.json"))
        files: dict[str, bytes] = {}
        for section in document.sections:
            for item in section.items:
                for attachment in item.attachments:
                    name = f"files/{attachment.id}"
                    if name not in infos:
                        raise InvalidArchive(f"The archive lacks the file {name}.")
                    files[attachment.id] = archive.read(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError) as error:
        raise InvalidArchive("The file is not a readable zip archive.") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidArchive(f"course.json is not valid: {where}: {first['msg']}.") from error
    except ValueError as error:
        raise InvalidArchive("The archive is damaged.") from error
    return document, files


async def import_course(
    session: AsyncSession,
    store: ObjectStore,
    principal: Principal,
    data: bytes,
    *,
    max_bytes: int,
) -> Course:
    """A new draft course owned by the importer, made from an archive."""
    document, files = _read_archive(data, max_bytes=max_bytes)
    fields = document.course.model_dump(exclude={"completion_rule"})
    fields["slug"] = None
    course = await create_course(session, principal, CourseCreate.model_validate(fields))
    new_ids: dict[str, str] = {}
    written: list[str] = []
    now = utcnow()
    try:
        for section_position, archived_section in enumerate(document.sections, 1):
            section = Section(
                id=new_id(),
                course_id=course.id,
                title=archived_section.title,
                position=section_position,
            )
            session.add(section)
            await session.flush()
            for item_position, archived in enumerate(archived_section.items, 1):
                item = Item(
                    id=new_id(),
                    course_id=course.id,
                    section_id=section.id,
                    kind=archived.kind,
                    title=archived.title,
                    position=item_position,
                    required=archived.required,
                    grade_category=archived.grade_category,
                    max_points=archived.max_points,
                    created_at=now,
                    updated_at=now,
                )
                new_ids[archived.id] = item.id
                session.add(item)
                await session.flush()
                if archived.kind == "lesson":
                    lesson = archived.lesson or ArchivedLesson()
                    session.add(
                        Lesson(
                            item_id=item.id,
                            course_id=course.id,
                            updated_at=now,
                            **lesson.model_dump(),
                        )
                    )
                elif archived.kind in _CONTENT:
                    try:
                        await _CONTENT[archived.kind].import_item(
                            session, item.id, archived.content
                        )
                    except (ValidationError, ValueError, KeyError, TypeError) as error:
                        raise InvalidArchive(
                            f"The content of {archived.kind} {archived.title!r} is not valid."
                        ) from error
                for archived_file in archived.attachments:
                    attachment = Attachment(
                        id=new_id(),
                        course_id=course.id,
                        item_id=item.id,
                        filename=archived_file.filename,
                        content_type=archived_file.content_type,
                        size=len(files[archived_file.id]),
                        uploaded_by=principal.user_id,
                        created_at=now,
                        storage_key="",
                    )
                    attachment.storage_key = attachment_key(course.id, attachment.id)
                    session.add(attachment)
                    await store.put(
                        attachment.storage_key,
                        files[archived_file.id],
                        content_type=attachment.content_type,
                    )
                    written.append(attachment.storage_key)
        rule = document.course.completion_rule
        course.completion_rule = {
            "required_items": rule.required_items,
            "passing_quiz_ids": [new_ids[old] for old in rule.passing_quiz_ids if old in new_ids],
        }
        await session.flush()
    except BaseException:
        for key in written:
            await store.delete(key)
        raise
    return course
