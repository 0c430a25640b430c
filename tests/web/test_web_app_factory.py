"""create_web_app on its own: branding, cookie flags and headers from Settings."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from learnhub.kit.config import Settings
from learnhub.web import create_web_app


def _unreachable_api(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("the API is down", request=request)


@pytest.fixture
async def branded_site():
    settings = Settings(
        env="test",
        secret_key="a-test-secret-that-is-long-enough",
        public_url="https://learn.example.edu",
        institution_name="Escola Aurora",
        institution_logo_url="https://learn.example.edu/logo.svg",
        primary_color="#FFFF00",
    )
    api = httpx.AsyncClient(
        transport=httpx.MockTransport(_unreachable_api), base_url="http://gateway"
    )
    app = create_web_app(settings, api)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://learn.example.edu"
    ) as client:
        yield client
    await api.aclose()


async def test_the_layout_wears_the_institutions_name_logo_and_colours(branded_site) -> None:
    response = await branded_site.get("/")

    assert response.status_code == 200
    assert "<title>Home \u2013 Escola Aurora</title>" in response.text
    assert (
        '<img class="brand__logo" src="https://learn.example.edu/logo.svg" alt="" height="40">'
    ) in response.text
    style = re.search(r"<style>(.*?)</style>", response.text).group(1)
    assert style == (
        ":root{--lh-primary:#ffff00;--lh-on-primary:#000000;--lh-link:#757500}"
        "@media (prefers-color-scheme: dark){:root{--lh-link:#ffff00}}"
    )
    # The one inline style is allowed by its hash, nothing else inline is.
    style_hash = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{style_hash}'" in response.headers["content-security-policy"]
    assert "script-src 'self';" in response.headers["content-security-policy"]


async def test_cookies_are_secure_when_the_public_url_is_https(branded_site) -> None:
    response = await branded_site.get("/login")

    csrf_cookie = next(
        cookie
        for cookie in response.headers.get_list("set-cookie")
        if cookie.startswith("lh_csrf=")
    )
    assert "Secure" in csrf_cookie
    assert "HttpOnly" in csrf_cookie
    assert "SameSite=Lax" in csrf_cookie


async def test_an_unreachable_api_gives_the_service_unavailable_page(branded_site) -> None:
    # (The log-in and registration forms come back with a sentence instead: see
    # test_account_pages.py.)
    page = await branded_site.get("/forgot-password")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    response = await branded_site.post(
        "/forgot-password", data={"email": "ana@example.com", "csrf_token": token}
    )

    assert response.status_code == 503
    assert "<h1>Sorry, the service is unavailable</h1>" in response.text


def test_every_page_route_checks_the_csrf_token() -> None:
    # The page routers are added without an include wrapper: each must carry the check itself.
    from fastapi.routing import APIRoute

    from learnhub.web.deps import verify_csrf

    app = create_web_app(Settings(), httpx.AsyncClient(base_url="http://gateway"))
    routes = [route for route in app.routes if isinstance(route, APIRoute)]

    assert len(routes) > 30
    unchecked = [
        route.path
        for route in routes
        if verify_csrf not in [dependency.call for dependency in route.dependant.dependencies]
    ]
    assert unchecked == []
