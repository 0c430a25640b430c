"""A course's announcements: the list for its members, and for its staff the form to post
one, correct it or delete it (after a confirmation). Who may do what is the API's viewer
blocks."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import Api, FormText, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage, FormErrors, accepted
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import COURSES_API, course_path, load_course
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router()

PAGE_SIZE = 20


def announcements_api(course: dict[str, Any], suffix: str = "") -> str:
    return f"{COURSES_API}/{course['id']}/announcements{suffix}"


def _messages(_: GettextFunction) -> dict[str, FieldMessage]:
    return {
        "title": FieldMessage(
            "title",
            _("Enter a title for the announcement"),
            {"string_too_long": _("Enter a shorter title")},
        ),
        "body": FieldMessage(
            "body",
            _("Write the announcement"),
            {"string_too_long": _("Shorten the announcement")},
        ),
    }


async def _list_page(
    request: Request,
    api: Api,
    session: WebSession,
    course: dict[str, Any],
    *,
    cursor: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if cursor:
        params["cursor"] = cursor
    page = await api.call("GET", announcements_api(course), session=session, params=params)
    path = f"{course_path(course)}/announcements"
    return render(
        request,
        "courses/announcements.html",
        status_code=status_code,
        active_nav="learning",
        course=course,
        course_path=course_path(course),
        announcements_path=path,
        page=page,
        next_path=f"{path}?cursor={page['next_cursor']}" if page.get("next_cursor") else None,
        values=values or {},
        errors=errors or FormErrors(),
        viewer_time_zone=session.user.time_zone if session.user else None,
    )


@router.get("/courses/{ref}/announcements", response_class=HTMLResponse)
async def announcements(
    request: Request, ref: str, session: SignedInSession, api: Api, cursor: str | None = None
) -> Response:
    """The course's announcements, newest first; the form to post one for its staff."""
    course = await load_course(api, session, ref)
    return await _list_page(request, api, session, course, cursor=cursor)


@router.post("/courses/{ref}/announcements", response_class=HTMLResponse)
async def post_announcement(
    request: Request,
    ref: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: FormText = "",
    body: FormText = "",
) -> Response:
    course = await load_course(api, session, ref)
    values = {"title": title, "body": body}
    errors = FormErrors()
    call = api.call("POST", announcements_api(course), session=session, json=values)
    if await accepted(
        call,
        errors,
        _messages(_),
        fallback_field="title",
        fallback_message=_("Check the announcement and try again"),
    ):
        session.flash("success", _("Your announcement has been posted."))
        return see_other(f"{course_path(course)}/announcements")
    return await _list_page(
        request, api, session, course, values=values, errors=errors, status_code=422
    )


async def _one(
    api: Api, session: WebSession, ref: str, announcement_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The course and the announcement; one the caller may not change is the 403 page."""
    course = await load_course(api, session, ref)
    announcement = await api.call(
        "GET", announcements_api(course, f"/{announcement_id}"), session=session
    )
    if not (announcement.get("viewer") or {}).get("can_edit"):
        raise Forbidden()
    return course, announcement


def _edit_page(
    request: Request,
    course: dict[str, Any],
    announcement: dict[str, Any],
    *,
    template: str,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    path = f"{course_path(course)}/announcements"
    return render(
        request,
        template,
        status_code=status_code,
        active_nav="learning",
        course=course,
        course_path=course_path(course),
        announcements_path=path,
        announcement=announcement,
        action_path=f"{path}/{announcement['id']}",
        values=values or {"title": announcement["title"], "body": announcement["body"]},
        errors=errors or FormErrors(),
    )


@router.get("/courses/{ref}/announcements/{announcement_id}/edit", response_class=HTMLResponse)
async def edit_announcement(
    request: Request, ref: str, announcement_id: str, session: SignedInSession, api: Api
) -> Response:
    course, announcement = await _one(api, session, ref, announcement_id)
    return _edit_page(request, course, announcement, template="courses/announcement_edit.html")


@router.post("/courses/{ref}/announcements/{announcement_id}/edit", response_class=HTMLResponse)
async def save_announcement(
    request: Request,
    ref: str,
    announcement_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: FormText = "",
    body: FormText = "",
) -> Response:
    course, announcement = await _one(api, session, ref, announcement_id)
    values = {"title": title, "body": body}
    errors = FormErrors()
    call = api.call(
        "PATCH", announcements_api(course, f"/{announcement_id}"), session=session, json=values
    )
    if await accepted(
        call,
        errors,
        _messages(_),
        fallback_field="title",
        fallback_message=_("Check the announcement and try again"),
    ):
        session.flash("success", _("The announcement has been changed."))
        return see_other(f"{course_path(course)}/announcements")
    return _edit_page(
        request,
        course,
        announcement,
        template="courses/announcement_edit.html",
        values=values,
        errors=errors,
        status_code=422,
    )


@router.get("/courses/{ref}/announcements/{announcement_id}/delete", response_class=HTMLResponse)
async def confirm_delete(
    request: Request, ref: str, announcement_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Ask before deleting: members will no longer see it."""
    course, announcement = await _one(api, session, ref, announcement_id)
    listing = f"{course_path(course)}/announcements"
    return confirmation_page(
        request,
        question=_("Delete the announcement?"),
        consequences=[
            _("“%(title)s” will disappear for everyone in the course. This cannot be undone.")
            % {"title": announcement["title"]}
        ],
        action=f"{listing}/{announcement_id}/delete",
        confirm_label=_("Delete the announcement"),
        cancel_path=listing,
        crumbs=[
            ("/", _("Home")),
            ("/courses", _("Courses")),
            (course_path(course), course["title"]),
            (listing, _("Announcements")),
            (None, _("Delete")),
        ],
        active_nav="learning",
    )


@router.post("/courses/{ref}/announcements/{announcement_id}/delete")
async def delete_announcement(
    ref: str, announcement_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    course = await load_course(api, session, ref)
    await api.call("DELETE", announcements_api(course, f"/{announcement_id}"), session=session)
    session.flash("success", _("The announcement has been deleted."))
    return see_other(f"{course_path(course)}/announcements")
