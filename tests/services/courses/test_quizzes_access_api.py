"""Who may do what with quizzes, and essays that wait for a grader, on both tiers."""

from __future__ import annotations

from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    ESSAY,
    SINGLE,
    TRUE_FALSE,
    attempt_count,
    courses_outbox,
    enroll,
    outbox_rows,
    quiz_with,
)
from tests.services.courses.support import learner, published_course_with_items


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
        ("POST", f"{setup.url}/questions", {"question": SINGLE}),
        ("PATCH", f"{setup.url}/questions/{setup.question_ids[0]}", {"position": 1}),
        ("DELETE", f"{setup.url}/questions/{setup.question_ids[0]}", None),
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
    assert (await setup.quiz(setup.staff))["question_ids"] == setup.question_ids
    await stack.settle()
    assert await courses_outbox(stack, "quiz.submitted.v1") == []


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
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("#/grades/0", "above_question_points")
    ]
    response = await stack.client.post(
        grade_url, json={"grades": [{"question_id": single, "points": 1}]}, headers=ta
    )
    assert [e["code"] for e in response.json()["errors"]] == ["not_an_essay"]

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
    [(_type, subject, graded_event)] = await outbox_rows(stack, "submission.graded.v1")
    assert subject == setup.course["id"]
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
