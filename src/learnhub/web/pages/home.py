"""The home page: a welcome for visitors, a starting point for signed-in users."""

from __future__ import annotations

import contextlib

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.api import ApiProblem, LoginRequired
from learnhub.web.deps import Api, Session, page_router
from learnhub.web.rendering import render
from learnhub.web.session import SignedInUser

router = page_router()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: Session, api: Api) -> HTMLResponse:
    """Welcome page; for a signed-in user also the moment to refresh their summary."""
    if session.is_signed_in:
        # On failure the greeting uses the summary stored at login; if the session ended,
        # the visitor simply sees the anonymous welcome.
        with contextlib.suppress(ApiProblem, LoginRequired):
            profile = await api.call("GET", "/api/v1/users/me", session=session)
            session.replace_user(SignedInUser.from_profile(profile))
    return render(request, "pages/home.html", active_nav="home")
