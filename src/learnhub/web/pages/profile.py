"""The signed-in user's own profile and password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import (
    ROLE_LABELS,
    UTC,
    locale_options,
    time_zone_options,
)
from learnhub.web.deps import Api, Gettext, SignedInSession, Web, page_router, signed_in_session
from learnhub.web.errors import ProfileNotReady
from learnhub.web.forms import (
    FieldMessage,
    FormErrors,
    add_problem_errors,
    check_new_password,
    check_password_given,
)
from learnhub.web.forms import (
    Gettext as GettextFunction,
)
from learnhub.web.i18n import N_
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import SignedInUser, WebSession

router = page_router()

TextField = Annotated[str, Form()]
PROFILE_FIELDS = ("display_name", "bio", "avatar_url", "locale", "time_zone")


async def _my_profile(api: PlatformApi, session: WebSession) -> dict[str, Any]:
    try:
        profile = await api.call("GET", "/api/v1/users/me", session=session)
    except ApiProblem as problem:
        if problem.status == 404:
            raise ProfileNotReady() from problem
        raise
    session.replace_user(SignedInUser.from_profile(profile))
    return profile


def _profile_page(
    request: Request,
    profile: dict[str, Any],
    _: GettextFunction,
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
) -> HTMLResponse:
    roles = [role for role in ROLE_LABELS if role in (profile.get("roles") or [])] or ["learner"]
    return render(
        request,
        "pages/profile.html",
        status_code=422 if errors else 200,
        active_nav="profile",
        profile=profile,
        role_labels=[_(ROLE_LABELS[role]) for role in roles],
        locale_options=locale_options(),
        time_zone_options=time_zone_options(_),
        values=values,
        errors=errors or FormErrors(),
    )


@router.get("/profile", response_class=HTMLResponse)
async def profile_page(
    request: Request, session: SignedInSession, api: Api, web: Web, _: Gettext
) -> Response:
    """The user's profile and the form to edit it."""
    profile = await _my_profile(api, session)
    values = {field: profile.get(field) or "" for field in PROFILE_FIELDS}
    values["locale"] = values["locale"] or web.settings.default_locale
    values["time_zone"] = values["time_zone"] or UTC
    return _profile_page(request, profile, _, values=values)


@router.post("/profile", response_class=HTMLResponse)
async def update_profile(
    request: Request,
    session: SignedInSession,
    api: Api,
    web: Web,
    _: Gettext,
    display_name: TextField = "",
    bio: TextField = "",
    avatar_url: TextField = "",
    locale: TextField = "",
    time_zone: TextField = "",
) -> Response:
    """Save the edited profile as typed; the users API checks it and the page words its
    refusals next to the fields. The page's language follows a changed locale at once."""
    values = {
        "display_name": display_name.strip(),
        "bio": bio.strip(),
        "avatar_url": avatar_url.strip(),
        "locale": locale,
        "time_zone": time_zone,
    }
    errors = FormErrors()
    try:
        profile = await api.call(
            "PATCH",
            "/api/v1/users/me",
            session=session,
            json={**values, "avatar_url": values["avatar_url"] or None},
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        add_problem_errors(
            errors,
            problem,
            {
                "display_name": FieldMessage(
                    "display_name",
                    _("Enter your name"),
                    {"string_too_long": _("Enter your name, using 100 characters or fewer")},
                ),
                "bio": FieldMessage("bio", _("Shorten your bio")),
                "avatar_url": FieldMessage(
                    "avatar_url", _("Enter a web address that starts with https://")
                ),
                "locale": FieldMessage("locale", _("Choose a language from the list")),
                "time_zone": FieldMessage("time_zone", _("Choose a time zone from the list")),
            },
            fallback_field="display_name",
            fallback_message=_("Check your details and try again"),
        )
    else:
        session.replace_user(SignedInUser.from_profile(profile))
        # Said in the language the user just chose, which the next page will use.
        chosen = web.translations.get(profile.get("locale") or "", web.translations["en"])
        new_gettext = chosen.gettext
        session.flash("success", new_gettext(N_("Your profile has been saved.")))
        return see_other("/profile")
    profile = await _my_profile(api, session)
    return _profile_page(request, profile, _, values=values, errors=errors)


@router.get(
    "/profile/password",
    response_class=HTMLResponse,
    dependencies=[Depends(signed_in_session)],
)
async def change_password_form(request: Request) -> Response:
    """The form to change one's password."""
    return render(request, "pages/change_password.html", active_nav="profile")


@router.post("/profile/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    current_password: TextField = "",
    new_password: TextField = "",
) -> Response:
    """Change the password after checking the current one."""
    errors = FormErrors()
    check_password_given(errors, "current_password", current_password, _)
    check_new_password(errors, "new_password", new_password, _)
    if not errors and current_password == new_password:
        errors.add("new_password", _("Your new password must be different from the current one"))
    if not errors:
        try:
            await api.call(
                "POST",
                "/api/v1/auth/password",
                session=session,
                json={"current_password": current_password, "new_password": new_password},
            )
        except ApiProblem as problem:
            if problem.slug == "wrong-password" or problem.status == 400:
                errors.add("current_password", _("Your current password is not right"))
            elif problem.status == 422:
                errors.add("new_password", _("Choose a password of 10 to 128 characters"))
            else:
                raise
        else:
            session.flash("success", _("Your password has been changed."))
            return see_other("/profile")
    return render(
        request,
        "pages/change_password.html",
        status_code=422,
        active_nav="profile",
        errors=errors,
    )
