"""Grading for the course's staff: the queue of work handed in, the grade page of one
submission (any of its versions), and the gradebook (pages of learners, category weights,
overrides, the CSV). What the caller may do comes from the course's viewer block; the
API checks every value and its refusals are worded by problem type and field code."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, Locale, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage, FormErrors, add_problem_errors, typed_number
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.assignment import format_size
from learnhub.web.pages.course_support import (
    COURSES_API,
    build_outline,
    course_path,
    course_viewer,
    forbid_on_403,
    format_number,
    items_of,
    load_course,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

QUEUE_STATUSES = ("ungraded", "graded", "all")
QUEUE_PAGE_SIZE = 50


async def staff_course(api: PlatformApi, session: WebSession, course_id: str) -> dict[str, Any]:
    """The course, when the API says the caller may grade in it (else the 403 page)."""
    course = await load_course(api, session, course_id)
    if not course_viewer(course).can_grade:
        raise Forbidden()
    return course


def _assignments(course: dict[str, Any]) -> list[tuple[str, str]]:
    """The course's assignments as (id, title), in outline order."""
    outline = build_outline(course, None)
    return [(item.id, item.title) for item in outline.items if item.kind == "assignment"]


def staff_page_context(course: dict[str, Any], session: WebSession, locale: str) -> dict[str, Any]:
    return {
        "course": course,
        "course_path": course_path(course),
        "can_edit": course_viewer(course).can_edit,
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
    group: str = "",
    cursor: str = "",
) -> Response:
    """Each learner's latest work, oldest first, filtered by assignment, status and group."""
    course = await staff_course(api, session, course_id)
    groups = await api.call("GET", f"{COURSES_API}/{course['id']}/groups", session=session)
    group = group if any(entry["id"] == group for entry in groups) else ""
    assignments = _assignments(course)
    assignment_ids = {item_id for item_id, _title in assignments}
    assignment = assignment if assignment in assignment_ids else ""
    status = status if status in QUEUE_STATUSES else "ungraded"
    params: dict[str, Any] = {"limit": QUEUE_PAGE_SIZE}
    if assignment:
        params["assignment_id"] = assignment
    if status != "all":
        params["status"] = status
    if group:
        params["group_id"] = group
    if cursor:
        params["cursor"] = cursor
    try:
        page = await api.call(
            "GET", f"{COURSES_API}/{course['id']}/grading-queue", session=session, params=params
        )
    except ApiProblem as problem:
        forbid_on_403(problem)
    filters = {"assignment": assignment, "status": status, "group": group}
    next_cursor = page.get("next_cursor") if isinstance(page, dict) else None
    return render(
        request,
        "courses/grading_queue.html",
        active_nav="teach",
        entries=items_of(page),
        next_cursor=next_cursor,
        filters=filters,
        assignment_options=[("", _("All assignments")), *assignments],
        group_options=[("", _("All learners"))] + [(g["id"], g["name"]) for g in groups],
        status_options=[
            ("ungraded", _("Waiting to be graded")),
            ("graded", _("Graded")),
            ("all", _("All")),
        ],
        **staff_page_context(course, session, locale),
    )


def _grade_values(submission: dict[str, Any], locale: str) -> dict[str, Any]:
    """What the grade form shows for a submission: its grade, if it has one."""
    grade = submission.get("grade") or {}
    values: dict[str, Any] = {"feedback": grade.get("feedback") or ""}
    if grade:
        values["score"] = format_number(grade.get("score"), locale)
        for given in grade.get("rubric") or []:
            values[f"rubric-{given['criterion_id']}"] = format_number(given["points"], locale)
    return values


def _paths(course: dict[str, Any], item_id: str, submission_id: str) -> dict[str, str]:
    return {
        "queue_path": f"/teach/{course['id']}/grading?assignment={item_id}",
        "grade_path": f"/teach/{course['id']}/grading/{item_id}/{submission_id}",
        "file_path": (
            f"{course_path(course)}/assignments/{item_id}/submissions/{submission_id}/file"
        ),
    }


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
    assignment_api = f"{COURSES_API}/{course['id']}/assignments/{item_id}"
    try:
        detail = await api.call(
            "GET", f"{assignment_api}/submissions/{submission_id}", session=session
        )
    except ApiProblem as problem:
        forbid_on_403(problem)
    assignment = await api.call("GET", assignment_api, session=session)
    submission = detail["submission"]
    return render(
        request,
        "courses/grade.html",
        status_code=status_code,
        active_nav="teach",
        entry=detail,
        submission=submission,
        versions=detail.get("versions") or [],
        is_latest=detail.get("is_latest", True),
        assignment=assignment,
        learner=detail.get("learner_name") or detail.get("learner_email") or _("A learner"),
        file_size=format_size((submission.get("file") or {}).get("size"), locale, _),
        late_days=-(-(submission.get("late_by_seconds") or 0) // 86400),
        values=values if values is not None else _grade_values(submission, locale),
        errors=errors or FormErrors(),
        **_paths(course, item_id, submission_id),
        **staff_page_context(course, session, locale),
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
    """One version of a learner's work to grade, with their other versions: the work, the
    rubric or a score, and feedback."""
    course = await staff_course(api, session, course_id)
    return await _grade_page(request, api, session, course, item_id, submission_id, locale, _)


def _grade_from_form(
    form: FormData, assignment: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The API's grade body as typed, the form's values, and the criteria in the order the
    body sends them (an empty criterion is left out, for the API to ask for)."""
    values: dict[str, Any] = {
        "feedback": str(form.get("feedback") or ""),
        "return_for_resubmission": form.get("return_for_resubmission") == "yes",
    }
    body: dict[str, Any] = {
        "feedback": values["feedback"].strip(),
        "return_for_resubmission": values["return_for_resubmission"],
    }
    sent: list[str] = []
    rubric = assignment.get("rubric") or []
    if rubric:
        given = []
        for criterion in rubric:
            name = f"rubric-{criterion['id']}"
            values[name] = str(form.get(name) or "")
            points = typed_number(values[name])
            if points is not None:
                given.append({"criterion_id": criterion["id"], "points": points})
                sent.append(criterion["id"])
        body["rubric"] = given
    else:
        values["score"] = str(form.get("score") or "")
        body["score"] = typed_number(values["score"])
    return body, values, sent


def _grade_refusal(
    problem: ApiProblem,
    errors: FormErrors,
    assignment: dict[str, Any],
    sent: list[str],
    locale: str,
    _: GettextFunction,
) -> None:
    """The API's refusal of a grade, in words next to the field it is about."""
    criteria = {criterion["id"]: criterion for criterion in assignment.get("rubric") or []}
    first = f"rubric-{next(iter(criteria))}" if criteria else "score"
    if problem.slug == "no-points":
        errors.add(first, _("Give the assignment points before grading it"))
    elif problem.slug == "score-required":
        errors.add("score", _("Enter the score"))
    elif problem.slug == "score-above-maximum":
        errors.add(
            "score",
            _("Enter a score of at most %(max)s")
            % {"max": format_number(problem.extra.get("max_score"), locale)},
        )
    elif problem.slug == "invalid-rubric-points":
        for field_problem in problem.errors:
            criterion_id = field_problem.path.removeprefix("rubric.")
            criterion = criteria.get(criterion_id)
            if criterion is None:
                errors.add(first, _("The rubric has changed. Reload the page and try again."))
            elif field_problem.code == "above_criterion_points":
                errors.add(
                    f"rubric-{criterion_id}",
                    _("Enter at most %(max)s points for %(title)s")
                    % {
                        "max": format_number(criterion["points"], locale),
                        "title": criterion["title"],
                    },
                )
            else:
                errors.add(
                    f"rubric-{criterion_id}",
                    _("Enter the points for %(title)s") % {"title": criterion["title"]},
                )
    elif problem.status == 422:
        number = _("Enter a number, like 12 or 3.5")
        fields = {
            "score": FieldMessage("score", number, {"greater_than_equal": _("Enter 0 or more")})
        }
        for index, criterion_id in enumerate(sent):
            # The summary lists every line's message: each names its rubric line.
            title = {"title": criteria[criterion_id]["title"]}
            fields[f"rubric.{index}.points"] = FieldMessage(
                f"rubric-{criterion_id}",
                _("Enter the points for %(title)s as a number, like 12 or 3.5") % title,
                {"greater_than_equal": _("Enter 0 or more points for %(title)s") % title},
            )
        fields["feedback"] = FieldMessage("feedback", _("Shorten the feedback"))
        add_problem_errors(
            errors,
            problem,
            fields,
            fallback_field=first,
            fallback_message=_("Check the points and try again"),
        )
    elif problem.status in (400, 409):
        errors.add(first, _("The rubric has changed. Reload the page and try again."))
    else:
        raise problem


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
    """Save the grade and feedback of this version (it then counts), then back to the queue."""
    course = await staff_course(api, session, course_id)
    assignment = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/assignments/{item_id}", session=session
    )
    form = await request.form()
    errors = FormErrors()
    body, values, sent = _grade_from_form(form, assignment)
    try:
        graded = await api.call(
            "POST",
            f"{COURSES_API}/{course['id']}/assignments/{item_id}/submissions/{submission_id}/grade",
            session=session,
            json=body,
        )
    except ApiProblem as problem:
        if problem.status == 403:
            forbid_on_403(problem)
        _grade_refusal(problem, errors, assignment, sent, locale, _)
    else:
        grade = graded.get("grade") or {}
        saved = (
            _("Grade saved: %(score)s out of %(max)s. The work is returned for a new version.")
            if graded.get("returned")
            else _("Grade saved: %(score)s out of %(max)s.")
        )
        session.flash(
            "success",
            saved
            % {
                "score": format_number(grade.get("final_score"), locale),
                "max": format_number(grade.get("max_score"), locale),
            },
        )
        return see_other(f"/teach/{course['id']}/grading?assignment={item_id}")
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
