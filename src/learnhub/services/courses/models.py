"""The core tables of the courses service: courses, their structure, memberships, the
people known from the users service, and the assignments' settings. Sub-domains keep their own tables in their
``models.py`` on the same ``Base``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from learnhub.kit.db import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class Person(Base):
    """A user as the courses service knows them: projected from the auth and users
    services' events, so names and e-mails resolve without calling back. A profile update
    that arrives before the registration makes a row without an e-mail, which the
    registration completes."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        Index("ix_courses_catalog", "visibility", "created_at", "id"),
        Index("ix_courses_category", "category"),
        Index("ix_courses_owner", "owner_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    cover_image_url: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The tags as plain lower-case text, one per line, so the catalog search can match them
    # the same way on every database.
    tags_text: Mapped[str] = mapped_column(String(2000), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    level: Mapped[str] = mapped_column(String(20), default="beginner")
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    visibility: Mapped[str] = mapped_column(String(20), default="draft")
    enrollment_policy: Mapped[str] = mapped_column(String(20), default="open")
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    owner_id: Mapped[str] = mapped_column(String(36))
    completion_rule: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (Index("ix_sections_course", "course_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class Item(Base):
    """A lesson, quiz or assignment in a section. Its content lives in the sub-domain's
    table under the same id."""

    __tablename__ = "items"
    __table_args__ = (
        Index("ix_items_section", "section_id", "position"),
        Index("ix_items_course", "course_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    grade_category: Mapped[str | None] = mapped_column(String(100))
    max_points: Mapped[float | None] = mapped_column(Float)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    """A draft (false) is hidden from learners and not counted in their progress."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CourseGroup(Base):
    """A group of a course's learners (a section of a large class): staff filter the
    gradebook and the grading queues by it. A learner is in at most one group."""

    __tablename__ = "course_groups"
    __table_args__ = (UniqueConstraint("course_id", "name", name="uq_course_groups_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Enrollment(Base):
    """A person's membership of a course: instructor, teaching assistant or learner."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id", name="uq_enrollments_course_user"),
        Index("ix_enrollments_user", "user_id", "status"),
        Index("ix_enrollments_group", "course_id", "group_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    enrolled_by: Mapped[str | None] = mapped_column(String(36))
    group_id: Mapped[str | None] = mapped_column(
        ForeignKey("course_groups.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Assignment(Base):
    """The settings of an assignment item (the item itself, with its points, is in
    ``items``). A missing row means the defaults. Kept with the shared tables because the
    course outline, below the assignments sub-domain, reads the due dates."""

    __tablename__ = "assignments"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None]
    instructions: Mapped[str] = mapped_column(String(20000), default="")
    late_policy: Mapped[str] = mapped_column(String(20), default="accept")  # accept|penalty|refuse
    penalty_percent_per_day: Mapped[float] = mapped_column(Float, default=0)
    penalty_cap_percent: Mapped[float] = mapped_column(Float, default=100)
    submission_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_file_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_file_bytes: Mapped[int | None] = mapped_column(Integer)
    resubmission: Mapped[str] = mapped_column(String(20), default="until_due")
    rubric: Mapped[list[dict]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime | None]
