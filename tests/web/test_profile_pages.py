"""The profile form sends what was typed; the users API decides, and each refusal is
worded next to its field, nothing saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.web.test_courses_pages import LEARNER

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


async def test_what_the_users_api_refuses_is_worded_beside_each_field(site: Site) -> None:
    await site.log_in(*LEARNER)
    before = await site.get("/profile")
    refused = await site.submit(
        "/profile",
        {
            "display_name": "x" * 101,
            "bio": "Fine.",
            # the page used to accept addresses of up to 2,000 characters; the API keeps 500
            "avatar_url": "https://example.com/" + "a" * 600,
            "locale": "xx",
            "time_zone": "Mars/Olympus",
        },
    )
    assert refused.status_code == 422
    text = site.text(refused)
    assert "Enter your name, using 100 characters or fewer" in text
    assert "Enter a web address that starts with https://" in text
    assert "Choose a language from the list" in text
    assert "Choose a time zone from the list" in text
    assert 'value="' + "x" * 101 + '"' in refused.text
    # nothing was saved
    after = await site.get("/profile")
    assert 'id="display_name" name="display_name" type="text" value="Leo Learner"' in after.text
    assert before.status_code == 200
