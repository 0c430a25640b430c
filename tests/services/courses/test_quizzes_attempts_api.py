"""Attempts at quizzes: taking one and its grading by machine, the races that must not
double an attempt or a grading, every question type, attempt limits and the best score,
and shuffling. The tests that depend on the database or the bus run on both tiers."""

from __future__ import annotations

import asyncio
import random

from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    MATCHING,
    NUMERIC,
    ORDERING,
    PARTIAL,
    PROBLEM,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    attempt_count,
    courses_outbox,
    enroll,
    outbox_rows,
    quiz_with,
)

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
    # (the subject of every courses event is the course)
    assert {subject for _type, subject, _data in await outbox_rows(stack)} == {setup.course["id"]}
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


# ------------------------------------------------------------------ on the embedded tier


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
    assert [(e["pointer"], e["code"], e["detail"]) for e in response.json()["errors"]] == [
        (f"#/answers/{numeric}", "wrong_answer_shape", "must be a finite number"),
        (
            f"#/answers/{ordering}",
            "wrong_answer_shape",
            "must list every entry id once, in your order",
        ),
        ("#/answers/ghost", "not_a_question_of_attempt", "is not a question of this attempt"),
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
