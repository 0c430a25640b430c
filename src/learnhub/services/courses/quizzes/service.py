"""The rules of quizzes: settings, the questions a quiz asks (one at a time, in order),
when an attempt may start, when its results show, and what the caller may do (the viewer
block). The bank is in ``bank.py``, attempts in ``attempts.py``. Nothing here commits:
the request boundary does."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.errors import AppError, Unauthorized
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.errors import NotEnrolled
from learnhub.services.courses.models import Item
from learnhub.services.courses.quizzes import bank, repository
from learnhub.services.courses.quizzes.errors import (
    NoAttemptsLeft,
    QuestionAlreadyInQuiz,
    QuestionNotInQuiz,
    QuizClosed,
    QuizEmpty,
    QuizNotFound,
    UnknownQuestions,
)
from learnhub.services.courses.quizzes.models import Quiz, QuizAttempt
from learnhub.services.courses.quizzes.outcomes import counting_outcome, rerecord_outcomes
from learnhub.services.courses.quizzes.schemas import (
    CountingOutcome,
    QuizQuestionAdd,
    QuizQuestionMove,
    QuizQuestionsUpdate,
    QuizRead,
    QuizUpdate,
    QuizViewer,
)

GRACE = timedelta(seconds=30)
"""How long after its deadline an attempt still takes answers (network and clock skew)."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "time_limit_seconds": None,
    "attempts_allowed": None,
    "pass_mark": 60.0,
    "shuffle_questions": False,
    "shuffle_options": False,
    "feedback": "after_submit",
    "show_correct_answers": True,
    "grading_method": "best",
    "due_at": None,
}


async def quiz_item(session: AsyncSession, access: CourseAccess, quiz_id: str) -> Item:
    """The course's quiz, as the caller may see it (a draft: staff only)."""
    item = await courses_repository.get_item(session, access.course.id, quiz_id)
    if item is None or item.kind != "quiz" or not access.sees(item):
        raise QuizNotFound(f"There is no quiz {quiz_id} in this course.")
    return item


def quiz_settings(quiz: Quiz | None) -> dict[str, Any]:
    if quiz is None:
        return dict(DEFAULT_SETTINGS)
    return {field: getattr(quiz, field) for field in DEFAULT_SETTINGS}


async def ensure_quiz(session: AsyncSession, item: Item) -> Quiz:
    """The quiz's settings row, created with the defaults if missing, and locked until the
    commit: concurrent changes of the quiz (two questions added at once) apply one after
    the other, each seeing what the one before committed."""
    return await repository.lock_quiz(
        session,
        {"item_id": item.id, "course_id": item.course_id, **DEFAULT_SETTINGS},
        now=utcnow(),
    )


ITEM_FIELDS = {"points": "max_points", "grade_category": "grade_category"}
"""Quiz settings kept on the item, where the gradebook reads them for every graded item."""


def apply_settings(quiz: Quiz, item: Item, body: QuizUpdate) -> None:
    """Set the fields sent."""
    now = utcnow()
    for field, value in body.model_dump(exclude_unset=True).items():
        if field in ITEM_FIELDS:
            setattr(item, ITEM_FIELDS[field], value)
            item.updated_at = now
            continue
        if field == "due_at" and value is not None:
            value = value.astimezone(UTC)
        setattr(quiz, field, value)
    quiz.updated_at = now


# ------------------------------------------------------------------ the rules of attempts


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    """An open attempt past its deadline and the grace period: it takes no more answers and
    counts as handed in at its deadline, with the answers saved in time."""
    return overdue_deadline(attempt, now) is not None


def overdue_deadline(attempt: QuizAttempt, now: datetime) -> datetime | None:
    """The deadline an overdue attempt (see :func:`is_overdue`) counts as handed in at;
    None when the attempt is not overdue."""
    deadline = attempt.deadline
    if attempt.status == "in_progress" and deadline is not None and now > deadline + GRACE:
        return deadline
    return None


def feedback_visible(access: CourseAccess, settings: dict[str, Any], now: datetime) -> bool:
    """Whether the caller sees per-question results, feedback and answer keys now."""
    if access.is_staff:
        return True
    if settings["feedback"] == "after_submit":
        return True
    due_at = settings["due_at"]
    return settings["feedback"] == "after_due" and due_at is not None and now >= due_at


def correct_answers_visible(access: CourseAccess, settings: dict[str, Any]) -> bool:
    """Whether the results the caller sees (see :func:`feedback_visible`) carry the right
    answers: always for staff, for learners when the quiz says so."""
    return access.is_staff or bool(settings["show_correct_answers"])


def start_refusal(
    access: CourseAccess,
    settings: dict[str, Any],
    *,
    attempts_used: int,
    question_count: int,
    now: datetime,
) -> AppError | None:
    """Why the caller may not begin a new attempt now, as the error a start gets; None when
    they may. The one rule behind both starting an attempt and the viewer block."""
    if access.principal is None:
        return Unauthorized("Log in to take the quiz.")
    if not access.is_learner:
        return NotEnrolled("Enroll in this course first.")
    if settings["due_at"] is not None and now >= settings["due_at"]:
        return QuizClosed("The quiz's due date has passed.")
    allowed = settings["attempts_allowed"]
    if allowed is not None and attempts_used >= allowed:
        return NoAttemptsLeft(f"This quiz allows {allowed} attempt(s).", attempts_allowed=allowed)
    if not question_count:
        return QuizEmpty("The quiz has no questions yet.")
    return None


async def _viewer(
    session: AsyncSession,
    access: CourseAccess,
    item: Item,
    settings: dict[str, Any],
    question_count: int,
) -> QuizViewer:
    now = utcnow()
    last = (
        await repository.last_attempt(session, item.id, access.user_id)
        if access.is_learner and access.user_id
        else None
    )
    attempts_used = last.number if last else 0
    open_attempt = last if last is not None and last.status == "in_progress" else None
    if open_attempt is not None and is_overdue(open_attempt, now):
        open_attempt = None
    refusal = start_refusal(
        access, settings, attempts_used=attempts_used, question_count=question_count, now=now
    )
    allowed = settings["attempts_allowed"]
    counting = None
    if access.is_learner and access.user_id:
        graded = await repository.graded_attempts(session, item.id, access.user_id)
        counted = counting_outcome(graded, settings["grading_method"])
        if counted is not None:
            counting = CountingOutcome(**asdict(counted), graded_attempts=len(graded))
    sees_answers = feedback_visible(access, settings, now)
    return QuizViewer(
        can_edit=access.can_edit,
        can_grade=access.is_staff,
        can_start=open_attempt is None and refusal is None,
        can_resume=open_attempt is not None,
        open_attempt_id=open_attempt.id if open_attempt else None,
        attempts_used=attempts_used,
        attempts_left=None if allowed is None else max(allowed - attempts_used, 0),
        reason_if_not=refusal.slug if open_attempt is None and refusal else None,  # type: ignore[arg-type]
        can_see_answers=sees_answers,
        can_see_correct_answers=sees_answers and correct_answers_visible(access, settings),
        counting=counting,
    )


# ------------------------------------------------------------------ quizzes


async def _quiz_read(session: AsyncSession, access: CourseAccess, item: Item) -> QuizRead:
    """The quiz as the caller sees it. Only reads: an overdue attempt is left for the next
    write that touches it, or the periodic task, to close."""
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    question_ids = await repository.list_quiz_question_ids(session, item.id)
    max_score = await repository.quiz_max_score(session, item.id)
    return QuizRead(
        quiz_id=item.id,
        course_id=item.course_id,
        title=item.title,
        question_count=len(question_ids),
        max_score=max_score,
        points=item.max_points,
        gradebook_points=item.max_points if item.max_points is not None else max_score,
        grade_category=item.grade_category,
        question_ids=question_ids if access.is_staff else None,
        viewer=await _viewer(session, access, item, settings, len(question_ids)),
        **settings,
    )


async def get_quiz(session: AsyncSession, access: CourseAccess, quiz_id: str) -> QuizRead:
    item = await quiz_item(session, access, quiz_id)
    return await _quiz_read(session, access, item)


async def update_quiz(
    session: AsyncSession, cache: Cache, access: CourseAccess, quiz_id: str, body: QuizUpdate
) -> QuizRead:
    """Change the settings; a new grading method recounts every learner's outcome, in the
    same transaction, so progress and the gradebook never disagree with the quiz."""
    item = await quiz_item(session, access, quiz_id)
    quiz = await ensure_quiz(session, item)
    method = quiz.grading_method
    apply_settings(quiz, item, body)
    await session.flush()
    if quiz.grading_method != method:
        await rerecord_outcomes(
            session, cache, course=access.course, item=item, method=quiz.grading_method
        )
    return await _quiz_read(session, access, item)


async def set_quiz_questions(
    session: AsyncSession, access: CourseAccess, quiz_id: str, body: QuizQuestionsUpdate
) -> QuizRead:
    """Choose all of the quiz's questions from the bank, in order. Attempts already started
    keep the questions they froze."""
    item = await quiz_item(session, access, quiz_id)
    found = await repository.get_questions(session, access.course.id, body.question_ids)
    missing = [question_id for question_id in body.question_ids if question_id not in found]
    if missing:
        raise UnknownQuestions(
            "Add the questions to this course's bank first.", question_ids=missing
        )
    await ensure_quiz(session, item)
    await repository.replace_quiz_questions(session, item.id, body.question_ids)
    return await _quiz_read(session, access, item)


def _index(position: int | None, length: int) -> int:
    """A 1-based position sent by a client as an index into a list of ``length``; past
    the end means the end."""
    return length if position is None else min(position - 1, length)


async def add_quiz_question(
    session: AsyncSession, access: CourseAccess, quiz_id: str, body: QuizQuestionAdd
) -> QuizRead:
    """Add one question, from the bank or written now into it, at a position (default: the
    end). Two questions added at once both land, one after the other."""
    item = await quiz_item(session, access, quiz_id)
    if body.question_id is not None:
        question = await bank.find_question(session, access.course.id, body.question_id)
    elif body.question is not None:
        question = bank.new_question(access.course.id, body.question)
        session.add(question)
        await session.flush()
    else:
        raise ValueError("QuizQuestionAdd lets through only a question or a question_id")
    await ensure_quiz(session, item)
    ids = await repository.list_quiz_question_ids(session, item.id)
    if question.id in ids:
        raise QuestionAlreadyInQuiz("The quiz already asks this question.")
    ids.insert(_index(body.position, len(ids)), question.id)
    await repository.add_quiz_question(session, item.id, question.id, order=ids)
    return await _quiz_read(session, access, item)


async def move_quiz_question(
    session: AsyncSession,
    access: CourseAccess,
    quiz_id: str,
    question_id: str,
    body: QuizQuestionMove,
) -> QuizRead:
    """Move one question to a position; the others keep their order."""
    item = await quiz_item(session, access, quiz_id)
    await ensure_quiz(session, item)
    ids = await repository.list_quiz_question_ids(session, item.id)
    if question_id not in ids:
        raise QuestionNotInQuiz(f"The quiz does not ask question {question_id}.")
    ids.remove(question_id)
    ids.insert(_index(body.position, len(ids)), question_id)
    await repository.reorder_quiz_questions(session, item.id, ids)
    return await _quiz_read(session, access, item)


async def remove_quiz_question(
    session: AsyncSession, access: CourseAccess, quiz_id: str, question_id: str
) -> QuizRead:
    """Take one question out of the quiz; it stays in the bank."""
    item = await quiz_item(session, access, quiz_id)
    await ensure_quiz(session, item)
    ids = await repository.list_quiz_question_ids(session, item.id)
    if question_id not in ids:
        raise QuestionNotInQuiz(f"The quiz does not ask question {question_id}.")
    ids.remove(question_id)
    await repository.remove_quiz_question(session, item.id, question_id, order=ids)
    return await _quiz_read(session, access, item)
