"""A quiz in headless Chromium, on a desktop and on a phone: the summary that lists the
unanswered questions before submitting, and the result with the learner's answers, the
right ones and the attempt that counts, each page audited with axe."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_courses_browser import (
    INSTRUCTOR,
    LEARNER,
    _call,
    instructor_client,
    log_in,
)
from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]

pytestmark = pytest.mark.browser


def quiz_course(
    base_url: str, title: str, questions: list[dict[str, Any]], **settings: Any
) -> tuple[dict[str, Any], str]:
    """A published course whose one item is a quiz asking ``questions``, with ``settings``."""
    with instructor_client(base_url) as client:
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={
                "title": f"{title} {uuid.uuid4().hex[:6]}",
                "summary": "A quiz.",
                "level": "beginner",
            },
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        quiz = _call(
            client,
            "POST",
            f"{base}/sections/{section['id']}/items",
            201,
            json={"kind": "quiz", "title": f"{title} check", "published": True},
        )
        ids = [
            _call(client, "POST", f"{base}/questions", 201, json=body)["id"] for body in questions
        ]
        quiz_api = f"{base}/quizzes/{quiz['id']}"
        _call(client, "PUT", f"{quiz_api}/questions", 200, json={"question_ids": ids})
        if settings:
            _call(client, "PATCH", quiz_api, 200, json=settings)
        _call(client, "PATCH", base, 200, json={"visibility": "published"})
    return course, quiz["id"]


def two_question_quiz(base_url: str) -> tuple[dict[str, Any], str]:
    """Two single-choice questions about rivers; the last attempt counts."""
    questions = [
        {
            "type": "single_choice",
            "prompt": prompt,
            "feedback": "See the atlas.",
            "options": [{"text": wrong}, {"text": right, "correct": True}],
        }
        for prompt, wrong, right in (
            ("Longest river in Europe?", "Danube", "Volga"),
            ("River through Lisbon?", "Douro", "Tagus"),
        )
    ]
    return quiz_course(base_url, "Rivers", questions, grading_method="last")


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_summary_before_submitting_and_the_answers_in_the_result(
    browser: Browser, live_server: str, width: int
) -> None:
    course, quiz_id = two_question_quiz(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *LEARNER)
    page.goto(f"{live_server}/courses/{course['slug']}")
    page.get_by_role("button", name="Enroll").click()
    page.goto(f"{live_server}/courses/{course['slug']}/quizzes/{quiz_id}")
    expect(page.get_by_text("The last attempt counts")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()

    # one answered, one not: submitting asks first, and going back keeps the answer
    page.get_by_label("Volga").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you submit")
    expect(page.get_by_text("You have not answered 1 question of 2.")).to_be_visible()
    expect(page.get_by_role("link", name="Question 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Go back and answer them").click()
    expect(page.get_by_label("Volga")).to_be_checked()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("button", name="Submit anyway").click()

    # the result: each answer, the right one where it was wrong, the feedback
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your result")
    expect(page.get_by_text("You scored 1 out of 2 (50%).")).to_be_visible()
    expect(page.get_by_text("This attempt is the one that counts for your grade.")).to_be_visible()
    review = page.locator(".review__item")
    expect(review.nth(0)).to_contain_text("Your answer")
    expect(review.nth(0)).to_contain_text("Volga")
    expect(review.nth(1)).to_contain_text("No answer")
    expect(review.nth(1)).to_contain_text("The right answer")
    expect(review.nth(1)).to_contain_text("Tagus")
    expect(review.nth(1)).to_contain_text("See the atlas.")
    assert_accessible(page)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the result is {wide}px wider than the window"
    page.context.close()


def essay_quiz(base_url: str) -> tuple[dict[str, Any], str]:
    """One essay question about clay."""
    essay = {"type": "essay", "prompt": "Why clay?", "points": 5}
    return quiz_course(base_url, "Clay", [essay])


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_an_instructor_grades_an_essay_from_the_home_page(
    browser: Browser, live_server: str, width: int
) -> None:
    course, quiz_id = essay_quiz(live_server)
    learner = new_page(browser, width=width)
    log_in(learner, live_server, *LEARNER)
    learner.goto(f"{live_server}/courses/{course['slug']}")
    learner.get_by_role("button", name="Enroll").click()
    learner.goto(f"{live_server}/courses/{course['slug']}/quizzes/{quiz_id}")
    learner.get_by_role("button", name="Start the quiz").click()
    learner.get_by_label("Your answer").fill("It remembers every touch.")
    learner.get_by_role("button", name="Submit answers").click()
    expect(learner.get_by_text("Some need to be graded by your instructor")).to_be_visible()

    teacher = new_page(browser, width=width)
    log_in(teacher, live_server, *INSTRUCTOR)
    waiting = teacher.get_by_role("region", name="Waiting to be graded")
    expect(waiting).to_contain_text(course["title"])
    assert_accessible(teacher)
    waiting.locator(".card", has_text=course["title"]).get_by_role("link").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Quiz answers to grade")
    assert_accessible(teacher)
    teacher.get_by_role("link", name="Grade the answers of").first.click()
    expect(teacher.get_by_text("It remembers every touch.")).to_be_visible()
    teacher.get_by_label("Points").fill("9")
    teacher.get_by_role("button", name="Save the grades").click()
    expect(teacher.get_by_text("Give at most the question's points").first).to_be_visible()
    assert_accessible(teacher)
    teacher.get_by_label("Points").fill("4")
    teacher.get_by_label("Feedback for the learner").fill("Lovely.")
    teacher.get_by_role("button", name="Save the grades").click()
    expect(teacher.get_by_role("status")).to_have_text("The grades have been saved.")
    wide = teacher.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1

    learner.reload()
    expect(learner.get_by_text("You scored 4 out of 5 (80%).")).to_be_visible()
    expect(learner.get_by_text("Lovely.")).to_be_visible()
    assert_accessible(learner)
    learner.context.close()
    teacher.context.close()
