"""Getting in and out: register, log in, log out, forgotten and reset passwords."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Annotated, Any

from babel.dates import format_timedelta
from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, ApiUnavailable, LoginRequired, PlatformApi
from learnhub.web.deps import Api, Gettext, Locale, Session, Web, page_router
from learnhub.web.forms import (
    FormErrors,
    add_api_field_errors,
    check_display_name,
    check_email,
    check_new_password,
    check_password_given,
)
from learnhub.web.forms import (
    Gettext as GettextFunction,
)
from learnhub.web.i18n import LOCALE_COOKIE, ONE_YEAR_SECONDS
from learnhub.web.redirects import safe_next_path, see_other
from learnhub.web.rendering import render
from learnhub.web.session import SignedInUser, WebSession

router = page_router()
log = logging.getLogger(__name__)

# The profile is created from the registration event a few milliseconds after the account,
# so right after a first login /users/me may still answer 404 for a moment.
PROFILE_ATTEMPTS = 10
PROFILE_RETRY_DELAY_SECONDS = 0.05

TextField = Annotated[str, Form()]


@router.get("/register", response_class=HTMLResponse)
async def register_form(request: Request, session: Session) -> Response:
    """The registration form."""
    if session.is_signed_in:
        return see_other("/")
    return render(request, "pages/register.html", active_nav="register")


@router.post("/register", response_class=HTMLResponse)
async def register(
    request: Request,
    api: Api,
    _: Gettext,
    display_name: TextField = "",
    email: TextField = "",
    password: TextField = "",
) -> Response:
    """Start the sign-up; the e-mailed link finishes it (the same page for a taken address)."""
    values = {"display_name": display_name.strip(), "email": email.strip()}
    errors = FormErrors()
    check_display_name(errors, "display_name", values["display_name"], _)
    check_email(errors, "email", values["email"], _)
    check_new_password(errors, "password", password, _)
    status_code = 422
    if not errors:
        try:
            await api.call(
                "POST",
                "/api/v1/auth/register",
                json={**values, "password": password},
            )
        except ApiProblem as problem:
            _explain_register_problem(errors, problem, _)
        except ApiUnavailable as error:
            # Most often every password-hashing thread is busy: a moment later it works.
            log.warning("registration refused or failed by the API: %s", error)
            status_code = 503
            errors.add(
                "email", _("We could not create your account just now. Try again in a few seconds.")
            )
        else:
            # The same page whether the address was new (it is sent the link that creates
            # the account) or already had an account (its owner gets a notice instead), so
            # that it tells nobody who has an account.
            return render(request, "pages/check_email.html", email=values["email"])
    return render(
        request,
        "pages/register.html",
        status_code=status_code,
        active_nav="register",
        errors=errors,
        values=values,
    )


def _explain_register_problem(errors: FormErrors, problem: ApiProblem, _: GettextFunction) -> None:
    if problem.status == 422:
        add_api_field_errors(
            errors,
            problem,
            {
                "email": _("Enter an email address in the correct format, like name@example.com"),
                "display_name": _("Enter your name, using 100 characters or fewer"),
                "password": _("Choose a password of 10 to 128 characters"),
            },
            fallback_field="email",
            fallback_message=_("Check your details and try again"),
        )
    elif problem.status == 429:
        errors.add("email", _("Too many attempts. Wait a few minutes and try again."))
    else:
        raise problem


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, session: Session, next: str = "") -> Response:
    """The log-in form; ``next`` is where to go once logged in."""
    if session.is_signed_in:
        return see_other(safe_next_path(next))
    return render(
        request, "pages/login.html", active_nav="login", next_path=safe_next_path(next, default="")
    )


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    session: Session,
    api: Api,
    locale: Locale,
    _: Gettext,
    email: TextField = "",
    password: TextField = "",
    next: TextField = "",
) -> Response:
    """Exchange the credentials for tokens, keep them in the session, go on to ``next``."""
    values = {"email": email.strip()}
    errors = FormErrors()
    check_email(errors, "email", values["email"], _)
    check_password_given(errors, "password", password, _)
    status_code = 422
    if not errors:
        try:
            tokens = await api.call(
                "POST", "/api/v1/auth/login", json={"email": values["email"], "password": password}
            )
        except ApiProblem as problem:
            _explain_login_problem(errors, problem, _, locale)
        except ApiUnavailable as error:
            # Most often every password-hashing thread is busy: a moment later it works.
            log.warning("log-in refused or failed by the API: %s", error)
            status_code = 503
            errors.add("email", _("We could not log you in just now. Try again in a few seconds."))
        else:
            await _sign_in(api, session, tokens)
            return see_other(safe_next_path(next))
    return render(
        request,
        "pages/login.html",
        status_code=status_code,
        active_nav="login",
        errors=errors,
        values=values,
        next_path=safe_next_path(next, default=""),
    )


def _explain_login_problem(
    errors: FormErrors, problem: ApiProblem, _: GettextFunction, locale: str
) -> None:
    if problem.status == 401:
        errors.add("email", _("The email address or password is not right"))
    elif problem.status == 429:
        wait = format_timedelta(
            timedelta(seconds=problem.retry_after_seconds or 60),
            locale=locale,
            threshold=1.1,
        )
        errors.add(
            "email",
            _("Too many attempts to log in. Wait %(wait)s and try again.") % {"wait": wait},
        )
    elif problem.status == 422:
        errors.add("email", _("The email address or password is not right"))
    else:
        raise problem


async def _sign_in(api: PlatformApi, session: WebSession, tokens: dict[str, Any]) -> None:
    """Keep a new token pair in the session, with the user's summary when it can be read."""
    session.sign_in(
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"], user=None
    )
    profile = await _profile_after_login(api, session)
    if profile is not None:
        session.replace_user(SignedInUser.from_profile(profile))


@router.get("/confirm-email", response_class=HTMLResponse)
async def confirm_email_form(request: Request, token: str = "") -> Response:
    """The page an e-mailed sign-up link opens: one button finishes the sign-up. A link
    scanner that opens it changes nothing; only the person's click uses the link."""
    return render(
        request, "pages/confirm_email.html", token=token, status_code=200 if token else 400
    )


@router.post("/confirm-email", response_class=HTMLResponse)
async def confirm_email(
    request: Request, session: Session, api: Api, _: Gettext, token: TextField = ""
) -> Response:
    """Follow the link: the account is created and its owner signed in, straight on home."""
    try:
        tokens = await api.call("POST", "/api/v1/auth/email-confirmation", json={"token": token})
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        return render(request, "pages/confirm_email.html", token="", status_code=400)
    session.sign_out()
    await _sign_in(api, session, tokens)
    session.flash("success", _("Your email address is confirmed and your account is ready."))
    return see_other("/")


async def _profile_after_login(api: PlatformApi, session: WebSession) -> dict[str, Any] | None:
    for attempt in range(PROFILE_ATTEMPTS):
        try:
            return await api.call("GET", "/api/v1/users/me", session=session)
        except ApiProblem as problem:
            if problem.status != 404:
                raise
        await asyncio.sleep(PROFILE_RETRY_DELAY_SECONDS * (attempt + 1))
    return None


@router.post("/logout")
async def logout(session: Session, api: Api, web: Web, locale: Locale, _: Gettext) -> Response:
    """End the session here and at the auth service; the page keeps the user's language."""
    if session.is_signed_in:
        # The browser forgets the tokens whatever the answer; they expire on their own.
        with contextlib.suppress(ApiProblem, ApiUnavailable, LoginRequired):
            await api.call("POST", "/api/v1/auth/logout", session=session)
    session.sign_out()
    session.flash("success", _("You have logged out."))
    response = see_other("/")
    # Without the profile the language would fall back to the browser's: keep the user's.
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=ONE_YEAR_SECONDS,
        httponly=True,
        samesite="lax",
        secure=web.secure_cookies,
    )
    return response


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_form(request: Request) -> Response:
    """Ask for the e-mail address to send a reset link to."""
    return render(request, "pages/forgot_password.html", sent=False)


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password(
    request: Request, api: Api, _: Gettext, email: TextField = ""
) -> Response:
    """Request a reset link; the answer never tells whether the account exists."""
    values = {"email": email.strip()}
    errors = FormErrors()
    check_email(errors, "email", values["email"], _)
    if errors:
        return render(
            request,
            "pages/forgot_password.html",
            status_code=422,
            sent=False,
            errors=errors,
            values=values,
        )
    # Even a refusal must look like success, or the page would reveal who has an account.
    with contextlib.suppress(ApiProblem):
        await api.call("POST", "/api/v1/auth/password-reset", json={"email": values["email"]})
    return render(request, "pages/forgot_password.html", sent=True)


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_form(request: Request, token: str = "") -> Response:
    """The new-password form of a reset link."""
    return render(request, "pages/reset_password.html", token=token, status_code=200)


@router.post("/reset-password", response_class=HTMLResponse)
async def reset_password(
    request: Request,
    session: Session,
    api: Api,
    _: Gettext,
    token: TextField = "",
    new_password: TextField = "",
) -> Response:
    """Set the new password, then send the person to log in with it."""
    errors = FormErrors()
    check_new_password(errors, "new_password", new_password, _)
    if not token:
        return render(request, "pages/reset_password.html", status_code=400, token="")
    if not errors:
        try:
            await api.call(
                "POST",
                "/api/v1/auth/password-reset/confirm",
                json={"token": token, "new_password": new_password},
            )
        except ApiProblem as problem:
            if problem.status == 422:
                errors.add("new_password", _("Choose a password of 10 to 128 characters"))
            elif problem.status in (400, 404, 410):
                return render(request, "pages/reset_password.html", status_code=400, token="")
            else:
                raise
        else:
            session.sign_out()
            session.flash("success", _("Your password has been changed. Log in with it now."))
            return see_other("/login")
    return render(request, "pages/reset_password.html", status_code=422, token=token, errors=errors)
