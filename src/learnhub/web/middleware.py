"""Loads the session and CSRF cookies before a page runs and writes them back after."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnhub.web.api import browser_address
from learnhub.web.csrf import CSRF_COOKIE, new_nonce
from learnhub.web.session import SESSION_COOKIE, SessionCodec


def _cookie_header(
    name: str, value: str, *, secure: bool, delete: bool = False, max_age: int | None = None
) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if secure:
        morsel["secure"] = True
    if delete:
        morsel["max-age"] = 0
        morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    elif max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString()


class SessionCookieMiddleware:
    """Puts ``session`` and ``csrf_nonce`` on ``request.state``; sets cookies that changed.

    The session cookie is written only when a page changed the session, and removed when it
    became empty. A browser without a CSRF nonce gets one on its first response, so the form
    it is about to see can be submitted.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool) -> None:
        self.app = app
        self.codec = SessionCodec(secret_key)
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        browser_address.set(client[0] if client else None)
        cookies = HTTPConnection(scope).cookies
        session = self.codec.loads(cookies.get(SESSION_COOKIE))
        nonce = cookies.get(CSRF_COOKIE)
        new_csrf_nonce = None
        if not nonce:
            nonce = new_csrf_nonce = new_nonce()
        state = scope.setdefault("state", {})
        state["session"] = session
        state["csrf_nonce"] = nonce

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if session.modified:
                    if session.is_empty:
                        headers.append(
                            "set-cookie",
                            _cookie_header(SESSION_COOKIE, "", secure=self.secure, delete=True),
                        )
                    else:
                        headers.append(
                            "set-cookie",
                            _cookie_header(
                                SESSION_COOKIE, self.codec.dumps(session), secure=self.secure
                            ),
                        )
                if new_csrf_nonce and not scope["path"].startswith("/static/"):
                    headers.append(
                        "set-cookie",
                        _cookie_header(CSRF_COOKIE, new_csrf_nonce, secure=self.secure),
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookies)
