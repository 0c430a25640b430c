"""The pages, driven through the whole platform the way a browser without scripts would."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import learnhub.web
from tests.conftest import Stack

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

ADMIN = ("admin@example.com", "learnhub-admin")
LEARNER = ("learner1@example.com", "learnhub-learner")
STATIC_DIR = Path(learnhub.web.__file__).parent / "static"


def lang_of(html: str) -> str:
    match = re.search(r'<html lang="([a-z]+)">', html)
    assert match, "no <html lang>"
    return match.group(1)


def h1_of(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no <h1>"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


async def test_register_confirm_edit_profile_and_log_out(site: Site, embedded: Stack) -> None:
    # given a visitor who registers
    registered = await site.submit(
        "/register",
        {
            "display_name": "Maria Silva",
            "email": "maria@example.com",
            "password": "a long password",
        },
    )
    assert registered.status_code == 200
    assert h1_of(registered.text) == "Check your email"
    assert "We have sent an email to maria@example.com" in site.text(registered)

    # when she follows the e-mailed link, she goes straight on, signed in
    link = f"/confirm-email?token={await embedded.confirmation_token('maria@example.com')}"
    confirmed = await site.submit(
        "/confirm-email", {"token": link.split("=", 1)[1]}, form_page=link
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/"
    home = await site.get("/")
    assert h1_of(home.text) == "Hello, Maria Silva"
    assert "Your email address is confirmed and your account is ready." in site.text(home)

    # and edits her profile, switching it to Portuguese
    profile_page = await site.get("/profile")
    assert profile_page.status_code == 200
    assert 'value="Maria Silva"' in profile_page.text
    saved = await site.submit(
        "/profile",
        {
            "display_name": "Maria S.",
            "bio": "Aprendo química.",
            "avatar_url": "https://example.com/maria.png",
            "locale": "pt",
            "time_zone": "America/Sao_Paulo",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/profile"

    # then the profile shows the changes, in Portuguese
    profile_page = await site.get("/profile")
    assert lang_of(profile_page.text) == "pt"
    assert h1_of(profile_page.text) == "Seu perfil"
    assert "Seu perfil foi salvo." in site.text(profile_page)
    assert 'id="display_name" name="display_name" type="text" value="Maria S."' in profile_page.text
    assert ">Aprendo química.</textarea>" in profile_page.text
    assert '<option value="America/Sao_Paulo" selected>Sao Paulo</option>' in profile_page.text
    assert '<option value="pt" selected>Português</option>' in profile_page.text

    # when she logs out
    logged_out = await site.submit("/logout", {}, form_page="/")
    assert logged_out.status_code == 303
    assert logged_out.headers["location"] == "/"

    # then she is anonymous again, still reading Portuguese, and her profile is closed
    home = await site.get("/")
    assert lang_of(home.text) == "pt"
    assert "Você saiu." in site.text(home)
    assert h1_of(home.text) == "Boas-vindas a learnhub"
    profile_again = await site.get("/profile")
    assert profile_again.status_code == 303
    assert profile_again.headers["location"] == "/login?next=%2Fprofile"


async def test_an_invalid_form_shows_each_error_beside_its_field_and_in_the_summary(
    site: Site,
) -> None:
    response = await site.submit(
        "/register", {"display_name": "Rui", "email": "rui@example", "password": "tooshort"}
    )

    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Create an account \u2013 learnhub</title>" in html
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary
    assert re.findall(r'<a href="(#\w+)">([^<]+)</a>', summary.group(0)) == [
        ("#email", "Enter an email address in the correct format, like name@example.com"),
        ("#password", "Password must be 10 characters or more"),
    ]
    assert (
        '<p class="field__error" id="email-error"><span class="visually-hidden">Error:</span> '
        "Enter an email address in the correct format, like name@example.com</p>"
    ) in html
    assert 'id="email" name="email" type="email" value="rui@example"' in html
    assert 'aria-invalid="true" aria-describedby="email-hint email-error"' in html
    assert 'value="Rui"' in html
    assert "tooshort" not in html  # passwords are never sent back


async def test_wrong_credentials_are_refused_without_saying_which_was_wrong(site: Site) -> None:
    response = await site.submit(
        "/login", {"email": "learner1@example.com", "password": "not the password"}
    )

    assert response.status_code == 422
    assert '<a href="#email">The email address or password is not right</a>' in response.text
    assert 'value="learner1@example.com"' in response.text
    assert "not the password" not in response.text


async def test_a_form_without_the_csrf_token_is_refused_and_has_no_effect(site: Site) -> None:
    await site.get("/register")  # the browser has its CSRF cookie
    data = {"display_name": "Eve", "email": "eve@example.com", "password": "a long password"}

    missing = await site.client.post("/register", data=data)
    wrong = await site.client.post("/register", data={**data, "csrf_token": "0" * 64})

    for response in (missing, wrong):
        assert response.status_code == 403
        assert h1_of(response.text) == "This form has expired"
    login = await site.submit("/login", {"email": "eve@example.com", "password": "a long password"})
    assert login.status_code == 422  # the account was never created


async def test_a_token_from_another_browser_is_refused(site: Site) -> None:
    page = await site.get("/login")
    token = site.csrf_token(page.text)
    site.client.cookies.clear()  # another browser: another nonce
    await site.get("/login")

    response = await site.client.post(
        "/login", data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": token}
    )

    assert response.status_code == 403


async def test_the_users_page_sends_anonymous_visitors_to_log_in(site: Site) -> None:
    response = await site.get("/admin/users?q=ana")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fq%3Dana"


async def test_logging_in_from_the_redirect_comes_back_to_the_page(site: Site) -> None:
    response = await site.submit(
        "/login",
        {"email": ADMIN[0], "password": ADMIN[1], "next": "/admin/users"},
        form_page="/login?next=%2Fadmin%2Fusers",
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"


async def test_the_users_page_is_forbidden_to_a_learner(site: Site) -> None:
    await site.log_in(*LEARNER)

    response = await site.get("/admin/users")

    assert response.status_code == 403
    assert h1_of(response.text) == "You do not have permission to see this page"
    assert 'href="/admin/users"' not in response.text  # and the nav does not offer it


async def test_an_admin_finds_a_user_and_changes_their_role(site: Site) -> None:
    await site.log_in(*ADMIN)

    listing = await site.get("/admin/users?q=learner1")
    assert listing.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", listing.text, re.S)
    assert len(rows) == 1
    assert "learner1@example.com" in rows[0]
    assert '<option value="learner" selected>Learner</option>' in rows[0]
    action = re.search(r'action="(/admin/users/[^"]+/role)"', rows[0])
    assert action

    changed = await site.client.post(
        action.group(1),
        data={
            "role": "instructor",
            "back": "/admin/users?q=learner1",
            "csrf_token": site.csrf_token(listing.text),
        },
    )

    assert changed.status_code == 303
    assert changed.headers["location"] == "/admin/users?q=learner1"
    listing = await site.get("/admin/users?q=learner1")
    assert re.search(r"is now: Instructor\.", site.text(listing))
    row = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", listing.text, re.S)[0]
    assert '<option value="instructor" selected>Instructor</option>' in row


async def test_an_admin_cannot_remove_their_own_admin_role(site: Site) -> None:
    await site.log_in(*ADMIN)
    listing = await site.get("/admin/users?q=admin%40example.com")
    row = next(
        row
        for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", listing.text, re.S)
        if "admin@example.com" in row
    )
    action = re.search(r'action="(/admin/users/[^"]+/role)"', row)
    assert action

    response = await site.client.post(
        action.group(1),
        data={"role": "learner", "back": "/admin/users", "csrf_token": site.csrf_token(row)},
    )

    assert response.status_code == 303
    page = await site.get("/admin/users")
    assert "You cannot remove your own administrator role. Ask another administrator." in site.text(
        page
    )


async def test_a_live_search_gets_only_the_results(
    site: Site,
) -> None:
    await site.log_in(*ADMIN)

    fragment = await site.get(
        "/admin/users?q=learner2", headers={"HX-Request": "true", "HX-Target": "users-results"}
    )

    assert fragment.status_code == 200
    assert fragment.text.startswith('<div id="users-results" class="users-results">')
    assert "<html" not in fragment.text
    assert "learner2@example.com" in fragment.text
    assert "learner1@example.com" not in fragment.text


async def test_portuguese_follows_the_browsers_accept_language(site: Site) -> None:
    response = await site.get("/", headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"})

    assert lang_of(response.text) == "pt"
    assert response.headers["content-language"] == "pt"
    assert h1_of(response.text) == "Boas-vindas a learnhub"
    assert '<a class="skip-link" href="#main">Pular para o conteúdo principal</a>' in response.text


async def test_the_footer_switcher_changes_the_language_and_remembers_it(site: Site) -> None:
    switched = await site.submit(
        "/language", {"locale": "pt", "next": "/login"}, form_page="/login"
    )

    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    assert site.client.cookies.get("lh_locale") == "pt"
    page = await site.get("/login", headers={"Accept-Language": "en"})
    assert lang_of(page.text) == "pt"
    assert h1_of(page.text) == "Entrar"
    assert '<button type="submit" name="locale" value="pt" lang="pt"' in page.text


async def test_forgot_password_never_reveals_whether_an_account_exists(site: Site) -> None:
    known = await site.submit("/forgot-password", {"email": "learner1@example.com"})
    unknown = await site.submit("/forgot-password", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert site.text(known) == site.text(unknown)
    assert (
        "If an account exists for that email address, we have sent it a link to reset the "
        "password." in site.text(known)
    )


async def test_a_bad_reset_link_says_so_and_offers_a_new_one(site: Site) -> None:
    form = await site.get("/reset-password?token=not-a-real-token")
    assert form.status_code == 200
    assert 'name="token" value="not-a-real-token"' in form.text

    response = await site.submit(
        "/reset-password",
        {"token": "not-a-real-token", "new_password": "a brand new password"},
        form_page="/reset-password?token=not-a-real-token",
    )

    assert response.status_code == 400
    assert h1_of(response.text) == "This link does not work any more"
    assert 'href="/forgot-password"' in response.text


async def test_changing_the_password_needs_the_current_one(site: Site) -> None:
    await site.log_in(*LEARNER)

    wrong = await site.submit(
        "/profile/password",
        {"current_password": "not it at all", "new_password": "a brand new password"},
    )
    assert wrong.status_code == 422
    assert '<a href="#current_password">Your current password is not right</a>' in wrong.text

    changed = await site.submit(
        "/profile/password",
        {"current_password": LEARNER[1], "new_password": "a brand new password"},
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/profile"


async def test_an_unknown_page_is_a_404_in_the_layout(site: Site) -> None:
    response = await site.get("/no/such/page")

    assert response.status_code == 404
    assert h1_of(response.text) == "Page not found"
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in response.text


async def test_cookies_are_httponly_and_samesite_lax(site: Site) -> None:
    await site.get("/login")
    response = await site.submit("/login", {"email": ADMIN[0], "password": ADMIN[1]})

    set_cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookies if c.startswith("lh_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # the test platform's public URL is plain http


async def test_static_files_carry_their_content_hash_and_are_cached_for_a_year(
    site: Site,
) -> None:
    page = await site.get("/")
    expected = hashlib.sha256((STATIC_DIR / "app.css").read_bytes()).hexdigest()[:12]
    assert f'href="/static/app.css?v={expected}"' in page.text

    stylesheet = await site.get(f"/static/app.css?v={expected}")

    assert stylesheet.status_code == 200
    assert stylesheet.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert stylesheet.headers["content-type"].startswith("text/css")


async def test_pages_stay_under_100_kb(site: Site) -> None:
    await site.log_in(*ADMIN)
    for path in ("/", "/profile", "/profile/password", "/admin/users", "/forgot-password"):
        response = await site.get(path)
        assert response.status_code == 200, path
        assert len(response.content) < 100_000, path
