"""The web UI in headless Chromium: a learner's journey and an axe-core audit of each page."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = ("admin@example.com", "learnhub-admin")
REQUIRE_TIERS = os.environ.get("LEARNHUB_REQUIRE_TIERS") == "1" or os.environ.get("CI") == "true"


def _require(available: bool, message: str) -> None:
    if available:
        return
    if REQUIRE_TIERS:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    _require(chromium is not None, "Chromium is not installed (apt-get install chromium)")
    _require(AXE_SCRIPT.is_file(), "axe-core is missing: run `npm ci` in the repository root")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Browser, *, color_scheme: str = "light", width: int = 1280) -> Page:
    # Bypassing the CSP only lets the test inject axe-core; the pages themselves load none.
    context = browser.new_context(
        color_scheme=color_scheme,  # type: ignore[arg-type]
        viewport={"width": width, "height": 900},
        bypass_csp=True,
    )
    return context.new_page()


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now; the WCAG 2.1 A and AA violations."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}:\n{json.dumps(violations, indent=2)}"


def register_and_confirm(page: Page, live: LiveServer, name: str) -> None:
    """Sign up through the form, then follow the e-mailed link and its one button."""
    email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(live.url)
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("main")).to_contain_text(f"We have sent an email to {email}.")
    assert_accessible(page)

    page.goto(live.confirmation_link(email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and continue").click()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_link_of_a_new_sign_up_signs_the_learner_in_straight_on(
    browser: Browser, live_platform: LiveServer, width: int
) -> None:
    page = new_page(browser, width=width)

    register_and_confirm(page, live_platform, "Ana Souza")

    expect(page).to_have_url(f"{live_platform.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Souza")
    expect(page.get_by_role("status")).to_have_text(
        "Your email address is confirmed and your account is ready."
    )
    assert_accessible(page)
    page.context.close()


def test_a_new_learner_edits_the_profile_and_logs_out(
    browser: Browser, live_platform: LiveServer
) -> None:
    page = new_page(browser)
    register_and_confirm(page, live_platform, "Ana Souza")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Souza")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your profile").click()
    name = page.get_by_label("Your name")
    name.fill("")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your name").click()
    expect(page.get_by_label("Your name")).to_be_focused()

    page.get_by_label("Your name").fill("Ana S.")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("Your profile has been saved.")
    expect(page.get_by_label("Your name")).to_have_value("Ana S.")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Lisbon")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    "path", ["/", "/register", "/login", "/forgot-password", "/confirm-email", "/no-such-page"]
)
def test_public_pages_have_no_accessibility_violations(
    browser: Browser, live_server: str, path: str
) -> None:
    page = new_page(browser)
    page.goto(f"{live_server}{path}")
    assert_accessible(page)
    page.context.close()


def test_a_form_with_errors_has_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    page = new_page(browser)
    page.goto(f"{live_server}/register")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    assert_accessible(page)
    page.context.close()


def test_signed_in_pages_have_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    page = new_page(browser)
    log_in(page, live_server, *ADMIN)
    for path in ("/", "/profile", "/profile/password", "/admin/users"):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
    page.context.close()


def test_the_home_page_in_dark_mode_has_no_accessibility_violations(
    browser: Browser, live_server: str
) -> None:
    page = new_page(browser, color_scheme="dark")
    page.goto(live_server)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)"  # the dark theme is really in use
    assert_accessible(page)
    page.context.close()


def test_on_a_phone_only_the_users_table_scrolls_sideways(
    browser: Browser, live_server: str
) -> None:
    page = new_page(browser, width=360)
    log_in(page, live_server, *ADMIN)
    page.goto(f"{live_server}/admin/users")

    page_overflows = page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    table_scrolls = page.evaluate(
        "(() => { const box = document.querySelector('.table-scroll');"
        " return box.scrollWidth > box.clientWidth; })()"
    )

    assert page_overflows is False
    assert table_scrolls is True
    assert_accessible(page)
    page.context.close()


def test_the_user_search_updates_the_results_in_place(browser: Browser, live_server: str) -> None:
    page = new_page(browser)
    log_in(page, live_server, *ADMIN)
    page.goto(f"{live_server}/admin/users")
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Search by name or email").press_sequentially("learner2", delay=20)

    expect(page).to_have_url(f"{live_server}/admin/users?q=learner2")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("learner2@example.com")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped by HTMX, not reloaded
    page.context.close()
