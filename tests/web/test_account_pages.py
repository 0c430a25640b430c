"""Registration and log-in pages: they tell nobody who has an account, and a busy auth
service gets the form back with a plain sentence instead of an error page."""

from __future__ import annotations

import httpx
import pytest

from learnhub.kit.config import Settings
from learnhub.web import create_web_app
from tests.conftest import Stack
from tests.services.auth.support import hashing_blocked, outbox_types
from tests.web.conftest import Site

NEW_OR_TAKEN = "If this email address is new to us, your account is ready: log in to start."


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
    taken_page = await site.get("/login")
    new = await site.submit(
        "/register",
        {"display_name": "Nova", "email": "nova@example.com", "password": "a long password"},
    )
    new_page = await site.get("/login")

    # then both go to the log-in page with the same words
    assert (taken.status_code, taken.headers["location"]) == (303, "/login")
    assert (new.status_code, new.headers["location"]) == (303, "/login")
    assert NEW_OR_TAKEN in site.text(taken_page)
    assert NEW_OR_TAKEN in site.text(new_page)
    # and the owner keeps their password, while the auth service asked to tell them
    await site.log_in("learner1@example.com", "learnhub-learner")
    assert "user.account_exists_notice_requested.v1" in await outbox_types(embedded)


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
