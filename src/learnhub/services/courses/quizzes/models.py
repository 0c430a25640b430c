"""Tables of the quizzes sub-domain: the course's question bank, each quiz's settings and
chosen questions, and the learners' attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class Question(Base):
    """A question of a course's bank. ``content`` holds the type's own fields (options,
    accepted answers, pairs ...), answers included: it never leaves for a learner."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_course", "course_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    feedback: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Quiz(Base):
    """The settings of a quiz item; an item without a row has the defaults."""

    __tablename__ = "quizzes"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[float] = mapped_column(Float)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback: Mapped[str] = mapped_column(String(20))  # after_submit | after_due | never
    show_correct_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    grading_method: Mapped[str] = mapped_column(
        String(10), default="best"
    )  # best|last|first|average
    due_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class QuizQuestion(Base):
    """A bank question chosen for a quiz, at its position."""

    __tablename__ = "quiz_questions"
    __table_args__ = (Index("ix_quiz_questions_question", "question_id"),)

    quiz_id: Mapped[str] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)


class QuizAttempt(Base):
    """One learner's attempt at a quiz. The questions are frozen when it starts (content,
    order and option order), so later edits of the bank never change it; the server's
    clock sets its start and deadline."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number", name="uq_quiz_attempts_number"),
        Index("ix_quiz_attempts_course", "course_id", "quiz_id", "started_at", "id"),
        Index("ix_quiz_attempts_status", "status", "deadline"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(36))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # in_progress | needs_grading | graded
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None]
    pass_mark: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime]
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    graded_by: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime]
