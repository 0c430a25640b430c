"""The quizzes API: the question bank, quiz settings, timed attempts, grading by machine
and by hand, and the races that must not double an attempt or a grading. The tests that
depend on the database or the bus run on both tiers; the rest on the embedded tier."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from learnhub.kit.db import utcnow
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


async def courses_outbox(stack: Stack, event_type: str | None = None) -> list[dict[str, Any]]:
    import json

    async with stack.platform.runtime("courses").db.session() as session:
        statement = select(outbox_table.c.type, outbox_table.c.data).order_by(
            outbox_table.c.created_at
        )
        if event_type:
            statement = statement.where(outbox_table.c.type == event_type)
        rows = (await session.execute(statement)).all()
    return [{"type": row.type, **json.loads(row.data)} for row in rows]


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


async def attempt_count(stack: Stack) -> int:
    async with stack.platform.runtime("courses").db.session() as session:
        return len((await session.scalars(select(QuizAttempt.id))).all())


# ------------------------------------------------------------------ on both tiers


async def test_a_learner_takes_a_quiz_and_it_is_graded_and_recorded(stack: Stack) -> None:
    # given
    setup = await quiz_with(stack, [SINGLE, TRUE_FALSE, SHORT], pass_mark=50)
    single, true_false, short = setup.question_ids
    # when
    started = await setup.start()
    # then
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert (attempt["number"], attempt["status"], attempt["deadline"], attempt["result"]) == (
        1,
        "in_progress",
        None,
        None,
    )
    assert [q["id"] for q in attempt["questions"]] == setup.question_ids
    assert attempt["questions"][0] == {
        "id": single,
        "type": "single_choice",
        "prompt": "What is **2 + 2**?",
        "prompt_html": "<p>What is <strong>2 + 2</strong>?</p>\n",
        "points": 2.0,
        "options": [
            {"id": "three", "text": "3"},
            {"id": "four", "text": "4"},
            {"id": "five", "text": "5"},
        ],
        "prompts": None,
        "choices": None,
        "items": None,
        "max_words": None,
    }
    assert "correct" not in started.text and "Paris" not in started.text
    assert "Count on your fingers" not in started.text

    # when
    submitted = await setup.submit(
        attempt["id"], {single: "four", true_false: True, short: "  paris "}
    )
    # then
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()["result"]
    assert (result["score"], result["max_score"], result["percent"], result["passed"]) == (
        3.0,
        4.0,
        75.0,
        True,
    )
    assert [(q["question_id"], q["status"], q["points_awarded"]) for q in result["questions"]] == [
        (single, "correct", 2.0),
        (true_false, "incorrect", 0.0),
        (short, "correct", 1.0),
    ]
    assert result["questions"][0]["feedback"] == "Count on your fingers."
    assert result["questions"][0]["correct_answer"] == "four"
    await stack.settle()
    events = await courses_outbox(stack, "quiz.submitted.v1")
    assert len(events) == 1
    assert {k: events[0][k] for k in ("quiz_id", "attempt_id", "user_id", "score")} == {
        "quiz_id": setup.quiz_id,
        "attempt_id": attempt["id"],
        "user_id": setup.learner_id,
        "score": 3.0,
    }
    assert (events[0]["percent"], events[0]["passed"], events[0]["needs_manual_grading"]) == (
        75.0,
        True,
        False,
    )
    progress = await stack.client.get(
        f"/api/v1/courses/{setup.course['id']}/progress/me", headers=setup.learner
    )
    assert progress.status_code == 200, progress.text
    quiz_state = progress.json()["items"][0]
    assert (
        quiz_state["item_id"],
        quiz_state["status"],
        quiz_state["score"],
        quiz_state["max_score"],
        quiz_state["passed"],
    ) == (setup.quiz_id, "completed", 3.0, 4.0, True)


async def test_two_simultaneous_submissions_grade_once(stack: Stack) -> None:
    # given
    setup = await quiz_with(stack, [SINGLE])
    attempt = (await setup.start()).json()
    answers = {setup.question_ids[0]: "four"}
    # when
    first, second = await asyncio.gather(
        setup.submit(attempt["id"], answers), setup.submit(attempt["id"], answers)
    )
    # then
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.headers["content-type"] == PROBLEM
    assert loser.json()["type"] == "/problems/attempt-closed"
    await stack.settle()
    assert len(await courses_outbox(stack, "quiz.submitted.v1")) == 1
    assert (await setup.attempt(attempt["id"]))["result"]["score"] == 2.0


async def test_two_simultaneous_starts_make_one_attempt(stack: Stack) -> None:
    # given
    setup = await quiz_with(stack, [SINGLE])
    # when
    first, second = await asyncio.gather(setup.start(), setup.start())
    # then
    assert sorted([first.status_code, second.status_code]) == [200, 201]
    assert first.json()["id"] == second.json()["id"]
    assert await attempt_count(stack) == 1


async def test_who_may_do_what(stack: Stack) -> None:
    # given
    setup = await quiz_with(stack, [SINGLE])
    _, outsider = await learner(stack, "out@example.com")
    _, other = await enroll(stack, setup.course["id"], "bob@example.com")
    attempt = (await setup.start()).json()

    # a signed-up user who is not enrolled cannot start
    response = await setup.start(outsider)
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-enrolled")
    # a learner cannot read or change the bank, nor the quiz
    for method, path, body in [
        ("GET", setup.bank, None),
        ("POST", setup.bank, SINGLE),
        ("GET", f"{setup.bank}/{setup.question_ids[0]}", None),
        ("PUT", f"{setup.bank}/{setup.question_ids[0]}", TRUE_FALSE),
        ("DELETE", f"{setup.bank}/{setup.question_ids[0]}", None),
        ("PATCH", setup.url, {"pass_mark": 0}),
        ("PUT", f"{setup.url}/questions", {"question_ids": []}),
    ]:
        response = await stack.client.request(method, path, json=body, headers=setup.learner)
        assert (response.status_code, response.json()["type"]) == (
            403,
            "/problems/not-course-staff",
        ), (method, path)
    # another learner cannot read, answer, submit or list someone's attempt
    base = f"{setup.url}/attempts/{attempt['id']}"
    for method, path, body in [
        ("GET", base, None),
        ("PUT", f"{base}/answers", {"answers": {}}),
        ("POST", f"{base}/submit", {"answers": {}}),
    ]:
        response = await stack.client.request(method, path, json=body, headers=other)
        assert (response.status_code, response.json()["type"]) == (
            403,
            "/problems/not-your-attempt",
        ), (method, path)
    response = await stack.client.get(
        f"{setup.url}/attempts", params={"user_id": setup.learner_id}, headers=other
    )
    assert response.status_code == 403
    # staff may read it but not answer for the learner
    assert (await setup.attempt(attempt["id"], setup.staff))["status"] == "in_progress"
    response = await setup.submit(attempt["id"], {}, setup.staff)
    assert response.status_code == 403
    # a teaching assistant of another course is a stranger here
    other_course, other_staff, _ = await published_course_with_items(
        stack, kinds=("lesson",), title="Other", slug="other"
    )
    _, ta = await learner(stack, "ta@example.com")
    response = await stack.client.post(
        f"/api/v1/courses/{other_course['id']}/enrollments",
        json={"email": "ta@example.com", "role": "teaching_assistant"},
        headers=other_staff,
    )
    assert response.status_code == 201, response.text
    for path in (setup.bank, f"{base}"):
        response = await stack.client.get(path, headers=ta)
        assert response.status_code == 403, path
    response = await stack.client.post(
        f"{base}/grade", json={"grades": [{"question_id": "x", "points": 1}]}, headers=ta
    )
    assert response.status_code == 403
    # nothing changed
    assert await attempt_count(stack) == 1
    assert (await setup.attempt(attempt["id"]))["status"] == "in_progress"
    bank = await stack.client.get(setup.bank, headers=setup.staff)
    assert [q["id"] for q in bank.json()["items"]] == setup.question_ids
    await stack.settle()
    assert await courses_outbox(stack, "quiz.submitted.v1") == []


async def test_the_server_keeps_time(stack: Stack) -> None:
    # given a 60-second quiz whose attempt has one answer saved in time
    setup = await quiz_with(stack, [SINGLE, TRUE_FALSE], time_limit_seconds=60)
    single, true_false = setup.question_ids
    attempt = (await setup.start()).json()
    assert attempt["deadline"] is not None
    saved = await stack.client.put(
        f"{setup.url}/attempts/{attempt['id']}/answers",
        json={"answers": {single: "four"}},
        headers=setup.learner,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["answers"] == {single: "four"}

    # when 100 seconds have passed (beyond the deadline and its 30 s grace)
    await shift_attempt(stack, attempt["id"], 100)
    late_save = await stack.client.put(
        f"{setup.url}/attempts/{attempt['id']}/answers",
        json={"answers": {true_false: False}},
        headers=setup.learner,
    )
    # then the late answer is refused and the attempt counts as submitted at its deadline
    assert (late_save.status_code, late_save.json()["type"]) == (409, "/problems/attempt-closed")
    read = await setup.attempt(attempt["id"])
    assert read["status"] == "graded"
    assert read["answers"] == {single: "four"}
    assert read["submitted_at"] == read["deadline"]
    assert read["result"]["score"] == 2.0
    late_submit = await setup.submit(attempt["id"], {true_false: False})
    assert late_submit.status_code == 409
    await stack.settle()
    assert len(await courses_outbox(stack, "quiz.submitted.v1")) == 1


async def test_an_essay_waits_for_a_grader(stack: Stack) -> None:
    # given
    setup = await quiz_with(stack, [SINGLE, ESSAY], pass_mark=50)
    single, essay = setup.question_ids
    ta_id, ta = await learner(stack, "ta@example.com")
    response = await stack.client.post(
        f"/api/v1/courses/{setup.course['id']}/enrollments",
        json={"email": "ta@example.com", "role": "teaching_assistant"},
        headers=setup.staff,
    )
    assert response.status_code == 201, response.text
    attempt = (await setup.start()).json()
    # when
    submitted = await setup.submit(attempt["id"], {single: "four", essay: "Because it does."})
    # then
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "needs_grading"
    assert (body["result"]["score"], body["result"]["percent"], body["result"]["passed"]) == (
        None,
        None,
        None,
    )
    assert [q["status"] for q in body["result"]["questions"]] == ["correct", "pending"]
    await stack.settle()
    [event] = await courses_outbox(stack, "quiz.submitted.v1")
    assert (event["score"], event["max_score"], event["needs_manual_grading"]) == (
        None,
        7.0,
        True,
    )
    progress = await stack.client.get(
        f"/api/v1/courses/{setup.course['id']}/progress/me", headers=setup.learner
    )
    assert progress.json()["items"][0]["status"] != "completed"

    # a learner cannot grade; too many points are refused
    grade_url = f"{setup.url}/attempts/{attempt['id']}/grade"
    response = await stack.client.post(
        grade_url, json={"grades": [{"question_id": essay, "points": 4}]}, headers=setup.learner
    )
    assert response.status_code == 403
    response = await stack.client.post(
        grade_url, json={"grades": [{"question_id": essay, "points": 6}]}, headers=ta
    )
    assert (response.status_code, response.json()["type"]) == (422, "/problems/invalid-grades")
    assert response.json()["errors"][0]["pointer"] == "#/grades/0"

    # when the teaching assistant grades the essay
    response = await stack.client.post(
        grade_url,
        json={"grades": [{"question_id": essay, "points": 3, "feedback": "Say more."}]},
        headers=ta,
    )
    # then
    assert response.status_code == 200, response.text
    graded = response.json()
    assert graded["status"] == "graded"
    assert (graded["result"]["score"], graded["result"]["percent"]) == (5.0, 71.43)
    assert graded["result"]["questions"][1]["grader_feedback"] == "Say more."
    mine = await setup.attempt(attempt["id"])
    assert mine["result"]["questions"][1]["points_awarded"] == 3.0
    await stack.settle()
    [graded_event] = await courses_outbox(stack, "submission.graded.v1")
    assert (
        graded_event["item_kind"],
        graded_event["submission_id"],
        graded_event["graded_by"],
    ) == (
        "quiz",
        attempt["id"],
        ta_id,
    )
    progress = await stack.client.get(
        f"/api/v1/courses/{setup.course['id']}/progress/me", headers=setup.learner
    )
    state = progress.json()["items"][0]
    assert (state["status"], state["score"], state["max_score"], state["passed"]) == (
        "completed",
        5.0,
        7.0,
        True,
    )


# ------------------------------------------------------------------ on the embedded tier


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
        "due_at": None,
        "question_count": 0,
        "max_score": 0.0,
        "question_ids": [],
    }
    assert (await embedded.client.get(url, headers=staff)).json() == defaults
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
    assert response.json() == changed
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
    assert (await embedded.client.get(url, headers=staff)).json() == {
        **changed,
        "attempts_allowed": None,
    }


async def test_every_type_through_an_attempt(embedded: Stack) -> None:
    # given
    setup = await quiz_with(embedded, [PARTIAL, NUMERIC, MATCHING, ORDERING, SHORT])
    partial, numeric, matching, ordering, short = setup.question_ids
    attempt = (await setup.start()).json()
    shown = {q["id"]: q for q in attempt["questions"]}
    assert [p["id"] for p in shown[matching]["prompts"]] == ["fr", "it"]
    assert sorted(c["id"] for c in shown[matching]["choices"]) == ["paris", "rome"]
    assert sorted(i["id"] for i in shown[ordering]["items"]) == ["one", "three", "two"]
    answers_url = f"{setup.url}/attempts/{attempt['id']}/answers"
    # answers that do not fit are refused, each named
    response = await embedded.client.put(
        answers_url,
        json={"answers": {numeric: "three", ordering: ["one"], "ghost": 1}},
        headers=setup.learner,
    )
    assert (response.status_code, response.json()["type"]) == (422, "/problems/invalid-answers")
    assert [(e["pointer"], e["detail"]) for e in response.json()["errors"]] == [
        (f"#/answers/{numeric}", "must be a finite number"),
        (f"#/answers/{ordering}", "must list every entry id once, in your order"),
        ("#/answers/ghost", "is not a question of this attempt"),
    ]
    # saved answers add up, and null clears one
    for answers in ({partial: ["two"], short: "Rome"}, {short: None, numeric: 3.15}):
        response = await embedded.client.put(
            answers_url, json={"answers": answers}, headers=setup.learner
        )
        assert response.status_code == 200, response.text
    assert response.json()["answers"] == {partial: ["two"], numeric: 3.15}
    # when the rest is sent with the submission
    response = await setup.submit(
        attempt["id"],
        {matching: {"fr": "paris", "it": "paris"}, ordering: ["one", "two", "three"]},
    )
    # then
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert [(q["status"], q["points_awarded"]) for q in result["questions"]] == [
        ("partially_correct", 2.0),
        ("correct", 1.0),
        ("partially_correct", 1.0),
        ("correct", 1.0),
        ("incorrect", 0.0),
    ]
    assert (result["score"], result["max_score"], result["percent"], result["passed"]) == (
        5.0,
        9.0,
        55.56,
        False,
    )
    assert result["questions"][2]["correct_answer"] == {"fr": "paris", "it": "rome"}
    # the submitted attempt takes no more answers
    response = await embedded.client.put(
        answers_url, json={"answers": {short: "Paris"}}, headers=setup.learner
    )
    assert (response.status_code, response.json()["type"]) == (409, "/problems/attempt-closed")


async def test_attempt_limits_and_the_best_score(embedded: Stack) -> None:
    # given a quiz with two attempts
    setup = await quiz_with(embedded, [SINGLE], attempts_allowed=2, pass_mark=100)
    [single] = setup.question_ids
    progress_url = f"/api/v1/courses/{setup.course['id']}/progress/me"
    first = (await setup.start()).json()
    again = await setup.start()
    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    await setup.submit(first["id"], {single: "three"})
    state = (await embedded.client.get(progress_url, headers=setup.learner)).json()["items"][0]
    assert (state["status"], state["score"], state["passed"]) == ("completed", 0.0, False)
    # when the second attempt is better, then it counts
    second = (await setup.start()).json()
    assert second["number"] == 2
    await setup.submit(second["id"], {single: "four"})
    state = (await embedded.client.get(progress_url, headers=setup.learner)).json()["items"][0]
    assert (state["score"], state["max_score"], state["passed"]) == (2.0, 2.0, True)
    # and no third attempt starts
    response = await setup.start()
    assert (response.status_code, response.json()["type"]) == (409, "/problems/no-attempts-left")
    assert response.json()["attempts_allowed"] == 2
    assert await attempt_count(embedded) == 2
    # the learner lists their own attempts; staff anyone's
    mine = (await embedded.client.get(f"{setup.url}/attempts", headers=setup.learner)).json()
    assert [(a["number"], a["score"], a["passed"]) for a in mine["items"]] == [
        (1, 0.0, False),
        (2, 2.0, True),
    ]
    bob_id, bob = await enroll(embedded, setup.course["id"], "bob@example.com")
    await setup.start(bob)
    everyone = await embedded.client.get(
        f"{setup.url}/attempts", params={"limit": 2}, headers=setup.staff
    )
    assert [a["user_id"] for a in everyone.json()["items"]] == [setup.learner_id] * 2
    rest = await embedded.client.get(
        f"{setup.url}/attempts",
        params={"cursor": everyone.json()["next_cursor"]},
        headers=setup.staff,
    )
    assert [a["user_id"] for a in rest.json()["items"]] == [bob_id]
    bobs = await embedded.client.get(
        f"{setup.url}/attempts", params={"user_id": bob_id}, headers=setup.staff
    )
    assert [a["status"] for a in bobs.json()["items"]] == ["in_progress"]


async def test_shuffled_order_is_fixed_per_attempt(embedded: Stack) -> None:
    # given eight questions, shuffled with their options
    bodies = [{**SINGLE, "prompt": f"Question {n}"} for n in range(8)]
    setup = await quiz_with(embedded, bodies, shuffle_questions=True, shuffle_options=True)
    orders = []
    for _ in range(2):
        # when
        attempt = (await setup.start()).json()
        order = [q["id"] for q in attempt["questions"]]
        expected = list(setup.question_ids)
        random.Random(attempt["id"]).shuffle(expected)
        # then the order follows from the attempt id and does not change when read again
        assert order == expected
        again = await setup.attempt(attempt["id"])
        assert [q["id"] for q in again["questions"]] == order
        assert [q["options"] for q in again["questions"]] == [
            q["options"] for q in attempt["questions"]
        ]
        orders.append(order)
        await setup.submit(attempt["id"], {})
    assert orders[0] != orders[1]


async def test_feedback_policies_and_the_due_date(embedded: Stack) -> None:
    # given a quiz that never shows per-question feedback
    setup = await quiz_with(embedded, [SINGLE], feedback="never")
    [single] = setup.question_ids
    attempt = (await setup.start()).json()
    # when
    result = (await setup.submit(attempt["id"], {single: "four"})).json()["result"]
    # then the learner sees the score only, staff everything
    assert (result["score"], result["questions"]) == (2.0, None)
    staff_view = await setup.attempt(attempt["id"], setup.staff)
    assert staff_view["result"]["questions"][0]["correct_answer"] == "four"
    # after the due date: hidden before it, shown after it
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    await embedded.client.patch(
        setup.url, json={"feedback": "after_due", "due_at": soon}, headers=setup.staff
    )
    assert (await setup.attempt(attempt["id"]))["result"]["questions"] is None
    second = (await setup.start()).json()
    assert second["deadline"] == soon.replace("+00:00", "Z")  # the due date caps the time
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    await embedded.client.patch(setup.url, json={"due_at": past}, headers=setup.staff)
    shown = (await setup.attempt(attempt["id"]))["result"]["questions"]
    assert [(q["status"], q["feedback"]) for q in shown] == [("correct", "Count on your fingers.")]
    # no attempt starts after the due date
    _, bob = await enroll(embedded, setup.course["id"], "bob@example.com")
    response = await setup.start(bob)
    assert (response.status_code, response.json()["type"]) == (409, "/problems/quiz-closed")


async def test_the_grace_period_and_a_late_submission(embedded: Stack) -> None:
    # given a one-minute quiz
    setup = await quiz_with(embedded, [SINGLE, TRUE_FALSE], time_limit_seconds=60)
    single, true_false = setup.question_ids
    first = (await setup.start()).json()
    # when it is submitted 10 seconds after its deadline (within the grace)
    await shift_attempt(embedded, first["id"], 70)
    response = await setup.submit(first["id"], {single: "four", true_false: False})
    # then the answers sent count
    assert response.json()["result"]["score"] == 3.0
    # when an attempt is submitted long after its deadline
    second = (await setup.start()).json()
    await embedded.client.put(
        f"{setup.url}/attempts/{second['id']}/answers",
        json={"answers": {true_false: False}},
        headers=setup.learner,
    )
    await shift_attempt(embedded, second["id"], 3600)
    response = await setup.submit(second["id"], {single: "four", true_false: False})
    # then only the answers saved in time are graded, as of the deadline
    assert response.status_code == 200, response.text
    late = response.json()
    assert (late["answers"], late["result"]["score"], late["submitted_at"]) == (
        {true_false: False},
        1.0,
        late["deadline"],
    )


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
