"""Refresh-on-401: the user never notices that access tokens live 15 minutes."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from learnhub.web.api import ApiProblem, LoginRequired, PlatformApi
from learnhub.web.session import WebSession


class FakeAuth:
    """An API whose access tokens can be expired at will, with rotating refresh tokens."""

    def __init__(self) -> None:
        self.valid_access = {"access-1"}
        self.valid_refresh = {"refresh-1"}
        self.refresh_calls = 0
        self.issued = 1

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/refresh":
            self.refresh_calls += 1
            await asyncio.sleep(0.01)  # lets a concurrent request arrive meanwhile
            token = json.loads(request.content)["refresh_token"]
            if token not in self.valid_refresh:
                return httpx.Response(401, json={"type": "/problems/invalid-refresh-token"})
            self.valid_refresh.discard(token)
            self.issued += 1
            access, refresh = f"access-{self.issued}", f"refresh-{self.issued}"
            self.valid_access = {access}
            self.valid_refresh.add(refresh)
            return httpx.Response(
                200,
                json={
                    "access_token": access,
                    "refresh_token": refresh,
                    "token_type": "Bearer",
                    "expires_in": 900,
                },
            )
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid_access:
            return httpx.Response(401, json={"type": "/problems/unauthenticated"})
        if request.url.path == "/api/v1/users/me":
            return httpx.Response(200, json={"id": "u1", "display_name": "Ana"})
        return httpx.Response(
            409,
            headers={"retry-after": "30"},
            json={
                "type": "/problems/own-admin-role",
                "status": 409,
                "title": "Conflict",
                "detail": "no",
                "request_id": "req-1",
                "errors": [{"field": "body.roles", "pointer": "/roles", "detail": "bad"}],
            },
        )


@pytest.fixture
def fake() -> FakeAuth:
    return FakeAuth()


@pytest.fixture
async def api(fake: FakeAuth):
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(fake.handle), base_url="http://gateway"
    ) as client:
        yield PlatformApi(client)


def signed_in() -> WebSession:
    return WebSession(access_token="access-1", refresh_token="refresh-1")


async def test_a_valid_token_is_used_as_is(api: PlatformApi, fake: FakeAuth) -> None:
    session = signed_in()

    body = await api.call("GET", "/api/v1/users/me", session=session)

    assert body == {"id": "u1", "display_name": "Ana"}
    assert fake.refresh_calls == 0
    assert session.modified is False


async def test_an_expired_token_is_refreshed_once_and_the_rotated_pair_kept(
    api: PlatformApi, fake: FakeAuth
) -> None:
    session = signed_in()
    fake.valid_access = set()  # the access token expired

    body = await api.call("GET", "/api/v1/users/me", session=session)

    assert body == {"id": "u1", "display_name": "Ana"}
    assert fake.refresh_calls == 1
    assert (session.access_token, session.refresh_token) == ("access-2", "refresh-2")
    assert session.modified is True


async def test_two_pages_expiring_together_refresh_only_once(
    api: PlatformApi, fake: FakeAuth
) -> None:
    first, second = signed_in(), signed_in()
    fake.valid_access = set()

    await asyncio.gather(
        api.call("GET", "/api/v1/users/me", session=first),
        api.call("GET", "/api/v1/users/me", session=second),
    )

    assert fake.refresh_calls == 1
    assert first.refresh_token == second.refresh_token == "refresh-2"


async def test_a_refused_refresh_ends_the_session(api: PlatformApi, fake: FakeAuth) -> None:
    session = signed_in()
    fake.valid_access = set()
    fake.valid_refresh = set()  # revoked, or reused elsewhere

    with pytest.raises(LoginRequired) as raised:
        await api.call("GET", "/api/v1/users/me", session=session)

    assert raised.value.session_expired is True
    assert session.is_signed_in is False
    assert session.modified is True


async def test_a_problem_document_becomes_an_api_problem(api: PlatformApi) -> None:
    with pytest.raises(ApiProblem) as raised:
        await api.call("PUT", "/api/v1/users/u1/roles", session=signed_in(), json={})

    problem = raised.value
    assert (problem.status, problem.slug, problem.request_id) == (409, "own-admin-role", "req-1")
    assert problem.retry_after_seconds == 30
    assert [(error.field, error.detail) for error in problem.errors] == [("roles", "bad")]


async def test_the_browser_address_is_passed_on_for_throttling() -> None:
    from learnhub.web.api import browser_address

    seen: list[str | None] = []

    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-forwarded-for"))
        return httpx.Response(200, json={})

    api = PlatformApi(
        httpx.AsyncClient(transport=httpx.MockTransport(record), base_url="http://api")
    )
    token = browser_address.set("198.51.100.23")
    try:
        await api.call("POST", "/api/v1/auth/login", json={})
    finally:
        browser_address.reset(token)
    await api.call("POST", "/api/v1/auth/login", json={})
    assert seen == ["198.51.100.23", None]
