"""Grading for the course's staff: the queue of work handed in, the grade page of one
submission, and the gradebook (totals, category weights, overrides, the CSV)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, Locale, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.assignment import format_number, format_size
from learnhub.web.pages.course_support import (
    COURSES_API,
    build_outline,
    course_path,
    forbid_on_403,
    is_staff,
    items_of,
    load_course,
    viewer_role,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

QUEUE_STATUSES = ("ungraded", "graded", "all")
QUEUE_PAGE_SIZE = 50
FEEDBACK_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 1000


async def staff_course(api: PlatformApi, session: WebSession, course_id: str) -> dict[str, Any]:
    """The course, for its instructors, teaching assistants and administrators (else 403)."""
    course = await load_course(api, session, course_id)
    if not is_staff(course) and not (session.user and session.user.is_admin):
        raise Forbidden()
    return course


def parse_number(text: str) -> float | None:
    """A number typed by a person (``7.5`` or ``7,5``); None when it is not one."""
    try:
        number = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _assignments(course: dict[str, Any]) -> list[tuple[str, str]]:
    """The course's assignments as (id, title), in outline order."""
    outline = build_outline(course, None)
    return [(item.id, item.title) for item in outline.items if item.kind == "assignment"]


def _common(course: dict[str, Any], session: WebSession, locale: str) -> dict[str, Any]:
    return {
        "course": course,
        "course_path": course_path(course),
        "can_edit": viewer_role(course) == ("instructor", "active")
        or bool(session.user and session.user.is_admin),
        "num": lambda value: format_number(value, locale),
        "viewer_time_zone": session.user.time_zone if session.user else None,
    }


# ---------------------------------------------------------------- the grading queue


@router.get("/{course_id}/grading", response_class=HTMLResponse)
async def grading_queue(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    assignment: str = "",
    status: str = "ungraded",
    cursor: str = "",
) -> Response:
    """Each learner's latest work, oldest first, filtered by assignment and status."""
    course = await staff_course(api, session, course_id)
    assignments = _assignments(course)
    assignment_ids = {item_id for item_id, _title in assignments}
    assignment = assignment if assignment in assignment_ids else ""
    status = status if status in QUEUE_STATUSES else "ungraded"
    params: dict[str, Any] = {"limit": QUEUE_PAGE_SIZE}
    if assignment:
        params["assignment_id"] = assignment
    if status != "all":
        params["status"] = status
    if cursor:
        params["cursor"] = cursor
    try:
        page = await api.call(
            "GET", f"{COURSES_API}/{course['id']}/grading-queue", session=session, params=params
        )
    except ApiProblem as problem:
        forbid_on_403(problem)
    filters = {"assignment": assignment, "status": status}
    next_cursor = page.get("next_cursor") if isinstance(page, dict) else None
    return render(
        request,
        "courses/grading_queue.html",
        active_nav="teach",
        entries=items_of(page),
        next_cursor=next_cursor,
        filters=filters,
        assignment_options=[("", _("All assignments")), *assignments],
        status_options=[
            ("ungraded", _("Waiting to be graded")),
            ("graded", _("Graded")),
            ("all", _("All")),
        ],
        **_common(course, session, locale),
    )


async def _find_entry(
    api: PlatformApi, session: WebSession, course: dict[str, Any], item_id: str, submission_id: str
) -> dict[str, Any]:
    """The queue entry of a submission (the API lists each learner's latest one)."""
    params: dict[str, Any] = {"assignment_id": item_id, "limit": 100}
    while True:
        try:
            page = await api.call(
                "GET", f"{COURSES_API}/{course['id']}/grading-queue", session=session, params=params
            )
        except ApiProblem as problem:
            forbid_on_403(problem)
        for entry in items_of(page):
            if str(entry.get("submission", {}).get("id")) == submission_id:
                return entry
        next_cursor = page.get("next_cursor") if isinstance(page, dict) else None
        if not next_cursor:
            raise ApiProblem(status=404, title="Submission not found")
        params["cursor"] = next_cursor


def _grade_values(entry: dict[str, Any], assignment: dict[str, Any], locale: str) -> dict[str, Any]:
    """What the grade form shows for a submission: its grade, if it has one."""
    grade = entry["submission"].get("grade") or {}
    values: dict[str, Any] = {"feedback": grade.get("feedback") or ""}
    if grade:
        values["score"] = format_number(grade.get("score"), locale)
        for given in grade.get("rubric") or []:
            values[f"rubric-{given['criterion_id']}"] = format_number(given["points"], locale)
    return values


async def _grade_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    course: dict[str, Any],
    item_id: str,
    submission_id: str,
    locale: str,
    _: GettextFunction,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    entry = await _find_entry(api, session, course, item_id, submission_id)
    assignment = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/assignments/{item_id}", session=session
    )
    submission = entry["submission"]
    return render(
        request,
        "courses/grade.html",
        status_code=status_code,
        active_nav="teach",
        entry=entry,
        submission=submission,
        assignment=assignment,
        learner=entry.get("learner_name") or entry.get("learner_email") or _("A learner"),
        queue_path=f"/teach/{course['id']}/grading?assignment={item_id}",
        grade_path=f"/teach/{course['id']}/grading/{item_id}/{submission_id}",
        file_path=f"{course_path(course)}/assignments/{item_id}/submissions/{submission_id}/file",
        file_size=format_size((submission.get("file") or {}).get("size"), locale, _),
        late_days=math.ceil((submission.get("late_by_seconds") or 0) / 86400),
        values=values if values is not None else _grade_values(entry, assignment, locale),
        errors=errors or FormErrors(),
        **_common(course, session, locale),
    )


@router.get("/{course_id}/grading/{item_id}/{submission_id}", response_class=HTMLResponse)
async def grade_page(
    request: Request,
    course_id: str,
    item_id: str,
    submission_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """One submission to grade: the work, the rubric or a score, and feedback."""
    course = await staff_course(api, session, course_id)
    return await _grade_page(request, api, session, course, item_id, submission_id, locale, _)


def _grade_from_form(
    form: FormData, assignment: dict[str, Any], errors: FormErrors, _: GettextFunction
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The API's grade body and the form's values as typed."""
    values: dict[str, Any] = {"feedback": str(form.get("feedback") or "")}
    body: dict[str, Any] = {"feedback": values["feedback"].strip()}
    if len(values["feedback"]) > FEEDBACK_MAX_LENGTH:
        errors.add(
            "feedback",
            _("Feedback must be %(count)d characters or fewer") % {"count": FEEDBACK_MAX_LENGTH},
        )
    rubric = assignment.get("rubric") or []
    if rubric:
        given = []
        for criterion in rubric:
            name = f"rubric-{criterion['id']}"
            text = str(form.get(name) or "").strip()
            values[name] = text
            points = parse_number(text)
            if not text:
                errors.add(
                    name, _("Enter the points for %(title)s") % {"title": criterion["title"]}
                )
            elif points is None:
                errors.add(name, _("Enter a number, like 12 or 3.5"))
            elif not 0 <= points <= float(criterion["points"]):
                errors.add(
                    name,
                    _("Enter a number from 0 to %(max)s") % {"max": f"{criterion['points']:g}"},
                )
            else:
                given.append({"criterion_id": criterion["id"], "points": points})
        body["rubric"] = given
        body["score"] = round(sum(entry["points"] for entry in given), 6)
    else:
        text = str(form.get("score") or "").strip()
        values["score"] = text
        score = parse_number(text)
        maximum = assignment.get("points")
        if not text:
            errors.add("score", _("Enter the score"))
        elif score is None:
            errors.add("score", _("Enter a number, like 12 or 3.5"))
        elif score < 0 or (maximum is not None and score > float(maximum)):
            errors.add("score", _("Enter a number from 0 to %(max)s") % {"max": f"{maximum:g}"})
        else:
            body["score"] = score
    return body, values


@router.post("/{course_id}/grading/{item_id}/{submission_id}", response_class=HTMLResponse)
async def grade_submission(
    request: Request,
    course_id: str,
    item_id: str,
    submission_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """Save the grade and feedback, then go back to the queue."""
    course = await staff_course(api, session, course_id)
    assignment = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/assignments/{item_id}", session=session
    )
    form = await request.form()
    errors = FormErrors()
    body, values = _grade_from_form(form, assignment, errors, _)
    queue_path = f"/teach/{course['id']}/grading?assignment={item_id}"
    if not errors:
        try:
            graded = await api.call(
                "POST",
                f"{COURSES_API}/{course['id']}/assignments/{item_id}/submissions/"
                f"{submission_id}/grade",
                session=session,
                json=body,
            )
        except ApiProblem as problem:
            if problem.status == 403:
                forbid_on_403(problem)
            if problem.slug == "superseded-submission":
                session.flash(
                    "info", _("The learner has sent a newer version since: grade that one.")
                )
                return see_other(queue_path)
            if problem.slug == "no-points":
                errors.add("score", _("Give the assignment points before grading it"))
            elif problem.status in (400, 409, 422):
                field = "score" if not assignment.get("rubric") else None
                field = field or f"rubric-{assignment['rubric'][0]['id']}"
                errors.add(field, _("Check the points and try again"))
            else:
                raise
        else:
            final = (graded.get("grade") or {}).get("final_score")
            session.flash(
                "success",
                _("Grade saved: %(score)s out of %(max)s.")
                % {
                    "score": format_number(final, locale),
                    "max": format_number((graded.get("grade") or {}).get("max_score"), locale),
                },
            )
            return see_other(queue_path)
    return await _grade_page(
        request,
        api,
        session,
        course,
        item_id,
        submission_id,
        locale,
        _,
        values=values,
        errors=errors,
        status_code=422,
    )


# ---------------------------------------------------------------- the gradebook


async def _gradebook_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    course: dict[str, Any],
    locale: str,
    _: GettextFunction,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    try:
        book = await api.call("GET", f"{COURSES_API}/{course['id']}/gradebook", session=session)
    except ApiProblem as problem:
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
    return render(
        request,
        "courses/gradebook.html",
        status_code=status_code,
        active_nav="teach",
        book=book,
        columns=columns,
        categories=categories,
        learner_options=[("", _("Choose a learner"))]
        + [
            (row["user_id"], row.get("name") or row.get("email") or row["user_id"])
            for row in book.get("learners") or []
        ],
        item_options=[("", _("Choose an item"))]
        + [(column["item_id"], column["title"]) for column in columns],
        values=shown,
        errors=errors or FormErrors(),
        **_common(course, session, locale),
    )


@router.get("/{course_id}/gradebook", response_class=HTMLResponse)
async def gradebook(
    request: Request, course_id: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """Every learner's grades, the weighted totals, the weights and the override form."""
    course = await staff_course(api, session, course_id)
    return await _gradebook_page(request, api, session, course, locale, _)


@router.post("/{course_id}/gradebook/weights", response_class=HTMLResponse)
async def save_weights(
    request: Request, course_id: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """Set the category weights (adding up to 100), or clear them all to weigh by points."""
    course = await staff_course(api, session, course_id)
    form = await request.form()
    errors = FormErrors()
    values: dict[str, Any] = {}
    weights: dict[str, float] = {}
    index = 0
    while f"category-{index}" in form:
        category = str(form.get(f"category-{index}") or "")
        name = f"weight-{index}"
        text = str(form.get(name) or "").strip()
        values[name] = text
        if text:
            weight = parse_number(text)
            if weight is None:
                errors.add(name, _("Enter a number, like 12 or 3.5"))
            elif not 0 <= weight <= 100:
                errors.add(name, _("Enter a number from 0 to %(max)s") % {"max": "100"})
            else:
                weights[category] = weight
        index += 1
    given = [value for value in values.values() if value]
    if not errors and given and len(given) != len(values):
        first_empty = next(name for name, value in values.items() if not value)
        errors.add(first_empty, _("Give every category a weight, or leave them all empty"))
    if not errors and weights and not math.isclose(sum(weights.values()), 100, abs_tol=1e-6):
        errors.add(
            "weight-0",
            _("The weights must add up to 100, not %(sum)s")
            % {"sum": format_number(sum(weights.values()), locale)},
        )
    if not errors:
        try:
            await api.call(
                "PUT",
                f"{COURSES_API}/{course['id']}/gradebook/settings",
                session=session,
                json={"category_weights": weights},
            )
        except ApiProblem as problem:
            if problem.status == 403:
                session.flash("error", _("Only the course's instructors can change the weights."))
                return see_other(f"/teach/{course['id']}/gradebook")
            if problem.status not in (400, 422):
                raise
            errors.add("weight-0", _("Check the weights and try again"))
        else:
            session.flash("success", _("The weights have been saved."))
            return see_other(f"/teach/{course['id']}/gradebook")
    return await _gradebook_page(
        request, api, session, course, locale, _, values=values, errors=errors, status_code=422
    )


@router.post("/{course_id}/gradebook/overrides", response_class=HTMLResponse)
async def override_grade(
    request: Request, course_id: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """Replace a learner's grade on an item, with the reason recorded."""
    course = await staff_course(api, session, course_id)
    form = await request.form()
    values = {
        name: str(form.get(name) or "").strip()
        for name in ("override-user", "override-item", "override-score", "override-reason")
    }
    errors = FormErrors()
    if not values["override-user"]:
        errors.add("override-user", _("Choose the learner"))
    if not values["override-item"]:
        errors.add("override-item", _("Choose the item"))
    score = parse_number(values["override-score"])
    if not values["override-score"]:
        errors.add("override-score", _("Enter the score"))
    elif score is None:
        errors.add("override-score", _("Enter a number, like 12 or 3.5"))
    elif score < 0:
        errors.add("override-score", _("The score cannot be less than 0"))
    if not values["override-reason"]:
        errors.add("override-reason", _("Give the reason for the change"))
    elif len(values["override-reason"]) > REASON_MAX_LENGTH:
        errors.add(
            "override-reason",
            _("The reason must be %(count)d characters or fewer") % {"count": REASON_MAX_LENGTH},
        )
    if not errors:
        try:
            await api.call(
                "PUT",
                f"{COURSES_API}/{course['id']}/gradebook/overrides",
                session=session,
                json={
                    "user_id": values["override-user"],
                    "item_id": values["override-item"],
                    "score": score,
                    "reason": values["override-reason"],
                },
            )
        except ApiProblem as problem:
            if problem.status == 403:
                forbid_on_403(problem)
            if problem.slug == "learner-not-in-course":
                errors.add("override-user", _("Choose a learner of this course"))
            elif problem.slug == "not-graded-item":
                errors.add("override-item", _("Choose a graded item"))
            elif problem.status in (400, 404, 422):
                errors.add("override-score", _("The score cannot be more than the item's points"))
            else:
                raise
        else:
            session.flash("success", _("The grade has been changed."))
            return see_other(f"/teach/{course['id']}/gradebook")
    return await _gradebook_page(
        request, api, session, course, locale, _, values=values, errors=errors, status_code=422
    )
