"""Administration: find users and change their role (asked once before making someone an
administrator)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import ROLE_LABELS, main_role, role_options
from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.redirects import safe_next_path, see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/admin")

PAGE_SIZE = 25
RESULTS_TARGET = "users-results"


def _users_url(q: str, cursor: str | None = None) -> str:
    query = {key: value for key, value in (("q", q), ("cursor", cursor)) if value}
    return "/admin/users" + (f"?{urlencode(query)}" if query else "")


@router.get("/users", response_class=HTMLResponse)
async def users_page(
    request: Request,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    q: str = "",
    cursor: str = "",
) -> Response:
    """Users matching the search, a page at a time, each with a role select."""
    q = q.strip()
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if q:
        params["q"] = q
    if cursor:
        params["cursor"] = cursor
    try:
        page = await api.call("GET", "/api/v1/users", session=session, params=params)
    except ApiProblem as problem:
        if problem.status == 403:
            raise Forbidden() from problem
        raise
    users = [{**user, "main_role": main_role(user.get("roles") or [])} for user in page["items"]]
    next_cursor = page.get("next_cursor")
    # A live search swaps only the results, so it needs neither the layout nor the flashes.
    fragment = request.headers.get("hx-target") == RESULTS_TARGET
    return render(
        request,
        "pages/_admin_users_results.html" if fragment else "pages/admin_users.html",
        keep_flashes=fragment,
        active_nav="admin",
        users=users,
        q=q,
        cursor=cursor,
        first_page_url=_users_url(q),
        next_page_url=_users_url(q, next_cursor) if next_cursor else None,
        role_options=role_options(_),
        viewer_time_zone=session.user.time_zone if session.user else None,
    )


async def _confirm_administrator(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    user_id: str,
    back_to: str,
) -> Response | None:
    """The page asking before ``user_id`` becomes an administrator; None when they already
    are one (nothing changes, so nothing to ask)."""
    try:
        user = await api.call("GET", f"/api/v1/users/{user_id}", session=session)
    except ApiProblem as problem:
        if problem.status == 403:
            raise Forbidden() from problem
        raise
    if main_role(user.get("roles") or []) == "admin":
        return None
    name = user.get("display_name") or user.get("email") or ""
    return confirmation_page(
        request,
        question=_("Make %(name)s an administrator?") % {"name": name},
        consequences=[
            _(
                "Administrators can do everything on the platform: see and change every user "
                "and their role, and change or delete every course."
            ),
            _("Give this role only to people you trust. Another administrator can take it away."),
        ],
        action=f"/admin/users/{user_id}/role",
        hidden={"role": "admin", "back": back_to, "confirmed": "yes"},
        confirm_label=_("Make an administrator"),
        cancel_path=back_to,
        crumbs=[("/", _("Home")), ("/admin/users", _("Users")), (None, name)],
        active_nav="admin",
    )


@router.post("/users/{user_id}/role", response_class=HTMLResponse)
async def change_role(
    request: Request,
    user_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    role: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    """Give a user exactly one role, then return to the list they were looking at; making
    someone an administrator is asked once first."""
    back_to = safe_next_path(back, default="/admin/users")
    if not back_to.startswith("/admin/users"):
        back_to = "/admin/users"
    if role not in ROLE_LABELS:
        session.flash("error", _("Choose a role from the list."))
        return see_other(back_to)
    if role == "admin" and confirmed != "yes":
        confirmation = await _confirm_administrator(request, api, session, _, user_id, back_to)
        if confirmation is not None:
            return confirmation
    try:
        user = await api.call(
            "PUT", f"/api/v1/users/{user_id}/roles", session=session, json={"roles": [role]}
        )
    except ApiProblem as problem:
        if problem.status == 403:
            raise Forbidden() from problem
        if problem.slug == "own-admin-role":
            session.flash(
                "error",
                _("You cannot remove your own administrator role. Ask another administrator."),
            )
        elif problem.status == 404:
            session.flash("error", _("That user no longer exists."))
        else:
            raise
        return see_other(back_to)
    session.flash(
        "success",
        _("%(name)s is now: %(role)s.")
        % {"name": user.get("display_name") or user.get("email"), "role": _(ROLE_LABELS[role])},
    )
    return see_other(back_to)
