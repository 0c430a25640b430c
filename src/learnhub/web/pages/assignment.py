"""Assignments for learners: the instructions, the rules in plain words, the rubric, my
submissions with their grades and feedback, and the form to hand in work; and my grades."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, Locale, SignedInSession, page_router
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    build_outline,
    check_item_kind,
    course_path,
    forbid_on_403,
    is_active_learner,
    is_staff,
    items_of,
    load_course,
    my_progress,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router()

# The API refuses longer texts; checking first keeps the learner's text on the page.
MAX_TEXT_LENGTH = 100_000


def format_number(value: float | int | None, locale: str) -> str:
    """A score or a size in the reader's locale: ``7.5`` or ``7,5``; empty for None."""
    if value is None:
        return ""
    return format_decimal(round(float(value), 2), format="#,##0.##", locale=locale)


def format_size(size: int | None, locale: str, _: GettextFunction) -> str:
    """A file size in words a person reads: ``200 KB``, ``10 MB``."""
    if not size:
        return ""
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": format_number(size / (1024 * 1024), locale)}
    return _("%(size)s KB") % {"size": format_number(max(size / 1024, 0.1), locale)}


def _parse_moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def late_policy_words(assignment: dict[str, Any], locale: str, _: GettextFunction) -> str:
    """What happens to work handed in after the due date, in one sentence."""
    if not assignment.get("due_at"):
        return _("There is no due date.")
    policy = assignment.get("late_policy")
    if policy == "refuse":
        return _("Work is not accepted after the due date.")
    if policy == "penalty":
        return _(
            "Late work loses %(percent)s%% of the points for each day it is late, up to %(cap)s%%."
        ) % {
            "percent": format_number(assignment.get("penalty_percent_per_day") or 0, locale),
            "cap": format_number(assignment.get("penalty_cap_percent") or 0, locale),
        }
    return _("Late work is accepted without a penalty.")


def resubmission_words(assignment: dict[str, Any], _: GettextFunction) -> str:
    """How often the learner may hand in, in one sentence."""
    rule = assignment.get("resubmission")
    if rule == "never":
        return _("You can hand in your work once.")
    if rule == "until_graded":
        return _("You can send a new version until your work is graded.")
    if assignment.get("due_at"):
        return _("You can send a new version until the due date.")
    return _("You can send a new version at any time.")


def closed_reason(
    assignment: dict[str, Any], submissions: list[dict[str, Any]], _: GettextFunction
) -> str | None:
    """Why the learner cannot hand in now (the API has the last word); None when they can."""
    due_at = _parse_moment(assignment.get("due_at"))
    past_due = due_at is not None and datetime.now(UTC) > due_at
    rule = assignment.get("resubmission")
    if submissions:
        latest = submissions[0]
        if rule == "never":
            return _("You have handed in your work. This assignment takes one submission only.")
        if rule == "until_graded" and latest.get("status") == "graded":
            return _("Your work has been graded, so it cannot be replaced.")
        if rule == "until_due" and past_due:
            return _("The due date has passed, so your work can no longer be replaced.")
    if past_due and assignment.get("late_policy") == "refuse":
        return _("The due date has passed and this assignment does not accept late work.")
    return None


def _assignment_api(course: dict[str, Any], item_id: str) -> str:
    return f"{COURSES_API}/{course['id']}/assignments/{item_id}"


async def _context(
    api: PlatformApi, session: WebSession, ref: str, item_id: str, _: GettextFunction
) -> dict[str, Any]:
    course = await load_course(api, session, ref)
    progress = await my_progress(api, session, course)
    outline = build_outline(course, progress)
    item = check_item_kind(outline, item_id, "assignment")
    previous_item, next_item = outline.neighbours(item_id)
    return {
        "course": course,
        "course_path": course_path(course),
        "progress": progress,
        "outline": outline,
        "item": item,
        "previous_item": previous_item,
        "next_item": next_item,
        "assignment_path": f"{course_path(course)}/assignments/{item_id}",
        "kind_labels": {kind: _(label) for kind, label in KIND_LABELS.items()},
        "viewer_time_zone": session.user.time_zone if session.user else None,
    }


async def _page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    page: dict[str, Any],
    assignment: dict[str, Any],
    locale: str,
    _: GettextFunction,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    course = page["course"]
    learner = is_active_learner(course)
    submissions: list[dict[str, Any]] = []
    if learner:
        submissions = items_of(
            await api.call(
                "GET",
                f"{_assignment_api(course, assignment['id'])}/submissions/mine",
                session=session,
            )
        )
        submissions.sort(key=lambda submission: submission.get("version", 0), reverse=True)
    rubric_total = sum(float(criterion.get("points") or 0) for criterion in assignment["rubric"])
    return render(
        request,
        "courses/assignment.html",
        status_code=status_code,
        active_nav="learning",
        assignment=assignment,
        submissions=submissions,
        is_learner=learner,
        is_staff=is_staff(course),
        closed_reason=closed_reason(assignment, submissions, _) if learner else None,
        late_policy=late_policy_words(assignment, locale, _),
        resubmission=resubmission_words(assignment, _),
        takes_text="text" in (assignment.get("submission_types") or []),
        takes_file="file" in (assignment.get("submission_types") or []),
        file_types=", ".join(assignment.get("allowed_file_types") or []),
        max_file_size=format_size(assignment.get("max_file_bytes"), locale, _),
        rubric_total=rubric_total,
        num=lambda value: format_number(value, locale),
        size=lambda value: format_size(value, locale, _),
        values=values or {},
        errors=errors or FormErrors(),
        **page,
    )


async def _read_assignment(
    api: PlatformApi, session: WebSession, course: dict[str, Any], item_id: str
) -> dict[str, Any]:
    return await api.call("GET", _assignment_api(course, item_id), session=session)


@router.get("/courses/{ref}/assignments/{item_id}", response_class=HTMLResponse)
async def assignment_page(
    request: Request,
    ref: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """The assignment: what to do, by when, how it is graded, my work and the form to send it."""
    page = await _context(api, session, ref, item_id, _)
    try:
        assignment = await _read_assignment(api, session, page["course"], item_id)
    except ApiProblem as problem:
        if problem.slug == "not-enrolled":
            session.flash("info", _("Enroll in this course to see its assignments."))
            return see_other(page["course_path"])
        raise
    return await _page(request, api, session, page, assignment, locale, _)


def _check_upload(
    assignment: dict[str, Any], upload: UploadFile, data: bytes, errors: FormErrors, _: Any
) -> None:
    allowed = [entry.lower() for entry in assignment.get("allowed_file_types") or []]
    extension = os.path.splitext(upload.filename or "")[1].lower()
    if allowed and extension not in allowed:
        errors.add(
            "file",
            _("The file must be one of these types: %(types)s") % {"types": ", ".join(allowed)},
        )
    elif not data:
        errors.add("file", _("The file you chose is empty"))
    elif assignment.get("max_file_bytes") and len(data) > assignment["max_file_bytes"]:
        errors.add("file", _("The file is too large: choose a smaller one"))


@router.post("/courses/{ref}/assignments/{item_id}", response_class=HTMLResponse)
async def submit_work(
    request: Request,
    ref: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """Hand in the text and/or the file; a refusal is shown in words with the text kept."""
    page = await _context(api, session, ref, item_id, _)
    course = page["course"]
    assignment = await _read_assignment(api, session, course, item_id)
    form = await request.form()
    text = str(form.get("text") or "") if isinstance(form.get("text"), str) else ""
    upload = form.get("file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    data = await upload.read() if upload is not None else b""
    types = assignment.get("submission_types") or []
    errors = FormErrors()
    if len(text) > MAX_TEXT_LENGTH:
        errors.add(
            "text",
            _("Your text must be %(count)s characters or fewer")
            % {"count": format_number(MAX_TEXT_LENGTH, locale)},
        )
    if upload is not None and "file" in types:
        _check_upload(assignment, upload, data, errors, _)
    if not errors:
        if types == ["text"] and not text.strip():
            errors.add("text", _("Enter your work"))
        elif types == ["file"] and upload is None:
            errors.add("file", _("Choose the file of your work"))
        elif not text.strip() and upload is None:
            errors.add("text" if "text" in types else "file", _("Enter your work or choose a file"))
    if not errors:
        try:
            await api.call(
                "POST",
                f"{_assignment_api(course, item_id)}/submissions",
                session=session,
                data={"text": text} if text.strip() and "text" in types else None,
                files={
                    "file": (
                        upload.filename,
                        data,
                        upload.content_type or "application/octet-stream",
                    )
                }
                if upload is not None and "file" in types
                else None,
            )
        except ApiProblem as problem:
            _refusal(problem, errors, types, _)
        else:
            session.flash("success", _("Your work has been handed in."))
            return see_other(page["assignment_path"])
    if upload is not None and "file" not in errors_fields(errors) and not _is_conflict(errors):
        errors.add("file", _("Choose your file again: files are not kept when there is a problem"))
    return await _page(
        request,
        api,
        session,
        page,
        assignment,
        locale,
        _,
        values={"text": text},
        errors=errors,
        status_code=409 if _is_conflict(errors) else 422,
    )


def errors_fields(errors: FormErrors) -> set[str]:
    return {field for field, _message in errors}


def _is_conflict(errors: FormErrors) -> bool:
    return "submission" in errors_fields(errors)


def _refusal(problem: ApiProblem, errors: FormErrors, types: list[str], _: Any) -> None:
    """The API's refusal of a submission, in words next to the field it is about."""
    if problem.status == 403:
        forbid_on_403(problem)
    if problem.slug == "past-due":
        errors.add(
            "submission",
            _("The due date has passed and this assignment does not accept late work."),
        )
    elif problem.slug == "resubmission-not-allowed":
        errors.add("submission", _("You cannot hand in this assignment again."))
    elif problem.slug == "file-type-not-allowed":
        errors.add("file", _("This kind of file is not accepted"))
    elif problem.slug == "file-too-large" or problem.status == 413:
        errors.add("file", _("The file is too large: choose a smaller one"))
    elif problem.status in (400, 409, 422):
        errors.add("text" if "text" in types else "file", _("Check your work and try again"))
    else:
        raise problem


@router.get("/courses/{ref}/grades", response_class=HTMLResponse)
async def my_grades(
    request: Request, ref: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """The learner's grades in the course: each graded item, feedback and the total."""
    course = await load_course(api, session, ref)
    if not is_active_learner(course):
        session.flash("info", _("Enroll in this course to see your grades."))
        return see_other(course_path(course))
    try:
        grades = await api.call("GET", f"{COURSES_API}/{course['id']}/grades/me", session=session)
    except ApiProblem as problem:
        forbid_on_403(problem)
        raise
    outline = build_outline(course, None)
    paths = {item.id: item.href for item in outline.items}
    return render(
        request,
        "courses/my_grades.html",
        active_nav="learning",
        course=course,
        course_path=course_path(course),
        grades=grades,
        paths=paths,
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        num=lambda value: format_number(value, locale),
        viewer_time_zone=session.user.time_zone if session.user else None,
    )
