"""A course's settings after it was created, for its instructors: every field the API's
``PATCH /api/v1/courses/{id}`` takes (title, address, summary, description, cover,
category, tags, level, language, hours, dates, who may join, when it is completed). The
form is sent as typed; the API checks it and the page words its refusals by field."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.forms import FieldMessage, FormErrors, add_problem_errors, typed_number
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.i18n import N_
from learnhub.web.pages.authoring_support import (
    date_time_values,
    editable_course,
    plain,
    typed_moment,
    user_zone,
)
from learnhub.web.pages.course_support import COURSES_API, LANGUAGE_LABELS, LEVEL_LABELS
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TEXT_FIELDS = (
    "title",
    "slug",
    "summary",
    "description",
    "cover_image_url",
    "category",
    "tags",
    "level",
    "language",
    "estimated_hours",
    "enrollment_policy",
    "starts_date",
    "starts_time",
    "ends_date",
    "ends_time",
)
ENROLLMENT_POLICIES = {
    "open": N_("Anyone signed in may join"),
    "approval": N_("Anyone may ask to join; staff approve each request"),
    "invite": N_("Only people the staff enroll"),
}


def _quizzes(course: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item
        for section in sorted(course.get("sections") or [], key=lambda s: s.get("position", 0))
        for item in sorted(section.get("items") or [], key=lambda i: i.get("position", 0))
        if item.get("kind") == "quiz"
    ]


def _saved_values(course: dict[str, Any], session: WebSession) -> dict[str, Any]:
    """The form's values from the course as the API gives it."""
    zone = user_zone(session)
    starts_date, starts_time = date_time_values(course.get("starts_at"), zone)
    ends_date, ends_time = date_time_values(course.get("ends_at"), zone)
    rule = course.get("completion_rule") or {}
    return {
        "title": course.get("title") or "",
        "slug": course.get("slug") or "",
        "summary": course.get("summary") or "",
        "description": course.get("description") or "",
        "cover_image_url": course.get("cover_image_url") or "",
        "category": course.get("category") or "",
        "tags": ", ".join(course.get("tags") or []),
        "level": course.get("level") or "beginner",
        "language": course.get("language") or "en",
        "estimated_hours": plain(course.get("estimated_hours")),
        "enrollment_policy": course.get("enrollment_policy") or "open",
        "starts_date": starts_date,
        "starts_time": starts_time,
        "ends_date": ends_date,
        "ends_time": ends_time,
        "required_items": bool(rule.get("required_items", True)),
        "passing_quiz_ids": list(rule.get("passing_quiz_ids") or []),
    }


def _typed_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in TEXT_FIELDS}
    values["required_items"] = form.get("required_items") == "yes"
    values["passing_quiz_ids"] = [str(value) for value in form.getlist("passing_quiz_ids")]
    return values


def _body(values: dict[str, Any], session: WebSession) -> dict[str, Any]:
    """The PATCH body as typed: empty optional fields clear them, nothing is checked."""
    zone = user_zone(session)
    body: dict[str, Any] = {
        "title": values["title"],
        "summary": values["summary"],
        "description": values["description"],
        "cover_image_url": values["cover_image_url"].strip() or None,
        "category": values["category"].strip() or None,
        "tags": [tag.strip() for tag in values["tags"].split(",") if tag.strip()],
        "level": values["level"],
        "language": values["language"],
        "estimated_hours": typed_number(values["estimated_hours"]),
        "enrollment_policy": values["enrollment_policy"],
        "starts_at": typed_moment(
            values["starts_date"], values["starts_time"], zone, missing_time="00:00"
        ),
        "ends_at": typed_moment(values["ends_date"], values["ends_time"], zone),
        "completion_rule": {
            "required_items": values["required_items"],
            "passing_quiz_ids": values["passing_quiz_ids"],
        },
    }
    if values["slug"].strip():
        body["slug"] = values["slug"].strip()
    return body


def _messages(_: GettextFunction) -> dict[str, FieldMessage]:
    date = _("Enter a real date and time, like 2027-03-01 and 09:00, or leave both empty")
    unreadable = {"datetime_parsing": date, "datetime_from_date_parsing": date}
    return {
        "title": FieldMessage(
            "title",
            _("Enter a title for the course"),
            {"string_too_long": _("Enter a shorter title")},
        ),
        "slug": FieldMessage(
            "slug",
            _("Use lower-case letters and digits joined by single hyphens, like bread-baking"),
            {"string_too_long": _("Enter a shorter web address")},
        ),
        "summary": FieldMessage("summary", _("Enter a shorter summary")),
        "description": FieldMessage("description", _("The description is too long: shorten it")),
        "cover_image_url": FieldMessage(
            "cover_image_url", _("Enter a web address that starts with https://")
        ),
        "category": FieldMessage("category", _("Enter a shorter category")),
        "tags": FieldMessage(
            "tags", _("Enter at most 20 tags, separated by commas, each up to 50 characters")
        ),
        "level": FieldMessage("level", _("Choose a level from the list")),
        "language": FieldMessage("language", _("Choose a language from the list")),
        "estimated_hours": FieldMessage(
            "estimated_hours",
            _("Enter the hours as a number, like 12 or 1.5, or leave it empty"),
            {
                "greater_than_equal": _("Enter 0 hours or more"),
                "less_than_equal": _("Enter fewer hours"),
            },
        ),
        "enrollment_policy": FieldMessage("enrollment_policy", _("Choose who may join")),
        "starts_at": FieldMessage("starts_date", date),
        "ends_at": FieldMessage("ends_date", _("Make the end later than the start"), unreadable),
        # Both dates sent, in the wrong order: the body's own check.
        "body": FieldMessage("ends_date", _("Make the end later than the start")),
        "passing_quiz_ids": FieldMessage(
            "required_items", _("The quizzes have changed. Reload the page and choose again.")
        ),
    }


def _settings_page(
    request: Request,
    course: dict[str, Any],
    _: GettextFunction,
    values: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    languages = dict(LANGUAGE_LABELS)
    languages.setdefault(values["language"], values["language"])
    return render(
        request,
        "courses/course_settings.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        values=values,
        errors=errors or FormErrors(),
        quizzes=_quizzes(course),
        level_options=[(value, _(label)) for value, label in LEVEL_LABELS.items()],
        language_options=list(languages.items()),
        policy_options=[(value, _(label)) for value, label in ENROLLMENT_POLICIES.items()],
    )


@router.get("/{course_id}/settings", response_class=HTMLResponse)
async def course_settings(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """The course's settings, as saved."""
    course = await editable_course(api, session, course_id)
    return _settings_page(request, course, _, _saved_values(course, session))


@router.post("/{course_id}/settings", response_class=HTMLResponse)
async def save_course_settings(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Save every setting in one PATCH; a refusal shows each field's message."""
    course = await editable_course(api, session, course_id)
    values = _typed_values(await request.form())
    errors = FormErrors()
    try:
        await api.call(
            "PATCH", f"{COURSES_API}/{course_id}", session=session, json=_body(values, session)
        )
    except ApiProblem as problem:
        if problem.slug == "slug-taken":
            errors.add("slug", _("Another course uses this web address: choose another"))
        elif problem.status in (400, 422):
            add_problem_errors(
                errors,
                problem,
                _messages(_),
                fallback_field="title",
                fallback_message=_("Check the settings and try again"),
            )
        else:
            raise
        return _settings_page(request, course, _, values, errors=errors, status_code=422)
    session.flash("success", _("The course settings have been saved."))
    return see_other(f"/teach/{course_id}")
