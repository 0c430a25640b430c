"""Draft items: an item starts as a draft, hidden from learners (outline, lesson, quiz,
assignment) and left out of their progress and the gradebook until the instructor
publishes it; a course is published only with a published item and keeps one."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.services.courses.quiz_support import SINGLE, enroll, problem_of
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    publish,
)


async def _draft(
    stack: Stack, staff: dict[str, str], course_id: str, section_id: str, kind: str
) -> Any:
    response = await stack.client.post(
        f"/api/v1/courses/{course_id}/sections/{section_id}/items",
        json={"kind": kind, "title": f"Draft {kind}"},
        headers=staff,
    )
    assert response.status_code == 201, response.text
    assert response.json()["published"] is False
    return response.json()


async def test_drafts_are_for_staff_until_published(stack: Stack) -> None:
    # given a published course with a published lesson and a draft quiz and assignment
    staff = await instructor(stack)
    course = await create_course(stack, staff)
    section = await add_section(stack, staff, course["id"], "Week 1")
    lesson = await add_item(stack, staff, course["id"], section["id"], "lesson", "Lesson 1")
    quiz = await _draft(stack, staff, course["id"], section["id"], "quiz")
    assignment = await _draft(stack, staff, course["id"], section["id"], "assignment")
    question = await stack.client.post(
        f"/api/v1/courses/{course['id']}/questions", json=SINGLE, headers=staff
    )
    await stack.client.put(
        f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}/questions",
        json={"question_ids": [question.json()["id"]]},
        headers=staff,
    )
    await publish(stack, staff, course["id"])
    _, learner = await enroll(stack, course["id"], "ann@example.com")
    base = f"/api/v1/courses/{course['id']}"

    async def outline(headers: dict[str, str]) -> list[tuple[str, bool]]:
        detail = (await stack.client.get(base, headers=headers)).json()
        return [(i["title"], i["published"]) for s in detail["sections"] for i in s["items"]]

    # then staff see the drafts, marked; the learner sees only the lesson
    assert await outline(staff) == [
        ("Lesson 1", True),
        ("Draft quiz", False),
        ("Draft assignment", False),
    ]
    assert await outline(learner) == [("Lesson 1", True)]
    preview = (await stack.client.get(base, params={"as_learner": "true"}, headers=staff)).json()
    assert [i["title"] for s in preview["sections"] for i in s["items"]] == ["Lesson 1"]
    progress = (await stack.client.get(f"{base}/progress/me", headers=learner)).json()
    assert (progress["total_items"], [i["item_id"] for i in progress["items"]]) == (
        1,
        [lesson["id"]],
    )
    # and the draft quiz and assignment are not there for the learner, only for staff
    for path in (f"/quizzes/{quiz['id']}", f"/assignments/{assignment['id']}"):
        assert problem_of(await stack.client.get(base + path, headers=learner))[0] == 404
        assert (await stack.client.get(base + path, headers=staff)).status_code == 200
    started = await stack.client.post(f"{base}/quizzes/{quiz['id']}/attempts", headers=learner)
    assert problem_of(started) == (404, "/problems/quiz-not-found")
    handed_in = await stack.client.post(
        f"{base}/assignments/{assignment['id']}/submissions", data={"text": "x"}, headers=learner
    )
    assert problem_of(handed_in)[0] == 404
    book = (await stack.client.get(f"{base}/gradebook", headers=staff)).json()
    assert book["columns"] == []
    # when the instructor publishes the quiz, the learner sees it and it counts
    published = await stack.client.patch(
        f"{base}/items/{quiz['id']}", json={"published": True}, headers=staff
    )
    assert (published.status_code, published.json()["published"]) == (200, True)
    assert await outline(learner) == [("Lesson 1", True), ("Draft quiz", True)]
    progress = (await stack.client.get(f"{base}/progress/me", headers=learner)).json()
    assert progress["total_items"] == 2
    assert (await stack.client.get(f"{base}/quizzes/{quiz['id']}", headers=learner)).is_success
    book = (await stack.client.get(f"{base}/gradebook", headers=staff)).json()
    assert [column["item_id"] for column in book["columns"]] == [quiz["id"]]


async def test_a_course_is_published_with_a_published_item_and_keeps_one(embedded: Stack) -> None:
    staff = await instructor(embedded)
    course = await create_course(embedded, staff)
    section = await add_section(embedded, staff, course["id"], "Week 1")
    draft = await _draft(embedded, staff, course["id"], section["id"], "lesson")
    base = f"/api/v1/courses/{course['id']}"
    refused = await embedded.client.patch(base, json={"visibility": "published"}, headers=staff)
    assert problem_of(refused) == (409, "/problems/course-state")
    await embedded.client.patch(
        f"{base}/items/{draft['id']}", json={"published": True}, headers=staff
    )
    await publish(embedded, staff, course["id"])
    other = await _draft(embedded, staff, course["id"], section["id"], "lesson")
    # the last published item may be neither taken back to draft nor deleted
    back = await embedded.client.patch(
        f"{base}/items/{draft['id']}", json={"published": False}, headers=staff
    )
    assert problem_of(back) == (409, "/problems/course-state")
    deleted = await embedded.client.delete(f"{base}/items/{draft['id']}", headers=staff)
    assert problem_of(deleted) == (409, "/problems/course-state")
    # once another is published, it may
    await embedded.client.patch(
        f"{base}/items/{other['id']}", json={"published": True}, headers=staff
    )
    back = await embedded.client.patch(
        f"{base}/items/{draft['id']}", json={"published": False}, headers=staff
    )
    assert (back.status_code, back.json()["published"]) == (200, False)
    # a learner cannot publish, and null is not a state
    _, learner = await enroll(embedded, course["id"], "ann@example.com")
    forbidden = await embedded.client.patch(
        f"{base}/items/{draft['id']}", json={"published": True}, headers=learner
    )
    assert problem_of(forbidden)[0] == 403
    lesson = await embedded.client.get(f"{base}/lessons/{draft['id']}", headers=learner)
    assert problem_of(lesson)[0] == 404
    kept = await embedded.client.patch(
        f"{base}/items/{draft['id']}", json={"published": None}, headers=staff
    )
    assert (kept.status_code, kept.json()["published"]) == (200, False)
