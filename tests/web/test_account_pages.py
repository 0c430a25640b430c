"""Registration and log-in pages: they tell nobody who has an account, and a busy auth
service gets the form back with a plain sentence instead of an error page."""

from __future__ import annotations

import httpx
import pytest

from learnhub.kit.config import Settings
from learnhub.web import create_web_app
from tests.conftest import Stack
from tests.services.auth.support import hashing_blocked, log_in, outbox_types
from tests.web.conftest import Site


@pytest.fixture
def one_hashing_thread_no_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_WORKERS", "1")
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_QUEUE", "0")


async def test_an_email_already_registered_gets_the_page_a_new_one_gets(
    site: Site, embedded: Stack
) -> None:
    # when someone registers a demo learner's address, and someone else a new one
    taken = await site.submit(
        "/register",
        {"display_name": "Copy", "email": "learner1@example.com", "password": "a long password"},
    )
    new = await site.submit(
        "/register",
        {"display_name": "Nova", "email": "nova@example.com", "password": "a long password"},
    )

    # then both get the same page, but for the address they typed, and nobody is signed in
    assert taken.status_code == new.status_code == 200
    assert site.text(taken).replace("learner1@example.com", "nova@example.com") == site.text(new)
    assert "Check your email" in site.text(new)
    assert (await site.get("/learning")).status_code == 303
    # and the owner keeps their password, while the auth service asked to tell them
    await site.log_in("learner1@example.com", "learnhub-learner")
    assert "user.account_exists_notice_requested.v1" in await outbox_types(embedded)


async def test_the_confirmation_link_signs_the_newcomer_in_once(
    site: Site, embedded: Stack
) -> None:
    # given a newcomer who registered and opens the e-mailed link
    await site.submit(
        "/register",
        {"display_name": "Nova", "email": "nova@example.com", "password": "a long password"},
    )
    token = await embedded.confirmation_token("nova@example.com")
    opened = await site.get(f"/confirm-email?token={token}")
    assert opened.status_code == 200
    # (opening it changes nothing: a mail scanner that follows links creates no account)
    assert (await log_in(embedded, "nova@example.com", "a long password")).status_code == 401

    # when they confirm
    confirmed = await site.client.post(
        "/confirm-email", data={"token": token, "csrf_token": site.csrf_token(opened.text)}
    )

    # then they are signed in and straight on home, greeted by name
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, "/")
    home = await site.get("/")
    assert "Hello, Nova" in site.text(home)
    assert "Your email address is confirmed and your account is ready." in site.text(home)
    # and the link does not work a second time
    again = await Site(site.client).submit(
        "/confirm-email", {"token": token}, form_page=f"/confirm-email?token={token}"
    )
    assert again.status_code == 400
    assert "This link does not work any more" in site.text(again)


async def test_a_confirmation_page_without_a_token_says_the_link_does_not_work(
    site: Site,
) -> None:
    opened = await site.get("/confirm-email")
    forged = await site.submit(
        "/confirm-email", {"token": "not-a-token"}, form_page="/confirm-email?token=x"
    )

    assert opened.status_code == forged.status_code == 400
    for page in (opened, forged):
        assert "This link does not work any more" in site.text(page)
        assert 'href="/register"' in page.text


@pytest.mark.usefixtures("one_hashing_thread_no_queue")
async def test_a_busy_auth_service_gives_the_forms_back_with_a_plain_sentence(
    site: Site, embedded: Stack
) -> None:
    login_page = await site.get("/login")
    register_page = await site.get("/register")

    async with hashing_blocked(embedded):
        login = await site.client.post(
            "/login",
            data={
                "email": "learner1@example.com",
                "password": "learnhub-learner",
                "csrf_token": site.csrf_token(login_page.text),
            },
        )
        register = await site.client.post(
            "/register",
            data={
                "display_name": "Later",
                "email": "later@example.com",
                "password": "a long password",
                "csrf_token": site.csrf_token(register_page.text),
            },
        )

    assert login.status_code == 503
    assert (
        '<a href="#email">We could not log you in just now. Try again in a few seconds.</a>'
        in login.text
    )
    assert 'value="learner1@example.com"' in login.text
    assert register.status_code == 503
    assert (
        '<a href="#email">We could not create your account just now. '
        "Try again in a few seconds.</a>" in register.text
    )
    assert 'value="Later"' in register.text
    assert "a long password" not in register.text
    # and once the service has a free thread again, the same form works
    await site.log_in("learner1@example.com", "learnhub-learner")


def _unreachable_api(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("the API is down", request=request)


async def test_an_unreachable_api_gives_the_log_in_form_back_too() -> None:
    settings = Settings(env="test", secret_key="a-test-secret-that-is-long-enough")
    api = httpx.AsyncClient(transport=httpx.MockTransport(_unreachable_api), base_url="http://gw")
    app = create_web_app(settings, api)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        site = Site(client)
        response = await site.submit(
            "/login", {"email": "ana@example.com", "password": "whatever it is"}
        )
    await api.aclose()

    assert response.status_code == 503
    assert "We could not log you in just now. Try again in a few seconds." in response.text
    assert 'value="ana@example.com"' in response.text
