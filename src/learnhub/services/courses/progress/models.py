"""Tables of the progress sub-domain: the state of every item for every learner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class ItemProgress(Base):
    """One learner's outcome on one item: done or not, and the score when it is graded.

    Quizzes and assignments record their results here (through
    ``progress.service.record_item_outcome``), so progress, completion and the gradebook
    all read one table.
    """

    __tablename__ = "item_progress"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id", name="uq_item_progress_item_user"),
        Index("ix_item_progress_course_user", "course_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(
        String(20)
    )  # not_started | in_progress | submitted | completed
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None]
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Certificate(Base):
    """Proof that a learner completed a course, verifiable by anyone who has its code.

    The learner's name and the course title are copied at issue time: a certificate says
    what was true when it was earned, whatever is renamed later.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id", name="uq_certificates_course_user"),
        Index("ix_certificates_user", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    learner_name: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
