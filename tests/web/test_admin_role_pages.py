"""Making someone an administrator is asked once, on a page that says what the role
allows; the other roles change at once, as before."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_web_pages import ADMIN, LEARNER, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


async def _row_action(site: Site, email: str) -> tuple[str, str]:
    """The role form's address of the user with ``email``, and the page's CSRF token."""
    listing = await site.get(f"/admin/users?q={email}")
    row = next(
        row
        for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", listing.text, re.S)
        if email in row
    )
    action = re.search(r'action="(/admin/users/[^"]+/role)"', row)
    assert action
    return action.group(1), site.csrf_token(listing.text)


async def _role_of(site: Site, email: str) -> str:
    listing = await site.get(f"/admin/users?q={email}")
    selected = re.search(r'<option value="(\w+)" selected>', listing.text)
    assert selected
    return selected.group(1)


async def test_making_an_administrator_asks_first(site: Site) -> None:
    await site.log_in(*ADMIN)
    action, token = await _row_action(site, "learner2@example.com")
    back = "/admin/users?q=learner2"

    # the role form asks instead of changing the role
    asked = await site.client.post(
        action, data={"role": "admin", "back": back, "csrf_token": token}
    )

    assert asked.status_code == 200
    assert h1_of(asked.text).startswith("Make ") and h1_of(asked.text).endswith(
        " an administrator?"
    )
    assert "Administrators can do everything on the platform" in site.text(asked)
    assert '<button type="submit" class="button button--danger">Make an administrator</button>' in (
        asked.text
    )
    assert '<input type="hidden" name="confirmed" value="yes">' in asked.text
    assert f'href="{back}">Cancel</a>' in asked.text.replace("&amp;", "&")
    assert await _role_of(site, "learner2@example.com") == "learner"

    # its button makes them one
    confirmed = await site.client.post(
        action,
        data={
            "role": "admin",
            "back": back,
            "confirmed": "yes",
            "csrf_token": site.csrf_token(asked.text),
        },
    )

    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == back
    assert await _role_of(site, "learner2@example.com") == "admin"
    # back to a learner: no question asked for a role with less power
    action, token = await _row_action(site, "learner2@example.com")
    lowered = await site.client.post(
        action, data={"role": "learner", "back": back, "csrf_token": token}
    )
    assert lowered.status_code == 303
    assert await _role_of(site, "learner2@example.com") == "learner"


async def test_an_administrator_is_not_asked_again(site: Site) -> None:
    await site.log_in(*ADMIN)
    action, token = await _row_action(site, "admin@example.com")

    kept = await site.client.post(
        action, data={"role": "admin", "back": "/admin/users", "csrf_token": token}
    )

    assert kept.status_code == 303


async def test_a_learner_gets_neither_the_question_nor_the_role(site: Site) -> None:
    await site.log_in(*ADMIN)
    action, _token = await _row_action(site, "learner2@example.com")
    site.client.cookies.clear()
    await site.log_in(*LEARNER)
    page = await site.get("/courses")

    for data in ({"role": "admin"}, {"role": "admin", "confirmed": "yes"}):
        refused = await site.client.post(
            action, data={**data, "back": "/admin/users", "csrf_token": site.csrf_token(page.text)}
        )
        assert refused.status_code == 403
        assert "administrator?" not in refused.text

    site.client.cookies.clear()
    await site.log_in(*ADMIN)
    assert await _role_of(site, "learner2@example.com") == "learner"
