"""Quiz scores in the grades: every quiz is a gradebook column worth its points (set, or
its total marks), the attempt that counts is the instructor's choice, a hand-graded essay
updates it, and what a learner sees of the right answers is the instructor's choice too."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    ESSAY,
    MATCHING,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    QuizSetup,
    problem_of,
    quiz_with,
)


async def take(setup: QuizSetup, answers: dict[str, Any]) -> dict[str, Any]:
    attempt = (await setup.start()).json()
    response = await setup.submit(attempt["id"], answers)
    assert response.status_code == 200, response.text
    return response.json()


async def quiz_cell(setup: QuizSetup) -> tuple[float | None, float, str | None]:
    """(score, max score, counts) of the learner's quiz cell in the gradebook."""
    url = f"/api/v1/courses/{setup.course['id']}/gradebook"
    book = (await setup.stack.client.get(url, headers=setup.staff)).json()
    [column] = book["columns"]
    [row] = [row for row in book["learners"] if row["user_id"] == setup.learner_id]
    [cell] = row["cells"]
    return cell["score"], cell["max_score"], column["counts"]


async def my_quiz_grade(setup: QuizSetup) -> dict[str, Any]:
    url = f"/api/v1/courses/{setup.course['id']}/grades/me"
    response = await setup.stack.client.get(url, headers=setup.learner)
    assert response.status_code == 200, response.text
    [grade] = response.json()["grades"]
    return grade


async def choose(setup: QuizSetup, **settings: Any) -> dict[str, Any]:
    response = await setup.stack.client.patch(setup.url, json=settings, headers=setup.staff)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_attempt_that_counts_reaches_the_gradebook(stack: Stack) -> None:
    # given a quiz of 4 marks worth 20 points in the "Quizzes" category
    setup = await quiz_with(stack, [SINGLE, TRUE_FALSE, SHORT])
    single, true_false, short = setup.question_ids
    quiz = await choose(setup, points=20, grade_category="Quizzes")
    assert (quiz["max_score"], quiz["points"], quiz["gradebook_points"]) == (4.0, 20.0, 20.0)
    # when the learner scores 50 %, then 100 %, then 25 %
    await take(setup, {single: "four", true_false: True, short: "Rome"})
    await take(setup, {single: "four", true_false: False, short: "paris"})
    await take(setup, {single: "three", true_false: False, short: "Rome"})
    # then their best attempt counts, scaled to the quiz's points, in its category
    assert await quiz_cell(setup) == (20.0, 20.0, "best")
    grade = await my_quiz_grade(setup)
    assert (grade["score"], grade["max_score"], grade["category"], grade["counts"]) == (
        20.0,
        20.0,
        "Quizzes",
        "best",
    )
    counting = (await setup.quiz())["viewer"]["counting"]
    assert (counting["attempt_number"], counting["percent"], counting["graded_attempts"]) == (
        2,
        100.0,
        3,
    )
    # when the instructor chooses another attempt, every learner is counted again
    await choose(setup, grading_method="last")
    assert await quiz_cell(setup) == (5.0, 20.0, "last")
    await choose(setup, grading_method="first")
    assert await quiz_cell(setup) == (10.0, 20.0, "first")
    await choose(setup, grading_method="average")
    assert await quiz_cell(setup) == (11.67, 20.0, "average")
    assert (await setup.quiz())["viewer"]["counting"]["attempt_number"] is None
    progress = await stack.client.get(
        f"/api/v1/courses/{setup.course['id']}/progress/me", headers=setup.learner
    )
    [item] = progress.json()["items"]
    assert (item["score"], item["passed"]) == (2.3333, False)
    # and without set points the quiz is worth its total marks
    quiz = await choose(setup, points=None, grading_method="best")
    assert (quiz["points"], quiz["gradebook_points"]) == (None, 4.0)
    assert await quiz_cell(setup) == (4.0, 4.0, "best")


async def test_a_hand_graded_essay_updates_the_grade(stack: Stack) -> None:
    # given a quiz with a choice (2 marks) and an essay (5 marks)
    setup = await quiz_with(stack, [SINGLE, ESSAY])
    single, essay = setup.question_ids
    attempt = await take(setup, {single: "four", essay: "Because."})
    # while the essay waits for a grader, the quiz has no grade
    assert attempt["status"] == "needs_grading"
    assert await quiz_cell(setup) == (None, 7.0, "best")
    # when the grader scores the essay, the grade follows
    response = await stack.client.post(
        f"{setup.url}/attempts/{attempt['id']}/grade",
        json={"grades": [{"question_id": essay, "points": 3, "feedback": "Say more."}]},
        headers=setup.staff,
    )
    assert response.status_code == 200, response.text
    assert await quiz_cell(setup) == (5.0, 7.0, "best")
    # and an override is bounded by what the quiz is worth
    url = f"/api/v1/courses/{setup.course['id']}/gradebook/overrides"
    body = {"user_id": setup.learner_id, "item_id": setup.quiz_id, "reason": "Regrade"}
    response = await stack.client.put(url, json={**body, "score": 8}, headers=setup.staff)
    assert problem_of(response) == (400, "/problems/invalid-override")
    response = await stack.client.put(url, json={**body, "score": 6}, headers=setup.staff)
    assert response.status_code == 200, response.text
    assert await quiz_cell(setup) == (6.0, 7.0, "best")


async def test_the_instructor_decides_whether_right_answers_show(embedded: Stack) -> None:
    # given a quiz whose results show, without the right answers
    setup = await quiz_with(embedded, [SINGLE, TRUE_FALSE], show_correct_answers=False)
    single, true_false = setup.question_ids
    attempt = await take(setup, {single: "three", true_false: True})
    # then the learner sees their result and the feedback, not the key
    results = attempt["result"]["questions"]
    assert [(r["status"], r["correct_answer"]) for r in results] == [
        ("incorrect", None),
        ("incorrect", None),
    ]
    assert results[0]["feedback"] == "Count on your fingers."
    viewer = (await setup.quiz())["viewer"]
    assert (viewer["can_see_answers"], viewer["can_see_correct_answers"]) == (True, False)
    # while staff always see it
    staff_view = await setup.attempt(attempt["id"], headers=setup.staff)
    assert [r["correct_answer"] for r in staff_view["result"]["questions"]] == ["four", False]
    # when the instructor allows it, the learner sees it too
    await choose(setup, show_correct_answers=True)
    mine = await setup.attempt(attempt["id"])
    assert [r["correct_answer"] for r in mine["result"]["questions"]] == ["four", False]


async def test_an_open_attempt_lists_its_unanswered_questions(embedded: Stack) -> None:
    # given an attempt at three questions
    setup = await quiz_with(embedded, [SINGLE, SHORT, MATCHING])
    single, short, matching = setup.question_ids
    attempt = (await setup.start()).json()
    assert attempt["unanswered_question_ids"] == [single, short, matching]
    # when the learner answers one, leaves one blank and matches only one pair
    response = await embedded.client.put(
        f"{setup.url}/attempts/{attempt['id']}/answers",
        json={"answers": {single: "four", short: "   ", matching: {"fr": "paris"}}},
        headers=setup.learner,
    )
    assert response.status_code == 200, response.text
    # then the blank and the half-done questions still count as unanswered
    assert response.json()["unanswered_question_ids"] == [short, matching]


async def test_quiz_grading_settings_are_checked(embedded: Stack) -> None:
    setup = await quiz_with(embedded, [SINGLE])
    for body in (
        {"grading_method": "worst"},
        {"grading_method": None},
        {"show_correct_answers": None},
        {"points": 0},
        {"grade_category": "x" * 101},
    ):
        response = await embedded.client.patch(setup.url, json=body, headers=setup.staff)
        assert problem_of(response) == (422, "/problems/validation-error"), body
    response = await embedded.client.patch(
        setup.url, json={"grading_method": "last"}, headers=setup.learner
    )
    assert problem_of(response)[0] == 403
    response = await embedded.client.patch(setup.url, json={"grading_method": "last"})
    assert problem_of(response)[0] == 401
    assert (await setup.quiz(setup.staff))["grading_method"] == "best"
