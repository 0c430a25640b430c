"""Grading quiz essays on the pages: the teacher's home says what waits, the queue lists
the attempts, the grade page takes points and feedback per essay (refusals next to the
essay), and the learner then sees the grade and the feedback."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_an_essay_is_graded_from_the_teachers_home(site: Site, author: Author) -> None:
    # given a quiz with an essay, handed in by a learner
    course, items = await author.course("Essays", items=(("quiz", "Reflect"),))
    quiz_id = items[0]["id"]
    essay = await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/questions",
        201,
        json={"type": "essay", "prompt": "Why clay?", "points": 5},
    )
    quiz_api = f"/api/v1/courses/{course['id']}/quizzes/{quiz_id}"
    await author.call("PUT", f"{quiz_api}/questions", 200, json={"question_ids": [essay["id"]]})
    await site.log_in(*LEARNER)
    await site.submit("/courses/essays/enroll", {}, form_page="/courses/essays")
    quiz_path = f"/courses/essays/quizzes/{quiz_id}"
    started = await site.submit(f"{quiz_path}/start", {}, form_page=quiz_path)
    attempt_path = started.headers["location"]
    field = f"q-{essay['id']}"
    await site.submit(attempt_path, {field: "Because it remembers.", "action": "submit"})
    await site.submit("/logout", {}, form_page="/learning")
    # and a learner may not see the queue
    await site.log_in(*LEARNER)
    assert (await site.get(f"/teach/{course['id']}/quiz-grading")).status_code == 403
    await site.submit("/logout", {}, form_page="/learning")
    # when the instructor opens their home, then the queue, then the attempt
    await site.log_in(*INSTRUCTOR)
    home = site.text(await site.get("/"))
    assert "Waiting to be graded Essays 1 quiz attempt with written answers" in home
    queue = await site.get(f"/teach/{course['id']}/quiz-grading")
    link = re.search(rf'href="(/teach/{course["id"]}/quiz-grading/[^"]+)"', queue.text)
    assert link and "Reflect (attempt 1)" in site.text(queue)
    grade_page = link.group(1)
    assert "Because it remembers." in site.text(await site.get(grade_page))
    # then too many points are refused next to the essay, what was typed kept
    points, feedback = f"points-{essay['id']}", f"feedback-{essay['id']}"
    refused = await site.submit(grade_page, {points: "6", feedback: "Lovely."})
    assert refused.status_code == 422
    assert "Give at most the question's points" in site.text(refused)
    assert "Lovely." in refused.text
    empty = await site.submit(grade_page, {points: "", feedback: ""})
    assert "Enter the points of at least one answer" in site.text(empty)
    saved = await site.submit(grade_page, {points: "4", feedback: "Lovely."})
    assert saved.status_code == 303
    after = site.text(await site.get(saved.headers["location"]))
    assert "The grades have been saved." in after
    assert "No quiz answers are waiting to be graded." in after
    assert "Waiting to be graded" not in site.text(await site.get("/"))
    await site.submit("/logout", {}, form_page="/learning")
    # and the learner sees the grade and the feedback
    await site.log_in(*LEARNER)
    result = site.text(await site.get(attempt_path))
    assert "You scored 4 out of 5 (80%)." in result
    assert "Your grader's feedback Lovely." in result
