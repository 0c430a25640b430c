"""What waits for a grader: the course's quiz grading queue (attempts whose essays wait),
and the overview on a teacher's home of every course they teach with work to grade."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.services.courses.assignments_support import assignment_course, submit
from tests.services.courses.quiz_support import ESSAY, SINGLE, enroll, problem_of, quiz_with


async def _overview(stack: Stack, headers: dict[str, str], course_id: str) -> dict[str, Any] | None:
    response = await stack.client.get("/api/v1/me/grading", headers=headers)
    assert response.status_code == 200, response.text
    return next((entry for entry in response.json() if entry["course_id"] == course_id), None)


async def test_attempts_with_essays_queue_for_a_grader(stack: Stack) -> None:
    # given two learners who handed in a quiz with an essay
    setup = await quiz_with(stack, [SINGLE, ESSAY])
    single, essay = setup.question_ids
    _, bob = await enroll(stack, setup.course["id"], "bob@example.com")
    attempts = []
    for learner in (setup.learner, bob):
        started = (await setup.start(learner)).json()
        submitted = await setup.submit(started["id"], {single: "four", essay: "Why."}, learner)
        attempts.append(submitted.json()["id"])
    queue_url = f"/api/v1/courses/{setup.course['id']}/quiz-grading-queue"
    # then both wait, the first handed in first, a page at a time
    first = (await stack.client.get(queue_url, params={"limit": 1}, headers=setup.staff)).json()
    assert [entry["attempt_id"] for entry in first["items"]] == attempts[:1]
    assert first["items"][0]["quiz_title"] == "Quiz 1"
    rest = await stack.client.get(
        queue_url, params={"cursor": first["next_cursor"]}, headers=setup.staff
    )
    assert [entry["attempt_id"] for entry in rest.json()["items"]] == attempts[1:]
    overview = await _overview(stack, setup.staff, setup.course["id"])
    assert overview is not None
    assert (overview["quiz_attempts"], overview["hand_ins"]) == (2, 0)
    # when one is graded, one is left
    graded = await stack.client.post(
        f"{setup.url}/attempts/{attempts[0]}/grade",
        json={"grades": [{"question_id": essay, "points": 4}]},
        headers=setup.staff,
    )
    assert graded.status_code == 200, graded.text
    left = (await stack.client.get(queue_url, headers=setup.staff)).json()["items"]
    assert [entry["attempt_id"] for entry in left] == attempts[1:]
    overview = await _overview(stack, setup.staff, setup.course["id"])
    assert overview is not None and overview["quiz_attempts"] == 1
    # and learners may not read the queue
    assert problem_of(await stack.client.get(queue_url, headers=bob)) == (
        403,
        "/problems/not-course-staff",
    )
    assert problem_of(await stack.client.get(queue_url))[0] == 401
    assert await _overview(stack, bob, setup.course["id"]) is None


async def test_hand_ins_waiting_count_the_latest_version_once(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    await submit(embedded, course, course.learner1, text="First draft")
    await submit(embedded, course, course.learner1, text="Second draft")
    work = (await submit(embedded, course, course.learner2, text="Done")).json()
    overview = await _overview(embedded, course.staff, course.id)
    assert overview is not None
    assert (overview["hand_ins"], overview["quiz_attempts"]) == (2, 0)
    graded = await embedded.client.post(
        f"{course.submission_url(work['id'])}/grade", json={"score": 7}, headers=course.staff
    )
    assert graded.status_code == 200, graded.text
    overview = await _overview(embedded, course.staff, course.id)
    assert overview is not None and overview["hand_ins"] == 1
    assert await _overview(embedded, course.learner1, course.id) is None
    assert problem_of(await embedded.client.get("/api/v1/me/grading"))[0] == 401
