"""The home page: a welcome for visitors, a starting point for signed-in users."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.api import ApiProblem, LoginRequired
from learnhub.web.deps import Api, Gettext, Session, page_router
from learnhub.web.pages.course_support import KIND_LABELS, items_of
from learnhub.web.pages.dashboard import dashboard_entry, in_progress
from learnhub.web.rendering import render
from learnhub.web.session import SignedInUser

# The courses in progress the home page offers to pick up; the rest are on "My learning".
HOME_COURSES = 3
# The newest announcements of the user's courses shown on the home page.
HOME_NEWS = 3

router = page_router()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: Session, api: Api, _: Gettext) -> HTMLResponse:
    """Welcome page; for a signed-in user, the courses to pick up where they left off (and
    the moment to refresh their summary)."""
    learning: list[dict[str, Any]] = []
    news: list[dict[str, Any]] = []
    to_grade: list[dict[str, Any]] = []
    more_courses = False
    if session.is_signed_in:
        # On failure the greeting uses the summary stored at login; if the session ended,
        # the visitor simply sees the anonymous welcome.
        with contextlib.suppress(ApiProblem, LoginRequired):
            profile = await api.call("GET", "/api/v1/users/me", session=session)
            session.replace_user(SignedInUser.from_profile(profile))
            rows = items_of(await api.call("GET", "/api/v1/me/courses", session=session))
            if any(isinstance(row, dict) and row.get("state") == "teaching" for row in rows):
                to_grade = await api.call("GET", "/api/v1/me/grading", session=session)
            learning = in_progress([dashboard_entry(row) for row in rows if isinstance(row, dict)])
            more_courses = len(learning) > HOME_COURSES
            news = await api.call(
                "GET", "/api/v1/me/announcements", session=session, params={"limit": HOME_NEWS}
            )
    return render(
        request,
        "pages/home.html",
        active_nav="home",
        learning=learning[:HOME_COURSES],
        more_courses=more_courses,
        news=news,
        to_grade=to_grade,
        viewer_time_zone=session.user.time_zone if session.user else None,
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
    )
