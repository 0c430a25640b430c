"""The groups page in headless Chromium, on a desktop and on a phone: an instructor makes
a group, puts a learner in it and is asked before deleting it; each page audited with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_courses_browser import INSTRUCTOR, LEARNER, log_in, published_course
from tests.browser.test_shell_browser import assert_accessible, browser, new_page

__all__ = ["browser"]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_an_instructor_groups_a_learner(browser: Browser, live_server: str, width: int) -> None:
    course = published_course(live_server)
    learner = new_page(browser, width=width)
    log_in(learner, live_server, *LEARNER)
    learner.goto(f"{live_server}/courses/{course['slug']}")
    learner.get_by_role("button", name="Enroll").click()
    learner.context.close()

    page = new_page(browser, width=width)
    log_in(page, live_server, *INSTRUCTOR)
    page.goto(f"{live_server}/teach/{course['id']}/groups")
    expect(page.get_by_text("This course has no groups yet.")).to_be_visible()
    page.get_by_label("Name").fill("Evening class")
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("status")).to_have_text("The group has been created.")
    page.get_by_role("group", name="Learners").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Put them in the group").click()
    expect(page.get_by_text("Evening class \u2013 1 learner")).to_be_visible()
    assert_accessible(page)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1
    page.get_by_role("link", name="Delete Evening class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the group?")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the group").click()
    expect(page.get_by_text("This course has no groups yet.")).to_be_visible()
    page.context.close()
