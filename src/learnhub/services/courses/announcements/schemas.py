"""Request and response bodies of the announcements API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value.strip() if value is not None else None


class AnnouncementWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000, description="Markdown.")

    _text = field_validator("title", "body")(classmethod(lambda _cls, v: _not_blank(v)))


class AnnouncementUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000, description="Markdown.")

    _text = field_validator("title", "body")(classmethod(lambda _cls, v: _not_blank(v)))


class AnnouncementViewer(BaseModel):
    can_edit: bool = Field(description="Change or delete this announcement.")


class AnnouncementRead(BaseModel):
    id: str
    course_id: str
    title: str
    body: str = Field(description="Markdown source.")
    body_html: str = Field(description="The body rendered and sanitised.")
    created_by: str
    author_name: str | None
    created_at: datetime
    updated_at: datetime
    viewer: AnnouncementViewer


class AnnouncementsViewer(BaseModel):
    can_post: bool = Field(description="Post an announcement to this course.")


class AnnouncementPage(BaseModel):
    items: list[AnnouncementRead]
    next_cursor: str | None = Field(description="Cursor of the next page; null on the last.")
    viewer: AnnouncementsViewer


class MyAnnouncement(BaseModel):
    """A recent announcement of one of the caller's courses, for the dashboard."""

    id: str
    course_id: str
    course_slug: str
    course_title: str
    title: str
    body_html: str
    author_name: str | None
    created_at: datetime
