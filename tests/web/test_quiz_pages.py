"""A quiz attempt whose time is up: its page only reads (the attempt reads as expired and
nothing is written), and handing it in from there closes it with what was saved."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.conftest import Stack
from tests.services.courses.quiz_support import attempt_row, outbox_rows, shift_attempt
from tests.web.test_courses_pages import LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_an_expired_attempt_is_shown_without_writing_and_handed_in_on_request(
    site: Site, author: Author, embedded: Stack
) -> None:
    course, items = await author.course("Timed", items=(("quiz", "Quick"),))
    quiz = items[0]
    await author.single_choice_quiz(course["id"], quiz["id"])
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}",
        200,
        json={"time_limit_seconds": 60},
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/timed/enroll", {}, form_page="/courses/timed")
    quiz_path = f"/courses/timed/quizzes/{quiz['id']}"
    started = await site.submit(f"{quiz_path}/start", {}, form_page=quiz_path)
    attempt_path = started.headers["location"]
    attempt_id = attempt_path.rsplit("/", 1)[1]
    page = await site.get(attempt_path)
    field = re.search(r'name="(q-[^"]+)" value="four"', page.text)
    assert field
    await site.submit(attempt_path, {field.group(1): "four", "action": "save"})
    # when the time is up and the learner opens the attempt and the quiz
    await shift_attempt(embedded, attempt_id, 3600)
    await embedded.settle()
    row, events = await attempt_row(embedded, attempt_id), await outbox_rows(embedded)
    expired = await site.get(attempt_path)
    intro = await site.get(quiz_path)
    # then the pages say so and nothing was written
    assert "Your time is up. The answers you saved in time will be graded." in site.text(expired)
    assert "Time is up" in site.text(intro)
    await embedded.settle()
    assert await attempt_row(embedded, attempt_id) == row
    assert await outbox_rows(embedded) == events
    # and handing it in grades what was saved in time
    handed_in = await site.submit(attempt_path, {"action": "submit"})
    assert handed_in.status_code == 303
    result = site.text(await site.get(attempt_path))
    assert "You scored 1 out of 1 (100%)." in result
