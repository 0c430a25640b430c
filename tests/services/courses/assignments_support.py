"""Helpers of the assignments API tests: a course with an assignment and two enrolled
learners, handing in work, and reading what the service stored and announced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from learnhub.kit.events.outbox import outbox_table
from learnhub.runner.demo import DEMO_ACCOUNTS
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.progress.models import ItemProgress
from tests.conftest import Stack, bearer
from tests.services.courses.support import published_course_with_items

PROBLEM = "application/problem+json"
LEARNER_1, LEARNER_2 = DEMO_ACCOUNTS[2], DEMO_ACCOUNTS[3]


@dataclass
class Course:
    id: str
    assignment_id: str
    staff: dict[str, str]
    learner1_id: str
    learner1: dict[str, str]
    learner2_id: str
    learner2: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/courses/{self.id}/assignments/{self.assignment_id}"

    def submission_url(self, submission_id: str) -> str:
        return f"{self.url}/submissions/{submission_id}"


async def enroll_self(stack: Stack, course_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def demo_learner(stack: Stack, account: Any) -> tuple[str, dict[str, str]]:
    login = await stack.login(account.email, account.password)
    headers = bearer(login["access_token"])
    me = await stack.client.get("/api/v1/users/me", headers=headers)
    return me.json()["id"], headers


async def assignment_course(stack: Stack, **settings: Any) -> Course:
    """A published course with one assignment worth 10 points (unless ``settings`` say
    otherwise) and the two demo learners enrolled."""
    course, staff, items = await published_course_with_items(stack, kinds=("assignment",))
    assignment_id = items[0]["id"]
    response = await stack.client.patch(
        f"/api/v1/courses/{course['id']}/assignments/{assignment_id}",
        json={"points": 10, **settings},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    learner1_id, learner1 = await demo_learner(stack, LEARNER_1)
    learner2_id, learner2 = await demo_learner(stack, LEARNER_2)
    await enroll_self(stack, course["id"], learner1)
    await enroll_self(stack, course["id"], learner2)
    return Course(course["id"], assignment_id, staff, learner1_id, learner1, learner2_id, learner2)


async def outbox_rows(stack: Stack, event_type: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(subject, data) of the courses outbox's events of one type, oldest first."""
    statement = (
        select(outbox_table.c.subject, outbox_table.c.data)
        .where(outbox_table.c.type == event_type)
        .order_by(outbox_table.c.created_at)
    )
    async with stack.platform.runtime("courses").db.session() as session:
        rows = (await session.execute(statement)).all()
    return [(row.subject, json.loads(row.data)) for row in rows]


async def courses_outbox(stack: Stack, event_type: str) -> list[dict[str, Any]]:
    """The data of the courses outbox's events of one type, oldest first."""
    return [data for _subject, data in await outbox_rows(stack, event_type)]


async def submission_count(stack: Stack) -> int:
    async with stack.platform.runtime("courses").db.session() as session:
        return await session.scalar(select(func.count()).select_from(Submission)) or 0


async def item_progress(stack: Stack, item_id: str, user_id: str) -> tuple[Any, ...] | None:
    async with stack.platform.runtime("courses").db.session() as session:
        row = await session.scalar(
            select(ItemProgress).where(
                ItemProgress.item_id == item_id, ItemProgress.user_id == user_id
            )
        )
    return None if row is None else (row.status, row.score, row.max_score)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def submit(
    stack: Stack,
    course: Course,
    headers: dict[str, str],
    *,
    text: str | None = None,
    file: tuple[str, bytes, str] | None = None,
) -> httpx.Response:
    return await stack.client.post(
        f"{course.url}/submissions",
        data={"text": text} if text is not None else {},
        files={"file": file} if file is not None else None,
        headers=headers,
    )


def problem_of(response: httpx.Response) -> tuple[int, str]:
    """(status, problem type) of a problem answer; fails if it is not problem JSON."""
    assert response.headers["content-type"] == PROBLEM, response.text
    return response.status_code, response.json()["type"]


def without_viewer(assignment: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in assignment.items() if key != "viewer"}
