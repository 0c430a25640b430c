"""What a learner finds on the catalog, course and lesson pages in headless Chromium, on a
desktop and on a phone, with an axe-core audit of each page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_courses_browser import _call, instructor_client, log_in
from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the shell tests

pytestmark = pytest.mark.browser

LEARNER = ("learner1@example.com", "learnhub-learner")
WIDTHS = [1280, 375]


def course_with_lesson(base_url: str, markdown: str = "Knead for ten minutes.") -> dict[str, Any]:
    """A published course by the demo instructor with one lesson of ``markdown``."""
    with instructor_client(base_url) as client:
        title = f"Sourdough {uuid.uuid4().hex[:6]}"
        course = _call(client, "POST", "/api/v1/courses", 201, json={"title": title})
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        lesson = _call(
            client,
            "POST",
            f"{base}/sections/{section['id']}/items",
            201,
            json={"kind": "lesson", "title": "Starter", "published": True},
        )
        _call(
            client,
            "PUT",
            f"{base}/lessons/{lesson['id']}",
            200,
            json={"content_markdown": markdown},
        )
        published = _call(client, "PATCH", base, 200, json={"visibility": "published"})
        return {**published, "lesson_id": lesson["id"]}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_catalog_marks_an_enrolled_course_and_the_course_names_its_instructor(
    browser: Browser, live_server: str, width: int
) -> None:
    course = course_with_lesson(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *LEARNER)

    # the course page names who teaches it; enrolling opens the lesson
    page.goto(f"{live_server}/courses/{course['slug']}")
    expect(page.get_by_text("Taught by Ines Instructor")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Starter")

    # the catalog marks the course on its card
    page.goto(f"{live_server}/courses?q={course['title']}")
    card = page.locator(".course-card", has=page.get_by_role("link", name=course["title"]))
    expect(card.get_by_text("You are enrolled")).to_be_visible()
    assert_accessible(page)
    page.context.close()


def course_with_due_assignment(base_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A published course whose one assignment is due in three days (and an hour)."""
    due = datetime.now(UTC) + timedelta(days=3, hours=1)
    with instructor_client(base_url) as client:
        title = f"Pastry {uuid.uuid4().hex[:6]}"
        course = _call(client, "POST", "/api/v1/courses", 201, json={"title": title})
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        assignment = _call(
            client,
            "POST",
            f"{base}/sections/{section['id']}/items",
            201,
            json={"kind": "assignment", "title": "Make a tart", "published": True},
        )
        _call(
            client,
            "PATCH",
            f"{base}/assignments/{assignment['id']}",
            200,
            json={"instructions": "Bake it.", "points": 10, "due_at": due.isoformat()},
        )
        return _call(client, "PATCH", base, 200, json={"visibility": "published"}), assignment


@pytest.mark.parametrize("width", WIDTHS)
def test_a_deadline_says_how_long_is_left_on_the_assignment_and_my_learning(
    browser: Browser, live_server: str, width: int
) -> None:
    course, assignment = course_with_due_assignment(live_server)
    page = new_page(browser, width=width)
    log_in(page, live_server, *LEARNER)
    page.goto(f"{live_server}/courses/{course['slug']}")
    page.get_by_role("button", name="Enroll").click()

    page.goto(f"{live_server}/courses/{course['slug']}/assignments/{assignment['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a tart")
    expect(page.get_by_role("main").get_by_text("(due in 3 days)")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/learning")
    deadlines = page.get_by_role("complementary", name="Coming up")
    expect(deadlines.get_by_role("listitem").filter(has_text=course["title"])).to_contain_text(
        "(due in 3 days)"
    )
    assert_accessible(page)
    page.context.close()


TABLE_LESSON = """Flour by protein:

| Flour | Protein | Best for |
|---|---|---|
| Cake | 7 to 9 % | Sponges and very light, tender crumbs of every kind |
| Strong | 12 to 14 % | Bread |
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_a_lesson_table_is_styled_and_the_lesson_comes_before_its_outline(
    browser: Browser, live_server: str, width: int
) -> None:
    course = course_with_lesson(live_server, TABLE_LESSON)
    page = new_page(browser, width=width)
    log_in(page, live_server, *LEARNER)
    page.goto(f"{live_server}/courses/{course['slug']}")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Starter")

    # the table: ruled cells, a shaded header, and never wider than the page
    cell = page.get_by_role("cell", name="Bread")
    expect(cell).to_have_css("border-top-style", "solid")
    header = page.get_by_role("columnheader", name="Protein")
    assert header.evaluate("th => getComputedStyle(th).backgroundColor") != "rgba(0, 0, 0, 0)"
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the lesson is {wide}px wider than the window"

    outline = page.get_by_role("navigation", name="Course outline")
    lesson_title = page.get_by_role("heading", level=1).bounding_box()
    assert lesson_title is not None
    if width < 600:
        # on a phone: the lesson first, its outline behind a toggle below it
        expect(outline).to_be_hidden()
        toggle = page.get_by_text("Course outline", exact=False).first
        toggle_box = toggle.bounding_box()
        assert toggle_box is not None and toggle_box["y"] > lesson_title["y"]
        toggle.click()
        expect(outline).to_be_visible()
    else:
        # on a wide screen: the outline open beside the lesson, on its left
        expect(outline).to_be_visible()
        outline_box = outline.bounding_box()
        assert outline_box is not None and outline_box["x"] < lesson_title["x"]
        assert abs(outline_box["y"] - lesson_title["y"]) < 200
    expect(outline.get_by_role("link", name="Starter (Lesson, not done)")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)
    # the table's rules and header keep their contrast in dark mode too
    dark = page.context.new_page()
    dark.emulate_media(color_scheme="dark")
    dark.goto(page.url)
    expect(dark.get_by_role("columnheader", name="Protein")).to_be_visible()
    assert dark.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(17, 20, 24)"
    assert_accessible(dark)
    page.context.close()
