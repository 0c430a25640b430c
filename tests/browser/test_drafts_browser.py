"""Draft items in headless Chromium, on a desktop and on a phone: the builder marks a
draft and publishes it, and the instructor previews the course page as learners see it;
each page audited with axe."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_courses_browser import INSTRUCTOR, _call, instructor_client, log_in
from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_draft_is_published_after_a_preview(
    browser: Browser, live_server: str, width: int
) -> None:
    with instructor_client(live_server) as client:
        course = _call(
            client,
            "POST",
            "/api/v1/courses",
            201,
            json={
                "title": f"Glazing {uuid.uuid4().hex[:6]}",
                "summary": "Shine.",
                "level": "beginner",
            },
        )
        base = f"/api/v1/courses/{course['id']}"
        section = _call(client, "POST", f"{base}/sections", 201, json={"title": "Week 1"})
        items = f"{base}/sections/{section['id']}/items"
        _call(
            client,
            "POST",
            items,
            201,
            json={"kind": "lesson", "title": "Dipping", "published": True},
        )
        _call(client, "POST", items, 201, json={"kind": "lesson", "title": "Spraying"})
        _call(client, "PATCH", base, 200, json={"visibility": "published"})

    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}")
    draft = page.locator(".builder-item", has_text="Spraying")
    expect(draft.get_by_text("Draft", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Preview as a learner").click()
    expect(page.get_by_text("Preview: the course page as its learners see it")).to_be_visible()
    expect(page.get_by_text("Dipping")).to_be_visible()
    expect(page.get_by_text("Spraying")).to_have_count(0)
    assert_accessible(page)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1

    page.goto(f"{live_server}/teach/{course['id']}")
    page.get_by_role("button", name="Publish Spraying").click()
    expect(page.get_by_role("status")).to_contain_text("The item is published")
    expect(
        page.locator(".builder-item", has_text="Spraying").get_by_text("Draft", exact=True)
    ).to_have_count(0)
    page.goto(f"{live_server}/courses/{course['slug']}?preview=learner")
    expect(page.get_by_text("Spraying")).to_be_visible()
    page.context.close()
