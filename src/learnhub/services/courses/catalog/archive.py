"""The course archive: a zip holding ``course.json`` (the course, its outline, lesson content,
attachment metadata, each quiz's and assignment's content and the bank's questions no quiz
asks) and ``files/<attachment id>``. Importing makes a new draft course with new ids; it is
all or nothing. Duplicating a course is the same two halves without the zip: the document
of the course, made again as a new draft with its files copied in the store.

Zips are built and read in worker threads, never on the event loop (in the all-in-one
mode every service shares that loop), and files go to and from the store a few at a
time. An import is checked before anything is written: its total unpacked size, its
compression ratio, encrypted entries and damaged data are refused with a problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import tempfile
import zipfile
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.auth import Principal
from learnhub.kit.db import utcnow
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.assignments import archive as assignments_archive
from learnhub.services.courses.catalog import repository
from learnhub.services.courses.catalog.errors import (
    ArchiveTooCompressed,
    ArchiveTooLarge,
    EncryptedArchive,
    InvalidArchive,
)
from learnhub.services.courses.catalog.models import Attachment, Lesson
from learnhub.services.courses.catalog.schemas import CompletionRule, CourseCreate, ItemKind
from learnhub.services.courses.catalog.service import (
    DEFAULT_COMPLETION_RULE,
    attachment_key,
    create_course,
    new_id,
    safe_content_type,
)
from learnhub.services.courses.errors import FileTooLarge
from learnhub.services.courses.models import Course, Item, Section
from learnhub.services.courses.quizzes import archive as quizzes_archive
from learnhub.services.courses.rendering import safe_filename
from learnhub.services.courses.storage import ObjectStore

Result = TypeVar("Result")

FORMAT = "learnhub-course"
VERSION = 1
_CONTENT = {"quiz": quizzes_archive, "assignment": assignments_archive}
# Files moved between the store and an archive at once: enough to hide the store's
# latency, few enough to bound the memory they hold.
FILES_AT_ONCE = 4
CHUNK_BYTES = 1024 * 1024
_ENCRYPTED = 0x1  # general purpose flag bit 0 of a zip entry
# What the zipfile module raises for data it cannot read.
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


@dataclass(frozen=True)
class ArchiveLimits:
    """What an imported archive may hold: no file over ``max_file_bytes``, no more than
    ``max_total_bytes`` unpacked, and no more than ``max_ratio`` times its own size."""

    max_file_bytes: int
    max_total_bytes: int
    max_ratio: float


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
    published: bool = Field(True, description="Archives made before drafts hold published items.")
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
    # Added later: archives made before it have none.
    question_bank: list[dict[str, Any]] = Field(default_factory=list, max_length=10_000)


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


async def _bounded(jobs: Iterable[Callable[[], Awaitable[None]]], *, at_once: int) -> None:
    """Run the jobs, ``at_once`` at a time; the first failure cancels the others."""
    turns = asyncio.Semaphore(at_once)

    async def run(job: Callable[[], Awaitable[None]]) -> None:
        async with turns:
            await job()

    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(run(job))
    except BaseExceptionGroup as failures:
        # The first failure is the answer (a problem the caller knows how to render).
        raise failures.exceptions[0] from None


def _course_document(
    course: Course,
    sections: list[Section],
    items_by_section: dict[str, list[Item]],
    lessons: dict[str, Lesson],
    attachments: dict[str, list[Attachment]],
    contents: dict[str, dict[str, Any]],
    question_bank: list[dict[str, Any]],
) -> dict[str, Any]:
    archived_sections = []
    for section in sections:
        archived_items = []
        for item in items_by_section.get(section.id, []):
            lesson = lessons.get(item.id)
            archived_items.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "title": item.title,
                    "required": item.required,
                    "published": item.published,
                    "grade_category": item.grade_category,
                    "max_points": item.max_points,
                    "lesson": {
                        "content_markdown": lesson.content_markdown,
                        "video_url": lesson.video_url,
                        "transcript": lesson.transcript,
                        "complete_on_view": lesson.complete_on_view,
                    }
                    if item.kind == "lesson" and lesson is not None
                    else None,
                    "attachments": [
                        {
                            "id": attachment.id,
                            "filename": attachment.filename,
                            "content_type": attachment.content_type,
                            "size": attachment.size,
                        }
                        for attachment in attachments.get(item.id, [])
                    ],
                    "content": contents.get(item.id, {}),
                }
            )
        archived_sections.append({"title": section.title, "items": archived_items})
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "course": {
            **{field: getattr(course, field) for field in _COURSE_FIELDS},
            "starts_at": course.starts_at.isoformat() if course.starts_at else None,
            "ends_at": course.ends_at.isoformat() if course.ends_at else None,
            "completion_rule": course.completion_rule or DEFAULT_COMPLETION_RULE,
        },
        "sections": archived_sections,
        "question_bank": question_bank,
    }


async def course_document(
    session: AsyncSession, course: Course
) -> tuple[dict[str, Any], list[Attachment]]:
    """The course as the archive's ``course.json`` holds it, and its attachments."""
    lessons = await repository.list_lessons(session, course.id)
    attachments: dict[str, list[Attachment]] = {}
    for attachment in await repository.list_attachments(session, course_id=course.id):
        attachments.setdefault(attachment.item_id, []).append(attachment)
    items_by_section: dict[str, list[Item]] = {}
    contents: dict[str, dict[str, Any]] = {}
    for item in await courses_repository.list_items(session, course.id):
        items_by_section.setdefault(item.section_id, []).append(item)
        if item.kind in _CONTENT:
            contents[item.id] = await _CONTENT[item.kind].export_item(session, item.id)
    sections = await courses_repository.list_sections(session, course.id)
    question_bank = await quizzes_archive.export_unasked_questions(session, course.id)
    document = _course_document(
        course, sections, items_by_section, lessons, attachments, contents, question_bank
    )
    return document, [attachment for listed in attachments.values() for attachment in listed]


async def export_course(session: AsyncSession, store: ObjectStore, course: Course) -> IO[bytes]:
    """The course as a zip archive, in a temporary file positioned at its start (the
    caller closes it, see :func:`file_chunks`)."""
    document, attachments = await course_document(session, course)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    archive = zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED)
    try:
        await asyncio.to_thread(
            archive.writestr, "course.json", json.dumps(document, indent=2, ensure_ascii=False)
        )
        writing = asyncio.Lock()  # one writer at a time in a zip

        def copy(attachment: Attachment) -> Callable[[], Awaitable[None]]:
            async def job() -> None:
                data = (await store.get(attachment.storage_key)).data
                async with writing:
                    await asyncio.to_thread(archive.writestr, f"files/{attachment.id}", data)

            return job

        await _bounded((copy(attachment) for attachment in attachments), at_once=FILES_AT_ONCE)
        await asyncio.to_thread(archive.close)
        await asyncio.to_thread(spool.seek, 0)
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()
        spool.close()
        raise
    return spool


async def file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """A file's bytes for a streamed response, read in a worker thread; closes the file."""
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
            yield chunk
    finally:
        file.close()


def _readable(read: Callable[[], Result]) -> Result:
    """``read()``, with what zipfile raises for bad data turned into a 400 problem."""
    try:
        return read()
    except _UNREADABLE as error:
        raise InvalidArchive("The file is not a readable zip archive.") from error


def _open_archive(data: bytes, limits: ArchiveLimits) -> tuple[zipfile.ZipFile, ArchiveDocument]:
    """The archive and its ``course.json``, once its entries passed every limit; runs in a
    worker thread."""
    archive = _readable(lambda: zipfile.ZipFile(io.BytesIO(data)))
    infos = {info.filename: info for info in archive.infolist()}
    if any(info.flag_bits & _ENCRYPTED for info in infos.values()):
        raise EncryptedArchive(
            "The archive is encrypted; export the course again without a password."
        )
    if "course.json" not in infos:
        raise InvalidArchive("The archive has no course.json: it was not exported here.")
    if any(info.file_size > limits.max_file_bytes for info in infos.values()):
        raise FileTooLarge(f"A file in the archive is larger than {limits.max_file_bytes} bytes.")
    unpacked = sum(info.file_size for info in infos.values())
    if unpacked > limits.max_total_bytes:
        raise ArchiveTooLarge(
            f"The archive unpacks to {unpacked} bytes; at most {limits.max_total_bytes} are accepted.",
            max_bytes=limits.max_total_bytes,
        )
    if unpacked > limits.max_ratio * max(len(data), 1):
        raise ArchiveTooCompressed(
            f"The archive unpacks to more than {limits.max_ratio:g} times its size.",
            max_ratio=limits.max_ratio,
        )
    try:
        document = ArchiveDocument.model_validate_json(
            _readable(lambda: archive.read("course.json"))
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidArchive(f"course.json is not valid: {where}: {first['msg']}.") from error
    for section in document.sections:
        for item in section.items:
            for attachment in item.attachments:
                if f"files/{attachment.id}" not in infos:
                    raise InvalidArchive(f"The archive lacks the file files/{attachment.id}.")
    return archive, document


class _ZipFiles:
    """The files of an archive, by their archived attachment id."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive

    def size(self, attachment_id: str) -> int:
        return self._archive.getinfo(f"files/{attachment_id}").file_size

    async def read(self, attachment_id: str) -> bytes:
        name = f"files/{attachment_id}"
        return await asyncio.to_thread(_readable, lambda: self._archive.read(name))


class _StoredFiles:
    """The files of a course's attachments, read from the object store."""

    def __init__(self, store: ObjectStore, attachments: list[Attachment]) -> None:
        self._store = store
        self._attachments = {attachment.id: attachment for attachment in attachments}

    def size(self, attachment_id: str) -> int:
        return self._attachments[attachment_id].size

    async def read(self, attachment_id: str) -> bytes:
        return (await self._store.get(self._attachments[attachment_id].storage_key)).data


_FileSource = _ZipFiles | _StoredFiles


async def import_course(
    session: AsyncSession,
    store: ObjectStore,
    principal: Principal,
    data: bytes,
    *,
    limits: ArchiveLimits,
) -> Course:
    """A new draft course owned by the importer, made from an archive."""
    archive, document = await asyncio.to_thread(_open_archive, data, limits)
    try:
        return await _import(session, store, principal, _ZipFiles(archive), document)
    finally:
        archive.close()


COPY_SUFFIX = " (copy)"


async def duplicate_course(
    session: AsyncSession, store: ObjectStore, principal: Principal, course: Course
) -> Course:
    """A new draft owned by ``principal`` holding a copy of everything ``course`` holds
    (outline, lessons, files, quizzes with their questions, assignments' settings, the
    bank) and none of its learners' data, titled as a copy, at an address of its own: the
    export's document, imported again without a zip."""
    document, attachments = await course_document(session, course)
    title = course.title[: 200 - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX
    document["course"]["title"] = title
    return await _import(
        session,
        store,
        principal,
        _StoredFiles(store, attachments),
        ArchiveDocument.model_validate(document),
    )


async def _import(
    session: AsyncSession,
    store: ObjectStore,
    principal: Principal,
    files: _FileSource,
    document: ArchiveDocument,
) -> Course:
    fields = document.course.model_dump(exclude={"completion_rule"})
    fields["slug"] = None
    course = await create_course(session, principal, CourseCreate.model_validate(fields))
    new_ids: dict[str, str] = {}
    to_store: list[tuple[Attachment, str]] = []
    now = utcnow()
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
                published=archived.published,
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
                    await _CONTENT[archived.kind].import_item(session, item.id, archived.content)
                except (ValidationError, ValueError, KeyError, TypeError) as error:
                    raise InvalidArchive(
                        f"The content of {archived.kind} {archived.title!r} is not valid."
                    ) from error
            for archived_file in archived.attachments:
                attachment = Attachment(
                    id=new_id(),
                    course_id=course.id,
                    item_id=item.id,
                    filename=safe_filename(archived_file.filename),
                    content_type=safe_content_type(archived_file.content_type),
                    size=files.size(archived_file.id),
                    uploaded_by=principal.user_id,
                    created_at=now,
                    storage_key="",
                )
                attachment.storage_key = attachment_key(course.id, attachment.id)
                session.add(attachment)
                to_store.append((attachment, archived_file.id))
    rule = document.course.completion_rule
    course.completion_rule = {
        "required_items": rule.required_items,
        "passing_quiz_ids": [new_ids[old] for old in rule.passing_quiz_ids if old in new_ids],
    }
    try:
        await quizzes_archive.import_unasked_questions(session, course.id, document.question_bank)
    except ValidationError as error:
        raise InvalidArchive("The questions of the bank are not valid.") from error
    await session.flush()
    await _store_files(store, files, to_store)
    return course


async def _store_files(
    store: ObjectStore, files: _FileSource, copies: list[tuple[Attachment, str]]
) -> None:
    """Copy the files to the store under the new attachments' keys, a few at a time; if
    one fails, remove those already stored, so a refused import leaves nothing behind."""
    written: list[str] = []

    def copy(attachment: Attachment, source_id: str) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            data = await files.read(source_id)
            await store.put(attachment.storage_key, data, content_type=attachment.content_type)
            written.append(attachment.storage_key)

        return job

    try:
        await _bounded((copy(*entry) for entry in copies), at_once=FILES_AT_ONCE)
    except BaseException:
        await _bounded(
            (lambda key=key: store.delete(key) for key in written), at_once=FILES_AT_ONCE
        )
        raise
