"""Error pages (403, 404, 500, 503) in the layout, and the redirect to log in."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from learnhub.web.api import ApiProblem, ApiUnavailable, LoginRequired
from learnhub.web.csrf import CsrfRejected
from learnhub.web.deps import request_gettext, request_session
from learnhub.web.redirects import login_url, see_other
from learnhub.web.rendering import render

logger = logging.getLogger(__name__)


class Forbidden(Exception):
    """The signed-in user may not see this page."""


class ProfileNotReady(Exception):
    """The account exists but the users service has not created its profile yet."""


def _error_page(
    request: Request,
    status_code: int,
    heading: str,
    *paragraphs: str,
    request_id: str | None = None,
) -> Response:
    return render(
        request,
        "pages/error.html",
        status_code=status_code,
        heading=heading,
        paragraphs=paragraphs,
        request_id=request_id,
    )


def not_found_page(request: Request) -> Response:
    """The 404 page."""
    _ = request_gettext(request)
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("If you typed the web address, check it is correct."),
        _("If you pasted the web address, check you copied the entire address."),
    )


def forbidden_page(request: Request) -> Response:
    """The 403 page for a signed-in user without the needed role."""
    _ = request_gettext(request)
    return _error_page(
        request,
        403,
        _("You do not have permission to see this page"),
        _("If you think you should have access, ask an administrator of your institution."),
    )


def csrf_rejected_page(request: Request) -> Response:
    """The 403 page for a form that did not come from this site (or has expired)."""
    _ = request_gettext(request)
    return _error_page(
        request,
        403,
        _("This form has expired"),
        _("For your security, we could not accept the form you sent."),
        _("Go back, reload the page and try again."),
    )


def server_error_page(request: Request, *, request_id: str | None = None) -> Response:
    """The 500 page."""
    _ = request_gettext(request)
    return _error_page(
        request,
        500,
        _("Sorry, there is a problem with the service"),
        _("Try again later. What you entered has not been saved."),
        request_id=request_id,
    )


def unavailable_page(request: Request, *, request_id: str | None = None) -> Response:
    """The 503 page when the platform's API cannot answer."""
    _ = request_gettext(request)
    return _error_page(
        request,
        503,
        _("Sorry, the service is unavailable"),
        _("Try again in a few minutes. What you entered has not been saved."),
        request_id=request_id,
    )


def profile_not_ready_page(request: Request) -> Response:
    """The 503 page for the moment between registration and the profile's creation."""
    _ = request_gettext(request)
    return _error_page(
        request,
        503,
        _("Your account is still being set up"),
        _("This takes a few seconds. Reload the page in a moment."),
    )


def _login_redirect(request: Request, error: LoginRequired) -> Response:
    session = request_session(request)
    if error.session_expired:
        _ = request_gettext(request)
        session.flash("info", _("Your session has ended. Log in again to continue."))
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(login_url(path if request.method == "GET" else None))


_PAGE_OF_STATUS: dict[int, Callable[[Request], Response]] = {
    403: forbidden_page,
    404: not_found_page,
    405: not_found_page,
}
_PAGE_OF_ERROR: dict[type[Exception], Callable[[Request], Response]] = {
    RequestValidationError: not_found_page,
    Forbidden: forbidden_page,
    ProfileNotReady: profile_not_ready_page,
    CsrfRejected: csrf_rejected_page,
}


def _page_handler(
    page: Callable[[Request], Response],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    """An exception handler answering every error of its type with ``page``."""

    async def handler(request: Request, _error: Exception) -> Response:
        return page(request)

    return handler


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    return _PAGE_OF_STATUS.get(error.status_code, server_error_page)(request)


async def _login_required(request: Request, error: LoginRequired) -> Response:
    return _login_redirect(request, error)


async def _api_unavailable(request: Request, error: ApiUnavailable) -> Response:
    logger.error("platform API unavailable: %s", error)
    return unavailable_page(request, request_id=error.request_id)


async def _unexpected_problem(request: Request, error: ApiProblem) -> Response:
    if error.status in (403, 404):
        return _PAGE_OF_STATUS[error.status](request)
    logger.error("unexpected API problem on %s: %s", request.url.path, error)
    return server_error_page(request, request_id=error.request_id)


async def _crash(request: Request, _error: Exception) -> Response:
    logger.exception("web page crashed: %s %s", request.method, request.url.path)
    return server_error_page(request)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the pages can raise as a page of the site."""
    for error_type, page in _PAGE_OF_ERROR.items():
        app.exception_handler(error_type)(_page_handler(page))
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(LoginRequired)(_login_required)
    app.exception_handler(ApiUnavailable)(_api_unavailable)
    app.exception_handler(ApiProblem)(_unexpected_problem)
    app.exception_handler(Exception)(_crash)
