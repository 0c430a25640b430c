"""Announcements in headless Chromium, on a desktop and on a phone: the instructor posts
one and is asked before deleting it, a learner reads it on the course and home pages;
every page audited with axe, and none scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_courses_browser import (
    INSTRUCTOR,
    LEARNER,
    log_in,
    published_course,
)
from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{page.url} is {wide}px wider than the window"


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_an_announcement_from_the_instructor_to_the_learner(
    browser: Browser, live_server: str, width: int
) -> None:
    course = published_course(live_server)
    course_url = f"{live_server}/courses/{course['slug']}"
    learner = new_page(browser, width=width)
    log_in(learner, live_server, *LEARNER)
    learner.goto(course_url)
    learner.get_by_role("button", name="Enroll").click()

    teacher = new_page(browser, width=width)
    log_in(teacher, live_server, *INSTRUCTOR)
    teacher.goto(f"{course_url}/announcements")
    teacher.get_by_role("button", name="Post the announcement").click()
    expect(teacher.get_by_text("Enter a title for the announcement").first).to_be_visible()
    assert_accessible(teacher)
    teacher.get_by_label("Title").fill("Oven day")
    teacher.get_by_label("Message").fill("Bring an **apron**.")
    teacher.get_by_role("button", name="Post the announcement").click()
    expect(teacher.get_by_role("status")).to_have_text("Your announcement has been posted.")
    expect(teacher.get_by_role("heading", name="Oven day")).to_be_visible()
    assert_accessible(teacher)
    _fits(teacher)

    learner.goto(course_url)
    expect(learner.get_by_role("heading", name="Oven day")).to_be_visible()
    assert_accessible(learner)
    learner.goto(live_server)
    expect(learner.get_by_role("heading", name="Oven day")).to_be_visible()
    expect(learner.locator(".announcement strong")).to_have_text("apron")
    assert_accessible(learner)
    _fits(learner)

    teacher.get_by_role("link", name="Delete this announcement").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Delete the announcement?")
    assert_accessible(teacher)
    teacher.get_by_role("button", name="Delete the announcement").click()
    expect(teacher.get_by_text("There are no announcements yet.")).to_be_visible()
    learner.context.close()
    teacher.context.close()
