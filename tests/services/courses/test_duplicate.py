"""Duplicating a course: a new draft owned by the caller with a copy of everything the
course holds and none of its learners' data; only its editors who may create courses (and
admins) may; a refusal creates nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from learnhub.services.courses.models import Course
from tests.conftest import Stack
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
)


async def _call(
    stack: Stack, method: str, path: str, headers: dict[str, str], expected: int, **kwargs: Any
) -> Any:
    response = await stack.client.request(method, path, headers=headers, **kwargs)
    assert response.status_code == expected, f"{method} {path}: {response.text}"
    return response.json() if response.content else None


async def _course_count(stack: Stack) -> int:
    async with stack.platform.runtime("courses").db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Course)) or 0)


async def _full_course(stack: Stack, headers: dict[str, str]) -> dict[str, Any]:
    """A published course holding a lesson with a file, a quiz with settings and two
    questions, a question no quiz asks, an assignment with a rubric, and a completion rule
    naming the quiz; its parts by name."""
    course = await create_course(
        stack,
        headers,
        title="Knife Skills",
        summary="Cut safely.",
        description="**Sharp** knives.",
        category="Cooking",
        tags=["knives"],
        level="intermediate",
        estimated_hours=3,
        enrollment_policy="open",
    )
    cid = course["id"]
    base = f"/api/v1/courses/{cid}"
    section = await add_section(stack, headers, cid, "Basics")
    lesson = await add_item(stack, headers, cid, section["id"], "lesson", "Grip")
    quiz = await add_item(stack, headers, cid, section["id"], "quiz", "Cuts", grade_category="Q")
    assignment = await add_item(stack, headers, cid, section["id"], "assignment", "Dice")
    await _call(
        stack,
        "PUT",
        f"{base}/lessons/{lesson['id']}",
        headers,
        200,
        json={"content_markdown": "Pinch the blade.", "transcript": "Hi", "complete_on_view": True},
    )
    await _call(
        stack,
        "POST",
        f"{base}/lessons/{lesson['id']}/attachments",
        headers,
        201,
        files={"file": ("grip.txt", b"pinch grip", "text/plain")},
    )
    for prompt in ("Julienne is thin strips.", "Brunoise is big."):
        await _call(
            stack,
            "POST",
            f"{base}/quizzes/{quiz['id']}/questions",
            headers,
            201,
            json={"question": {"type": "true_false", "prompt": prompt, "correct": True}},
        )
    await _call(
        stack,
        "POST",
        f"{base}/questions",
        headers,
        201,
        json={"type": "short_answer", "prompt": "Spare?", "accepted_answers": ["yes"]},
    )
    await _call(
        stack,
        "PATCH",
        f"{base}/quizzes/{quiz['id']}",
        headers,
        200,
        json={"pass_mark": 75, "attempts_allowed": 2, "time_limit_seconds": 600},
    )
    await _call(
        stack,
        "PATCH",
        f"{base}/assignments/{assignment['id']}",
        headers,
        200,
        json={
            "instructions": "Dice an onion.",
            "points": 10,
            "rubric": [{"title": "Even", "description": "Same size.", "points": 10}],
        },
    )
    await _call(
        stack,
        "PATCH",
        base,
        headers,
        200,
        json={"completion_rule": {"required_items": True, "passing_quiz_ids": [quiz["id"]]}},
    )
    await publish(stack, headers, cid)
    return {"course": course, "lesson": lesson, "quiz": quiz, "assignment": assignment}


def _without_ids(question: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in question.items()
        if key not in {"id", "course_id", "created_at", "updated_at", "used_in_quizzes"}
    }


async def test_a_copy_holds_everything_but_the_learners(stack: Stack) -> None:
    headers = await instructor(stack)
    parts = await _full_course(stack, headers)
    cid = parts["course"]["id"]
    base = f"/api/v1/courses/{cid}"
    # a learner who enrolled, completed the lesson and started the quiz
    _user, someone = await learner(stack, "cook@example.com")
    await _call(stack, "POST", f"{base}/enrollments", someone, 201)
    await _call(stack, "POST", f"{base}/items/{parts['lesson']['id']}/complete", someone, 200)
    await _call(stack, "POST", f"{base}/quizzes/{parts['quiz']['id']}/attempts", someone, 201)

    # when the instructor duplicates the course
    copy = await _call(stack, "POST", f"{base}/duplicate", headers, 201)
    await stack.settle()

    # then it is a new draft they own, titled and addressed as a copy
    assert copy["id"] != cid
    assert (copy["title"], copy["slug"], copy["visibility"]) == (
        "Knife Skills (copy)",
        "knife-skills-copy",
        "draft",
    )
    for field in ("summary", "description", "category", "tags", "level", "estimated_hours"):
        assert copy[field] == parts["course"][field]
    original = await _call(stack, "GET", base, headers, 200)
    new = await _call(stack, "GET", f"/api/v1/courses/{copy['id']}", headers, 200)
    assert copy["owner_id"] == original["owner_id"]
    shape = [
        (
            s["title"],
            [(i["kind"], i["title"], i["required"], i["grade_category"]) for i in s["items"]],
        )
        for s in new["sections"]
    ]
    assert shape == [
        (
            s["title"],
            [(i["kind"], i["title"], i["required"], i["grade_category"]) for i in s["items"]],
        )
        for s in original["sections"]
    ]
    new_lesson, new_quiz, new_assignment = new["sections"][0]["items"]
    assert new["completion_rule"] == {"required_items": True, "passing_quiz_ids": [new_quiz["id"]]}

    # the lesson, its file (a copy of the bytes under a new id)
    lesson = await _call(
        stack, "GET", f"/api/v1/courses/{copy['id']}/lessons/{new_lesson['id']}", headers, 200
    )
    assert (lesson["content_markdown"], lesson["complete_on_view"]) == ("Pinch the blade.", True)
    (attachment,) = lesson["attachments"]
    download = await stack.client.get(
        f"/api/v1/courses/{copy['id']}/lessons/{new_lesson['id']}/attachments/{attachment['id']}",
        headers=headers,
    )
    assert download.content == b"pinch grip"

    # the quiz's settings and questions, and the bank's unasked question
    old_quiz = await _call(stack, "GET", f"{base}/quizzes/{parts['quiz']['id']}", headers, 200)
    quiz = await _call(
        stack, "GET", f"/api/v1/courses/{copy['id']}/quizzes/{new_quiz['id']}", headers, 200
    )
    for field in ("pass_mark", "attempts_allowed", "time_limit_seconds", "question_count"):
        assert quiz[field] == old_quiz[field]
    assert not set(quiz["question_ids"]) & set(old_quiz["question_ids"])
    old_bank = (await _call(stack, "GET", f"{base}/questions", headers, 200))["items"]
    bank = (await _call(stack, "GET", f"/api/v1/courses/{copy['id']}/questions", headers, 200))[
        "items"
    ]
    assert sorted(map(str, map(_without_ids, bank))) == sorted(
        map(str, map(_without_ids, old_bank))
    )

    # the assignment's settings and rubric
    assignment = await _call(
        stack,
        "GET",
        f"/api/v1/courses/{copy['id']}/assignments/{new_assignment['id']}",
        headers,
        200,
    )
    assert (assignment["instructions"], assignment["points"]) == ("Dice an onion.", 10)
    assert [criterion["title"] for criterion in assignment["rubric"]] == ["Even"]

    # and no learner, progress or attempt
    assert new["learner_count"] == 0
    members = await _call(stack, "GET", f"/api/v1/courses/{copy['id']}/enrollments", headers, 200)
    assert [member["role"] for member in members["items"]] == ["instructor"]
    progress = await _call(stack, "GET", f"/api/v1/courses/{copy['id']}/progress", headers, 200)
    assert progress["items"] == []
    assert quiz["viewer"]["attempts_used"] == 0


async def test_the_copy_keeps_its_files_when_the_original_is_deleted(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="Short-lived"))["id"]
    section = await add_section(embedded, headers, cid, "S")
    lesson = await add_item(embedded, headers, cid, section["id"], "lesson", "L")
    await _call(
        embedded,
        "POST",
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}/attachments",
        headers,
        201,
        files={"file": ("a.txt", b"kept", "text/plain")},
    )
    copy = await _call(embedded, "POST", f"/api/v1/courses/{cid}/duplicate", headers, 201)

    await _call(embedded, "DELETE", f"/api/v1/courses/{cid}", headers, 204)
    await embedded.settle()

    new = await _call(embedded, "GET", f"/api/v1/courses/{copy['id']}", headers, 200)
    item_id = new["sections"][0]["items"][0]["id"]
    lesson = await _call(
        embedded, "GET", f"/api/v1/courses/{copy['id']}/lessons/{item_id}", headers, 200
    )
    download = await embedded.client.get(
        f"/api/v1/courses/{copy['id']}/lessons/{item_id}/attachments/"
        f"{lesson['attachments'][0]['id']}",
        headers=headers,
    )
    assert (download.status_code, download.content) == (200, b"kept")


async def test_a_long_title_still_fits_as_a_copy(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="A" * 200))["id"]

    copy = await _call(embedded, "POST", f"/api/v1/courses/{cid}/duplicate", headers, 201)

    assert copy["title"] == "A" * 193 + " (copy)"


async def test_only_editors_who_may_create_courses_and_admins_duplicate(embedded: Stack) -> None:
    headers = await instructor(embedded)
    admin = await embedded.demo_admin()
    cid = (await create_course(embedded, headers, title="Guarded"))["id"]
    section = await add_section(embedded, headers, cid, "S")
    await add_item(embedded, headers, cid, section["id"], "lesson", "L")
    await publish(embedded, headers, cid)
    path = f"/api/v1/courses/{cid}/duplicate"
    # a learner of the course, a teaching assistant, and an instructor of the course whose
    # platform role does not let them create courses
    _id, enrolled = await learner(embedded, "enrolled@example.com")
    await _call(embedded, "POST", f"/api/v1/courses/{cid}/enrollments", enrolled, 201)
    _id, assistant = await learner(embedded, "assistant@example.com")
    await _call(
        embedded,
        "POST",
        f"/api/v1/courses/{cid}/enrollments",
        headers,
        201,
        json={"email": "assistant@example.com", "role": "teaching_assistant"},
    )
    _id, co_teacher = await learner(embedded, "coteacher@example.com")
    await _call(
        embedded,
        "POST",
        f"/api/v1/courses/{cid}/enrollments",
        headers,
        201,
        json={"email": "coteacher@example.com", "role": "instructor"},
    )
    before = await _course_count(embedded)

    assert (await embedded.client.post(path)).status_code == 401
    for caller in (enrolled, assistant, co_teacher):
        refused = await embedded.client.post(path, headers=caller)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    assert (
        await embedded.client.post("/api/v1/courses/nope/duplicate", headers=headers)
    ).status_code == 404
    assert await _course_count(embedded) == before

    # an administrator who is not a member may, and owns the copy
    copy = await _call(embedded, "POST", path, admin, 201)
    assert (
        copy["owner_id"]
        != (await _call(embedded, "GET", f"/api/v1/courses/{cid}", headers, 200))["owner_id"]
    )


async def test_a_draft_is_not_revealed_to_others(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="Secret"))["id"]
    _id, someone = await learner(embedded, "curious@example.com")

    refused = await embedded.client.post(f"/api/v1/courses/{cid}/duplicate", headers=someone)

    assert refused.status_code == 404


async def test_an_export_carries_the_questions_no_quiz_asks(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="Banked"))["id"]
    await _call(
        embedded,
        "POST",
        f"/api/v1/courses/{cid}/questions",
        headers,
        201,
        json={"type": "numeric", "prompt": "Grams in a kilo?", "answer": 1000},
    )
    archive = (await embedded.client.get(f"/api/v1/courses/{cid}/export", headers=headers)).content

    imported = await _call(
        embedded,
        "POST",
        "/api/v1/courses/import",
        headers,
        201,
        files={"file": ("banked.zip", archive, "application/zip")},
    )

    bank = await _call(embedded, "GET", f"/api/v1/courses/{imported['id']}/questions", headers, 200)
    assert [(q["type"], q["prompt"], q["answer"]) for q in bank["items"]] == [
        ("numeric", "Grams in a kilo?", 1000)
    ]
