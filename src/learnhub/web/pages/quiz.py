"""Quizzes: the introduction (settings, attempts left), the attempt form with every
question, saving and submitting, and the result."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    build_outline,
    check_item_kind,
    course_path,
    is_active_learner,
    items_of,
    load_course,
    my_progress,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router()

QUIZ_PAGE = "/courses/{ref}/quizzes/{item_id}"


def _quiz_api(course: dict[str, Any], item_id: str) -> str:
    return f"{COURSES_API}/{course['id']}/quizzes/{item_id}"


async def _context(
    api: PlatformApi, session: WebSession, ref: str, item_id: str, _: GettextFunction
) -> dict[str, Any]:
    course = await load_course(api, session, ref)
    progress = await my_progress(api, session, course)
    outline = build_outline(course, progress)
    item = check_item_kind(outline, item_id, "quiz")
    return {
        "course": course,
        "course_path": course_path(course),
        "progress": progress,
        "outline": outline,
        "item": item,
        "quiz_path": f"{course_path(course)}/quizzes/{item_id}",
        "kind_labels": {kind: _(label) for kind, label in KIND_LABELS.items()},
        "viewer_time_zone": session.user.time_zone if session.user else None,
    }


@router.get("/courses/{ref}/quizzes/{item_id}", response_class=HTMLResponse)
async def quiz_intro(
    request: Request, ref: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """What the quiz is like and how many attempts are left; start or resume it."""
    page = await _context(api, session, ref, item_id, _)
    course = page["course"]
    if not is_active_learner(course) and not course.get("viewer"):
        session.flash("info", _("Enroll in this course to take its quizzes."))
        return see_other(page["course_path"])
    quiz = await api.call("GET", _quiz_api(course, item_id), session=session)
    attempts: list[dict[str, Any]] = []
    if is_active_learner(course):
        attempts = items_of(
            await api.call("GET", f"{_quiz_api(course, item_id)}/attempts", session=session)
        )
    attempts.sort(key=lambda attempt: attempt.get("number", 0))
    in_progress = next((a for a in attempts if a.get("status") == "in_progress"), None)
    allowed = quiz.get("attempts_allowed")
    used = len(attempts)
    attempts_left = None if allowed is None else max(allowed - used, 0)
    return render(
        request,
        "courses/quiz_intro.html",
        active_nav="learning",
        quiz=quiz,
        attempts=attempts,
        in_progress=in_progress,
        attempts_left=attempts_left,
        can_start=is_active_learner(course)
        and (in_progress is not None or attempts_left is None or attempts_left > 0)
        and quiz.get("question_count", 1) > 0,
        time_limit_minutes=math.ceil(quiz["time_limit_seconds"] / 60)
        if quiz.get("time_limit_seconds")
        else None,
        **page,
    )


@router.post("/courses/{ref}/quizzes/{item_id}/start")
async def start_attempt(
    ref: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Start an attempt (or resume the one in progress) and open it."""
    course = await load_course(api, session, ref)
    check_item_kind(build_outline(course, None), item_id, "quiz")
    back = f"{course_path(course)}/quizzes/{item_id}"
    try:
        attempt = await api.call("POST", f"{_quiz_api(course, item_id)}/attempts", session=session)
    except ApiProblem as problem:
        if problem.status == 409:
            session.flash("error", _("You have no attempts left at this quiz."))
        elif problem.status == 403:
            session.flash("error", _("Enroll in this course to take its quizzes."))
        else:
            raise
        return see_other(back)
    return see_other(f"{back}/attempts/{attempt['id']}")


def _answers_from_form(
    questions: list[dict[str, Any]], form: FormData, errors: FormErrors, _: GettextFunction
) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's answers from the form's fields, and the raw text of number fields.

    Field names: ``q-<question>`` for one value (or several checkboxes), and
    ``q-<question>-<part>`` for each left entry of a matching question and each entry of an
    ordering question (its position as a number).
    """
    answers: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for question in questions:
        qid = question["id"]
        name = f"q-{qid}"
        kind = question.get("type")
        if kind == "multiple_choice":
            answers[qid] = [str(value) for value in form.getlist(name)]
        elif kind == "true_false":
            value = form.get(name)
            answers[qid] = None if value not in ("true", "false") else value == "true"
        elif kind == "numeric":
            text = str(form.get(name) or "").strip()
            raw[name] = text
            if text:
                try:
                    number = float(text.replace(",", "."))
                    if not math.isfinite(number):
                        raise ValueError(text)
                    answers[qid] = number
                except ValueError:
                    errors.add(name, _("Enter a number, like 12 or 3.5"))
            else:
                answers[qid] = None
        elif kind == "matching":
            pairs = {}
            for prompt in question.get("prompts") or []:
                choice = str(form.get(f"{name}-{prompt['id']}") or "")
                if choice:
                    pairs[prompt["id"]] = choice
            answers[qid] = pairs or None
        elif kind == "ordering":
            positions = []
            for index, entry in enumerate(question.get("items") or []):
                field = f"{name}-{entry['id']}"
                text = str(form.get(field) or "").strip()
                raw[field] = text
                try:
                    position = int(text)
                except ValueError:
                    errors.add(field, _("Enter a position number for each entry"))
                    position = index + 1
                positions.append((position, index, entry["id"]))
            answers[qid] = [entry_id for _pos, _index, entry_id in sorted(positions)]
        else:
            value = form.get(name)
            answers[qid] = str(value) if value not in (None, "") else None
    return answers, raw


def _field_values(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """What each form field shows for the saved ``answers``."""
    values: dict[str, Any] = {}
    for question in questions:
        qid = question["id"]
        name = f"q-{qid}"
        answer = answers.get(qid)
        kind = question.get("type")
        if kind == "ordering":
            order = list(answer) if isinstance(answer, list) else []
            for index, entry in enumerate(question.get("items") or []):
                position = order.index(entry["id"]) + 1 if entry["id"] in order else index + 1
                values[f"{name}-{entry['id']}"] = str(position)
        elif kind == "matching":
            for prompt in question.get("prompts") or []:
                values[f"{name}-{prompt['id']}"] = (answer or {}).get(prompt["id"], "")
        elif kind == "multiple_choice":
            values[name] = list(answer or [])
        elif kind == "true_false":
            values[name] = "" if answer is None else ("true" if answer else "false")
        elif kind == "numeric":
            values[name] = "" if answer is None else f"{answer:g}"
        else:
            values[name] = "" if answer is None else str(answer)
    return values


async def _render_attempt(
    request: Request,
    page: dict[str, Any],
    quiz: dict[str, Any],
    attempt: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    questions = attempt.get("questions") or []
    results = {
        result["question_id"]: result
        for result in ((attempt.get("result") or {}).get("questions") or [])
    }
    return render(
        request,
        "courses/quiz_attempt.html"
        if attempt.get("status") == "in_progress"
        else "courses/quiz_result.html",
        status_code=status_code,
        active_nav="learning",
        quiz=quiz,
        attempt=attempt,
        questions=questions,
        results=results,
        values=values
        if values is not None
        else _field_values(questions, attempt.get("answers") or {}),
        errors=errors or FormErrors(),
        attempt_path=f"{page['quiz_path']}/attempts/{attempt['id']}",
        **page,
    )


@router.get("/courses/{ref}/quizzes/{item_id}/attempts/{attempt_id}", response_class=HTMLResponse)
async def attempt_page(
    request: Request,
    ref: str,
    item_id: str,
    attempt_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """The questions while the attempt is open; the result once it is submitted."""
    page = await _context(api, session, ref, item_id, _)
    quiz_api = _quiz_api(page["course"], item_id)
    quiz = await api.call("GET", quiz_api, session=session)
    attempt = await api.call("GET", f"{quiz_api}/attempts/{attempt_id}", session=session)
    return await _render_attempt(request, page, quiz, attempt)


@router.post("/courses/{ref}/quizzes/{item_id}/attempts/{attempt_id}", response_class=HTMLResponse)
async def save_or_submit(
    request: Request,
    ref: str,
    item_id: str,
    attempt_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Save the answers (``action=save``) or submit them for grading (``action=submit``)."""
    page = await _context(api, session, ref, item_id, _)
    quiz_api = _quiz_api(page["course"], item_id)
    attempt_api = f"{quiz_api}/attempts/{attempt_id}"
    attempt = await api.call("GET", attempt_api, session=session)
    attempt_path = f"{page['quiz_path']}/attempts/{attempt_id}"
    if attempt.get("status") != "in_progress":
        session.flash("info", _("This attempt has already been submitted."))
        return see_other(attempt_path)
    form = await request.form()
    errors = FormErrors()
    answers, raw = _answers_from_form(attempt.get("questions") or [], form, errors, _)
    if errors:
        quiz = await api.call("GET", quiz_api, session=session)
        values = {**_field_values(attempt.get("questions") or [], answers), **raw}
        return await _render_attempt(
            request, page, quiz, attempt, values=values, errors=errors, status_code=422
        )
    submitting = form.get("action") == "submit"
    try:
        if submitting:
            await api.call(
                "POST", f"{attempt_api}/submit", session=session, json={"answers": answers}
            )
        else:
            await api.call(
                "PUT", f"{attempt_api}/answers", session=session, json={"answers": answers}
            )
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        # Past the deadline or already submitted: the attempt page shows what was kept.
        session.flash("info", _("Time is up: your answers saved before the deadline were sent."))
        return see_other(attempt_path)
    if submitting:
        session.flash("success", _("Your answers have been submitted."))
    else:
        session.flash("success", _("Your answers have been saved. You can come back to them."))
    return see_other(attempt_path)
