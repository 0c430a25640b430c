"""The question bank of a course: writing, listing and removing questions. Quizzes choose
their questions from it (``service.py``). Nothing here commits: the request boundary does."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import utcnow
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.quizzes import grading, repository
from learnhub.services.courses.quizzes.errors import QuestionInUse, QuestionNotFound
from learnhub.services.courses.quizzes.models import Question
from learnhub.services.courses.quizzes.schemas import QuestionRead, QuestionWrite
from learnhub.services.courses.rendering import render_markdown


def parse_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """A ``(moment, id)`` keyset cursor this API gave out; None for the first page."""
    if not cursor:
        return None
    moment, key = decode_cursor(cursor, length=2)
    try:
        after = (datetime.fromisoformat(moment), str(key))
    except (TypeError, ValueError) as error:
        raise InvalidCursor("The cursor is not one this API gave out.") from error
    if after[0].tzinfo is None:
        raise InvalidCursor("The cursor is not one this API gave out.")
    return after


def question_read(question: Question, used_in: list[str]) -> QuestionRead:
    return QuestionRead(
        id=question.id,
        course_id=question.course_id,
        type=question.type,  # type: ignore[arg-type]
        prompt=question.prompt,
        prompt_html=render_markdown(question.prompt),
        points=question.points,
        feedback=question.feedback,
        used_in_quizzes=used_in,
        created_at=question.created_at,
        updated_at=question.updated_at,
        **question.content,
    )


def question_as_written(question: Question) -> dict[str, Any]:
    """The question in the shape it is written in (for export)."""
    return {
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "feedback": question.feedback,
        **question.content,
    }


def new_question(course_id: str, body: QuestionWrite) -> Question:
    now = utcnow()
    return Question(
        id=str(uuid.uuid4()),
        course_id=course_id,
        type=body.type,
        prompt=body.prompt,
        points=body.points,
        feedback=body.feedback,
        content=grading.content_of(body),
        created_at=now,
        updated_at=now,
    )


async def find_question(session: AsyncSession, course_id: str, question_id: str) -> Question:
    question = await repository.get_question(session, course_id, question_id)
    if question is None:
        raise QuestionNotFound(f"There is no question {question_id} in this course's bank.")
    return question


async def create_question(
    session: AsyncSession, access: CourseAccess, body: QuestionWrite
) -> QuestionRead:
    question = new_question(access.course.id, body)
    session.add(question)
    await session.flush()
    return question_read(question, [])


async def list_questions(
    session: AsyncSession,
    access: CourseAccess,
    *,
    type: str | None,
    cursor: str | None,
    limit: int,
) -> Page[QuestionRead]:
    rows = await repository.list_questions(
        session, access.course.id, type=type, after=parse_cursor(cursor), limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    used = await repository.quizzes_using(session, [row.id for row in rows])
    return Page[QuestionRead](
        items=[question_read(row, used[row.id]) for row in rows], next_cursor=next_cursor
    )


async def get_question(
    session: AsyncSession, access: CourseAccess, question_id: str
) -> QuestionRead:
    question = await find_question(session, access.course.id, question_id)
    used = await repository.quizzes_using(session, [question.id])
    return question_read(question, used[question.id])


async def replace_question(
    session: AsyncSession, access: CourseAccess, question_id: str, body: QuestionWrite
) -> QuestionRead:
    """Rewrite a question. Attempts already started keep the version they froze."""
    question = await find_question(session, access.course.id, question_id)
    question.type = body.type
    question.prompt = body.prompt
    question.points = body.points
    question.feedback = body.feedback
    question.content = grading.content_of(body)
    question.updated_at = utcnow()
    await session.flush()
    used = await repository.quizzes_using(session, [question.id])
    return question_read(question, used[question.id])


async def delete_question(session: AsyncSession, access: CourseAccess, question_id: str) -> None:
    question = await find_question(session, access.course.id, question_id)
    used = (await repository.quizzes_using(session, [question.id]))[question.id]
    if used:
        raise QuestionInUse("Take the question out of its quizzes first.", quiz_ids=used)
    await repository.delete_question(session, question)
