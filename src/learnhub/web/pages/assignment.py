"""Assignments for learners: the instructions, the rules in plain words, the rubric, my
submissions with their grades and feedback, and the form to hand in work; and my grades.
Whether the learner may hand in, and why not, is the assignment's viewer block; the API's
refusals are worded by their problem type."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import GRADING_METHOD_LABELS
from learnhub.web.deps import Api, Gettext, Locale, Ngettext, SignedInSession, page_router
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    build_outline,
    check_item_kind,
    course_path,
    course_viewer,
    forbid_on_403,
    format_number,
    items_of,
    load_course,
    my_progress,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router()


def format_size(size: int | None, locale: str, _: GettextFunction) -> str:
    """A file size in words a person reads: ``200 KB``, ``10 MB``."""
    if not size:
        return ""
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": format_number(size / (1024 * 1024), locale)}
    return _("%(size)s KB") % {"size": format_number(max(size / 1024, 0.1), locale)}


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


def refusal_words(slug: str | None, _: GettextFunction) -> str | None:
    """Why the learner cannot hand in now, from the problem type the API names (in the
    viewer block, or in its refusal of a submission); None when they can."""
    if slug is None:
        return None
    words = {
        "past-due": _("The due date has passed and this assignment does not accept late work."),
        "single-submission-only": _(
            "You have handed in your work. This assignment takes one submission only."
        ),
        "already-graded": _("Your work has been graded, so it cannot be replaced."),
        "resubmission-closed": _(
            "The due date has passed, so your work can no longer be replaced."
        ),
        "not-enrolled": _("Enroll in this course to hand in work."),
    }
    return words.get(slug, _("You cannot hand in this assignment now."))


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
    ngettext: Any,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    course = page["course"]
    viewer = assignment.get("viewer") or {}
    learner = course_viewer(course).is_learner
    submissions: list[dict[str, Any]] = []
    if learner:
        submissions = items_of(
            await api.call(
                "GET",
                f"{_assignment_api(course, assignment['id'])}/submissions/mine",
                session=session,
            )
        )
    versions = len(submissions)
    return render(
        request,
        "courses/assignment.html",
        status_code=status_code,
        active_nav="learning",
        assignment=assignment,
        viewer=viewer,
        submissions=submissions,
        is_learner=learner,
        closed_reason=None
        if viewer.get("can_submit")
        else refusal_words(viewer.get("reason_if_not"), _),
        late_policy=late_policy_words(assignment, locale, _),
        resubmission=resubmission_words(assignment, _),
        versions_words=ngettext(
            "You have handed in %(count)d version.",
            "You have handed in %(count)d versions.",
            versions,
        )
        % {"count": versions},
        takes_text="text" in (assignment.get("submission_types") or []),
        takes_file="file" in (assignment.get("submission_types") or []),
        file_types=", ".join(assignment.get("allowed_file_types") or []),
        max_file_size=format_size(assignment.get("max_file_bytes"), locale, _),
        rubric_total=assignment.get("points"),
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
    ngettext: Ngettext,
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
    return await _page(request, api, session, page, assignment, locale, _, ngettext)


@router.post("/courses/{ref}/assignments/{item_id}", response_class=HTMLResponse)
async def submit_work(
    request: Request,
    ref: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """Hand in the text and/or the file as they are; a refusal is shown in words next to
    the field it is about, with the text kept."""
    page = await _context(api, session, ref, item_id, _)
    course = page["course"]
    form = await request.form()
    text = str(form.get("text") or "") if isinstance(form.get("text"), str) else ""
    upload = form.get("file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    errors = FormErrors()
    try:
        await api.call(
            "POST",
            f"{_assignment_api(course, item_id)}/submissions",
            session=session,
            data={"text": text} if "text" in form else None,
            files={
                "file": (
                    upload.filename,
                    await upload.read(),
                    upload.content_type or "application/octet-stream",
                )
            }
            if upload is not None
            else None,
        )
    except ApiProblem as problem:
        if problem.status == 403:
            forbid_on_403(problem)
        assignment = await _read_assignment(api, session, course, item_id)
        _refusal(problem, errors, assignment, locale, _)
        status_code = 409 if problem.status == 409 else 422
    else:
        session.flash("success", _("Your work has been handed in."))
        return see_other(page["assignment_path"])
    if upload is not None and "file" not in {field for field, _message in errors}:
        errors.add("file", _("Choose your file again: files are not kept when there is a problem"))
    return await _page(
        request,
        api,
        session,
        page,
        assignment,
        locale,
        _,
        ngettext,
        values={"text": text},
        errors=errors,
        status_code=status_code,
    )


def _refusal(
    problem: ApiProblem,
    errors: FormErrors,
    assignment: dict[str, Any],
    locale: str,
    _: GettextFunction,
) -> None:
    """The API's refusal of a submission, in words next to the field it is about."""
    takes_text = "text" in (assignment.get("submission_types") or [])
    if problem.status == 409 and (words := refusal_words(problem.slug, _)):
        errors.add("submission", words)
        return
    extra = problem.extra
    by_slug = {
        "empty-submission": (
            "text" if takes_text else "file",
            _("Enter your work or choose a file"),
        ),
        "text-not-accepted": ("file", _("This assignment takes a file, not text")),
        "file-not-accepted": ("text", _("This assignment takes text, not a file")),
        "text-too-long": (
            "text",
            _("Your text must be %(count)s characters or fewer")
            % {"count": format_number(extra.get("max_length"), locale)},
        ),
        "file-name-missing": ("file", _("Choose a file that has a name")),
        "empty-file": ("file", _("The file you chose is empty")),
        "file-type-not-allowed": (
            "file",
            _("The file must be one of these types: %(types)s")
            % {"types": ", ".join(extra.get("allowed_file_types") or [])},
        ),
        "file-too-large": (
            "file",
            _("The file is too large: choose one of up to %(size)s")
            % {"size": format_size(extra.get("max_bytes"), locale, _)},
        ),
    }
    if problem.slug in by_slug:
        errors.add(*by_slug[problem.slug])
    elif problem.status in (400, 409, 413, 422):
        errors.add("text" if takes_text else "file", _("Check your work and try again"))
    else:
        raise problem


@router.get("/courses/{ref}/grades", response_class=HTMLResponse)
async def my_grades(
    request: Request, ref: str, session: SignedInSession, api: Api, locale: Locale, _: Gettext
) -> Response:
    """The learner's grades in the course: each graded item, feedback and the total."""
    course = await load_course(api, session, ref)
    if not course_viewer(course).is_learner:
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
        counts_labels={key: _(label) for key, label in GRADING_METHOD_LABELS.items()},
        num=lambda value: format_number(value, locale),
        viewer_time_zone=session.user.time_zone if session.user else None,
    )
