"""The question bank, quiz settings, the questions of a quiz one at a time (concurrent
additions all land, in order), and quizzes in the course archive."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    ESSAY,
    MATCHING,
    NUMERIC,
    ORDERING,
    PARTIAL,
    PROBLEM,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    enroll,
    problem_of,
    quiz_with,
)
from tests.services.courses.support import published_course_with_items


def without_viewer(quiz: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in quiz.items() if key != "viewer"}


async def test_the_question_bank(embedded: Stack) -> None:
    # given
    setup = await quiz_with(embedded, [SINGLE], enroll_learner=False)
    client, staff, bank = embedded.client, setup.staff, setup.bank
    # when a question of every type is added
    created = []
    for body in (TRUE_FALSE, SHORT, NUMERIC, PARTIAL, MATCHING, ORDERING, ESSAY):
        response = await client.post(bank, json=body, headers=staff)
        assert response.status_code == 201, response.text
        created.append(response.json())
    # then each reads back as written, with the common fields
    assert created[3] | {"id": "-", "created_at": "-", "updated_at": "-"} == {
        **PARTIAL,
        "options": [
            {**option, "correct": option.get("correct", False)} for option in PARTIAL["options"]
        ],
        "id": "-",
        "course_id": setup.course["id"],
        "prompt_html": "<p>Primes?</p>\n",
        "points": 4.0,
        "feedback": "",
        "used_in_quizzes": [],
        "created_at": "-",
        "updated_at": "-",
    }
    assert created[1]["accepted_answers"] == ["Paris"] and created[1]["case_sensitive"] is False
    first = (await client.get(f"{bank}/{setup.question_ids[0]}", headers=staff)).json()
    assert first["used_in_quizzes"] == [setup.quiz_id]
    # pages and the type filter
    page = (await client.get(bank, params={"limit": 5}, headers=staff)).json()
    assert len(page["items"]) == 5
    rest = await client.get(bank, params={"cursor": page["next_cursor"]}, headers=staff)
    assert [q["id"] for q in page["items"] + rest.json()["items"]] == [
        setup.question_ids[0],
        *(q["id"] for q in created),
    ]
    assert rest.json()["next_cursor"] is None
    essays = (await client.get(bank, params={"type": "essay"}, headers=staff)).json()
    assert [q["id"] for q in essays["items"]] == [created[-1]["id"]]
    assert (await client.get(bank, params={"cursor": "junk"}, headers=staff)).status_code == 400
    # a prompt cannot carry script
    response = await client.post(
        bank,
        json={**TRUE_FALSE, "prompt": "Hi <script>alert(1)</script> [x](javascript:alert(1))"},
        headers=staff,
    )
    assert "<script" not in response.json()["prompt_html"]
    assert "href" not in response.json()["prompt_html"]
    # a question that does not fit its type is refused with the field named
    response = await client.post(
        bank, json={**SINGLE, "options": [{"text": "a"}, {"text": "b"}]}, headers=staff
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == [
        {
            "field": "single_choice.options",
            "pointer": "#/single_choice/options",
            "detail": "exactly one option must be correct",
            "code": "one_correct_option",
        }
    ]
    # rewriting keeps the id; deleting works only when no quiz uses it
    response = await client.put(f"{bank}/{created[0]['id']}", json=SHORT, headers=staff)
    assert (response.status_code, response.json()["type"], response.json()["id"]) == (
        200,
        "short_answer",
        created[0]["id"],
    )
    response = await client.delete(f"{bank}/{setup.question_ids[0]}", headers=staff)
    assert (response.status_code, response.json()["type"]) == (409, "/problems/question-in-use")
    assert response.json()["quiz_ids"] == [setup.quiz_id]
    assert (await client.delete(f"{bank}/{created[0]['id']}", headers=staff)).status_code == 204
    response = await client.get(f"{bank}/{created[0]['id']}", headers=staff)
    assert (response.status_code, response.json()["type"]) == (404, "/problems/question-not-found")
    # a quiz takes only questions of this course's bank, each once
    response = await client.put(
        f"{setup.url}/questions", json={"question_ids": ["nope"]}, headers=staff
    )
    assert (response.status_code, response.json()["question_ids"]) == (400, ["nope"])
    response = await client.put(
        f"{setup.url}/questions",
        json={"question_ids": [created[1]["id"], created[1]["id"]]},
        headers=staff,
    )
    assert response.status_code == 422
    quiz = (await client.get(setup.url, headers=staff)).json()
    assert quiz["question_ids"] == setup.question_ids


async def test_quiz_settings(embedded: Stack) -> None:
    # given a quiz nobody has configured yet
    course, staff, items = await published_course_with_items(embedded, kinds=("quiz", "lesson"))
    url = f"/api/v1/courses/{course['id']}/quizzes/{items[0]['id']}"
    _, ann = await enroll(embedded, course["id"], "ann@example.com")
    # then it has the defaults, and learners do not see its question ids
    defaults = {
        "quiz_id": items[0]["id"],
        "course_id": course["id"],
        "title": "Quiz 1",
        "time_limit_seconds": None,
        "attempts_allowed": None,
        "pass_mark": 60.0,
        "shuffle_questions": False,
        "shuffle_options": False,
        "feedback": "after_submit",
        "show_correct_answers": True,
        "grading_method": "best",
        "due_at": None,
        "question_count": 0,
        "max_score": 0.0,
        "points": None,
        "gradebook_points": 0.0,
        "grade_category": None,
        "question_ids": [],
    }
    assert without_viewer((await embedded.client.get(url, headers=staff)).json()) == defaults
    assert (await embedded.client.get(url, headers=ann)).json()["question_ids"] is None
    response = await embedded.client.post(f"{url}/attempts", headers=ann)
    assert (response.status_code, response.json()["type"]) == (409, "/problems/quiz-empty")
    # a lesson is not a quiz
    lesson = f"/api/v1/courses/{course['id']}/quizzes/{items[1]['id']}"
    response = await embedded.client.get(lesson, headers=staff)
    assert (response.status_code, response.json()["type"]) == (404, "/problems/quiz-not-found")
    # when
    response = await embedded.client.patch(
        url,
        json={
            "time_limit_seconds": 600,
            "attempts_allowed": 3,
            "pass_mark": 75,
            "shuffle_questions": True,
            "feedback": "never",
            "due_at": "2031-01-01T12:00:00+01:00",
        },
        headers=staff,
    )
    # then
    assert response.status_code == 200, response.text
    changed = {
        **defaults,
        "time_limit_seconds": 600,
        "attempts_allowed": 3,
        "pass_mark": 75.0,
        "shuffle_questions": True,
        "feedback": "never",
        "due_at": "2031-01-01T11:00:00Z",
    }
    assert without_viewer(response.json()) == changed
    response = await embedded.client.patch(url, json={"attempts_allowed": None}, headers=staff)
    assert response.json()["attempts_allowed"] is None
    # bad settings are refused and change nothing
    for body, name in [
        ({"time_limit_seconds": 5}, "time_limit_seconds"),
        ({"attempts_allowed": 0}, "attempts_allowed"),
        ({"pass_mark": 101}, "pass_mark"),
        ({"pass_mark": None}, "body"),
        ({"feedback": "sometimes"}, "feedback"),
        ({"due_at": "2031-01-01T12:00:00"}, "due_at"),
        ({"colour": "red"}, "colour"),
    ]:
        response = await embedded.client.patch(url, json=body, headers=staff)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == name, body
    assert without_viewer((await embedded.client.get(url, headers=staff)).json()) == {
        **changed,
        "attempts_allowed": None,
    }


async def test_the_questions_of_a_quiz_change_one_at_a_time(stack: Stack) -> None:
    # given a quiz asking one question, and a question of the bank it does not ask
    setup = await quiz_with(stack, [SINGLE], enroll_learner=False)
    [single] = setup.question_ids
    spare = (await stack.client.post(setup.bank, json=TRUE_FALSE, headers=setup.staff)).json()
    questions = f"{setup.url}/questions"
    # when one is added from the bank, and one is written and added in the same step
    from_bank = await stack.client.post(
        questions, json={"question_id": spare["id"]}, headers=setup.staff
    )
    written = await stack.client.post(
        questions, json={"question": SHORT, "position": 1}, headers=setup.staff
    )
    # then both land where asked, and the new one is in the bank
    assert (from_bank.status_code, written.status_code) == (201, 201), written.text
    order = written.json()["question_ids"]
    assert order[1:] == [single, spare["id"]]
    new = await stack.client.get(f"{setup.bank}/{order[0]}", headers=setup.staff)
    assert (new.json()["type"], new.json()["used_in_quizzes"]) == ("short_answer", [setup.quiz_id])
    assert written.json()["max_score"] == 4.0
    # when one moves and another is taken out
    moved = await stack.client.patch(
        f"{questions}/{order[0]}", json={"position": 3}, headers=setup.staff
    )
    removed = await stack.client.delete(f"{questions}/{single}", headers=setup.staff)
    # then the others keep their order, and the removed one stays in the bank
    assert moved.json()["question_ids"] == [single, spare["id"], order[0]]
    assert removed.json()["question_ids"] == [spare["id"], order[0]]
    kept = await stack.client.get(f"{setup.bank}/{single}", headers=setup.staff)
    assert (kept.status_code, kept.json()["used_in_quizzes"]) == (200, [])
    # and what does not fit is refused with its own problem, changing nothing
    refusals = [
        ("POST", questions, {"question_id": spare["id"]}, 409, "question-already-in-quiz"),
        ("POST", questions, {"question_id": "nope"}, 404, "question-not-found"),
        ("POST", questions, {}, 422, "validation-error"),
        (
            "POST",
            questions,
            {"question_id": spare["id"], "question": SHORT},
            422,
            "validation-error",
        ),
        ("POST", questions, {"question": {**SINGLE, "options": []}}, 422, "validation-error"),
        ("PATCH", f"{questions}/{single}", {"position": 1}, 404, "question-not-in-quiz"),
        ("PATCH", f"{questions}/{spare['id']}", {"position": 0}, 422, "validation-error"),
        ("DELETE", f"{questions}/{single}", None, 404, "question-not-in-quiz"),
    ]
    bank_size = len((await stack.client.get(setup.bank, headers=setup.staff)).json()["items"])
    for method, path, body, status, slug in refusals:
        response = await stack.client.request(method, path, json=body, headers=setup.staff)
        assert problem_of(response) == (status, f"/problems/{slug}"), (method, body)
    codes = await stack.client.post(questions, json={}, headers=setup.staff)
    assert [e["code"] for e in codes.json()["errors"]] == ["question_or_question_id"]
    assert (await setup.quiz(setup.staff))["question_ids"] == [spare["id"], order[0]]
    bank = (await stack.client.get(setup.bank, headers=setup.staff)).json()["items"]
    assert len(bank) == bank_size


async def test_questions_added_at_the_same_time_all_land(stack: Stack) -> None:
    # given a quiz nobody has configured yet (no settings row) and five bank questions
    course, staff, items = await published_course_with_items(stack, kinds=("quiz",))
    url = f"/api/v1/courses/{course['id']}/quizzes/{items[0]['id']}"
    bank = f"/api/v1/courses/{course['id']}/questions"
    ids = [
        (
            await stack.client.post(bank, json={**TRUE_FALSE, "prompt": f"Q{n}"}, headers=staff)
        ).json()["id"]
        for n in range(5)
    ]
    # when the five are added at once
    responses = await asyncio.gather(
        *(
            stack.client.post(f"{url}/questions", json={"question_id": qid}, headers=staff)
            for qid in ids
        )
    )
    # then every one lands, each at its own position, none lost
    assert [response.status_code for response in responses] == [201] * 5
    final = (await stack.client.get(url, headers=staff)).json()["question_ids"]
    assert sorted(final) == sorted(ids)
    assert sorted(len(response.json()["question_ids"]) for response in responses) == [
        1,
        2,
        3,
        4,
        5,
    ]


async def test_a_quiz_travels_in_the_course_archive(embedded: Stack) -> None:
    # given a configured quiz
    setup = await quiz_with(
        embedded, [SINGLE, MATCHING], enroll_learner=False, pass_mark=80, attempts_allowed=1
    )
    archive = await embedded.client.get(
        f"/api/v1/courses/{setup.course['id']}/export", headers=setup.staff
    )
    assert archive.status_code == 200, archive.text
    # when it is imported as a new course
    response = await embedded.client.post(
        "/api/v1/courses/import",
        files={"file": ("course.zip", archive.content, "application/zip")},
        headers=setup.staff,
    )
    assert response.status_code == 201, response.text
    copy = (
        await embedded.client.get(f"/api/v1/courses/{response.json()['id']}", headers=setup.staff)
    ).json()
    quiz_id = copy["sections"][0]["items"][0]["id"]
    # then its settings and questions are there, as new questions of the new course's bank
    quiz = (
        await embedded.client.get(
            f"/api/v1/courses/{copy['id']}/quizzes/{quiz_id}", headers=setup.staff
        )
    ).json()
    assert (quiz["pass_mark"], quiz["attempts_allowed"], quiz["max_score"]) == (80.0, 1, 4.0)
    bank = (
        await embedded.client.get(f"/api/v1/courses/{copy['id']}/questions", headers=setup.staff)
    ).json()["items"]
    assert [q["id"] for q in bank] == quiz["question_ids"]
    assert not set(quiz["question_ids"]) & set(setup.question_ids)
    assert [(q["type"], q["prompt"], q["course_id"]) for q in bank] == [
        ("single_choice", SINGLE["prompt"], copy["id"]),
        ("matching", MATCHING["prompt"], copy["id"]),
    ]
    assert bank[1]["pairs"] == MATCHING["pairs"]
