"""The footer's language switcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from learnhub.web.api import ApiProblem, ApiUnavailable, LoginRequired
from learnhub.web.deps import Api, Session, Web, page_router
from learnhub.web.i18n import LOCALE_COOKIE, ONE_YEAR_SECONDS, supported_locale
from learnhub.web.redirects import safe_next_path, see_other
from learnhub.web.session import SignedInUser

router = page_router()


@router.post("/language")
async def switch_language(
    session: Session,
    api: Api,
    web: Web,
    locale: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Remember the chosen language, in a cookie and in the signed-in user's profile."""
    response = see_other(safe_next_path(next))
    chosen = supported_locale(locale)
    if chosen is None:
        return response
    response.set_cookie(
        LOCALE_COOKIE,
        chosen,
        max_age=ONE_YEAR_SECONDS,
        httponly=True,
        samesite="lax",
        secure=web.secure_cookies,
    )
    if session.is_signed_in:
        # The profile's language wins over the cookie, so it must change too.
        try:
            profile = await api.call(
                "PATCH", "/api/v1/users/me", session=session, json={"locale": chosen}
            )
            session.replace_user(SignedInUser.from_profile(profile))
        except (ApiProblem, ApiUnavailable, LoginRequired):
            if session.user:
                session.user.locale = chosen
                session.modified = True
    return response
