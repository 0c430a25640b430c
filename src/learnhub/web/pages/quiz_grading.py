"""Grading quiz essays for the course's staff: the attempts whose essays wait, and the
page of one attempt with every answer and, for each essay, points and feedback. The API
checks every grade; its refusals are worded by field code next to the essay they are about."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, Locale, SignedInSession, page_router
from learnhub.web.forms import FieldMessage, FormErrors, accepted, typed_number
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import COURSES_API, format_number, items_of
from learnhub.web.pages.grading import staff_course, staff_page_context
from learnhub.web.pages.quiz import answer_lines
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

QUEUE_PAGE_SIZE = 50


@router.get("/{course_id}/quiz-grading", response_class=HTMLResponse)
async def quiz_grading_queue(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    cursor: str = "",
) -> Response:
    """The attempts whose essays wait for a grader, the longest waiting first."""
    course = await staff_course(api, session, course_id)
    params: dict[str, Any] = {"limit": QUEUE_PAGE_SIZE}
    if cursor:
        params["cursor"] = cursor
    page = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/quiz-grading-queue", session=session, params=params
    )
    return render(
        request,
        "courses/quiz_grading_queue.html",
        active_nav="teach",
        entries=items_of(page),
        next_cursor=page.get("next_cursor"),
        **staff_page_context(course, session, locale),
    )


def _essays(attempt: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for q in attempt.get("questions") or [] if q.get("type") == "essay"]


def _values(attempt: dict[str, Any], locale: str) -> dict[str, str]:
    """The grades given so far, to correct them."""
    results = {r["question_id"]: r for r in (attempt.get("result") or {}).get("questions") or []}
    values: dict[str, str] = {}
    for question in _essays(attempt):
        result = results.get(question["id"]) or {}
        awarded = result.get("points_awarded")
        values[f"points-{question['id']}"] = (
            "" if awarded is None else format_number(awarded, locale)
        )
        values[f"feedback-{question['id']}"] = result.get("grader_feedback") or ""
    return values


def _grades(attempt: dict[str, Any], form: FormData) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The grades typed (an essay left without points stays ungraded), and the form's values."""
    grades: list[dict[str, Any]] = []
    values: dict[str, str] = {}
    for question in _essays(attempt):
        points_field, feedback_field = f"points-{question['id']}", f"feedback-{question['id']}"
        values[points_field] = str(form.get(points_field, ""))
        values[feedback_field] = str(form.get(feedback_field, ""))
        points = typed_number(values[points_field])
        if points is not None:
            grades.append(
                {
                    "question_id": question["id"],
                    "points": points,
                    "feedback": values[feedback_field],
                }
            )
    return grades, values


def _messages(
    grades: list[dict[str, Any]], first_field: str, _: GettextFunction
) -> dict[str, FieldMessage]:
    """The API's errors about ``grades.<index>`` shown at the essay they are about; no
    grade at all (the API asks for one) at the first essay."""
    messages: dict[str, FieldMessage] = {
        "grades": FieldMessage(first_field, _("Enter the points of at least one answer"))
    }
    for index, grade in enumerate(grades):
        message = FieldMessage(
            f"points-{grade['question_id']}",
            _("Enter the points as a number from 0 to the question's points"),
            {"above_question_points": _("Give at most the question's points")},
        )
        messages[f"grades.{index}"] = message
        messages[f"grades.{index}.points"] = message
        messages[f"grades.{index}.feedback"] = FieldMessage(
            f"feedback-{grade['question_id']}", _("Shorten the feedback")
        )
    return messages


async def _attempt_page(
    request: Request,
    api: Api,
    session: WebSession,
    locale: str,
    _: GettextFunction,
    course: dict[str, Any],
    quiz_id: str,
    attempt_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    quiz_api = f"{COURSES_API}/{course['id']}/quizzes/{quiz_id}"
    attempt = await api.call("GET", f"{quiz_api}/attempts/{attempt_id}", session=session)
    quiz = await api.call("GET", quiz_api, session=session)
    results = {r["question_id"]: r for r in (attempt.get("result") or {}).get("questions") or []}
    return render(
        request,
        "courses/quiz_grade.html",
        status_code=status_code,
        active_nav="teach",
        quiz=quiz,
        attempt=attempt,
        questions=attempt.get("questions") or [],
        results=results,
        answer_lines=lambda question, answer: answer_lines(question, answer, _),
        values=values if values is not None else _values(attempt, locale),
        errors=errors or FormErrors(),
        grade_path=f"/teach/{course['id']}/quiz-grading/{quiz_id}/{attempt_id}",
        **staff_page_context(course, session, locale),
    )


@router.get("/{course_id}/quiz-grading/{quiz_id}/{attempt_id}", response_class=HTMLResponse)
async def quiz_attempt_to_grade(
    request: Request,
    course_id: str,
    quiz_id: str,
    attempt_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    """Every answer of the attempt; points and feedback for each essay."""
    course = await staff_course(api, session, course_id)
    return await _attempt_page(request, api, session, locale, _, course, quiz_id, attempt_id)


@router.post("/{course_id}/quiz-grading/{quiz_id}/{attempt_id}", response_class=HTMLResponse)
async def grade_quiz_attempt(
    request: Request,
    course_id: str,
    quiz_id: str,
    attempt_id: str,
    session: SignedInSession,
    api: Api,
    locale: Locale,
    _: Gettext,
) -> Response:
    course = await staff_course(api, session, course_id)
    attempt_api = f"{COURSES_API}/{course['id']}/quizzes/{quiz_id}/attempts/{attempt_id}"
    attempt = await api.call("GET", attempt_api, session=session)
    grades, values = _grades(attempt, await request.form())
    errors = FormErrors()
    essays = _essays(attempt)
    first_field = f"points-{essays[0]['id']}" if essays else "points"
    grade_path = f"/teach/{course['id']}/quiz-grading/{quiz_id}/{attempt_id}"
    try:
        if await accepted(
            api.call("POST", f"{attempt_api}/grade", session=session, json={"grades": grades}),
            errors,
            _messages(grades, first_field, _),
            fallback_field=first_field,
            fallback_message=_("Check the grades and try again"),
        ):
            session.flash("success", _("The grades have been saved."))
            return see_other(f"/teach/{course['id']}/quiz-grading")
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        # Another grader got there first, or the attempt is still open: show it as it is.
        session.flash("error", _("The attempt changed meanwhile; check it and grade again."))
        return see_other(grade_path)
    return await _attempt_page(
        request,
        api,
        session,
        locale,
        _,
        course,
        quiz_id,
        attempt_id,
        values=values,
        errors=errors,
        status_code=422,
    )
