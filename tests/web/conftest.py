"""Helpers for driving the web UI the way a browser without JavaScript would."""

from __future__ import annotations

import html
import re

import httpx
import pytest

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Site:
    """A visitor of the web UI: reads pages and submits their forms."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @staticmethod
    def csrf_token(page: str) -> str:
        """The CSRF token of the first form on a page."""
        match = _CSRF_FIELD.search(page)
        assert match, "the page has no CSRF field"
        return match.group(1)

    @staticmethod
    def text(response: httpx.Response) -> str:
        """The page's words, tags removed and whitespace collapsed."""
        without_tags = re.sub(r"<[^>]+>", " ", response.text)
        return " ".join(html.unescape(without_tags).split())

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        return await self.client.get(path, **kwargs)  # type: ignore[arg-type]

    async def submit(
        self, path: str, data: dict[str, str], *, form_page: str | None = None
    ) -> httpx.Response:
        """Open ``form_page`` (default: ``path``), then post ``data`` with its CSRF token."""
        page = await self.client.get(form_page or path)
        return await self.client.post(path, data={**data, "csrf_token": self.csrf_token(page.text)})

    async def log_in(self, email: str, password: str) -> None:
        response = await self.submit("/login", {"email": email, "password": password})
        assert response.status_code == 303, self.text(response)


@pytest.fixture
def site(web_client: httpx.AsyncClient) -> Site:
    """A fresh visitor of the whole platform, demo accounts seeded."""
    return Site(web_client)
