"""The course pages in headless Chromium: a learner's journey from the catalog to the
dashboard, with an axe-core audit of every page on the way (and one in dark mode)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the shell tests

pytestmark = pytest.mark.browser

INSTRUCTOR = ("instructor@example.com", "learnhub-instructor")
LEARNER = ("learner2@example.com", "learnhub-learner")


def _call(client: httpx.Client, method: str, path: str, expected: int, **kwargs: Any) -> Any:
    response = client.request(method, path, **kwargs)
    assert response.status_code == expected, f"{method} {path}: {response.text}"
    return response.json() if response.content else None


@contextlib.contextmanager
def instructor_client(base_url: str) -> Iterator[httpx.Client]:
    """An API client signed in as the demo instructor."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        tokens = _call(
            client,
            "POST",
            "/api/v1/auth/login",
            200,
            json={"email": INSTRUCTOR[0], "password": INSTRUCTOR[1]},
        )
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        yield client


def published_course(base_url: str) -> dict[str, Any]:
    """A published course with a lesson and a single-choice quiz, made by the instructor."""
    with instructor_client(base_url) as client:
        title = f"Baking basics {uuid.uuid4().hex[:6]}"
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={"title": title, "summary": "Bread, cakes and biscuits.", "level": "beginner"},
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        items = f"{base}/sections/{section['id']}/items"
        lesson = _call(
            client, "POST", items, 201, json={"kind": "lesson", "title": "Flour", "published": True}
        )
        quiz = _call(
            client,
            "POST",
            items,
            201,
            json={"kind": "quiz", "title": "Check yourself", "published": True},
        )
        _call(
            client,
            "PUT",
            f"{base}/lessons/{lesson['id']}",
            200,
            json={"content_markdown": "Strong flour has **more protein**.", "transcript": "Hi."},
        )
        question = _call(
            client,
            "POST",
            f"{base}/questions",
            201,
            json={
                "type": "single_choice",
                "prompt": "Which flour makes the chewiest bread?",
                "options": [{"text": "Cake flour"}, {"text": "Strong flour", "correct": True}],
            },
        )
        _call(
            client,
            "PUT",
            f"{base}/quizzes/{quiz['id']}/questions",
            200,
            json={"question_ids": [question["id"]]},
        )
        return _call(client, "PATCH", base, 200, json={"visibility": "published"})


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_a_learner_goes_from_the_catalog_to_a_passed_quiz(
    browser: Browser, live_server: str
) -> None:
    course = published_course(live_server)
    page = new_page(browser)
    log_in(page, live_server, *LEARNER)

    # the catalog
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    page.get_by_label("Search courses").fill(course["title"])
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)

    # the course page
    page.get_by_role("link", name=course["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course["title"])
    assert_accessible(page)

    # enroll -> the first lesson
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flour")
    expect(page.get_by_text("0 of 2 done", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Flour (Lesson, not done)")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_text("Video transcript").click()
    assert_accessible(page)

    # mark complete -> the quiz
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check yourself")
    expect(page.get_by_role("status")).to_have_text("Lesson marked as complete.")
    expect(page.get_by_text("1 of 2 done", exact=True)).to_be_visible()
    assert_accessible(page)

    # the attempt
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_text("Which flour makes the chewiest bread?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Strong flour").check()
    page.get_by_role("button", name="Submit answers").click()

    # the result
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result: Check yourself")
    expect(page.get_by_text("You scored 1 out of 1 (100%).")).to_be_visible()
    assert_accessible(page)

    # the dashboard: the course is complete, with its certificate
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    certificate = page.get_by_role("link", name=f"Certificate for {course['title']}")
    expect(certificate).to_be_visible()
    assert_accessible(page)

    # the certificate, also in dark mode
    certificate.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of completion")
    assert_accessible(page)
    dark = new_page(browser, color_scheme="dark")
    dark.goto(page.url)
    expect(dark.get_by_role("heading", level=1)).to_have_text("Certificate of completion")
    assert_accessible(dark)
    dark.goto(f"{live_server}/courses")
    assert_accessible(dark)
    dark.context.close()
    page.context.close()


def test_the_teaching_pages_have_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    page = new_page(browser)
    log_in(page, live_server, *INSTRUCTOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teach")
    page.get_by_role("button", name="Create the course").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Course title").fill(f"Sourdough {uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("status")).to_have_text("Your course has been created as a draft.")
    page.get_by_label("New section title").fill("Starter")
    page.get_by_role("button", name="Add section").click()
    page.get_by_label("New item in Starter").fill("Feeding")
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_role("status")).to_have_text("Item added.")
    assert_accessible(page)

    page.get_by_role("link", name="Edit Feeding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Feeding")
    assert_accessible(page)
    page.context.close()


def course_with_assignment(base_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A published course with a lesson and an assignment graded by a two-line rubric."""
    with instructor_client(base_url) as client:
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={"title": f"Pastry {uuid.uuid4().hex[:6]}", "summary": "Doughs and creams."},
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        items = f"{base}/sections/{section['id']}/items"
        _call(
            client,
            "POST",
            items,
            201,
            json={"kind": "lesson", "title": "Butter", "published": True},
        )
        assignment = _call(
            client,
            "POST",
            items,
            201,
            json={"kind": "assignment", "title": "Make a tart", "published": True},
        )
        _call(
            client,
            "PATCH",
            f"{base}/assignments/{assignment['id']}",
            200,
            json={
                "instructions": "Make a tart and describe the **pastry**.",
                "points": 10,
                "allowed_file_types": [".txt"],
                "rubric": [
                    {"title": "Pastry", "description": "Short and crisp.", "points": 6},
                    {"title": "Filling", "description": "Set, not runny.", "points": 4},
                ],
            },
        )
        course = _call(client, "PATCH", base, 200, json={"visibility": "published"})
        return course, assignment


def test_a_learner_hands_in_an_assignment_and_the_instructor_grades_it(
    browser: Browser, live_server: str, tmp_path: Any
) -> None:
    course, _assignment = course_with_assignment(live_server)
    page = new_page(browser)
    log_in(page, live_server, *LEARNER)
    page.goto(f"{live_server}/courses/{course['slug']}")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Butter")

    # the assignment page, reached from the outline
    page.get_by_role("link", name="Make a tart (Assignment, not done)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a tart")
    expect(page.get_by_role("table", name="Rubric")).to_be_visible()
    assert_accessible(page)

    # nothing typed: the error summary takes the focus
    page.get_by_role("button", name="Hand in").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page)

    notes = tmp_path / "tart.txt"
    notes.write_text("Blind-baked the shell for 15 minutes.")
    page.get_by_label("Your answer").fill("The pastry was rested overnight.")
    page.get_by_label("Your file").set_input_files(str(notes))
    page.get_by_role("button", name="Hand in").click()
    expect(page.get_by_role("status")).to_have_text("Your work has been handed in.")
    expect(page.get_by_text("Version 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your answer").fill("Second go: rested two nights.")
    page.get_by_role("button", name="Send the new version").click()
    expect(page.get_by_role("status")).to_have_text("Your work has been handed in.")
    expect(page.get_by_text("You have handed in 2 versions.")).to_be_visible()
    assert_accessible(page)
    page.context.close()

    # the instructor: builder -> grading queue -> grade page -> queue -> gradebook
    staff = new_page(browser)
    log_in(staff, live_server, *INSTRUCTOR)
    staff.goto(f"{live_server}/teach/{course['id']}")
    staff.get_by_role("link", name="Grading queue").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Grading queue")
    assert_accessible(staff)
    staff.get_by_role("link", name="Grade the work of").first.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Grade the work of")
    expect(staff.get_by_text("Second go: rested two nights.")).to_be_visible()
    expect(staff.get_by_text("The learner has handed in 2 versions.")).to_be_visible()
    assert_accessible(staff)
    # the first version, graded instead: it is the one that counts
    staff.get_by_role("link", name="Version 1").click()
    expect(staff.get_by_text("The pastry was rested overnight.")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label("Pastry").fill("5")
    staff.get_by_label("Filling").fill("3.5")
    staff.get_by_label("Feedback for the learner").fill("Crisp base, a little pale.")
    staff.get_by_role("button", name="Save the grade").click()
    expect(staff.get_by_role("status")).to_have_text("Grade saved: 8.5 out of 10.")
    assert_accessible(staff)

    staff.get_by_role("link", name="Open the gradebook").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Gradebook")
    expect(staff.get_by_role("table")).to_contain_text("8.5")
    assert_accessible(staff)
    # and on a phone the gradebook scrolls sideways inside its region, not the page
    staff.set_viewport_size({"width": 375, "height": 800})
    staff.reload()
    assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(staff)
    staff.context.close()


def test_the_quiz_and_assignment_editors_have_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    course, assignment = course_with_assignment(live_server)
    with instructor_client(live_server) as client:
        section_id = assignment["section_id"]
        quiz = _call(
            client,
            "POST",
            f"/api/v1/courses/{course['id']}/sections/{section_id}/items",
            201,
            json={"kind": "quiz", "title": "Pastry quiz", "published": True},
        )
    page = new_page(browser)
    log_in(page, live_server, *INSTRUCTOR)
    editors = f"{live_server}/teach/{course['id']}"
    page.goto(f"{editors}/assignments/{assignment['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Make a tart")
    assert_accessible(page)
    # a criterion the API refuses: the error summary, the message next to the field
    new_criterion = page.get_by_role("form", name="New criterion")
    new_criterion.get_by_label("Title").fill("Glaze")
    new_criterion.get_by_label("Points").fill("0")
    new_criterion.get_by_role("button", name="Add the criterion").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter points more than 0")
    assert_accessible(page)
    new_criterion = page.get_by_role("form", name="New criterion")
    new_criterion.get_by_label("Points").fill("2")
    new_criterion.get_by_role("button", name="Add the criterion").click()
    expect(page.get_by_role("status")).to_have_text("The criterion has been added.")
    expect(page.get_by_text("3 criteria. Points in all: 12.")).to_be_visible()
    assert_accessible(page)
    for question_type in ("", "single_choice", "matching", "numeric"):
        page.goto(f"{editors}/quizzes/{quiz['id']}?type={question_type}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pastry quiz")
        assert_accessible(page)
    page.context.close()


def test_the_courses_pages_in_portuguese_have_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    course, assignment = course_with_assignment(live_server)
    quizzed = published_course(live_server)
    learner = new_page(browser)
    log_in(learner, live_server, *LEARNER)
    learner.get_by_role("button", name="Português").click()
    learner.goto(f"{live_server}/courses/{course['slug']}")
    expect(learner.locator("html")).to_have_attribute("lang", "pt")
    learner.get_by_role("button", name="Inscrever-se").click()
    for path in (
        f"/courses/{course['slug']}",
        f"/courses/{course['slug']}/assignments/{assignment['id']}",
        f"/courses/{course['slug']}/grades",
        f"/courses/{quizzed['slug']}",
    ):
        learner.goto(f"{live_server}{path}")
        assert_accessible(learner)
    # the switcher saved the language in the profile: back to English for the other tests
    learner.get_by_role("button", name="English").click()
    expect(learner.locator("html")).to_have_attribute("lang", "en")
    learner.context.close()

    staff = new_page(browser)
    log_in(staff, live_server, *INSTRUCTOR)
    staff.get_by_role("button", name="Português").click()
    teach = f"{live_server}/teach/{course['id']}"
    for path in (
        "",
        f"/assignments/{assignment['id']}",
        "/grading?status=all",
        "/gradebook",
    ):
        staff.goto(f"{teach}{path}")
        expect(staff.locator("html")).to_have_attribute("lang", "pt")
        assert_accessible(staff)
    staff.get_by_role("button", name="English").click()
    expect(staff.locator("html")).to_have_attribute("lang", "en")
    staff.context.close()


def test_a_long_unbroken_title_never_widens_a_page_on_a_phone(
    browser: Browser, live_server: str
) -> None:
    # given a course whose title is one long word, with a lesson named the same way
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    with instructor_client(live_server) as client:
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={"title": word, "summary": f"About {word}.", "level": "beginner"},
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": word})
        _call(
            client,
            "POST",
            f"{base}/sections/{section['id']}/items",
            201,
            json={"kind": "lesson", "title": word, "published": True},
        )
        _call(client, "PATCH", base, 200, json={"visibility": "published"})

    # when its pages are read on a phone, then none scrolls sideways
    page = new_page(browser, width=375)
    log_in(page, live_server, *INSTRUCTOR)
    for path in ("/courses", f"/courses/{course['slug']}", f"/teach/{course['id']}", "/teach"):
        page.goto(f"{live_server}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{path} is {wide}px wider than the phone"
    page.context.close()
