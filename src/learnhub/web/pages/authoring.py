"""Authoring quizzes and assignments: a quiz's settings, its questions (order, the bank, new
questions of every type) and an assignment's settings with its rubric, for the course's
instructors. Everything is saved through the courses API; its refusals are shown in words."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.i18n import N_
from learnhub.web.pages.course_support import (
    COURSES_API,
    build_outline,
    check_item_kind,
    items_of,
    load_course,
    viewer_role,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TEACHING_ROLES = ("instructor", "admin")
OPTION_ROWS = 5
QUESTION_TYPES = {
    "single_choice": N_("Single choice"),
    "multiple_choice": N_("Multiple choice"),
    "true_false": N_("True or false"),
    "short_answer": N_("Short answer"),
    "numeric": N_("Number"),
    "matching": N_("Matching"),
    "ordering": N_("Ordering"),
    "essay": N_("Essay"),
}
FEEDBACK_POLICIES = {
    "after_submit": N_("As soon as the learner submits"),
    "after_due": N_("After the due date"),
    "never": N_("Never"),
}
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
QUESTION_TEXT_FIELDS = (
    "prompt",
    "points",
    "feedback",
    "scoring",
    "tf_correct",
    "accepted_answers",
    "answer",
    "tolerance",
    "pairs",
    "ordering_items",
)


# --- access -------------------------------------------------------------------------------


async def _editable_course(
    api: PlatformApi, session: WebSession, course_id: str, item_id: str, kind: str
) -> dict[str, Any]:
    """The course, when the signed-in user is one of its instructors (or an admin) and the
    item is of ``kind``; otherwise the 403 or 404 page."""
    user = session.user
    if not user or not any(role in TEACHING_ROLES for role in user.roles):
        raise Forbidden()
    course = await load_course(api, session, course_id)
    role, status = viewer_role(course)
    if not user.is_admin and not (role == "instructor" and status == "active"):
        raise Forbidden()
    check_item_kind(build_outline(course, None), item_id, kind)
    return course


def _item_title(course: dict[str, Any], item_id: str) -> str:
    item = build_outline(course, None).find(item_id)
    return item.title if item else ""


# --- numbers, dates and lines ---------------------------------------------------------------


def _number(text: str) -> float | None:
    """A number typed by a person ("2", "2.5", "2,5"); None when it is not one."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _whole(text: str) -> int | None:
    value = _number(text)
    return int(value) if value is not None and value == int(value) else None


def _plain(value: float | int | None) -> str:
    """A number as a person would write it: 2 rather than 2.0."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _zone(session: WebSession) -> ZoneInfo:
    name = session.user.time_zone if session.user else None
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _date_time_values(value: str | None, zone: ZoneInfo) -> tuple[str, str]:
    """The API's moment as the date and time inputs' values in the user's time zone."""
    if not value:
        return "", ""
    try:
        moment = datetime.fromisoformat(value).astimezone(zone)
    except ValueError:
        return "", ""
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M")


def _due_at(
    errors: FormErrors, date_text: str, time_text: str, zone: ZoneInfo, _: GettextFunction
) -> str | None:
    """The moment typed into the date and time inputs, with the user's time zone; None when
    there is no date (no due date). A missing time means the end of the day."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text:
        if time_text:
            errors.add("due_date", _("Enter a due date, or clear the time"))
        return None
    try:
        moment = datetime.strptime(f"{date_text} {time_text or '23:59'}", "%Y-%m-%d %H:%M")
    except ValueError:
        errors.add("due_date", _("Enter a real date and time, like 2027-03-31 and 17:00"))
        return None
    return moment.replace(tzinfo=zone).isoformat()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- quizzes --------------------------------------------------------------------------------


def _quiz_path(course_id: str, item_id: str) -> str:
    return f"/teach/{course_id}/quizzes/{item_id}"


async def _bank(api: PlatformApi, session: WebSession, course_id: str) -> list[dict[str, Any]]:
    """Every question of the course's bank, oldest first."""
    questions: list[dict[str, Any]] = []
    cursor = None
    for _page in range(50):
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = await api.call(
            "GET", f"{COURSES_API}/{course_id}/questions", session=session, params=params
        )
        questions.extend(items_of(page))
        cursor = page.get("next_cursor") if isinstance(page, dict) else None
        if not cursor:
            break
    return questions


def _settings_values(quiz: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    limit = quiz.get("time_limit_seconds")
    due_date, due_time = _date_time_values(quiz.get("due_at"), zone)
    return {
        "time_limit": _plain(round(limit / 60, 2)) if limit else "",
        "attempts_allowed": _plain(quiz.get("attempts_allowed")),
        "pass_mark": _plain(quiz.get("pass_mark")),
        "shuffle_questions": bool(quiz.get("shuffle_questions")),
        "shuffle_options": bool(quiz.get("shuffle_options")),
        "show_feedback": quiz.get("feedback") or "after_submit",
        "due_date": due_date,
        "due_time": due_time,
    }


def _question_defaults(question_type: str) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(QUESTION_TEXT_FIELDS, "")
    values.update({f"option_{row}": "" for row in range(1, OPTION_ROWS + 1)})
    values.update(type=question_type, points="1", correct=[], case_sensitive=False)
    return values


async def _quiz_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    course: dict[str, Any],
    item_id: str,
    *,
    question_type: str = "",
    settings_values: dict[str, Any] | None = None,
    question_values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    course_id = course["id"]
    quiz = await api.call("GET", f"{COURSES_API}/{course_id}/quizzes/{item_id}", session=session)
    bank = await _bank(api, session, course_id)
    by_id = {question["id"]: question for question in bank}
    chosen = [by_id[qid] for qid in quiz.get("question_ids") or [] if qid in by_id]
    chosen_ids = {question["id"] for question in chosen}
    if question_values is None and question_type in QUESTION_TYPES:
        question_values = _question_defaults(question_type)
    return render(
        request,
        "courses/quiz_editor.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        item_id=item_id,
        title=quiz.get("title") or _item_title(course, item_id),
        quiz=quiz,
        questions=chosen,
        available=[question for question in bank if question["id"] not in chosen_ids],
        settings_values=settings_values or _settings_values(quiz, _zone(session)),
        question_values=question_values,
        errors=errors or FormErrors(),
        option_rows=range(1, OPTION_ROWS + 1),
        type_options=[(value, _(label)) for value, label in QUESTION_TYPES.items()],
        type_labels={value: _(label) for value, label in QUESTION_TYPES.items()},
        feedback_options=[(value, _(label)) for value, label in FEEDBACK_POLICIES.items()],
    )


@router.get("/{course_id}/quizzes/{item_id}", response_class=HTMLResponse)
async def quiz_editor(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    type: str = "",
) -> Response:
    """The quiz's settings, its questions in order, the rest of the bank, a new question."""
    course = await _editable_course(api, session, course_id, item_id, "quiz")
    return await _quiz_page(request, api, session, _, course, item_id, question_type=type)


@router.post("/{course_id}/quizzes/{item_id}/settings", response_class=HTMLResponse)
async def save_quiz_settings(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Save the quiz's settings (PATCH); an empty limit means none."""
    course = await _editable_course(api, session, course_id, item_id, "quiz")
    form = await request.form()
    values = {
        name: str(form.get(name, ""))
        for name in ("time_limit", "attempts_allowed", "pass_mark", "due_date", "due_time")
    }
    values["show_feedback"] = str(form.get("show_feedback", "after_submit"))
    values["shuffle_questions"] = form.get("shuffle_questions") == "yes"
    values["shuffle_options"] = form.get("shuffle_options") == "yes"
    errors = FormErrors()
    body: dict[str, Any] = {
        "shuffle_questions": values["shuffle_questions"],
        "shuffle_options": values["shuffle_options"],
    }
    minutes = _number(values["time_limit"]) if values["time_limit"].strip() else None
    if values["time_limit"].strip() and (minutes is None or not 1 <= minutes <= 7 * 24 * 60):
        errors.add(
            "time_limit", _("Enter a time limit between 1 and 10080 minutes, or leave it empty")
        )
    body["time_limit_seconds"] = round(minutes * 60) if minutes else None
    attempts = _whole(values["attempts_allowed"]) if values["attempts_allowed"].strip() else None
    if values["attempts_allowed"].strip() and (attempts is None or not 1 <= attempts <= 100):
        errors.add(
            "attempts_allowed",
            _("Enter a whole number of attempts from 1 to 100, or leave it empty"),
        )
    body["attempts_allowed"] = attempts
    pass_mark = _number(values["pass_mark"])
    if pass_mark is None or not 0 <= pass_mark <= 100:
        errors.add("pass_mark", _("Enter a pass mark from 0 to 100"))
    body["pass_mark"] = pass_mark
    if values["show_feedback"] not in FEEDBACK_POLICIES:
        errors.add("show_feedback", _("Choose when learners see the feedback"))
    body["feedback"] = values["show_feedback"]
    body["due_at"] = _due_at(errors, values["due_date"], values["due_time"], _zone(session), _)
    if not errors:
        try:
            await api.call(
                "PATCH", f"{COURSES_API}/{course_id}/quizzes/{item_id}", session=session, json=body
            )
        except ApiProblem as problem:
            if problem.status not in (400, 422):
                raise
            fields = {
                "time_limit_seconds": (
                    "time_limit",
                    _("Enter a time limit between 1 and 10080 minutes, or leave it empty"),
                ),
                "attempts_allowed": (
                    "attempts_allowed",
                    _("Enter a whole number of attempts from 1 to 100, or leave it empty"),
                ),
                "pass_mark": ("pass_mark", _("Enter a pass mark from 0 to 100")),
                "feedback": ("show_feedback", _("Choose when learners see the feedback")),
                "due_at": ("due_date", _("Enter a real date and time, like 2027-03-31 and 17:00")),
            }
            for field_problem in problem.errors:
                field, message = fields.get(
                    field_problem.field, ("time_limit", _("Check the settings and try again"))
                )
                errors.add(field, message)
            if not errors:
                errors.add("time_limit", _("Check the settings and try again"))
        else:
            session.flash("success", _("The quiz settings have been saved."))
            return see_other(_quiz_path(course_id, item_id))
    return await _quiz_page(
        request,
        api,
        session,
        _,
        course,
        item_id,
        settings_values=values,
        errors=errors,
        status_code=422,
    )


@router.post("/{course_id}/quizzes/{item_id}/order")
async def change_quiz_questions(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Move a question up or down, remove it from the quiz, or add one from the bank."""
    await _editable_course(api, session, course_id, item_id, "quiz")
    form = await request.form()
    action = str(form.get("action", ""))
    question_id = str(form.get("question_id", ""))
    quiz = await api.call("GET", f"{COURSES_API}/{course_id}/quizzes/{item_id}", session=session)
    ids = list(quiz.get("question_ids") or [])
    messages = {
        "add": _("The question has been added to the quiz."),
        "remove": _("The question has been removed from the quiz."),
        "up": _("The order has been saved."),
        "down": _("The order has been saved."),
    }
    if action == "add" and question_id and question_id not in ids:
        ids.append(question_id)
    elif action == "remove" and question_id in ids:
        ids.remove(question_id)
    elif action in ("up", "down") and question_id in ids:
        index = ids.index(question_id)
        other = index - 1 if action == "up" else index + 1
        if not 0 <= other < len(ids):
            return see_other(_quiz_path(course_id, item_id))
        ids[index], ids[other] = ids[other], ids[index]
    else:
        return see_other(_quiz_path(course_id, item_id))
    try:
        await api.call(
            "PUT",
            f"{COURSES_API}/{course_id}/quizzes/{item_id}/questions",
            session=session,
            json={"question_ids": ids},
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        session.flash(
            "error", _("The questions could not be changed. Reload the page and try again.")
        )
    else:
        session.flash("success", messages[action])
    return see_other(_quiz_path(course_id, item_id) + "#quiz-questions")


def _question_body(
    question_type: str, values: dict[str, Any], errors: FormErrors, _: GettextFunction
) -> dict[str, Any]:
    """The API body of a new question from the form's values; plain checks only."""
    body: dict[str, Any] = {
        "type": question_type,
        "prompt": values["prompt"],
        "feedback": values["feedback"],
    }
    if not values["prompt"].strip():
        errors.add("prompt", _("Enter the question"))
    points = _number(values["points"]) if values["points"].strip() else 1.0
    if points is None or not 0 < points <= 1000:
        errors.add("points", _("Enter points more than 0 and at most 1000"))
    body["points"] = points
    if question_type in ("single_choice", "multiple_choice"):
        options = [
            {
                "id": f"option-{row}",
                "text": values[f"option_{row}"].strip(),
                "correct": str(row) in values["correct"],
            }
            for row in range(1, OPTION_ROWS + 1)
            if values[f"option_{row}"].strip()
        ]
        if len(options) < 2:
            errors.add("options", _("Enter at least 2 options"))
        body["options"] = options
        if question_type == "multiple_choice":
            body["scoring"] = "partial" if values["scoring"] == "partial" else "all_or_nothing"
    elif question_type == "true_false":
        if values["tf_correct"] not in ("true", "false"):
            errors.add("tf_correct", _("Choose whether the statement is true or false"))
        body["correct"] = values["tf_correct"] == "true"
    elif question_type == "short_answer":
        answers = _lines(values["accepted_answers"])
        if not answers:
            errors.add("accepted_answers", _("Enter at least one accepted answer"))
        body["accepted_answers"] = answers
        body["case_sensitive"] = values["case_sensitive"]
    elif question_type == "numeric":
        answer = _number(values["answer"])
        if answer is None:
            errors.add("answer", _("Enter the right answer as a number, like 3.5"))
        tolerance = _number(values["tolerance"]) if values["tolerance"].strip() else 0.0
        if tolerance is None or tolerance < 0:
            errors.add("tolerance", _("Enter a tolerance of 0 or more"))
        body["answer"], body["tolerance"] = answer, tolerance
    elif question_type == "matching":
        pairs = []
        for line in _lines(values["pairs"]):
            left, equals, right = line.partition("=")
            if not equals or not left.strip() or not right.strip():
                errors.add("pairs", _("Write each pair on its own line as prompt = match"))
            pairs.append({"left": left.strip(), "right": right.strip()})
        if len(pairs) < 2:
            errors.add("pairs", _("Enter at least 2 pairs, one per line"))
        body["pairs"] = pairs
    elif question_type == "ordering":
        entries = [{"text": line} for line in _lines(values["ordering_items"])]
        if len(entries) < 2:
            errors.add("ordering_items", _("Enter at least 2 items, one per line"))
        body["items"] = entries
    return body


def _question_api_errors(
    question_type: str, problem: ApiProblem, errors: FormErrors, _: GettextFunction
) -> None:
    """The API's 422 field errors next to the form's fields, in plain words."""
    choice = question_type in ("single_choice", "multiple_choice")
    main_field = {
        "single_choice": ("options", _("Choose which option is correct")),
        "multiple_choice": ("options", _("Choose at least one correct option")),
        "true_false": ("tf_correct", _("Choose whether the statement is true or false")),
        "short_answer": ("accepted_answers", _("Enter at least one accepted answer")),
        "numeric": ("answer", _("Enter the right answer as a number, like 3.5")),
        "matching": ("pairs", _("Every prompt and every match must be different")),
        "ordering": ("ordering_items", _("Enter between 2 and 20 items, one per line")),
    }.get(question_type, ("prompt", _("Check the question and try again")))
    known = {
        "prompt": ("prompt", _("Enter the question")),
        "points": ("points", _("Enter points more than 0 and at most 1000")),
        "feedback": ("feedback", _("Feedback must be 5000 characters or fewer")),
        "tolerance": ("tolerance", _("Enter a tolerance of 0 or more")),
    }
    for field_problem in problem.errors:
        field, message = known.get(field_problem.field, main_field)
        if choice and field_problem.field == "text":
            message = _("Each option must be 1000 characters or fewer")
        errors.add(field, message)
    if not errors:
        errors.add(*main_field)


@router.post("/{course_id}/quizzes/{item_id}/questions", response_class=HTMLResponse)
async def create_question(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Add a question of the chosen type to the bank, then to the end of the quiz."""
    course = await _editable_course(api, session, course_id, item_id, "quiz")
    form = await request.form()
    question_type = str(form.get("type", ""))
    if question_type not in QUESTION_TYPES:
        return see_other(_quiz_path(course_id, item_id))
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in QUESTION_TEXT_FIELDS}
    values.update(
        {f"option_{row}": str(form.get(f"option_{row}", "")) for row in range(1, OPTION_ROWS + 1)}
    )
    values["type"] = question_type
    values["correct"] = [str(value) for value in form.getlist("correct")]
    values["case_sensitive"] = form.get("case_sensitive") == "yes"
    errors = FormErrors()
    body = _question_body(question_type, values, errors, _)
    if not errors:
        try:
            question = await api.call(
                "POST", f"{COURSES_API}/{course_id}/questions", session=session, json=body
            )
        except ApiProblem as problem:
            if problem.status not in (400, 422):
                raise
            _question_api_errors(question_type, problem, errors, _)
        else:
            quiz = await api.call(
                "GET", f"{COURSES_API}/{course_id}/quizzes/{item_id}", session=session
            )
            await api.call(
                "PUT",
                f"{COURSES_API}/{course_id}/quizzes/{item_id}/questions",
                session=session,
                json={"question_ids": [*(quiz.get("question_ids") or []), question["id"]]},
            )
            session.flash("success", _("The question has been added to the quiz."))
            return see_other(_quiz_path(course_id, item_id) + "#quiz-questions")
    return await _quiz_page(
        request,
        api,
        session,
        _,
        course,
        item_id,
        question_values=values,
        errors=errors,
        status_code=422,
    )


# --- assignments ----------------------------------------------------------------------------


def _assignment_path(course_id: str, item_id: str) -> str:
    return f"/teach/{course_id}/assignments/{item_id}"


def _rubric_text(rubric: list[dict[str, Any]]) -> str:
    lines = []
    for criterion in rubric:
        line = f"{_plain(criterion.get('points'))} | {criterion.get('title', '')}"
        if criterion.get("description"):
            line += f" | {criterion['description']}"
        lines.append(line)
    return "\n".join(lines)


def _assignment_values(assignment: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    due_date, due_time = _date_time_values(assignment.get("due_at"), zone)
    max_bytes = assignment.get("max_file_bytes")
    return {
        "instructions": assignment.get("instructions") or "",
        "due_date": due_date,
        "due_time": due_time,
        "late_policy": assignment.get("late_policy") or "accept",
        "penalty_percent_per_day": _plain(assignment.get("penalty_percent_per_day")),
        "penalty_cap_percent": _plain(assignment.get("penalty_cap_percent")),
        "submission_types": list(assignment.get("submission_types") or []),
        "allowed_file_types": ", ".join(assignment.get("allowed_file_types") or []),
        "max_file_size": _plain(round(max_bytes / MEGABYTE, 2)) if max_bytes else "",
        "resubmission": assignment.get("resubmission") or "until_due",
        "points": _plain(assignment.get("points")),
        "rubric": _rubric_text(assignment.get("rubric") or []),
    }


def _assignment_choices(_: GettextFunction) -> dict[str, Any]:
    return {
        "late_options": [(value, _(label)) for value, label in LATE_POLICIES.items()],
        "submission_options": [(value, _(label)) for value, label in SUBMISSION_TYPES.items()],
        "resubmission_options": [(value, _(label)) for value, label in RESUBMISSIONS.items()],
    }


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
    course = await _editable_course(api, session, course_id, item_id, "assignment")
    assignment = await api.call(
        "GET", f"{COURSES_API}/{course_id}/assignments/{item_id}", session=session
    )
    return render(
        request,
        "courses/assignment_editor.html",
        active_nav="teach",
        course=course,
        assignment=assignment,
        values=_assignment_values(assignment, _zone(session)),
        errors=FormErrors(),
        **_assignment_choices(_),
    )


def _rubric(
    text: str, existing: list[dict[str, Any]], errors: FormErrors, _: GettextFunction
) -> list[dict[str, Any]]:
    """Criteria from lines ``points | title | description``; a criterion keeps its id when
    its title is unchanged, so grades given with it still match."""
    ids = {criterion.get("title"): criterion.get("id") for criterion in existing}
    criteria = []
    for line in _lines(text):
        parts = [part.strip() for part in line.split("|", 2)]
        points = _number(parts[0])
        title = parts[1] if len(parts) > 1 else ""
        if points is None or points <= 0 or not title:
            errors.add(
                "rubric", _("Write each criterion on its own line as points | title | description")
            )
            continue
        criterion: dict[str, Any] = {
            "title": title[:200],
            "description": parts[2] if len(parts) > 2 else "",
            "points": points,
        }
        if ids.get(title):
            criterion["id"] = ids.pop(title)
        criteria.append(criterion)
    return criteria


@router.post("/{course_id}/assignments/{item_id}", response_class=HTMLResponse)
async def save_assignment(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Save the assignment's settings and rubric (PATCH)."""
    course = await _editable_course(api, session, course_id, item_id, "assignment")
    path = f"{COURSES_API}/{course_id}/assignments/{item_id}"
    assignment = await api.call("GET", path, session=session)
    form = await request.form()
    names = (
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
        "rubric",
    )
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in names}
    values["submission_types"] = [
        str(value) for value in form.getlist("submission_types") if value in SUBMISSION_TYPES
    ]
    errors = FormErrors()
    body: dict[str, Any] = {"instructions": values["instructions"]}
    if len(values["instructions"]) > 20_000:
        errors.add("instructions", _("The instructions must be 20000 characters or fewer"))
    body["due_at"] = _due_at(errors, values["due_date"], values["due_time"], _zone(session), _)
    if values["late_policy"] not in LATE_POLICIES:
        errors.add("late_policy", _("Choose what happens to late work"))
    body["late_policy"] = values["late_policy"]
    for name in ("penalty_percent_per_day", "penalty_cap_percent"):
        if values[name].strip():
            percent = _number(values[name])
            if percent is None or not 0 <= percent <= 100:
                errors.add(name, _("Enter a percentage from 0 to 100"))
            body[name] = percent
    if not values["submission_types"]:
        errors.add("submission_types", _("Choose at least one way to hand in work"))
    body["submission_types"] = values["submission_types"]
    file_types = [
        entry if entry.startswith(".") else f".{entry}"
        for entry in values["allowed_file_types"].replace(",", " ").lower().split()
    ]
    body["allowed_file_types"] = file_types
    if values["max_file_size"].strip():
        size = _number(values["max_file_size"])
        if size is None or size <= 0:
            errors.add("max_file_size", _("Enter the largest file size in MB, like 10"))
        else:
            body["max_file_bytes"] = max(1, round(size * MEGABYTE))
    else:
        body["max_file_bytes"] = None
    if values["resubmission"] not in RESUBMISSIONS:
        errors.add("resubmission", _("Choose whether learners may hand in again"))
    body["resubmission"] = values["resubmission"]
    if values["points"].strip():
        points = _number(values["points"])
        if points is None or not 0 < points <= 10_000:
            errors.add("points", _("Enter points more than 0 and at most 10000"))
        body["points"] = points
    body["rubric"] = _rubric(values["rubric"], assignment.get("rubric") or [], errors, _)
    if not errors:
        try:
            await api.call("PATCH", path, session=session, json=body)
        except ApiProblem as problem:
            if problem.status not in (400, 422):
                raise
            if problem.status == 400:
                if "rubric" in problem.detail.lower():
                    errors.add(
                        "rubric", _("The criteria's points must add up to the assignment's points")
                    )
                else:
                    errors.add(
                        "max_file_size", _("The file size is larger than this platform allows")
                    )
            fields = {
                "instructions": _("The instructions must be 20000 characters or fewer"),
                "due_at": _("Enter a real date and time, like 2027-03-31 and 17:00"),
                "allowed_file_types": _(
                    "Enter file types like .pdf .docx, separated by spaces or commas"
                ),
                "max_file_bytes": _("Enter the largest file size in MB, like 10"),
                "points": _("Enter points more than 0 and at most 10000"),
                "submission_types": _("Choose at least one way to hand in work"),
                "penalty_percent_per_day": _("Enter a percentage from 0 to 100"),
                "penalty_cap_percent": _("Enter a percentage from 0 to 100"),
            }
            targets = {"due_at": "due_date", "max_file_bytes": "max_file_size"}
            for field_problem in problem.errors:
                if field_problem.field in fields:
                    target = targets.get(field_problem.field, field_problem.field)
                    errors.add(target, fields[field_problem.field])
                else:
                    errors.add(
                        "rubric",
                        _("Write each criterion on its own line as points | title | description"),
                    )
            if not errors:
                errors.add("instructions", _("Check the settings and try again"))
        else:
            session.flash("success", _("The assignment settings have been saved."))
            return see_other(_assignment_path(course_id, item_id))
    return render(
        request,
        "courses/assignment_editor.html",
        status_code=422,
        active_nav="teach",
        course=course,
        assignment=assignment,
        values=values,
        errors=errors,
        **_assignment_choices(_),
    )
