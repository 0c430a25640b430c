"""The learner journey: enroll -> complete every item -> course completed -> certificate
verifiable. The same scenario on each tier; `run_course_journey` is reused against the
distributed platform in test_distributed_mode.py."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Stack

QUESTION = {
    "type": "single_choice",
    "prompt": "Which particle has a negative charge?",
    "points": 1,
    "options": [
        {"id": "proton", "text": "Proton"},
        {"id": "electron", "text": "Electron", "correct": True},
        {"id": "neutron", "text": "Neutron"},
    ],
}


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def _login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    tokens = await _ok(
        await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    )
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def run_course_journey(
    client: httpx.AsyncClient, *, instructor: dict[str, str], learner: dict[str, str], settle: Any
) -> dict[str, Any]:
    """Build a three-item course as the instructor, then walk it as the learner; returns
    the public certificate. ``settle`` waits until events have been handled."""
    # given a published course with a lesson, a quiz and an assignment
    course = await _ok(
        await client.post(
            "/api/v1/courses",
            json={"title": "Atoms and Molecules", "category": "Science", "summary": "The basics."},
            headers=instructor,
        ),
        201,
    )
    base = f"/api/v1/courses/{course['id']}"
    section = await _ok(
        await client.post(f"{base}/sections", json={"title": "Week 1"}, headers=instructor), 201
    )
    items = {}
    for kind, title in (
        ("lesson", "What is an atom?"),
        ("quiz", "Atoms quiz"),
        ("assignment", "Draw a molecule"),
    ):
        items[kind] = await _ok(
            await client.post(
                f"{base}/sections/{section['id']}/items",
                json={
                    "kind": kind,
                    "title": title,
                    "published": True,
                    "max_points": None if kind == "lesson" else 10,
                },
                headers=instructor,
            ),
            201,
        )
    await _ok(
        await client.put(
            f"{base}/lessons/{items['lesson']['id']}",
            json={"content_markdown": "An atom is the smallest unit of matter."},
            headers=instructor,
        )
    )
    question = await _ok(
        await client.post(f"{base}/questions", json=QUESTION, headers=instructor), 201
    )
    quiz_url = f"{base}/quizzes/{items['quiz']['id']}"
    await _ok(
        await client.put(
            f"{quiz_url}/questions", json={"question_ids": [question["id"]]}, headers=instructor
        )
    )
    await _ok(await client.patch(base, json={"visibility": "published"}, headers=instructor))

    # when the learner enrolls and completes every item
    await _ok(await client.post(f"{base}/enrollments", headers=learner), 201)
    await _ok(await client.post(f"{base}/items/{items['lesson']['id']}/complete", headers=learner))
    attempt = await _ok(await client.post(f"{quiz_url}/attempts", headers=learner), 201)
    result = await _ok(
        await client.post(
            f"{quiz_url}/attempts/{attempt['id']}/submit",
            json={"answers": {question["id"]: "electron"}},
            headers=learner,
        )
    )
    assert result["result"]["passed"] is True
    assignment_url = f"{base}/assignments/{items['assignment']['id']}"
    submission = await _ok(
        await client.post(f"{assignment_url}/submissions", data={"text": "H-O-H"}, headers=learner),
        201,
    )
    progress = await _ok(await client.get(f"{base}/progress/me", headers=learner))
    assert (progress["completed_items"], progress["total_items"], progress["completed"]) == (
        2,
        3,
        False,
    )
    await _ok(
        await client.post(
            f"{assignment_url}/submissions/{submission['id']}/grade",
            json={"score": 9, "feedback": "Well drawn."},
            headers=instructor,
        )
    )
    await settle()

    # then the course is completed once and the certificate is publicly verifiable
    progress = await _ok(await client.get(f"{base}/progress/me", headers=learner))
    assert (progress["percent"], progress["completed"]) == (100.0, True)
    assert progress["certificate_code"]
    certificate = await _ok(
        await client.get(f"/api/v1/certificates/{progress['certificate_code']}")
    )
    assert (certificate["course_title"], certificate["valid"]) == ("Atoms and Molecules", True)
    dashboard = await _ok(await client.get("/api/v1/me/courses", headers=learner))
    [entry] = [entry for entry in dashboard if entry["course"]["id"] == course["id"]]
    assert entry["completed"] is True
    return certificate


async def test_enroll_complete_every_item_and_verify_the_certificate(stack: Stack) -> None:
    await stack.demo_admin()
    instructor = await _login(stack.client, "instructor@example.com", "learnhub-instructor")
    _, learner = await stack.signed_up("journey.learner@example.com", display_name="Jo Learner")
    certificate = await run_course_journey(
        stack.client, instructor=instructor, learner=learner, settle=stack.settle
    )
    assert certificate["learner_name"] == "Jo Learner"
