"""The gradebook for the course's staff: learners a page at a time with their grades and
weighted totals, the CSV of everyone, category weights and grade overrides. The API
checks every value; its refusals are worded by problem type and field code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import GRADING_METHOD_LABELS
from learnhub.web.deps import Api, Gettext, Locale, Ngettext, SignedInSession, page_router
from learnhub.web.forms import (
    FieldMessage,
    FormErrors,
    accepted,
    add_problem_errors,
    typed_number,
)
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import COURSES_API, forbid_on_403, format_number
from learnhub.web.pages.grading import staff_course, staff_page_context
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

PAGE_SIZE = 50
OVERRIDE_FIELDS = ("override-user", "override-item", "override-score", "override-reason")


def _gradebook_path(course_id: str, cursor: str = "", group: str = "") -> str:
    wanted = {key: value for key, value in (("group", group), ("cursor", cursor)) if value}
    query = f"?{urlencode(wanted)}" if wanted else ""
    return f"/teach/{course_id}/gradebook{query}"


async def _gradebook_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    course: dict[str, Any],
    locale: str,
    _: GettextFunction,
    ngettext: Any,
    *,
    cursor: str = "",
    group: str = "",
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if cursor:
        params["cursor"] = cursor
    groups = await api.call("GET", f"{COURSES_API}/{course['id']}/groups", session=session)
    group = group if any(entry["id"] == group for entry in groups) else ""
    if group:
        params["group_id"] = group
    try:
        book = await api.call(
            "GET", f"{COURSES_API}/{course['id']}/gradebook", session=session, params=params
        )
    except ApiProblem as problem:
        if problem.slug == "invalid-cursor":
            return see_other(_gradebook_path(course["id"]))
        forbid_on_403(problem)
    columns = book.get("columns") or []
    categories = list(dict.fromkeys(column.get("category") for column in columns))
    for category in book.get("category_weights") or {}:
        if category not in categories:
            categories.append(category)
    weights = book.get("category_weights") or {}
    shown = dict(values or {})
    for index, category in enumerate(categories):
        shown.setdefault(
            f"weight-{index}",
            format_number(weights[category], locale) if category in weights else "",
        )
    learner_count = int(book.get("learner_count") or 0)
    return render(
        request,
        "courses/gradebook.html",
        status_code=status_code,
        active_nav="teach",
        book=book,
        columns=columns,
        categories=categories,
        group_options=[("", _("All learners"))] + [(g["id"], g["name"]) for g in groups],
        filters={"group": group},
        csv_path=f"/teach/{course['id']}/gradebook.csv"
        + (f"?{urlencode({'group': group})}" if group else ""),
        counts_labels={key: _(label) for key, label in GRADING_METHOD_LABELS.items()},
        cursor=cursor,
        next_path=_gradebook_path(course["id"], book["next_cursor"], group)
        if book.get("next_cursor")
        else None,
        learner_count_words=ngettext(
            "%(count)s learner in this course", "%(count)s learners in this course", learner_count
        )
        % {"count": format_number(learner_count, locale)},
        learner_options=[("", _("Choose a learner"))]
        + [
            (row["user_id"], row.get("name") or row.get("email") or row["user_id"])
            for row in book.get("learners") or []
        ],
        item_options=[("", _("Choose an item"))]
        + [(column["item_id"], column["title"]) for column in columns],
        values=shown,
        errors=errors or FormErrors(),
        **staff_page_context(course, session, locale),
    )


async def _saved_or_refused(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    course: dict[str, Any],
    locale: str,
    _: GettextFunction,
    ngettext: Any,
    *,
    cursor: str,
    values: dict[str, Any],
    errors: FormErrors,
    saved: str,
) -> Response:
    """After a form of the page: back to the gradebook with ``saved`` flashed, or, when the
    API refused the form (``errors`` says why), the page again with the form as sent."""
    if not errors:
        session.flash("success", saved)
        return see_other(_gradebook_path(course["id"], cursor))
    return await _gradebook_page(
        request,
        api,
        session,
        course,
        locale,
        _,
        ngettext,
        cursor=cursor,
        values=values,
        errors=errors,
        status_code=422,
    )


@router.get("/{course_id}/gradebook", response_class=HTMLResponse)
async def gradebook(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    ngettext: Ngettext,
    cursor: str = "",
    group: str = "",
) -> Response:
    """A page of learners' grades (of one group) with their weighted totals, the weights
    and the override form; the CSV has every learner (of the group)."""
    course = await staff_course(api, session, course_id)
    return await _gradebook_page(
        request, api, session, course, locale, _, ngettext, cursor=cursor, group=group
    )


@router.post("/{course_id}/gradebook/weights", response_class=HTMLResponse)
async def save_weights(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """Set the category weights as typed (the API wants them to add up to 100), or clear
    them all to weigh by points."""
    course = await staff_course(api, session, course_id)
    form = await request.form()
    cursor = str(form.get("cursor") or "")
    values: dict[str, Any] = {}
    weights: dict[str, Any] = {}
    fields: dict[str, FieldMessage] = {}
    number = _("Enter a number, like 12 or 3.5")
    index = 0
    while f"category-{index}" in form:
        category = str(form.get(f"category-{index}") or "")
        name = f"weight-{index}"
        values[name] = str(form.get(name) or "")
        typed = typed_number(values[name])
        if typed is not None:
            weights[category] = typed
        fields[f"category_weights.{category}"] = FieldMessage(name, number)
        index += 1
    fields["category_weights"] = FieldMessage(
        "weight-0",
        _("Check the weights and try again"),
        {
            "weights_not_100": _(
                "The weights must add up to 100. Give every category a weight, or leave "
                "them all empty"
            ),
            "weight_out_of_range": _("Each weight must be from 0 to 100"),
        },
    )
    errors = FormErrors()
    try:
        await accepted(
            api.call(
                "PUT",
                f"{COURSES_API}/{course['id']}/gradebook/settings",
                session=session,
                json={"category_weights": weights},
            ),
            errors,
            fields,
            fallback_field="weight-0",
            fallback_message=_("Check the weights and try again"),
        )
    except ApiProblem as problem:
        if problem.status != 403:
            raise
        session.flash("error", _("Only the course's instructors can change the weights."))
        return see_other(_gradebook_path(course["id"], cursor))
    return await _saved_or_refused(
        request,
        api,
        session,
        course,
        locale,
        _,
        ngettext,
        cursor=cursor,
        values=values,
        errors=errors,
        saved=_("The weights have been saved."),
    )


def _override_messages(_: GettextFunction) -> dict[str, FieldMessage]:
    return {
        "user_id": FieldMessage("override-user", _("Choose the learner")),
        "item_id": FieldMessage("override-item", _("Choose the item")),
        "score": FieldMessage(
            "override-score",
            _("Enter the score as a number, like 12 or 3.5"),
            {"greater_than_equal": _("The score cannot be less than 0")},
        ),
        "reason": FieldMessage(
            "override-reason",
            _("Give the reason for the change"),
            {"string_too_long": _("Shorten the reason")},
        ),
    }


@router.post("/{course_id}/gradebook/overrides", response_class=HTMLResponse)
async def override_grade(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """Replace a learner's grade on an item, with the reason recorded."""
    course = await staff_course(api, session, course_id)
    form = await request.form()
    cursor = str(form.get("cursor") or "")
    values = {name: str(form.get(name) or "") for name in OVERRIDE_FIELDS}
    errors = FormErrors()
    try:
        await api.call(
            "PUT",
            f"{COURSES_API}/{course['id']}/gradebook/overrides",
            session=session,
            json={
                "user_id": values["override-user"],
                "item_id": values["override-item"],
                "score": typed_number(values["override-score"]),
                "reason": values["override-reason"],
            },
        )
    except ApiProblem as problem:
        if problem.status == 403:
            forbid_on_403(problem)
        if problem.slug == "learner-not-in-course":
            errors.add("override-user", _("Choose a learner of this course"))
        elif problem.slug in ("not-graded-item", "item-not-found"):
            errors.add("override-item", _("Choose a graded item"))
        elif problem.slug == "invalid-override":
            errors.add("override-score", _("The score cannot be more than the item's points"))
        elif problem.status == 422:
            add_problem_errors(
                errors,
                problem,
                _override_messages(_),
                fallback_field="override-score",
                fallback_message=_("Check the grade and try again"),
            )
        else:
            raise
    return await _saved_or_refused(
        request,
        api,
        session,
        course,
        locale,
        _,
        ngettext,
        cursor=cursor,
        values=values,
        errors=errors,
        saved=_("The grade has been changed."),
    )
