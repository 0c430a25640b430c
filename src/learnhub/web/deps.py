"""FastAPI dependencies of the pages, named for what they give.

Every dependency is an ``async def``: FastAPI runs a plain ``def`` dependency in a worker
thread, a hand-off per request for what is a dictionary look-up here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from learnhub.web.api import LoginRequired, PlatformApi
from learnhub.web.csrf import CSRF_COOKIE, CSRF_FIELD, SAFE_METHODS, CsrfRejected, tokens_match
from learnhub.web.i18n import LOCALE_COOKIE, choose_locale
from learnhub.web.session import WebSession
from learnhub.web.state import WebState, web_state


def request_session(request: Request) -> WebSession:
    """The browser's session, decoded by the session middleware.

    Error pages rendered outside the middleware (a crash) get an empty session.
    """
    session = getattr(request.state, "session", None)
    return session if session is not None else WebSession()


def request_locale(request: Request) -> str:
    """The language of this request's page (see :func:`learnhub.web.i18n.choose_locale`)."""
    session = request_session(request)
    return choose_locale(
        profile_locale=session.user.locale if session.is_signed_in and session.user else None,
        cookie_locale=request.cookies.get(LOCALE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=web_state(request).settings.default_locale,
    )


def request_gettext(request: Request) -> Callable[[str], str]:
    """``gettext`` in the request's language, for messages built in Python."""
    return web_state(request).translations[request_locale(request)].gettext


def request_ngettext(request: Request) -> Callable[[str, str, int], str]:
    """``ngettext`` in the request's language: the plural form that fits the count."""
    return web_state(request).translations[request_locale(request)].ngettext


async def signed_in_session(request: Request) -> WebSession:
    """The session of a signed-in user; anyone else is sent to log in first."""
    session = request_session(request)
    if not session.is_signed_in:
        raise LoginRequired()
    return session


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request whose form token does not match its cookie."""
    if request.method in SAFE_METHODS:
        return
    submitted = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    submitted = submitted or request.headers.get("x-csrf-token")
    if not tokens_match(
        nonce=request.cookies.get(CSRF_COOKIE),
        submitted=submitted,
        secret_key=web_state(request).secret_key,
    ):
        raise CsrfRejected()


async def _web(request: Request) -> WebState:
    return web_state(request)


async def _session(request: Request) -> WebSession:
    return request_session(request)


async def _gettext(request: Request) -> Callable[[str], str]:
    return request_gettext(request)


async def _ngettext(request: Request) -> Callable[[str, str, int], str]:
    return request_ngettext(request)


async def _locale(request: Request) -> str:
    return request_locale(request)


def page_router(*, prefix: str = "") -> APIRouter:
    """The router of a page module: every route on it checks the CSRF token of a
    state-changing request."""
    return APIRouter(prefix=prefix, dependencies=[Depends(verify_csrf)])


Web = Annotated[WebState, Depends(_web)]
Session = Annotated[WebSession, Depends(_session)]
SignedInSession = Annotated[WebSession, Depends(signed_in_session)]
Gettext = Annotated[Callable[[str], str], Depends(_gettext)]
Ngettext = Annotated[Callable[[str, str, int], str], Depends(_ngettext)]
Locale = Annotated[str, Depends(_locale)]


async def platform_api(request: Request) -> PlatformApi:
    """The API client shared by the app."""
    return web_state(request).api


Api = Annotated[PlatformApi, Depends(platform_api)]
FormText = Annotated[str, Form()]
"""A text field of the form posted to the page."""
