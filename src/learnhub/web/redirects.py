"""Redirects after a form and the ``next`` addresses they may follow."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi.responses import RedirectResponse


def safe_next_path(candidate: str | None, *, default: str = "/") -> str:
    """``candidate`` when it is a path on this site, else ``default``.

    ``next`` comes from the query string, so it must never send the user to another site
    (``//evil.example``, ``/\\evil.example``, ``https://evil.example``).
    """
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or any(ord(char) < 0x20 for char in candidate):
        return default
    return candidate


def see_other(path: str) -> RedirectResponse:
    """Redirect after a POST (or to log in) so that reloading does not resend the form."""
    return RedirectResponse(path, status_code=303)


def login_url(next_path: str | None) -> str:
    """The log-in page, coming back to ``next_path`` afterwards."""
    if not next_path or next_path == "/":
        return "/login"
    return "/login?" + urlencode({"next": next_path})
