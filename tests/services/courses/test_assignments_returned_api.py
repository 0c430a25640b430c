"""Work returned for resubmission: the grader hands it back, the item is to do again, the
learner may hand in a new version whatever the resubmission rule and the due date, and
grading that version completes it."""

from __future__ import annotations

from datetime import timedelta

from learnhub.kit.db import utcnow
from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    assignment_course,
    courses_outbox,
    iso,
    item_progress,
    problem_of,
    submit,
)


async def test_returned_work_may_be_handed_in_again_and_counts_once_graded(stack: Stack) -> None:
    # given an assignment taking one submission, due yesterday, refusing late work
    course = await assignment_course(stack, resubmission="never")
    first = (await submit(stack, course, course.learner1, text="Draft")).json()
    await stack.client.patch(
        course.url,
        json={"due_at": iso(utcnow() - timedelta(days=1)), "late_policy": "refuse"},
        headers=course.staff,
    )
    # when the grader returns it with a grade and feedback
    grade_url = f"{course.submission_url(first['id'])}/grade"
    returned = await stack.client.post(
        grade_url,
        json={"score": 4, "feedback": "Add sources.", "return_for_resubmission": True},
        headers=course.staff,
    )
    assert returned.status_code == 200, returned.text
    assert (returned.json()["returned"], returned.json()["grade"]["final_score"]) == (True, 4.0)
    # then the item is to do again, with the grade kept, and the learner may resubmit
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "returned",
        4.0,
        10.0,
    )
    state = await stack.client.get(course.url, headers=course.learner1)
    viewer = state.json()["viewer"]
    assert (viewer["can_submit"], viewer["can_resubmit"]) == (True, True)
    second = await submit(stack, course, course.learner1, text="Draft with sources")
    assert (second.status_code, second.json()["version"]) == (201, 2)
    assert (await item_progress(stack, course.assignment_id, course.learner1_id))[0] == (
        "submitted"
    )
    # and once more only if it is returned again: the rule applies to the new version
    third = await submit(stack, course, course.learner1, text="Again")
    assert problem_of(third)[0] in (403, 409)
    # when the new version is graded, the item is completed
    graded = await stack.client.post(
        f"{course.submission_url(second.json()['id'])}/grade",
        json={"score": 9},
        headers=course.staff,
    )
    assert graded.status_code == 200, graded.text
    assert graded.json()["returned"] is False
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        9.0,
        10.0,
    )
    await stack.settle()
    progress_events = [
        event
        for event in await courses_outbox(stack, "progress.updated.v1")
        if event["user_id"] == course.learner1_id
    ]
    assert [event["completed_items"] for event in progress_events] == [1]


async def test_returning_completed_work_makes_it_to_do_again(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    work = (await submit(embedded, course, course.learner2, text="Essay")).json()
    url = f"{course.submission_url(work['id'])}/grade"
    assert (await embedded.client.post(url, json={"score": 8}, headers=course.staff)).is_success
    regraded = await embedded.client.post(
        url, json={"score": 8, "return_for_resubmission": True}, headers=course.staff
    )
    assert regraded.status_code == 200, regraded.text
    progress = await embedded.client.get(
        f"/api/v1/courses/{course.id}/progress/me", headers=course.learner2
    )
    [item] = progress.json()["items"]
    assert (item["status"], progress.json()["completed_items"]) == ("returned", 0)
    await embedded.settle()
    events = [
        event["completed_items"]
        for event in await courses_outbox(embedded, "progress.updated.v1")
        if event["user_id"] == course.learner2_id
    ]
    assert events == [1, 0]
    refused = await embedded.client.post(
        url, json={"score": 8, "return_for_resubmission": "sure"}, headers=course.staff
    )
    assert problem_of(refused) == (422, "/problems/validation-error")
