"""The instructor's course management in headless Chromium, on a desktop and a phone: the
course settings, renaming and deleting in the builder, the confirmations before a
destructive or powerful action, and the refusals in the error summary, with axe-core on
every page (and the confirmation's danger button in dark mode)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_courses_browser import (
    INSTRUCTOR,
    _call,
    instructor_client,
    log_in,
    published_course,
)
from tests.browser.test_shell_browser import ADMIN, assert_accessible, browser, new_page

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the shell tests

pytestmark = pytest.mark.browser

PHONE = 375


def _fits(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{page.url} is {wide}px wider than the window"


def _draft_course(base_url: str) -> dict[str, Any]:
    """A draft with one section holding a lesson and a quiz."""
    with instructor_client(base_url) as client:
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={"title": f"Fermenting {uuid.uuid4().hex[:6]}", "summary": "Jars."},
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        items = f"{base}/sections/{section['id']}/items"
        _call(
            client, "POST", items, 201, json={"kind": "lesson", "title": "Brine", "published": True}
        )
        _call(
            client,
            "POST",
            items,
            201,
            json={"kind": "quiz", "title": "Salt check", "published": True},
        )
        return _call(client, "GET", base, 200)


@pytest.mark.parametrize("width", [1280, PHONE])
def test_an_instructor_changes_the_course_settings(
    browser: Browser, live_server: str, width: int
) -> None:
    course = _draft_course(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}")
    page.get_by_role("link", name="Course settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course settings")
    expect(page.get_by_label("Course title")).to_have_value(course["title"])
    _fits(page)
    assert_accessible(page)

    # a refusal: the error summary takes the focus and links to the field
    page.get_by_label("Hours of study").fill("a lot")
    page.get_by_role("group", name="Ends").get_by_label("Date").fill("2020-01-01")
    page.get_by_role("group", name="Starts").get_by_label("Date").fill("2021-01-01")
    page.get_by_role("button", name="Save the settings").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the hours as a number")
    _fits(page)
    assert_accessible(page)
    summary.get_by_role(
        "link", name="Enter the hours as a number, like 12 or 1.5, or leave it empty"
    ).click()
    expect(page.get_by_label("Hours of study")).to_be_focused()

    page.get_by_label("Hours of study").fill("4,5")
    page.get_by_role("group", name="Ends").get_by_label("Date").fill("2021-06-30")
    page.get_by_label("Anyone may ask to join; staff approve each request").check()
    page.get_by_label("they have passed the quiz Salt check").check()
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_have_text("The course settings have been saved.")
    with instructor_client(live_server) as client:
        saved = _call(client, "GET", f"/api/v1/courses/{course['id']}", 200)
    assert (saved["estimated_hours"], saved["enrollment_policy"]) == (4.5, "approval")
    assert len(saved["completion_rule"]["passing_quiz_ids"]) == 1
    page.context.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_an_instructor_renames_and_deletes_in_the_builder(
    browser: Browser, live_server: str, width: int
) -> None:
    course = _draft_course(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    builder = f"{live_server}/teach/{course['id']}"
    page.goto(builder)

    # a new item without a title: the summary, then the field's own message
    page.get_by_role("button", name="Add item").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a title")
    expect(page.get_by_label("New item in Week 1")).to_have_attribute("aria-invalid", "true")
    _fits(page)
    assert_accessible(page)

    # rename the section
    page.get_by_role("link", name="Rename or delete the section Week 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Section: Week 1")
    assert_accessible(page)
    page.get_by_label("Title").fill("Brines and salts")
    page.get_by_role("button", name="Save the title").click()
    expect(page.get_by_role("status")).to_have_text("The section has been renamed.")
    expect(page.get_by_role("heading", name="Brines and salts")).to_be_visible()

    # delete the quiz: asked once, saying what is lost; Cancel keeps it
    page.get_by_role("link", name="Rename or delete Salt check").click()
    page.get_by_role("link", name="Delete the item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Salt check?")
    expect(page.get_by_text("the learners' attempts, scores and progress on it")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz: Salt check")
    page.get_by_role("link", name="Delete the item").click()
    page.get_by_role("button", name="Delete the item").click()
    expect(page.get_by_role("status")).to_have_text("Salt check has been deleted.")
    expect(page.locator(".builder-item")).to_have_count(1)
    expect(page.locator(".builder-item")).to_contain_text("Brine")

    # delete the course itself (a draft): asked once too
    page.get_by_role("link", name="Delete the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete {course['title']}?")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the course").click()
    expect(page.get_by_role("status")).to_have_text(f"{course['title']} has been deleted.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Teach")
    page.context.close()


def test_archiving_asks_first_and_the_danger_button_reads_in_dark_mode(
    browser: Browser, live_server: str
) -> None:
    course = published_course(live_server)
    for scheme in ("light", "dark"):
        page = new_page(browser, color_scheme=scheme)
        log_in(page, live_server, *INSTRUCTOR)
        page.goto(f"{live_server}/teach/{course['id']}")
        page.get_by_role("link", name="Archive the course").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Archive {course['title']}?")
        assert_accessible(page)
        page.context.close()
    page = new_page(browser, width=PHONE)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}/archive")
    _fits(page)
    page.get_by_role("button", name="Archive the course").click()
    expect(page.get_by_role("status")).to_have_text(
        "The course is archived: it takes no new enrollments."
    )
    page.context.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_removing_a_question_from_a_quiz_asks_first(
    browser: Browser, live_server: str, width: int
) -> None:
    course = published_course(live_server)
    with instructor_client(live_server) as client:
        course = _call(client, "GET", f"/api/v1/courses/{course['id']}", 200)
    quiz = next(
        item
        for section in course["sections"]
        for item in section["items"]
        if item["kind"] == "quiz"
    )
    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}/quizzes/{quiz['id']}")
    page.get_by_role("link", name="Remove question 1 from the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove question 1 from Check yourself?"
    )
    expect(page.get_by_text("Which flour makes the chewiest bread?")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Remove the question").click()
    expect(page.get_by_role("status")).to_have_text("The question has been removed from the quiz.")
    expect(page.get_by_text("This quiz has no questions yet.")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_making_an_administrator_asks_first(browser: Browser, live_server: str, width: int) -> None:
    page = new_page(browser, width=width)
    log_in(page, live_server, *ADMIN)
    page.goto(f"{live_server}/admin/users?q=learner1")
    page.get_by_label("Role of").select_option("admin")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("an administrator?")
    expect(page.get_by_role("button", name="Make an administrator")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    # Cancel: back to the list, nothing changed
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_label("Role of")).to_have_value("learner")
    page.context.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_an_instructor_edits_a_question_of_the_quiz(
    browser: Browser, live_server: str, width: int
) -> None:
    course = published_course(live_server)
    with instructor_client(live_server) as client:
        course = _call(client, "GET", f"/api/v1/courses/{course['id']}", 200)
    quiz = next(
        item
        for section in course["sections"]
        for item in section["items"]
        if item["kind"] == "quiz"
    )
    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}/quizzes/{quiz['id']}")
    page.get_by_role("link", name="Edit question 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit question 1 of Check yourself")
    expect(page.get_by_role("textbox", name="Option 2")).to_have_value("Strong flour")
    expect(page.get_by_role("radio", name="Correct : option 2 is right")).to_be_checked()
    _fits(page)
    assert_accessible(page)

    # a refusal keeps what was typed and names the field
    page.get_by_role("textbox", name="Points").fill("0")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter points more than 0")
    assert_accessible(page)

    page.get_by_role("textbox", name="Points").fill("2")
    page.get_by_role("textbox", name="Question").fill("Which flour makes the chewiest loaf?")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("status")).to_have_text("The question has been saved.")
    expect(page.get_by_text("Which flour makes the chewiest loaf?")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_an_instructor_duplicates_a_course(browser: Browser, live_server: str, width: int) -> None:
    course = published_course(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}")
    page.get_by_role("button", name="Duplicate the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{course['title']} (copy)")
    expect(page.get_by_role("status")).to_contain_text("a draft, without learners")
    expect(page.locator(".builder-item").filter(has_text="Check yourself")).to_have_count(1)
    _fits(page)
    assert_accessible(page)
    page.context.close()


def test_the_course_management_pages_in_portuguese_have_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    course = _draft_course(live_server)
    lesson = course["sections"][0]["items"][0]
    page = new_page(browser)
    log_in(page, live_server, *INSTRUCTOR)
    page.get_by_role("button", name="Português").click()
    teach = f"{live_server}/teach/{course['id']}"
    for path in (
        "",
        "/settings",
        f"/sections/{course['sections'][0]['id']}",
        f"/items/{lesson['id']}/delete",
        "/delete",
    ):
        page.goto(f"{teach}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "pt")
        assert_accessible(page)
    expect(page.get_by_role("button", name="Excluir o curso")).to_be_visible()
    # the switcher saved the language in the profile: back to English for the other tests
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()
