"""The assignment editor: an assignment's settings, and its rubric one criterion at a time
(add, change, remove), for the course's instructors. The forms are shaped into the API's
bodies as typed; the API checks them and the page words its refusals next to the fields."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, Locale, SignedInSession, page_router, request_locale
from learnhub.web.forms import (
    FieldMessage,
    FormErrors,
    add_problem_errors,
    scaled_number,
    typed_number,
)
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.i18n import N_
from learnhub.web.pages.authoring_support import (
    date_time_values,
    due_date_message,
    editable_course,
    plain,
    typed_moment,
    user_zone,
)
from learnhub.web.pages.course_support import COURSES_API, format_number
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

LATE_POLICIES = {
    "accept": N_("Accept late work"),
    "penalty": N_("Accept it with a penalty"),
    "refuse": N_("Refuse late work"),
}
SUBMISSION_TYPES = {"text": N_("Text typed on the page"), "file": N_("A file")}
RESUBMISSIONS = {
    "never": N_("Never"),
    "until_due": N_("Until the due date"),
    "until_graded": N_("Until it is graded"),
}
MEGABYTE = 1024 * 1024
SETTINGS_FIELDS = (
    "instructions",
    "due_date",
    "due_time",
    "late_policy",
    "penalty_percent_per_day",
    "penalty_cap_percent",
    "allowed_file_types",
    "max_file_size",
    "resubmission",
    "points",
)
CRITERION_FIELDS = ("title", "description", "points")


def _editor_path(course_id: str, item_id: str) -> str:
    return f"/teach/{course_id}/assignments/{item_id}"


def _assignment_api(course_id: str, item_id: str) -> str:
    return f"{COURSES_API}/{course_id}/assignments/{item_id}"


def _settings_values(assignment: dict[str, Any], session: WebSession) -> dict[str, Any]:
    due_date, due_time = date_time_values(assignment.get("due_at"), user_zone(session))
    max_bytes = assignment.get("max_file_bytes")
    return {
        "instructions": assignment.get("instructions") or "",
        "due_date": due_date,
        "due_time": due_time,
        "late_policy": assignment.get("late_policy") or "accept",
        "penalty_percent_per_day": plain(assignment.get("penalty_percent_per_day")),
        "penalty_cap_percent": plain(assignment.get("penalty_cap_percent")),
        "submission_types": list(assignment.get("submission_types") or []),
        "allowed_file_types": ", ".join(assignment.get("allowed_file_types") or []),
        "max_file_size": plain(round(max_bytes / MEGABYTE, 2)) if max_bytes else "",
        "resubmission": assignment.get("resubmission") or "until_due",
        "points": plain(assignment.get("points")),
    }


def _criterion_values(assignment: dict[str, Any]) -> dict[str, Any]:
    """The rubric forms' values: ``criterion-<id>-<field>`` for each criterion."""
    values: dict[str, Any] = {}
    for criterion in assignment.get("rubric") or []:
        prefix = f"criterion-{criterion['id']}-"
        values[prefix + "title"] = criterion.get("title", "")
        values[prefix + "description"] = criterion.get("description", "")
        values[prefix + "points"] = plain(criterion.get("points"))
    return values


async def _page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    course: dict[str, Any],
    item_id: str,
    *,
    values: dict[str, Any] | None = None,
    rubric_values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    assignment = await api.call("GET", _assignment_api(course["id"], item_id), session=session)
    locale = request_locale(request)
    return render(
        request,
        "courses/assignment_editor.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        assignment=assignment,
        values=values or _settings_values(assignment, session),
        rubric_values={**_criterion_values(assignment), **(rubric_values or {})},
        errors=errors or FormErrors(),
        late_options=[(value, _(label)) for value, label in LATE_POLICIES.items()],
        submission_options=[(value, _(label)) for value, label in SUBMISSION_TYPES.items()],
        resubmission_options=[(value, _(label)) for value, label in RESUBMISSIONS.items()],
        num=lambda value: format_number(value, locale),
    )


@router.get("/{course_id}/assignments/{item_id}", response_class=HTMLResponse)
async def assignment_editor(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """The assignment's settings and rubric, with a preview of the saved instructions."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="assignment")
    return await _page(request, api, session, _, course, item_id)


# --- settings -------------------------------------------------------------------------------


def _settings_body(values: dict[str, Any], session: WebSession) -> dict[str, Any]:
    body: dict[str, Any] = {
        "instructions": values["instructions"],
        "due_at": typed_moment(values["due_date"], values["due_time"], user_zone(session)),
        "late_policy": values["late_policy"],
        "submission_types": values["submission_types"],
        "allowed_file_types": values["allowed_file_types"].replace(",", " ").split(),
        "max_file_bytes": scaled_number(values["max_file_size"], MEGABYTE),
        "resubmission": values["resubmission"],
    }
    # An empty number field leaves the setting as it is.
    for name in ("penalty_percent_per_day", "penalty_cap_percent", "points"):
        typed = typed_number(values[name])
        if typed is not None:
            body[name] = typed
    return body


def _settings_messages(_: GettextFunction) -> dict[str, FieldMessage]:
    percent = _("Enter a percentage from 0 to 100")
    return {
        "instructions": FieldMessage("instructions", _("Shorten the instructions")),
        "due_at": due_date_message(_),
        "late_policy": FieldMessage("late_policy", _("Choose what happens to late work")),
        "penalty_percent_per_day": FieldMessage("penalty_percent_per_day", percent),
        "penalty_cap_percent": FieldMessage("penalty_cap_percent", percent),
        "submission_types": FieldMessage(
            "submission_types", _("Choose at least one way to hand in work")
        ),
        "allowed_file_types": FieldMessage(
            "allowed_file_types",
            _("Enter file types like .pdf .docx, separated by spaces or commas"),
            {"too_long": _("Enter fewer file types")},
        ),
        "max_file_bytes": FieldMessage(
            "max_file_size",
            _("Enter the largest file size in MB, like 10"),
            {"above_platform_limit": _("The file size is larger than this platform allows")},
        ),
        "resubmission": FieldMessage(
            "resubmission", _("Choose whether learners may hand in again")
        ),
        "points": FieldMessage(
            "points",
            _("Enter the points as a number, like 10"),
            {
                "greater_than": _("Enter points more than 0"),
                "less_than_equal": _("Enter fewer points"),
            },
        ),
    }


@router.post("/{course_id}/assignments/{item_id}", response_class=HTMLResponse)
async def save_assignment(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """Save the assignment's settings (PATCH)."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="assignment")
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in SETTINGS_FIELDS}
    values["submission_types"] = [str(value) for value in form.getlist("submission_types")]
    errors = FormErrors()
    try:
        await api.call(
            "PATCH",
            _assignment_api(course_id, item_id),
            session=session,
            json=_settings_body(values, session),
        )
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        if problem.slug == "rubric-total-mismatch":
            errors.add(
                "points",
                _("With a rubric, the points must be its total: %(total)s")
                % {"total": format_number(problem.extra.get("rubric_total"), locale)},
            )
        else:
            add_problem_errors(
                errors,
                problem,
                _settings_messages(_),
                fallback_field="instructions",
                fallback_message=_("Check the settings and try again"),
            )
    else:
        session.flash("success", _("The assignment settings have been saved."))
        return see_other(_editor_path(course_id, item_id))
    return await _page(
        request, api, session, _, course, item_id, values=values, errors=errors, status_code=422
    )


# --- the rubric, one criterion at a time ----------------------------------------------------


def _criterion_body(form: Any, prefix: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The API body of a criterion from the fields ``<prefix>title`` ..., and the values."""
    values = {prefix + name: str(form.get(prefix + name, "")) for name in CRITERION_FIELDS}
    body: dict[str, Any] = {
        "title": values[prefix + "title"].strip(),
        "description": values[prefix + "description"].strip(),
        "points": typed_number(values[prefix + "points"]),
    }
    return body, values


def _criterion_messages(prefix: str, _: GettextFunction) -> dict[str, FieldMessage]:
    points = FieldMessage(
        prefix + "points",
        _("Enter the points as a number, like 4"),
        {
            "greater_than": _("Enter points more than 0"),
            "less_than_equal": _("Enter fewer points"),
        },
    )
    return {
        "title": FieldMessage(
            prefix + "title",
            _("Enter the criterion's title"),
            {"string_too_long": _("Shorten the title")},
        ),
        "description": FieldMessage(prefix + "description", _("Shorten the description")),
        "points": points,
        # A change of a criterion sends its points as null when the field is emptied.
        "body": points,
    }


async def _criterion_call(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    course: dict[str, Any],
    item_id: str,
    *,
    method: str,
    path: str,
    prefix: str,
    success: str,
) -> Response:
    form = await request.form()
    body, values = _criterion_body(form, prefix)
    errors = FormErrors()
    try:
        await api.call(method, path, session=session, json=body)
    except ApiProblem as problem:
        if problem.slug == "rubric-criterion-not-found":
            session.flash("error", _("This criterion was removed. Reload the page and try again."))
            return see_other(_editor_path(course["id"], item_id) + "#rubric-title")
        if problem.status != 422:
            raise
        add_problem_errors(
            errors,
            problem,
            _criterion_messages(prefix, _),
            fallback_field=prefix + "title",
            fallback_message=_("Check the criterion and try again"),
        )
    else:
        session.flash("success", success)
        return see_other(_editor_path(course["id"], item_id) + "#rubric-title")
    return await _page(
        request,
        api,
        session,
        _,
        course,
        item_id,
        rubric_values=values,
        errors=errors,
        status_code=422,
    )


@router.post("/{course_id}/assignments/{item_id}/rubric", response_class=HTMLResponse)
async def add_criterion(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Add a criterion at the end of the rubric."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="assignment")
    return await _criterion_call(
        request,
        api,
        session,
        _,
        course,
        item_id,
        method="POST",
        path=f"{_assignment_api(course_id, item_id)}/rubric",
        prefix="new-",
        success=_("The criterion has been added."),
    )


@router.post(
    "/{course_id}/assignments/{item_id}/rubric/{criterion_id}", response_class=HTMLResponse
)
async def change_criterion(
    request: Request,
    course_id: str,
    item_id: str,
    criterion_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Save one criterion's title, description and points."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="assignment")
    return await _criterion_call(
        request,
        api,
        session,
        _,
        course,
        item_id,
        method="PATCH",
        path=f"{_assignment_api(course_id, item_id)}/rubric/{criterion_id}",
        prefix=f"criterion-{criterion_id}-",
        success=_("The criterion has been saved."),
    )


@router.post("/{course_id}/assignments/{item_id}/rubric/{criterion_id}/remove")
async def remove_criterion(
    course_id: str,
    item_id: str,
    criterion_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Remove one criterion from the rubric."""
    await editable_course(api, session, course_id, item_id=item_id, kind="assignment")
    try:
        await api.call(
            "DELETE",
            f"{_assignment_api(course_id, item_id)}/rubric/{criterion_id}",
            session=session,
        )
    except ApiProblem as problem:
        if problem.slug != "rubric-criterion-not-found":
            raise
    session.flash("success", _("The criterion has been removed."))
    return see_other(_editor_path(course_id, item_id) + "#rubric-title")
