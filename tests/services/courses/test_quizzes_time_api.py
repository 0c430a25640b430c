"""The server keeps a quiz's time: deadlines, the grace period, due dates and when
feedback shows. Reading never writes: an attempt whose time is up reads as expired and is
closed by the learner's next action or by the periodic task, exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from learnhub.kit.db import utcnow
from learnhub.services.courses.quizzes.tasks import close_overdue_attempts
from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    SINGLE,
    TRUE_FALSE,
    attempt_row,
    courses_outbox,
    enroll,
    outbox_rows,
    quiz_with,
    shift_attempt,
)


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


async def test_reading_an_overdue_attempt_writes_nothing(stack: Stack) -> None:
    # given an attempt whose time is up, with one answer saved in time
    setup = await quiz_with(stack, [SINGLE, TRUE_FALSE], time_limit_seconds=60)
    single, _ = setup.question_ids
    attempt = (await setup.start()).json()
    await stack.client.put(
        f"{setup.url}/attempts/{attempt['id']}/answers",
        json={"answers": {single: "four"}},
        headers=setup.learner,
    )
    await shift_attempt(stack, attempt["id"], 100)
    await stack.settle()
    row_before = await attempt_row(stack, attempt["id"])
    outbox_before = await outbox_rows(stack)
    # when the learner and staff read the attempt, the list and the quiz
    read = await setup.attempt(attempt["id"])
    staff_read = await setup.attempt(attempt["id"], setup.staff)
    listed = await stack.client.get(f"{setup.url}/attempts", headers=setup.learner)
    quiz = await setup.quiz()
    # then it reads as expired, without a result yet
    assert (read["status"], read["result"], staff_read["status"]) == ("expired", None, "expired")
    assert [a["status"] for a in listed.json()["items"]] == ["expired"]
    assert (quiz["viewer"]["can_resume"], quiz["viewer"]["open_attempt_id"]) == (False, None)
    # and nothing was written or announced
    await stack.settle()
    assert await attempt_row(stack, attempt["id"]) == row_before
    assert await outbox_rows(stack) == outbox_before


async def test_the_periodic_task_closes_an_overdue_attempt_once(stack: Stack) -> None:
    # given an overdue attempt with an answer saved in time, and one still running
    setup = await quiz_with(stack, [SINGLE, TRUE_FALSE], time_limit_seconds=60)
    single, _ = setup.question_ids
    attempt = (await setup.start()).json()
    await stack.client.put(
        f"{setup.url}/attempts/{attempt['id']}/answers",
        json={"answers": {single: "four"}},
        headers=setup.learner,
    )
    await shift_attempt(stack, attempt["id"], 100)
    _, bob = await enroll(stack, setup.course["id"], "bob@example.com")
    running = (await setup.start(bob)).json()
    runtime = stack.platform.runtime("courses")
    # when the task runs twice at once, and then once more
    first, second = await asyncio.gather(
        close_overdue_attempts(runtime), close_overdue_attempts(runtime)
    )
    third = await close_overdue_attempts(runtime)
    # then the overdue attempt was closed exactly once, at its deadline, with what was saved
    assert (first + second, third) == (1, 0)
    closed = await setup.attempt(attempt["id"])
    assert (closed["status"], closed["result"]["score"]) == ("graded", 2.0)
    assert closed["submitted_at"] == closed["deadline"]
    await stack.settle()
    events = await courses_outbox(stack, "quiz.submitted.v1")
    assert [event["attempt_id"] for event in events] == [attempt["id"]]
    progress = await stack.client.get(
        f"/api/v1/courses/{setup.course['id']}/progress/me", headers=setup.learner
    )
    assert progress.json()["items"][0]["score"] == 2.0
    # and the running attempt is untouched
    assert (await setup.attempt(running["id"], bob))["status"] == "in_progress"


async def test_the_task_is_part_of_the_service_and_follows_its_setting(embedded: Stack) -> None:
    runtime = embedded.platform.runtime("courses")
    [task] = runtime.spec.tasks
    assert task.name == "close-overdue-quiz-attempts"
    assert task.interval(runtime) == runtime.service_settings.overdue_attempts_interval_seconds
