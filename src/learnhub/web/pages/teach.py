"""Teaching: the courses I teach, and creating one. The course builder is in
``course_builder.py``, the quiz and assignment editors next to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage, FormErrors, add_problem_errors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    STAFF_ROLES,
    items_of,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TextField = Annotated[str, Form()]
TEACHING_ROLES = ("instructor", "admin")


def _teaches(session: WebSession) -> None:
    """The Teach area is for the platform's instructors and administrators, the roles in
    the user's token (the navigation shows it to them alone). Creating a course is the
    API's to allow: its 403 is the 403 page."""
    if not session.user or not any(role in TEACHING_ROLES for role in session.user.roles):
        raise Forbidden()


def _choices(_: GettextFunction) -> dict[str, Any]:
    return {
        "level_options": [(value, _(label)) for value, label in LEVEL_LABELS.items()],
        "language_options": list(LANGUAGE_LABELS.items()),
        "kind_options": [(value, _(label)) for value, label in KIND_LABELS.items()],
    }


@router.get("", response_class=HTMLResponse)
async def my_courses(request: Request, session: SignedInSession, api: Api, _: Gettext) -> Response:
    """The courses I teach, and the form to create one."""
    _teaches(session)
    rows = items_of(await api.call("GET", "/api/v1/me/courses", session=session))
    teaching = [
        {**row["course"], "role": row.get("role")}
        for row in rows
        if isinstance(row, dict) and row.get("role") in STAFF_ROLES and row.get("course")
    ]
    return render(
        request,
        "courses/teach.html",
        active_nav="teach",
        teaching=teaching,
        values={"level": "beginner", "language": "en"},
        role_labels={role: _(label) for role, label in ROLE_LABELS.items()},
        **_choices(_),
    )


@router.post("", response_class=HTMLResponse)
async def create_course(
    request: Request,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
    summary: TextField = "",
    level: TextField = "beginner",
    language: TextField = "en",
) -> Response:
    """Create a draft course, then open it in the builder."""
    values = {"title": title, "summary": summary, "level": level, "language": language}
    errors = FormErrors()
    try:
        course = await api.call("POST", COURSES_API, session=session, json=values)
    except ApiProblem as problem:
        if problem.status == 403:
            raise Forbidden() from problem
        if problem.status not in (400, 409, 422):
            raise
        add_problem_errors(
            errors,
            problem,
            {
                "title": FieldMessage(
                    "title",
                    _("Enter a title for the course"),
                    {"string_too_long": _("Enter a shorter title")},
                ),
                "summary": FieldMessage("summary", _("Enter a shorter summary")),
                "level": FieldMessage("level", _("Choose a level from the list")),
                "language": FieldMessage("language", _("Choose a language from the list")),
            },
            fallback_field="title",
            fallback_message=_("Check the details and try again"),
        )
    else:
        session.flash("success", _("Your course has been created as a draft."))
        return see_other(f"/teach/{course['id']}")
    return render(
        request,
        "courses/teach.html",
        status_code=422,
        active_nav="teach",
        teaching=[],
        values=values,
        errors=errors,
        role_labels={},
        **_choices(_),
    )
