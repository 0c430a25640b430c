"""Request and response bodies of the authoring and catalog API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from learnhub.kit.http.pagination import Page
from learnhub.kit.validation import one_line

ItemKind = Literal["lesson", "quiz", "assignment"]
Level = Literal["beginner", "intermediate", "advanced"]
Visibility = Literal["draft", "published", "archived"]
EnrollmentPolicy = Literal["open", "approval", "invite"]

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()) or None


def _slug(value: str | None) -> str | None:
    if value is not None and not SLUG_PATTERN.match(value):
        raise ValueError("must be lower-case letters and digits separated by single hyphens")
    return value


def _tags(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    tags: list[str] = []
    for tag in value:
        tag = " ".join(tag.split()).lower()
        if not tag:
            raise ValueError("tags must not be blank")
        if len(tag) > 50:
            raise ValueError("each tag must be at most 50 characters")
        if tag not in tags:
            tags.append(tag)
    return tags


def _language(value: str | None) -> str | None:
    if value is not None and not _LANGUAGE.match(value):
        raise ValueError("must be a language code like en or pt-BR")
    return value


def _url_text(value: AnyHttpUrl | None) -> AnyHttpUrl | None:
    if value is not None and len(str(value)) > 500:
        raise ValueError("must be at most 500 characters")
    return value


class CompletionRule(BaseModel):
    """When a learner has completed the course."""

    model_config = ConfigDict(extra="forbid")

    required_items: bool = Field(True, description="Every required item must be completed.")
    passing_quiz_ids: list[str] = Field(
        default_factory=list, max_length=200, description="Quizzes that must also be passed."
    )


class _CourseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=100_000, description="Markdown.")
    category: str | None = Field(None, max_length=100)
    tags: list[str] | None = Field(None, max_length=20)
    language: str | None = Field(None, description="A language code such as en or pt-BR.")
    level: Level | None = None
    estimated_hours: float | None = Field(None, ge=0, le=10_000)
    enrollment_policy: EnrollmentPolicy | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cover_image_url: AnyHttpUrl | None = None

    _category = field_validator("category")(classmethod(lambda _cls, v: _optional_text(v)))
    _tag_list = field_validator("tags")(classmethod(lambda _cls, v: _tags(v)))
    _language_code = field_validator("language")(classmethod(lambda _cls, v: _language(v)))
    _cover = field_validator("cover_image_url")(classmethod(lambda _cls, v: _url_text(v)))

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a time zone (e.g. 2025-09-01T09:00:00Z)")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> _CourseFields:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CourseCreate(_CourseFields):
    title: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=120, description="Made from the title when left out.")

    _title = field_validator("title")(classmethod(lambda _cls, v: one_line(v)))
    _slug_format = field_validator("slug")(classmethod(lambda _cls, v: _slug(v)))


class CourseUpdate(_CourseFields):
    """Only the fields sent are changed; send null to clear an optional field."""

    title: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=120)
    visibility: Visibility | None = None
    completion_rule: CompletionRule | None = None

    _title = field_validator("title")(classmethod(lambda _cls, v: one_line(v)))
    _slug_format = field_validator("slug")(classmethod(lambda _cls, v: _slug(v)))


class ItemCounts(BaseModel):
    lesson: int = 0
    quiz: int = 0
    assignment: int = 0


class CourseSummary(BaseModel):
    """A course as the catalog lists it."""

    id: str
    slug: str
    title: str
    summary: str
    category: str | None
    tags: list[str]
    language: str
    level: str
    estimated_hours: float | None
    cover_image_url: str | None
    enrollment_policy: str
    starts_at: datetime | None
    ends_at: datetime | None
    item_counts: ItemCounts


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    slug: str
    title: str
    summary: str
    description: str
    description_html: str
    category: str | None
    tags: list[str]
    language: str
    level: str
    estimated_hours: float | None
    cover_image_url: str | None
    visibility: Visibility
    enrollment_policy: EnrollmentPolicy
    starts_at: datetime | None
    ends_at: datetime | None
    owner_id: str
    completion_rule: CompletionRule
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class OutlineItem(BaseModel):
    id: str
    kind: ItemKind
    title: str
    position: int
    required: bool
    grade_category: str | None
    max_points: float | None
    published: bool = Field(description="Drafts are in the outline for the course's staff only.")


class OutlineSection(BaseModel):
    id: str
    title: str
    position: int
    items: list[OutlineItem]


EnrollRefusal = Literal["unauthorized", "already-enrolled", "course-state", "invite-only"]


class Viewer(BaseModel):
    """The caller in the course: their membership, and what they may do, by the same rules
    the actions apply. Anonymous callers get one too, with no membership."""

    role: str | None = Field(description="Their course role; null: not a member.")
    status: str | None = Field(description="`active`, `pending` or `removed`; null: never joined.")
    enrollment_id: str | None = Field(description="Their membership, to leave the course with.")
    can_edit: bool = Field(description="Change the course, its content and its staff.")
    is_staff: bool = Field(description="See every learner's work, grade, enroll people.")
    is_learner: bool = Field(description="An active learner: their progress and grades count.")
    can_grade: bool = Field(description="Grade work and see the gradebook.")
    can_study: bool = Field(
        description="Open the lessons, quizzes and assignments, and read the announcements."
    )
    can_announce: bool = Field(description="Post announcements to the course's members.")
    can_enroll: bool = Field(description="Joining now would be accepted.")
    enroll_needs_approval: bool = Field(
        description="Joining makes a request that staff approve (the approval policy)."
    )
    enroll_refusal: EnrollRefusal | None = Field(
        description="Without `can_enroll`: the problem type joining would get."
    )
    can_unenroll: bool = Field(description="They may leave the course (or withdraw a request).")


class Instructor(BaseModel):
    """One of a course's instructors, as the course page names them."""

    id: str
    display_name: str


class CourseDetail(CourseRead):
    sections: list[OutlineSection]
    item_counts: ItemCounts
    learner_count: int
    instructors: list[Instructor] = Field(
        description="The course's active instructors, longest-serving first."
    )
    viewer: Viewer


class CatalogViewer(BaseModel):
    """The caller's memberships among the listed courses (empty lists when anonymous)."""

    enrolled_course_ids: list[str] = Field(
        description="Listed courses the caller is an active learner of, completed or not."
    )
    completed_course_ids: list[str] = Field(description="Those of them the caller completed.")
    teaching_course_ids: list[str] = Field(
        description="Listed courses the caller teaches (instructor or teaching assistant)."
    )


class CatalogPage(Page[CourseSummary]):
    """A catalog page, the same for everyone, and the caller's part in its courses."""

    viewer: CatalogViewer


class ItemMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Literal["up", "down"] = Field(
        description="One place up or down the outline; at a section's edge the item moves "
        "into the neighbouring section."
    )


class CategoryCount(BaseModel):
    category: str
    course_count: int


class SectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)

    _title = field_validator("title")(classmethod(lambda _cls, v: one_line(v)))


class SectionUpdate(SectionCreate):
    pass


class SectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    position: int


class _ItemFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grade_category: str | None = Field(None, max_length=100)
    max_points: float | None = Field(None, ge=0, le=100_000)

    _category = field_validator("grade_category")(classmethod(lambda _cls, v: _optional_text(v)))


class ItemCreate(_ItemFields):
    kind: ItemKind
    title: str = Field(min_length=1, max_length=200)
    required: bool = True
    published: bool = Field(
        False, description="Items start as drafts: hidden from learners until published."
    )

    _title = field_validator("title")(classmethod(lambda _cls, v: one_line(v)))


class ItemUpdate(_ItemFields):
    """Only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=200)
    required: bool | None = None
    published: bool | None = Field(None, description="Publish (true) or back to draft (false).")

    _title = field_validator("title")(classmethod(lambda _cls, v: one_line(v)))


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    section_id: str
    kind: ItemKind
    title: str
    position: int
    required: bool
    grade_category: str | None
    max_points: float | None
    published: bool


class OutlineSectionOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=36)
    item_ids: list[str] = Field(max_length=1000)


class OutlineUpdate(BaseModel):
    """The complete new order: every section of the course, each with every item it should
    hold, in order."""

    model_config = ConfigDict(extra="forbid")

    sections: list[OutlineSectionOrder] = Field(max_length=500)


class Outline(BaseModel):
    sections: list[OutlineSection]


class LessonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_markdown: str = Field(max_length=500_000)
    video_url: AnyHttpUrl | None = Field(
        None, description="YouTube, Vimeo, or an http(s) link to a video file."
    )
    transcript: str = Field("", max_length=500_000)
    complete_on_view: bool = False

    _video = field_validator("video_url")(classmethod(lambda _cls, v: _url_text(v)))


class VideoRead(BaseModel):
    url: str
    provider: Literal["youtube", "vimeo", "direct"]
    embed_url: str | None


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    item_id: str
    filename: str
    content_type: str
    size: int
    created_at: datetime


class LessonRead(BaseModel):
    item_id: str
    course_id: str
    section_id: str
    title: str
    required: bool
    content_markdown: str
    content_html: str
    video: VideoRead | None
    transcript: str
    complete_on_view: bool
    attachments: list[AttachmentRead]
    previous_item_id: str | None
    next_item_id: str | None
    updated_at: datetime
