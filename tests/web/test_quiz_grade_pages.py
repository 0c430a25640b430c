"""A quiz's grade on the pages: the instructor sets what it is worth and which attempt
counts, the learner sees their answers (and the right ones when allowed) with the attempt
that counts, and both grade pages show the quiz."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def _take(site: Site, quiz_path: str, answer: str) -> str:
    """Start an attempt, answer the one question, submit; the result page's text."""
    started = await site.submit(f"{quiz_path}/start", {}, form_page=quiz_path)
    attempt_path = started.headers["location"]
    page = await site.get(attempt_path)
    field = re.search(r'name="(q-[^"]+)" value="four"', page.text)
    assert field
    submitted = await site.submit(attempt_path, {field.group(1): answer, "action": "submit"})
    assert submitted.status_code == 303, site.text(submitted)
    return site.text(await site.get(attempt_path))


async def test_the_attempt_that_counts_from_the_editor_to_the_grades(
    site: Site, author: Author
) -> None:
    # given a quiz whose instructor makes it worth 10 points in "Exams", last attempt counts
    course, items = await author.course("Graded quiz", items=(("quiz", "Sum"),))
    quiz_id = items[0]["id"]
    await author.single_choice_quiz(course["id"], quiz_id)
    editor = f"/teach/{course['id']}/quizzes/{quiz_id}"
    await site.log_in(*INSTRUCTOR)
    form = {"pass_mark": "60", "show_feedback": "after_submit", "show_correct_answers": "yes"}
    refused = await site.submit(
        f"{editor}/settings", {**form, "points": "0", "grading_method": "last"}, form_page=editor
    )
    assert refused.status_code == 422
    assert "Enter the points as a number greater than 0, or leave it empty" in site.text(refused)
    saved = await site.submit(
        f"{editor}/settings",
        {**form, "points": "10", "grade_category": "Exams", "grading_method": "last"},
        form_page=editor,
    )
    assert saved.status_code == 303, site.text(saved)
    quiz = await author.call("GET", f"/api/v1/courses/{course['id']}/quizzes/{quiz_id}", 200)
    assert (quiz["points"], quiz["grade_category"], quiz["grading_method"]) == (10, "Exams", "last")
    await site.submit("/logout", {}, form_page="/learning")
    # when a learner gets it right, then wrong
    await site.log_in(*LEARNER)
    await site.submit("/courses/graded-quiz/enroll", {}, form_page="/courses/graded-quiz")
    quiz_path = f"/courses/graded-quiz/quizzes/{quiz_id}"
    right = await _take(site, quiz_path, "four")
    assert "Your answer 4" in right and "The right answer" not in right
    assert "This attempt is the one that counts for your grade." in right
    wrong = await _take(site, quiz_path, "three")
    # then the result shows their answer, the right one, and that the last attempt counts
    assert "Your answer 3" in wrong and "The right answer 4" in wrong
    assert "The last attempt counts. This attempt is the one that counts" in wrong
    intro = site.text(await site.get(quiz_path))
    assert "Grading The last attempt counts" in intro and "Your grade 0% \u2013 attempt 2" in intro
    grades = site.text(await site.get("/courses/graded-quiz/grades"))
    assert "Sum (Quiz) The last attempt counts Exams 0 of 10" in grades
    await site.submit("/logout", {}, form_page="/learning")
    # and the gradebook has the quiz's column
    await site.log_in(*INSTRUCTOR)
    book = site.text(await site.get(f"/teach/{course['id']}/gradebook"))
    assert "Sum out of 10 · Exams The last attempt counts" in book


async def test_without_the_instructors_leave_the_right_answer_stays_hidden(
    site: Site, author: Author
) -> None:
    course, items = await author.course("Hidden keys", items=(("quiz", "Sum"),))
    quiz_id = items[0]["id"]
    await author.single_choice_quiz(course["id"], quiz_id)
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/quizzes/{quiz_id}",
        200,
        json={"show_correct_answers": False},
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/hidden-keys/enroll", {}, form_page="/courses/hidden-keys")
    result = await _take(site, f"/courses/hidden-keys/quizzes/{quiz_id}", "three")
    assert "Your answer 3" in result and "Not right" in result
    assert "The right answer" not in result
