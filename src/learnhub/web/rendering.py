"""Turns a template and its page data into an HTML response inside the layout."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.csrf import token_for
from learnhub.web.deps import request_locale, request_session
from learnhub.web.forms import FormErrors
from learnhub.web.i18n import LOCALE_NAMES
from learnhub.web.state import web_state

# Pages that show personal data must not be kept by shared caches or the back button.
NO_STORE = "no-store"


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    keep_flashes: bool = False,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the request's language with everything the layout needs.

    ``errors`` (a :class:`FormErrors`) and ``values`` (what the user typed) default to empty,
    so every form template can use them unconditionally. A fragment swapped into a page by
    HTMX passes ``keep_flashes`` so that queued messages wait for the next full page.
    """
    state = web_state(request)
    session = request_session(request)
    locale = request_locale(request)
    page_context: dict[str, Any] = {
        "request": request,
        "branding": state.branding,
        "locale_names": LOCALE_NAMES,
        "current_user": session.user if session.is_signed_in else None,
        "signed_in": session.is_signed_in,
        "flashes": [] if keep_flashes else session.pop_flashes(),
        "csrf_token": token_for(getattr(request.state, "csrf_nonce", ""), state.secret_key),
        "current_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "errors": FormErrors(),
        "values": {},
        "active_nav": None,
    }
    page_context.update(context)
    html = state.templates.render(locale, template, page_context)
    response_headers = {"cache-control": NO_STORE, "content-language": locale}
    response_headers.update(headers or {})
    return HTMLResponse(html, status_code=status_code, headers=response_headers)
