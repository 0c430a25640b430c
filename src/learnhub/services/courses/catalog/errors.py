"""Errors of the authoring and catalog API."""

from __future__ import annotations

from typing import Any

from learnhub.kit.errors import (
    BadRequest,
    Conflict,
    ContentTooLarge,
    NotFound,
    UnprocessableContent,
)


class SlugTaken(Conflict):
    title = "This address is taken"
    slug = "slug-taken"


class SectionNotFound(NotFound):
    title = "Section not found"
    slug = "section-not-found"


class LessonNotFound(NotFound):
    title = "Lesson not found"
    slug = "lesson-not-found"


class AttachmentNotFound(NotFound):
    title = "Attachment not found"
    slug = "attachment-not-found"


class InvalidOutline(BadRequest):
    title = "The outline does not match the course"
    slug = "invalid-outline"


class InvalidArchive(BadRequest):
    title = "This is not a course archive"
    slug = "invalid-archive"


class EncryptedArchive(UnprocessableContent):
    title = "The archive is encrypted"
    slug = "encrypted-archive"


class ArchiveTooLarge(ContentTooLarge):
    title = "The archive unpacks to too much"
    slug = "archive-too-large"


class ArchiveTooCompressed(UnprocessableContent):
    """More compressed than real course content ever is: the mark of a zip bomb."""

    title = "The archive is compressed too much"
    slug = "archive-too-compressed"


class InvalidFields(UnprocessableContent):
    """Fields that are valid alone but not with what the course already holds; rendered like
    the request validation errors so clients show them beside the fields."""

    title = "Your request has invalid fields"
    slug = "validation-error"

    def __init__(self, field: str, detail: str, **extra: Any) -> None:
        super().__init__(
            "Correct the fields listed in `errors` and send the request again.",
            errors=[{"field": field, "pointer": "#/" + field.replace(".", "/"), "detail": detail}],
            **extra,
        )
