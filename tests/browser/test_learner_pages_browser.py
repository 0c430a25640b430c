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
            json={"kind": "lesson", "title": "Starter"},
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
            json={"kind": "assignment", "title": "Make a tart"},
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
