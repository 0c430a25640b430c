"""The assignment's ``viewer`` block says what the caller may do, and it agrees with what
the API then does: in every state, a submission is accepted exactly when the block says
so, and refused with the problem type the block named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    Course,
    assignment_course,
    iso,
    problem_of,
    submit,
)


async def _viewer(stack: Stack, course: Course, headers: dict[str, str]) -> dict[str, Any]:
    response = await stack.client.get(course.url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["viewer"]


async def _agrees(
    stack: Stack, course: Course, headers: dict[str, str], *, expect: str | None
) -> dict[str, Any]:
    """Read the viewer, then hand in work: the outcome must be the one the viewer gave,
    and the one the test expects. Returns the viewer."""
    viewer = await _viewer(stack, course, headers)
    response = await submit(stack, course, headers, text="Work")
    outcome = None if response.status_code == 201 else problem_of(response)[1].rsplit("/", 1)[1]
    assert (viewer["can_submit"], viewer["reason_if_not"]) == (outcome is None, outcome)
    assert outcome == expect, response.text
    return viewer


async def _settings(stack: Stack, course: Course, **settings: Any) -> None:
    response = await stack.client.patch(course.url, json=settings, headers=course.staff)
    assert response.status_code == 200, response.text


async def test_the_viewer_block_agrees_with_the_submission_rules(stack: Stack) -> None:
    past = iso(datetime.now(UTC) - timedelta(hours=1))
    course = await assignment_course(stack)
    # a first submission, then a new version while there is no due date
    viewer = await _agrees(stack, course, course.learner1, expect=None)
    assert (viewer["can_resubmit"], viewer["submitted_versions"], viewer["late_now"]) == (
        False,
        0,
        False,
    )
    viewer = await _agrees(stack, course, course.learner1, expect=None)
    assert (viewer["can_resubmit"], viewer["submitted_versions"]) == (True, 1)
    # one submission only
    await _settings(stack, course, resubmission="never")
    await _agrees(stack, course, course.learner1, expect="single-submission-only")
    # past a due date that refuses late work, that is the reason, whatever else applies
    await _settings(stack, course, due_at=past, late_policy="refuse")
    await _agrees(stack, course, course.learner1, expect="past-due")
    await _agrees(stack, course, course.learner2, expect="past-due")
    # late work with a penalty is taken, and the viewer tells how much it costs now
    await _settings(stack, course, late_policy="penalty", penalty_percent_per_day=10)
    viewer = await _agrees(stack, course, course.learner2, expect=None)
    assert (viewer["late_now"], viewer["penalty_percent_now"]) == (True, 10.0)
    # a new version only until the due date
    await _settings(stack, course, resubmission="until_due", late_policy="accept")
    await _agrees(stack, course, course.learner1, expect="resubmission-closed")
    # until graded: the graded learner may not, the other may
    await _settings(stack, course, resubmission="until_graded")
    lia = (await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner2)).json()
    graded = await stack.client.post(
        f"{course.submission_url(lia[0]['id'])}/grade", json={"score": 5}, headers=course.staff
    )
    assert graded.status_code == 200, graded.text
    await _agrees(stack, course, course.learner2, expect="already-graded")
    await _agrees(stack, course, course.learner1, expect=None)


async def test_staff_see_what_they_may_do(stack: Stack) -> None:
    course = await assignment_course(stack)
    viewer = await _agrees(stack, course, course.staff, expect="not-enrolled")
    assert viewer == {
        "can_edit": True,
        "can_grade": True,
        "can_submit": False,
        "can_resubmit": False,
        "reason_if_not": "not-enrolled",
        "submitted_versions": 0,
        "late_now": False,
        "penalty_percent_now": 0.0,
    }
    learner = await _viewer(stack, course, course.learner1)
    assert (learner["can_edit"], learner["can_grade"]) == (False, False)
