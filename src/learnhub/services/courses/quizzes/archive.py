"""Export and import of a quiz item's content, used by the course archive."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.services.courses.errors import ItemNotFound
from learnhub.services.courses.quizzes import bank, repository, service
from learnhub.services.courses.quizzes.schemas import QuestionWrite, QuizUpdate

_questions = TypeAdapter(list[QuestionWrite])


async def export_item(session: AsyncSession, item_id: str) -> dict[str, Any]:
    """The quiz's settings and its questions in order, in full (answers included), so an
    import elsewhere recreates them in that course's bank."""
    item = await repository.get_item(session, item_id)
    if item is None:
        raise ItemNotFound(f"There is no item {item_id}.")
    settings = service.quiz_settings(await repository.get_quiz(session, item_id))
    if settings["due_at"] is not None:
        settings["due_at"] = settings["due_at"].isoformat()
    question_ids = await repository.list_quiz_question_ids(session, item_id)
    questions = await repository.get_questions(session, item.course_id, question_ids)
    return {
        "settings": settings,
        "questions": [bank.question_as_written(questions[key]) for key in question_ids],
    }


async def import_item(session: AsyncSession, item_id: str, data: dict[str, Any]) -> None:
    """Recreate the quiz under a new item id from :func:`export_item`'s data: its settings,
    and its questions as new questions of the new item's course bank. Data that does not
    validate raises pydantic's ``ValidationError``."""
    item = await repository.get_item(session, item_id)
    if item is None:
        raise ItemNotFound(f"There is no item {item_id}.")
    settings = QuizUpdate.model_validate(data.get("settings") or {})
    written = _questions.validate_python(data.get("questions") or [])
    quiz = await service.ensure_quiz(session, item)
    service.apply_settings(quiz, item, settings)
    questions = [bank.new_question(item.course_id, body) for body in written]
    session.add_all(questions)
    await session.flush()
    await repository.replace_quiz_questions(session, item.id, [q.id for q in questions])


async def export_unasked_questions(session: AsyncSession, course_id: str) -> list[dict[str, Any]]:
    """The course's bank questions that no quiz asks, in full (the quizzes export theirs)."""
    return [
        bank.question_as_written(question)
        for question in await repository.list_unasked_questions(session, course_id)
    ]


async def import_unasked_questions(
    session: AsyncSession, course_id: str, data: list[dict[str, Any]]
) -> None:
    """Add :func:`export_unasked_questions`'s questions to a course's bank. Data that does
    not validate raises pydantic's ``ValidationError``."""
    session.add_all(bank.new_question(course_id, body) for body in _questions.validate_python(data))
    await session.flush()
