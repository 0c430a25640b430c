"""Routes of the authoring and catalog sub-domain."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from learnhub.kit.auth import CurrentPrincipal, OptionalPrincipal, Principal, require_role
from learnhub.kit.http.deps import DatabaseDep, SessionDep
from learnhub.kit.http.problems import problem_responses
from learnhub.kit.http.responses import JsonText
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.catalog import archive, lessons, reads, service
from learnhub.services.courses.catalog.schemas import (
    AttachmentRead,
    CatalogPage,
    CategoryCount,
    CourseCreate,
    CourseDetail,
    CourseRead,
    CourseUpdate,
    ItemCreate,
    ItemMove,
    ItemRead,
    ItemUpdate,
    LessonRead,
    LessonUpdate,
    Level,
    Outline,
    OutlineUpdate,
    SectionCreate,
    SectionRead,
    SectionUpdate,
)
from learnhub.services.courses.deps import (
    CacheDep,
    CoursesSettingsDep,
    EditableCourse,
    MemberCourse,
    ObjectStoreDep,
    StaffCourse,
)
from learnhub.services.courses.errors import CourseNotFound, FileTooLarge, NotEnrolled

AsLearner = Annotated[
    bool,
    Query(description="The outline as learners see it, without drafts: staff previewing."),
]

router = APIRouter(tags=["courses: catalog"])

Author = Annotated[Principal, require_role("instructor", "admin")]
ItemId = Annotated[str, Path(max_length=36)]


async def _read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The uploaded bytes, refusing more than ``max_bytes`` without reading them all."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"Files may be at most {max_bytes} bytes.", max_bytes=max_bytes)
    return data


def _may_study(access: CourseAccess) -> None:
    if not access.is_member:
        raise NotEnrolled("Enroll in this course to open its lessons and files.")


# ---------------------------------------------------------------- catalog


@router.get("/api/v1/courses", response_model=CatalogPage, responses=problem_responses(400, 422))
async def list_courses(
    db: DatabaseDep,
    cache: CacheDep,
    settings: CoursesSettingsDep,
    principal: OptionalPrincipal,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the title, summary or tags.")
    ] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    level: Level | None = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> JsonText:
    """Published courses, newest first: search with `q`, filter, page with `cursor`; `viewer` names the listed courses the caller learns in or teaches."""
    return JsonText(
        await reads.catalog_page(
            db,
            cache,
            principal,
            query=(q or "").strip() or None,
            category=category,
            level=level,
            language=language,
            cursor=cursor,
            limit=min(limit or settings.page_size, settings.max_page_size),
        )
    )


@router.get("/api/v1/courses/categories", response_model=list[CategoryCount])
async def list_categories(db: DatabaseDep, cache: CacheDep) -> JsonText:
    """The categories of published courses, with how many courses each has."""
    return JsonText(await reads.categories(db, cache))


@router.get(
    "/api/v1/courses/by-slug/{slug}",
    response_model=CourseDetail,
    responses=problem_responses(404),
)
async def read_course_by_slug(
    slug: Annotated[str, Path(max_length=120)],
    db: DatabaseDep,
    cache: CacheDep,
    principal: OptionalPrincipal,
    as_learner: AsLearner = False,
) -> JsonText:
    """A course found by its address, with its outline (drafts only for their staff)."""
    course_id = await reads.course_id_by_slug(db, cache, slug)
    try:
        return JsonText(
            await reads.course_detail(db, cache, principal, course_id, as_learner=as_learner)
        )
    except CourseNotFound as hidden:
        raise CourseNotFound(f"There is no course at {slug!r}.") from hidden


# ---------------------------------------------------------------- courses


@router.post(
    "/api/v1/courses",
    status_code=status.HTTP_201_CREATED,
    response_model=CourseRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_course(body: CourseCreate, author: Author, session: SessionDep) -> CourseRead:
    """Create a draft course (platform instructors and administrators)."""
    return service.read_course(await service.create_course(session, author, body))


@router.post(
    "/api/v1/courses/import",
    status_code=status.HTTP_201_CREATED,
    response_model=CourseRead,
    responses=problem_responses(400, 401, 403, 413, 422),
)
async def import_course(
    file: Annotated[UploadFile, File(description="A zip archive made by the export.")],
    author: Author,
    session: SessionDep,
    store: ObjectStoreDep,
    settings: CoursesSettingsDep,
) -> CourseRead:
    """Make a new draft course from an exported archive (platform instructors and admins)."""
    data = await _read_upload(file, settings.max_upload_bytes)
    limits = archive.ArchiveLimits(
        max_file_bytes=settings.max_upload_bytes,
        max_total_bytes=settings.archive_max_total_bytes,
        max_ratio=settings.archive_max_ratio,
    )
    course = await archive.import_course(session, store, author, data, limits=limits)
    return service.read_course(course)


@router.get(
    "/api/v1/courses/{course_id}",
    response_model=CourseDetail,
    responses=problem_responses(404),
)
async def read_course(
    db: DatabaseDep,
    cache: CacheDep,
    principal: OptionalPrincipal,
    course_id: Annotated[str, Path(max_length=36)],
    as_learner: AsLearner = False,
) -> JsonText:
    """A course with its outline, counts, and the caller's membership (drafts: staff only)."""
    return JsonText(
        await reads.course_detail(db, cache, principal, course_id, as_learner=as_learner)
    )


@router.patch(
    "/api/v1/courses/{course_id}",
    response_model=CourseRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_course(
    body: CourseUpdate, access: EditableCourse, session: SessionDep
) -> CourseRead:
    """Change a course's fields, visibility or completion rule (its instructors and admins)."""
    course = await service.update_course(session, access, body)
    return service.read_course(course)


@router.delete(
    "/api/v1/courses/{course_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_course(
    access: EditableCourse, session: SessionDep, store: ObjectStoreDep
) -> Response:
    """Delete a draft or archived course with all it holds."""
    await service.delete_course(session, store, access.course)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/api/v1/courses/{course_id}/export",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The course archive."},
        **problem_responses(401, 403, 404),
    },
)
async def export_course(
    access: EditableCourse, session: SessionDep, store: ObjectStoreDep
) -> Response:
    """The course as a zip archive to import elsewhere (its instructors and admins)."""
    spool = await archive.export_course(session, store, access.course)
    return StreamingResponse(
        archive.file_chunks(spool),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{access.course.slug}.zip"',
        },
    )


@router.post(
    "/api/v1/courses/{course_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=CourseRead,
    responses=problem_responses(401, 403, 404),
)
async def duplicate_course(
    access: EditableCourse, author: Author, session: SessionDep, store: ObjectStoreDep
) -> CourseRead:
    """Copy the course into a new draft owned by the caller, without its learners' data
    (its instructors who may create courses, and admins)."""
    course = await archive.duplicate_course(session, store, author, access.course)
    return service.read_course(course)


# ---------------------------------------------------------------- structure


@router.put(
    "/api/v1/courses/{course_id}/outline",
    response_model=Outline,
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def reorder_outline(
    body: OutlineUpdate, access: EditableCourse, session: SessionDep
) -> Outline:
    """Reorder sections, and move or reorder items within and across them, in one call."""
    return await service.reorder_outline(session, access.course, body)


@router.post(
    "/api/v1/courses/{course_id}/sections",
    status_code=status.HTTP_201_CREATED,
    response_model=SectionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def add_section(
    body: SectionCreate, access: EditableCourse, session: SessionDep
) -> SectionRead:
    """Add a section at the end of the course."""
    return SectionRead.model_validate(await service.add_section(session, access.course, body))


@router.patch(
    "/api/v1/courses/{course_id}/sections/{section_id}",
    response_model=SectionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def rename_section(
    section_id: ItemId, body: SectionUpdate, access: EditableCourse, session: SessionDep
) -> SectionRead:
    """Rename a section."""
    section = await service.rename_section(session, access.course, section_id, body.title)
    return SectionRead.model_validate(section)


@router.delete(
    "/api/v1/courses/{course_id}/sections/{section_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_section(
    section_id: ItemId, access: EditableCourse, session: SessionDep, store: ObjectStoreDep
) -> Response:
    """Delete a section and the items in it."""
    await service.delete_section(session, store, access.course, section_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/v1/courses/{course_id}/sections/{section_id}/items",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def add_item(
    section_id: ItemId, body: ItemCreate, access: EditableCourse, session: SessionDep
) -> ItemRead:
    """Add a lesson, quiz or assignment at the end of a section."""
    item = await service.add_item(session, access.course, section_id, body)
    return ItemRead.model_validate(item)


@router.post(
    "/api/v1/courses/{course_id}/items/{item_id}/move",
    response_model=Outline,
    responses=problem_responses(401, 403, 404, 422),
)
async def move_item(
    item_id: ItemId, body: ItemMove, access: EditableCourse, session: SessionDep
) -> Outline:
    """Move one item a place up or down the outline, across sections at their edges."""
    return await service.move_item(session, access.course, item_id, body.direction)


@router.patch(
    "/api/v1/courses/{course_id}/items/{item_id}",
    response_model=ItemRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_item(
    item_id: ItemId, body: ItemUpdate, access: EditableCourse, session: SessionDep
) -> ItemRead:
    """Change an item's title, whether it is required, its grade category or points."""
    item = await service.update_item(session, access.course, item_id, body)
    return ItemRead.model_validate(item)


@router.delete(
    "/api/v1/courses/{course_id}/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_item(
    item_id: ItemId, access: EditableCourse, session: SessionDep, store: ObjectStoreDep
) -> Response:
    """Delete an item with its content, files and learners' results."""
    await service.delete_item(session, store, access.course, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- lessons


@router.post(
    "/api/v1/courses/{course_id}/items/{item_id}/view",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
async def view_item(
    access: MemberCourse,
    session: SessionDep,
    cache: CacheDep,
    item_id: ItemId,
) -> Response:
    """Report that the caller opened an item: it completes a complete-on-view lesson."""
    if not access.is_member:
        raise NotEnrolled("Enroll in this course to open its lessons.")
    await lessons.view_item(session, cache, access, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/api/v1/courses/{course_id}/lessons/{item_id}",
    response_model=LessonRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def write_lesson(
    item_id: ItemId, body: LessonUpdate, access: EditableCourse, session: SessionDep
) -> LessonRead:
    """Set a lesson's Markdown content, video, transcript and complete-on-view flag."""
    return await lessons.write_lesson(session, access.course, item_id, body)


@router.get(
    "/api/v1/courses/{course_id}/lessons/{item_id}",
    response_model=LessonRead,
    responses=problem_responses(401, 403, 404),
)
async def read_lesson(
    item_id: ItemId,
    db: DatabaseDep,
    cache: CacheDep,
    principal: CurrentPrincipal,
    course_id: Annotated[str, Path(max_length=36)],
) -> JsonText:
    """A lesson for the course's staff and enrolled learners, with its previous and next item."""
    return JsonText(await reads.lesson(db, cache, principal, course_id, item_id))


@router.post(
    "/api/v1/courses/{course_id}/lessons/{item_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentRead,
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def upload_attachment(
    item_id: ItemId,
    file: Annotated[UploadFile, File()],
    access: StaffCourse,
    session: SessionDep,
    store: ObjectStoreDep,
    settings: CoursesSettingsDep,
) -> AttachmentRead:
    """Attach a file to a lesson (the course's staff)."""
    data = await _read_upload(file, settings.max_upload_bytes)
    attachment = await lessons.add_attachment(
        session,
        store,
        access,
        item_id,
        filename=file.filename,
        content_type=file.content_type,
        data=data,
        max_bytes=settings.max_upload_bytes,
    )
    return AttachmentRead.model_validate(attachment)


@router.get(
    "/api/v1/courses/{course_id}/lessons/{item_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file."},
        **problem_responses(401, 403, 404),
    },
)
async def download_attachment(
    item_id: ItemId,
    attachment_id: ItemId,
    access: MemberCourse,
    session: SessionDep,
    store: ObjectStoreDep,
) -> Response:
    """Download a lesson's file (staff and enrolled learners)."""
    _may_study(access)
    attachment, stored = await lessons.download_attachment(
        session, store, access.course.id, item_id, attachment_id
    )
    fallback = attachment.filename.encode("ascii", "replace").decode().replace('"', "_")
    return Response(
        stored.data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''"
                f"{quote(attachment.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/api/v1/courses/{course_id}/lessons/{item_id}/attachments/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
async def delete_attachment(
    item_id: ItemId,
    attachment_id: ItemId,
    access: StaffCourse,
    session: SessionDep,
    store: ObjectStoreDep,
) -> Response:
    """Remove a file from a lesson (the course's staff)."""
    await lessons.delete_attachment(session, store, access.course.id, item_id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
