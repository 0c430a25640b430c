"""Tables of the gradebook sub-domain: category weights and grade overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class GradebookSettings(Base):
    """How a course's total is weighted: percent per grade category (empty: by points)."""

    __tablename__ = "gradebook_settings"

    course_id: Mapped[str] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    category_weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime]


class GradeOverride(Base):
    """One change of a learner's grade on an item by staff: a score set, or the override
    removed. Rows are never changed; the newest row of an item and learner is in effect."""

    __tablename__ = "grade_overrides"
    __table_args__ = (
        Index("ix_grade_overrides_course_item_user", "course_id", "item_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(10))  # set | removed
    score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
