"""Completion and certificates, on each tier: the rule, exactly one completion and one
certificate even when the last items are completed at the same moment, and verification."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from sqlalchemy import func, select

from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.progress.models import Certificate, ItemProgress
from learnhub.services.courses.progress.service import record_item_outcome
from tests.conftest import Stack
from tests.services.courses.support import learner, published_course_with_items

PROBLEM = "application/problem+json"
CODE_PATTERN = r"^LH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"


async def events_of(stack: Stack, event_type: str) -> list[dict[str, Any]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(
            select(outbox_table.c.data)
            .where(outbox_table.c.type == event_type)
            .order_by(outbox_table.c.created_at)
        )
        return [json.loads(row) for row in rows]


async def enrolled(stack: Stack, course_id: str, email: str, name: str) -> tuple[str, dict]:
    user_id, headers = await stack.signed_up(email, display_name=name)
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text
    return user_id, headers


async def test_completing_every_required_item_completes_the_course_once(stack: Stack) -> None:
    # given
    course, _, items = await published_course_with_items(
        stack, kinds=("lesson", "lesson", "lesson"), title="Finish Me"
    )
    user_id, headers = await enrolled(stack, course["id"], "ana@example.com", "Ana Lovelace")
    url = f"/api/v1/courses/{course['id']}"
    first, second, third = (item["id"] for item in items)
    assert (await stack.client.get(f"{url}/certificate/me", headers=headers)).status_code == 404
    await stack.client.post(f"{url}/items/{first}/complete", headers=headers)
    # when: the last two at the same moment, then the last one twice at once
    done = await asyncio.gather(
        stack.client.post(f"{url}/items/{second}/complete", headers=headers),
        stack.client.post(f"{url}/items/{third}/complete", headers=headers),
    )
    repeated = await asyncio.gather(
        stack.client.post(f"{url}/items/{third}/complete", headers=headers),
        stack.client.post(f"{url}/items/{third}/complete", headers=headers),
    )
    # then
    assert [r.status_code for r in [*done, *repeated]] == [200, 200, 200, 200]
    progress = (await stack.client.get(f"{url}/progress/me", headers=headers)).json()
    assert (progress["percent"], progress["completed"], progress["next_item_id"]) == (
        100.0,
        True,
        None,
    )
    code = progress["certificate_code"]
    assert code is not None
    assert re.match(CODE_PATTERN, code)
    assert len(await events_of(stack, "lesson.completed.v1")) == 3
    assert [e["percent"] for e in await events_of(stack, "progress.updated.v1")] == [
        33.3,
        66.7,
        100.0,
    ]
    completions = await events_of(stack, "course.completed.v1")
    assert [(e["user_id"], e["course_title"], e["final_percent"]) for e in completions] == [
        (user_id, "Finish Me", None)
    ]
    issued = await events_of(stack, "certificate.issued.v1")
    assert len(issued) == 1
    settings = stack.platform.runtime("courses").settings
    assert issued[0]["code"] == code
    assert issued[0]["learner_name"] == "Ana Lovelace"
    assert issued[0]["verification_url"] == f"{settings.public_url}/certificates/{code}"
    async with stack.platform.runtime("courses").db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Certificate)) == 1
        assert await session.scalar(select(func.count()).select_from(ItemProgress)) == 3
    # the certificate: the learner's own, and public verification
    mine = (await stack.client.get(f"{url}/certificate/me", headers=headers)).json()
    assert (mine["code"], mine["course_title"], mine["learner_name"]) == (
        code,
        "Finish Me",
        "Ana Lovelace",
    )
    public = await stack.client.get(f"/api/v1/certificates/{code}")
    assert public.status_code == 200
    assert public.json() == {
        "code": code,
        "learner_name": "Ana Lovelace",
        "course_title": "Finish Me",
        "issued_at": mine["issued_at"],
        "valid": True,
    }
    unknown = await stack.client.get("/api/v1/certificates/LH-AAAA-AAAA")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM
    assert unknown.json()["type"] == "/problems/certificate-not-found"


async def test_a_passing_quiz_rule(embedded: Stack) -> None:
    """The rule asks for a passed quiz too. The quiz outcome is recorded through
    ``record_item_outcome`` directly (as the quizzes sub-domain does), below the API."""
    course, staff, items = await published_course_with_items(embedded, kinds=("lesson", "quiz"))
    lesson, quiz = items
    url = f"/api/v1/courses/{course['id']}"
    rule = {"completion_rule": {"required_items": False, "passing_quiz_ids": [quiz["id"]]}}
    assert (await embedded.client.patch(url, json=rule, headers=staff)).status_code == 200
    user_id, headers = await enrolled(embedded, course["id"], "bo@example.com", "Bo")
    courses = embedded.platform.runtime("courses")

    async def quiz_outcome(score: float, passed: bool) -> None:
        async with courses.db.transaction() as session:
            await record_item_outcome(
                session,
                courses.cache,
                course=await session.get(Course, course["id"]),
                item=await session.get(Item, quiz["id"]),
                user_id=user_id,
                completed=True,
                score=score,
                max_score=10,
                passed=passed,
            )

    await quiz_outcome(4, False)
    failed = (await embedded.client.get(f"{url}/progress/me", headers=headers)).json()
    assert (failed["percent"], failed["completed"]) == (50.0, False)
    await quiz_outcome(8, True)
    passed = (await embedded.client.get(f"{url}/progress/me", headers=headers)).json()
    assert (passed["completed"], passed["certificate_code"] is not None) == (True, True)
    quiz_state = next(i for i in passed["items"] if i["item_id"] == quiz["id"])
    assert (quiz_state["score"], quiz_state["max_score"], quiz_state["passed"]) == (8, 10, True)
    # a later worse attempt does not undo anything
    await quiz_outcome(2, False)
    later = (await embedded.client.get(f"{url}/progress/me", headers=headers)).json()
    assert later["completed"] is True
    assert next(i for i in later["items"] if i["item_id"] == quiz["id"])["status"] == "completed"
    completions = await events_of(embedded, "course.completed.v1")
    assert [(e["user_id"], e["final_percent"]) for e in completions] == [(user_id, 80.0)]
    assert len(await events_of(embedded, "certificate.issued.v1")) == 1
    assert lesson["id"] not in {
        e["item_id"] for e in await events_of(embedded, "lesson.completed.v1")
    }
    # nobody else's certificate
    _, other = await learner(embedded, "other@example.com")
    assert (await embedded.client.get(f"{url}/certificate/me", headers=other)).status_code == 404
    assert (await embedded.client.get(f"{url}/certificate/me")).status_code == 401
