"""Tables of the assignments sub-domain: the submissions. An assignment's settings are in
the shared ``models`` (the course outline reads their due dates)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class Submission(Base):
    """One version of a learner's work on an assignment, with its grade once graded.
    Resubmitting adds a version; earlier ones stay as history."""

    __tablename__ = "assignment_submissions"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id", "version", name="uq_submissions_item_user_version"),
        Index("ix_submissions_course_item", "course_id", "item_id", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    file_key: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_content_type: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime]
    late_seconds: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    rubric_points: Mapped[list[dict] | None] = mapped_column(JSON)
    penalty_percent: Mapped[float | None] = mapped_column(Float)
    final_score: Mapped[float | None] = mapped_column(Float)
    feedback: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[str | None] = mapped_column(String(36))
    graded_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    """Set when a grader asked for a new version: the learner may hand one in, whatever
    the resubmission rule and the due date."""
