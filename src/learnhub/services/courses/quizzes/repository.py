"""Every query of the quizzes sub-domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import insert_and_lock
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.courses.models import Enrollment, Item, Person
from learnhub.services.courses.quizzes.models import Question, Quiz, QuizAttempt, QuizQuestion

# ------------------------------------------------------------------ the question bank


async def get_question(session: AsyncSession, course_id: str, question_id: str) -> Question | None:
    question = await session.get(Question, question_id)
    return question if question is not None and question.course_id == course_id else None


async def list_questions(
    session: AsyncSession,
    course_id: str,
    *,
    type: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Question]:
    """A course's questions, oldest first."""
    statement = select(Question).where(Question.course_id == course_id)
    if type is not None:
        statement = statement.where(Question.type == type)
    statement = keyset_page(statement, Question.created_at, Question.id, after=after, limit=limit)
    return list((await session.scalars(statement)).all())


async def get_questions(
    session: AsyncSession, course_id: str, question_ids: list[str]
) -> dict[str, Question]:
    if not question_ids:
        return {}
    rows = await session.scalars(
        select(Question).where(Question.course_id == course_id, Question.id.in_(question_ids))
    )
    return {question.id: question for question in rows}


async def list_unasked_questions(session: AsyncSession, course_id: str) -> list[Question]:
    """A course's questions that no quiz asks, oldest first."""
    asked = select(QuizQuestion.question_id).where(QuizQuestion.question_id == Question.id)
    rows = await session.scalars(
        select(Question)
        .where(Question.course_id == course_id, ~asked.exists())
        .order_by(Question.created_at, Question.id)
    )
    return list(rows.all())


async def quizzes_using(session: AsyncSession, question_ids: list[str]) -> dict[str, list[str]]:
    """The quizzes that ask each question."""
    if not question_ids:
        return {}
    rows = await session.execute(
        select(QuizQuestion.question_id, QuizQuestion.quiz_id)
        .where(QuizQuestion.question_id.in_(question_ids))
        .order_by(QuizQuestion.quiz_id)
    )
    used: dict[str, list[str]] = {question_id: [] for question_id in question_ids}
    for question_id, quiz_id in rows:
        used[question_id].append(quiz_id)
    return used


async def delete_question(session: AsyncSession, question: Question) -> None:
    await session.delete(question)


# ------------------------------------------------------------------ quizzes


async def get_item(session: AsyncSession, item_id: str) -> Item | None:
    """A quiz item of any course (the archive knows only the item id)."""
    item = await session.get(Item, item_id)
    return item if item is not None and item.kind == "quiz" else None


async def get_quiz(session: AsyncSession, quiz_id: str) -> Quiz | None:
    return await session.get(Quiz, quiz_id)


async def list_quiz_question_ids(session: AsyncSession, quiz_id: str) -> list[str]:
    rows = await session.scalars(
        select(QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == quiz_id)
        .order_by(QuizQuestion.position)
    )
    return list(rows.all())


async def quiz_max_score(session: AsyncSession, quiz_id: str) -> float:
    total = await session.scalar(
        select(func.coalesce(func.sum(Question.points), 0.0))
        .join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id == quiz_id)
    )
    return float(total or 0.0)


async def lock_quiz(session: AsyncSession, defaults: dict[str, Any], *, now: datetime) -> Quiz:
    """The quiz's settings row, inserted with ``defaults`` if missing, locked until
    the transaction ends (see :func:`insert_and_lock`)."""
    return await insert_and_lock(session, Quiz, defaults, now=now)


async def add_quiz_question(
    session: AsyncSession, quiz_id: str, question_id: str, *, order: list[str]
) -> None:
    """Add a question to a quiz; ``order`` is the quiz's question ids with it, in order."""
    session.add(QuizQuestion(quiz_id=quiz_id, question_id=question_id, position=-1))
    await session.flush()
    await reorder_quiz_questions(session, quiz_id, order)


async def remove_quiz_question(
    session: AsyncSession, quiz_id: str, question_id: str, *, order: list[str]
) -> None:
    """Take a question out of a quiz; ``order`` is the questions left, in order."""
    await session.execute(
        delete(QuizQuestion).where(
            QuizQuestion.quiz_id == quiz_id, QuizQuestion.question_id == question_id
        )
    )
    await reorder_quiz_questions(session, quiz_id, order)


async def reorder_quiz_questions(session: AsyncSession, quiz_id: str, order: list[str]) -> None:
    """Number the quiz's questions 0, 1, 2 ... in ``order`` (every one of them)."""
    rows = await session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))
    positions = {question_id: position for position, question_id in enumerate(order)}
    for row in rows:
        if row.position != positions[row.question_id]:
            row.position = positions[row.question_id]
    await session.flush()


async def replace_quiz_questions(
    session: AsyncSession, quiz_id: str, question_ids: list[str]
) -> None:
    await session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))
    if question_ids:
        await session.execute(
            insert(QuizQuestion),
            [
                {"quiz_id": quiz_id, "question_id": question_id, "position": position}
                for position, question_id in enumerate(question_ids)
            ],
        )


# ------------------------------------------------------------------ attempts


async def get_attempt(session: AsyncSession, quiz_id: str, attempt_id: str) -> QuizAttempt | None:
    attempt = await session.get(QuizAttempt, attempt_id, populate_existing=True)
    return attempt if attempt is not None and attempt.quiz_id == quiz_id else None


async def get_attempt_by_number(
    session: AsyncSession, quiz_id: str, user_id: str, number: int
) -> QuizAttempt | None:
    return await session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.number == number,
        )
        .execution_options(populate_existing=True)
    )


async def last_attempt(session: AsyncSession, quiz_id: str, user_id: str) -> QuizAttempt | None:
    return await session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )


async def list_attempts(
    session: AsyncSession,
    quiz_id: str,
    *,
    user_id: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[QuizAttempt]:
    """A quiz's attempts (one learner's when ``user_id`` is given), in the order they began."""
    statement = select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id)
    if user_id is not None:
        statement = statement.where(QuizAttempt.user_id == user_id)
    statement = keyset_page(
        statement, QuizAttempt.started_at, QuizAttempt.id, after=after, limit=limit
    )
    return list((await session.scalars(statement)).all())


async def graded_attempts(session: AsyncSession, quiz_id: str, user_id: str) -> list[QuizAttempt]:
    """The learner's fully graded attempts, in the order they began."""
    statement = (
        select(QuizAttempt)
        .where(
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.status == "graded",
        )
        .order_by(QuizAttempt.number)
    )
    return list((await session.scalars(statement)).all())


async def users_with_graded_attempts(session: AsyncSession, quiz_id: str) -> list[str]:
    statement = (
        select(QuizAttempt.user_id)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.status == "graded")
        .distinct()
        .order_by(QuizAttempt.user_id)
    )
    return list((await session.scalars(statement)).all())


async def quiz_points(session: AsyncSession, quiz_ids: list[str]) -> dict[str, float]:
    """Each quiz's total marks (the points of its questions), in one query."""
    if not quiz_ids:
        return {}
    statement = (
        select(QuizQuestion.quiz_id, func.sum(Question.points))
        .join(Question, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id.in_(quiz_ids))
        .group_by(QuizQuestion.quiz_id)
    )
    totals = {quiz_id: float(total or 0.0) for quiz_id, total in await session.execute(statement)}
    return {quiz_id: totals.get(quiz_id, 0.0) for quiz_id in quiz_ids}


async def grading_methods(session: AsyncSession, course_id: str) -> dict[str, str]:
    """The grading method of each quiz of the course that has settings."""
    statement = select(Quiz.item_id, Quiz.grading_method).where(Quiz.course_id == course_id)
    return {item_id: method for item_id, method in await session.execute(statement)}


async def list_awaiting_grading(
    session: AsyncSession,
    course_id: str,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
    group_id: str | None = None,
) -> list[tuple[QuizAttempt, str, Person | None]]:
    """The course's attempts whose essays wait for a grader, the longest waiting first,
    with the quiz's title and the learner."""
    statement = (
        select(QuizAttempt, Item.title, Person)
        .join(Item, Item.id == QuizAttempt.quiz_id)
        .outerjoin(Person, Person.id == QuizAttempt.user_id)
        .where(QuizAttempt.course_id == course_id, QuizAttempt.status == "needs_grading")
    )
    if group_id is not None:
        statement = statement.join(
            Enrollment,
            (Enrollment.course_id == QuizAttempt.course_id)
            & (Enrollment.user_id == QuizAttempt.user_id)
            & (Enrollment.group_id == group_id),
        )
    statement = keyset_page(
        statement, QuizAttempt.submitted_at, QuizAttempt.id, after=after, limit=limit
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(statement)).all()]


async def count_awaiting_grading(session: AsyncSession, course_ids: list[str]) -> dict[str, int]:
    """Per course, the attempts whose essays wait for a grader (courses without any left out)."""
    if not course_ids:
        return {}
    statement = (
        select(QuizAttempt.course_id, func.count())
        .where(QuizAttempt.course_id.in_(course_ids), QuizAttempt.status == "needs_grading")
        .group_by(QuizAttempt.course_id)
    )
    return {course_id: int(count) for course_id, count in await session.execute(statement)}


def _insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def insert_attempt(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert an attempt unless one with its number exists (a simultaneous start won);
    True when this call inserted it. One statement, so it needs no savepoint."""
    statement = _insert(session, QuizAttempt).on_conflict_do_nothing(
        index_elements=["quiz_id", "user_id", "number"]
    )
    result = await session.execute(statement.values(**values))
    return result.rowcount == 1


async def save_answers(
    session: AsyncSession, attempt_id: str, answers: dict[str, Any], *, now: datetime
) -> bool:
    """Store the answers if the attempt is still open; False when it is not."""
    result = await session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == "in_progress")
        .values(answers=answers, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def close_attempt(session: AsyncSession, attempt_id: str, *, values: dict[str, Any]) -> bool:
    """Move an open attempt to its graded (or waiting) state. Only one caller can: the
    update applies only while the attempt is in progress, so of two simultaneous
    submissions exactly one changes a row."""
    result = await session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == "in_progress")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def finish_grading(
    session: AsyncSession, attempt_id: str, *, status: str, values: dict[str, Any]
) -> bool:
    """Store a grader's marks if the attempt is still in ``status``."""
    result = await session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def expired_attempts(
    session: AsyncSession, quiz_id: str, *, user_id: str, cutoff: datetime
) -> list[QuizAttempt]:
    """A learner's open attempts at a quiz whose deadline passed before ``cutoff``."""
    statement = select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz_id,
        QuizAttempt.user_id == user_id,
        QuizAttempt.status == "in_progress",
        QuizAttempt.deadline.is_not(None),
        QuizAttempt.deadline < cutoff,
    )
    return list((await session.scalars(statement)).all())


async def overdue_attempt_ids(session: AsyncSession, *, cutoff: datetime, limit: int) -> list[str]:
    """Open attempts of any quiz whose deadline passed before ``cutoff``, oldest first."""
    statement = (
        select(QuizAttempt.id)
        .where(
            QuizAttempt.status == "in_progress",
            QuizAttempt.deadline.is_not(None),
            QuizAttempt.deadline < cutoff,
        )
        .order_by(QuizAttempt.deadline, QuizAttempt.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def get_attempt_by_id(session: AsyncSession, attempt_id: str) -> QuizAttempt | None:
    return await session.get(QuizAttempt, attempt_id, populate_existing=True)
