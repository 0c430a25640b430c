"""The quiz's ``viewer`` block says what the caller may do, and it agrees with what the API
then does: a start begins a new attempt exactly when ``can_start`` says so, gives back the
open one when ``can_resume`` does, and is refused with the problem type the block named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from learnhub.kit.db import utcnow
from tests.conftest import Stack
from tests.services.courses.quiz_support import (
    SINGLE,
    QuizSetup,
    enroll,
    problem_of,
    quiz_with,
    shift_attempt,
)
from tests.services.courses.support import learner


async def _agrees(
    setup: QuizSetup, headers: dict[str, str], *, expect: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Read the viewer, then start: the outcome (``new``, ``resumed`` or a problem slug)
    must be the one the viewer gave, and the one the test expects."""
    viewer = (await setup.quiz(headers))["viewer"]
    response = await setup.start(headers)
    if response.status_code == 201:
        outcome, attempt = "new", response.json()
    elif response.status_code == 200:
        outcome, attempt = "resumed", response.json()
        assert attempt["id"] == viewer["open_attempt_id"]
    else:
        outcome, attempt = problem_of(response)[1].rsplit("/", 1)[1], None
    said = "new" if viewer["can_start"] else "resumed" if viewer["can_resume"] else None
    assert (said or viewer["reason_if_not"]) == outcome
    assert outcome == expect, response.text
    return viewer, attempt


async def test_the_viewer_block_agrees_with_starting_attempts(stack: Stack) -> None:
    # given a quiz with two attempts and a time limit
    setup = await quiz_with(stack, [SINGLE], attempts_allowed=2, time_limit_seconds=60)
    viewer, first = await _agrees(setup, setup.learner, expect="new")
    assert (viewer["attempts_used"], viewer["attempts_left"]) == (0, 2)
    assert first is not None
    # an open attempt is resumed
    viewer, _ = await _agrees(setup, setup.learner, expect="resumed")
    assert (viewer["can_start"], viewer["attempts_used"], viewer["attempts_left"]) == (
        False,
        1,
        1,
    )
    # an attempt whose time is up counts as used; the start closes it and begins the next
    await shift_attempt(stack, first["id"], 3600)
    viewer, second = await _agrees(setup, setup.learner, expect="new")
    assert (viewer["can_resume"], viewer["attempts_used"], viewer["attempts_left"]) == (
        False,
        1,
        1,
    )
    assert second is not None
    await setup.submit(second["id"], {})
    # no attempt left
    viewer, _ = await _agrees(setup, setup.learner, expect="no-attempts-left")
    assert viewer["attempts_left"] == 0
    # past the due date, for someone who has attempts left
    _, bob = await enroll(stack, setup.course["id"], "bob@example.com")
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    await stack.client.patch(setup.url, json={"due_at": past}, headers=setup.staff)
    await _agrees(setup, bob, expect="quiz-closed")


async def test_who_sees_what_they_may_do(stack: Stack) -> None:
    setup = await quiz_with(stack, [SINGLE], feedback="after_due")
    _, outsider = await learner(stack, "out@example.com")
    # staff may edit and grade, not take it; they always see the answers
    viewer, _ = await _agrees(setup, setup.staff, expect="not-enrolled")
    assert (viewer["can_edit"], viewer["can_grade"], viewer["can_see_answers"]) == (
        True,
        True,
        True,
    )
    # a signed-in stranger may not take it; nor may anyone anonymous
    await _agrees(setup, outsider, expect="not-enrolled")
    anonymous = (await stack.client.get(setup.url)).json()["viewer"]
    assert (anonymous["can_start"], anonymous["reason_if_not"]) == (False, "unauthorized")
    # a learner sees the answers only after the due date here (and there is none)
    viewer = (await setup.quiz(setup.learner))["viewer"]
    assert (viewer["can_edit"], viewer["can_grade"], viewer["can_see_answers"]) == (
        False,
        False,
        False,
    )


async def test_an_empty_quiz_cannot_start(embedded: Stack) -> None:
    setup = await quiz_with(embedded, [SINGLE])
    removed = await embedded.client.delete(
        f"{setup.url}/questions/{setup.question_ids[0]}", headers=setup.staff
    )
    assert removed.status_code == 200, removed.text
    await _agrees(setup, setup.learner, expect="quiz-empty")
