"""Helpers of the quizzes API tests: questions of every type, a course with a quiz and an
enrolled learner, moving time, and reading what the service stored and announced."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses.quizzes.models import QuizAttempt
from tests.conftest import Stack
from tests.services.courses.support import learner, published_course_with_items

PROBLEM = "application/problem+json"

SINGLE = {
    "type": "single_choice",
    "prompt": "What is **2 + 2**?",
    "points": 2,
    "feedback": "Count on your fingers.",
    "options": [
        {"id": "three", "text": "3"},
        {"id": "four", "text": "4", "correct": True},
        {"id": "five", "text": "5"},
    ],
}
TRUE_FALSE = {"type": "true_false", "prompt": "The sky is green.", "correct": False}
SHORT = {
    "type": "short_answer",
    "prompt": "Capital of France?",
    "accepted_answers": ["Paris"],
}
ESSAY = {"type": "essay", "prompt": "Why does it matter?", "points": 5, "max_words": 100}
MATCHING = {
    "type": "matching",
    "prompt": "Match the capitals.",
    "points": 2,
    "pairs": [
        {"left_id": "fr", "left": "France", "right_id": "paris", "right": "Paris"},
        {"left_id": "it", "left": "Italy", "right_id": "rome", "right": "Rome"},
    ],
}
ORDERING = {
    "type": "ordering",
    "prompt": "Smallest first.",
    "items": [{"id": "one", "text": "1"}, {"id": "two", "text": "2"}, {"id": "three", "text": "3"}],
}
NUMERIC = {"type": "numeric", "prompt": "Pi to two places?", "answer": 3.14, "tolerance": 0.01}
PARTIAL = {
    "type": "multiple_choice",
    "prompt": "Primes?",
    "points": 4,
    "scoring": "partial",
    "options": [
        {"id": "two", "text": "2", "correct": True},
        {"id": "three", "text": "3", "correct": True},
        {"id": "four", "text": "4"},
    ],
}


@dataclass
class QuizSetup:
    stack: Stack
    course: dict[str, Any]
    quiz_id: str
    staff: dict[str, str]
    question_ids: list[str]
    learner_id: str = ""
    learner: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/api/v1/courses/{self.course['id']}/quizzes/{self.quiz_id}"

    @property
    def bank(self) -> str:
        return f"/api/v1/courses/{self.course['id']}/questions"

    async def start(self, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.stack.client.post(f"{self.url}/attempts", headers=headers or self.learner)

    async def submit(
        self, attempt_id: str, answers: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.stack.client.post(
            f"{self.url}/attempts/{attempt_id}/submit",
            json={"answers": answers},
            headers=headers or self.learner,
        )

    async def attempt(self, attempt_id: str, headers: dict[str, str] | None = None) -> Any:
        response = await self.stack.client.get(
            f"{self.url}/attempts/{attempt_id}", headers=headers or self.learner
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def quiz(self, headers: dict[str, str] | None = None) -> Any:
        response = await self.stack.client.get(self.url, headers=headers or self.learner)
        assert response.status_code == 200, response.text
        return response.json()


async def enroll(stack: Stack, course_id: str, email: str) -> tuple[str, dict[str, str]]:
    user_id, headers = await learner(stack, email)
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text
    return user_id, headers


async def quiz_with(
    stack: Stack, questions: list[dict[str, Any]], *, enroll_learner: bool = True, **settings: Any
) -> QuizSetup:
    """A published course whose only item is a quiz asking ``questions`` in order, with
    ``settings``, and (unless told otherwise) one enrolled learner."""
    course, staff, items = await published_course_with_items(stack, kinds=("quiz",))
    setup = QuizSetup(stack, course, items[0]["id"], staff, [])
    for body in questions:
        response = await stack.client.post(setup.bank, json=body, headers=staff)
        assert response.status_code == 201, response.text
        setup.question_ids.append(response.json()["id"])
    response = await stack.client.put(
        f"{setup.url}/questions", json={"question_ids": setup.question_ids}, headers=staff
    )
    assert response.status_code == 200, response.text
    if settings:
        response = await stack.client.patch(setup.url, json=settings, headers=staff)
        assert response.status_code == 200, response.text
    if enroll_learner:
        setup.learner_id, setup.learner = await enroll(stack, course["id"], "ann@example.com")
    return setup


async def outbox_rows(
    stack: Stack, event_type: str | None = None
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(type, subject, data) of the courses outbox's events (of one type), oldest first."""
    statement = select(outbox_table.c.type, outbox_table.c.subject, outbox_table.c.data).order_by(
        outbox_table.c.created_at
    )
    if event_type:
        statement = statement.where(outbox_table.c.type == event_type)
    async with stack.platform.runtime("courses").db.session() as session:
        rows = (await session.execute(statement)).all()
    return [(row.type, row.subject, json.loads(row.data)) for row in rows]


async def courses_outbox(stack: Stack, event_type: str | None = None) -> list[dict[str, Any]]:
    return [{"type": kind, **data} for kind, _subject, data in await outbox_rows(stack, event_type)]


async def shift_attempt(stack: Stack, attempt_id: str, seconds: float) -> None:
    """Move an attempt's start and deadline into the past, as if time had passed."""
    async with stack.platform.runtime("courses").db.transaction() as session:
        attempt = await session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        await session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id)
            .values(
                started_at=attempt.started_at - timedelta(seconds=seconds),
                deadline=attempt.deadline - timedelta(seconds=seconds)
                if attempt.deadline
                else None,
            )
        )


async def attempt_row(stack: Stack, attempt_id: str) -> dict[str, Any]:
    """The attempt's row as stored, every column."""
    async with stack.platform.runtime("courses").db.session() as session:
        row = (
            await session.execute(select(QuizAttempt.__table__).where(QuizAttempt.id == attempt_id))
        ).one()
    return dict(row._mapping)


async def attempt_count(stack: Stack) -> int:
    async with stack.platform.runtime("courses").db.session() as session:
        return len((await session.scalars(select(QuizAttempt.id))).all())


def problem_of(response: httpx.Response) -> tuple[int, str]:
    """(status, problem type) of a problem answer; fails if it is not problem JSON."""
    assert response.headers["content-type"] == PROBLEM, response.text
    return response.status_code, response.json()["type"]
