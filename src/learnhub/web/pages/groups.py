"""A course's groups for its instructors: make, rename and delete them (deleting asks
first), and put learners in them, a page of learners at a time. Who may is the course's
viewer block; the API checks every name and every learner."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import (
    Api,
    FormText,
    Gettext,
    Locale,
    Ngettext,
    SignedInSession,
    page_router,
)
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage, FormErrors, accepted
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import COURSES_API, course_viewer, items_of, load_course
from learnhub.web.pages.grading import staff_page_context
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

LEARNERS_PAGE_SIZE = 100


async def _editable_course(api: Api, session: WebSession, course_id: str) -> dict[str, Any]:
    course = await load_course(api, session, course_id)
    if not course_viewer(course).can_edit:
        raise Forbidden()
    return course


def _groups_api(course: dict[str, Any], suffix: str = "") -> str:
    return f"{COURSES_API}/{course['id']}/groups{suffix}"


def _name_messages(_: GettextFunction) -> dict[str, FieldMessage]:
    return {
        "name": FieldMessage(
            "name", _("Enter a name for the group"), {"string_too_long": _("Enter a shorter name")}
        )
    }


async def _groups_page(
    request: Request,
    api: Api,
    session: WebSession,
    locale: str,
    course: dict[str, Any],
    *,
    cursor: str = "",
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    groups = await api.call("GET", _groups_api(course), session=session)
    params: dict[str, Any] = {"role": "learner", "status": "active", "limit": LEARNERS_PAGE_SIZE}
    if cursor:
        params["cursor"] = cursor
    learners = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/enrollments", session=session, params=params
    )
    return render(
        request,
        "courses/groups.html",
        status_code=status_code,
        active_nav="teach",
        groups=groups,
        group_names={group["id"]: group["name"] for group in groups},
        group_options=[(group["id"], group["name"]) for group in groups],
        learners=items_of(learners),
        next_cursor=learners.get("next_cursor"),
        values=values or {},
        errors=errors or FormErrors(),
        **staff_page_context(course, session, locale),
    )


@router.get("/{course_id}/groups", response_class=HTMLResponse)
async def groups_page(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    cursor: str = "",
) -> Response:
    """The course's groups and a page of its learners, each with their group."""
    course = await _editable_course(api, session, course_id)
    return await _groups_page(request, api, session, locale, course, cursor=cursor)


@router.post("/{course_id}/groups", response_class=HTMLResponse)
async def create_group(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    name: FormText = "",
) -> Response:
    course = await _editable_course(api, session, course_id)
    errors = FormErrors()
    try:
        if await accepted(
            api.call("POST", _groups_api(course), session=session, json={"name": name}),
            errors,
            _name_messages(_),
            fallback_field="name",
            fallback_message=_("Check the name and try again"),
        ):
            session.flash("success", _("The group has been created."))
            return see_other(f"/teach/{course['id']}/groups")
    except ApiProblem as problem:
        if problem.slug != "group-name-taken":
            raise
        errors.add("name", _("The course has a group by this name already"))
    return await _groups_page(
        request, api, session, locale, course, values={"name": name}, errors=errors, status_code=422
    )


@router.post("/{course_id}/groups/members", response_class=HTMLResponse)
async def add_members(
    request: Request, course_id: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """Put the learners ticked in the group chosen."""
    course = await _editable_course(api, session, course_id)
    form = await request.form()
    group = str(form.get("group", ""))
    user_ids = [str(value) for value in form.getlist("user_id")]
    errors = FormErrors()
    if not user_ids:
        errors.add("group", _("Tick the learners to put in the group"))
    elif not group:
        errors.add("group", _("Choose a group"))
    else:
        try:
            moved = await api.call(
                "POST",
                _groups_api(course, f"/{group}/members"),
                session=session,
                json={"user_ids": user_ids},
            )
        except ApiProblem as problem:
            if problem.status not in (400, 404, 422):
                raise
            errors.add("group", _("Some of these learners have left the course; reload the page"))
        else:
            session.flash(
                "success", _("The learners are in %(group)s now.") % {"group": moved["name"]}
            )
            return see_other(f"/teach/{course['id']}/groups")
    return await _groups_page(request, api, session, locale, course, errors=errors, status_code=422)


@router.get("/{course_id}/groups/{group_id}/delete", response_class=HTMLResponse)
async def confirm_delete(
    request: Request,
    course_id: str,
    group_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """Ask before deleting: its learners stay in the course, in no group."""
    course = await _editable_course(api, session, course_id)
    groups = await api.call("GET", _groups_api(course), session=session)
    group = next((entry for entry in groups if entry["id"] == group_id), None)
    if group is None:
        raise ApiProblem(status=404, title="Group not found")
    count = group["learner_count"]
    listing = f"/teach/{course['id']}/groups"
    return confirmation_page(
        request,
        question=_("Delete the group?"),
        consequences=[
            ngettext(
                "“%(name)s” will be deleted. Its %(count)s learner stays in the course, "
                "in no group.",
                "“%(name)s” will be deleted. Its %(count)s learners stay in the course, "
                "in no group.",
                count,
            )
            % {"name": group["name"], "count": count}
        ],
        action=f"{listing}/{group_id}/delete",
        confirm_label=_("Delete the group"),
        cancel_path=listing,
        crumbs=[
            ("/", _("Home")),
            ("/teach", _("Teach")),
            (f"/teach/{course['id']}", course["title"]),
            (listing, _("Groups")),
            (None, _("Delete")),
        ],
        active_nav="teach",
    )


@router.post("/{course_id}/groups/{group_id}/delete")
async def delete_group(
    course_id: str, group_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    course = await _editable_course(api, session, course_id)
    await api.call("DELETE", _groups_api(course, f"/{group_id}"), session=session)
    session.flash("success", _("The group has been deleted."))
    return see_other(f"/teach/{course['id']}/groups")
