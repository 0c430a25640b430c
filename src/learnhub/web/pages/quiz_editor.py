"""The quiz editor: a quiz's settings, its questions (one at a time: add from the bank,
write a new one, move, remove) and a form for each type of question, for the course's
instructors. The forms are shaped into the API's bodies as typed; the API checks them and
the page words its refusals next to the fields."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import GRADING_METHOD_LABELS
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.forms import (
    FieldMessage,
    FormErrors,
    accepted,
    scaled_number,
    typed_number,
)
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.i18n import N_
from learnhub.web.pages.authoring_support import (
    date_time_values,
    due_date_message,
    editable_course,
    item_title,
    lines,
    plain,
    typed_moment,
    user_zone,
)
from learnhub.web.pages.course_support import COURSES_API, items_of
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

OPTION_ROWS = 5
MAX_OPTION_ROWS = 20  # the most options a question may have
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
    "max_words",
    "grading_notes",
)
SETTINGS_FIELDS = (
    "time_limit",
    "attempts_allowed",
    "pass_mark",
    "points",
    "grade_category",
    "grading_method",
    "due_date",
    "due_time",
)


def quiz_path(course_id: str, item_id: str) -> str:
    return f"/teach/{course_id}/quizzes/{item_id}"


def questions_path(course_id: str, item_id: str) -> str:
    return f"{quiz_path(course_id, item_id)}/questions"


def quiz_api(course_id: str, item_id: str) -> str:
    return f"{COURSES_API}/{course_id}/quizzes/{item_id}"


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


def _settings_values(quiz: dict[str, Any], session: WebSession) -> dict[str, Any]:
    limit = quiz.get("time_limit_seconds")
    due_date, due_time = date_time_values(quiz.get("due_at"), user_zone(session))
    return {
        "time_limit": plain(round(limit / 60, 2)) if limit else "",
        "attempts_allowed": plain(quiz.get("attempts_allowed")),
        "pass_mark": plain(quiz.get("pass_mark")),
        "shuffle_questions": bool(quiz.get("shuffle_questions")),
        "shuffle_options": bool(quiz.get("shuffle_options")),
        "show_feedback": quiz.get("feedback") or "after_submit",
        "show_correct_answers": bool(quiz.get("show_correct_answers", True)),
        "points": plain(quiz.get("points")),
        "grade_category": quiz.get("grade_category") or "",
        "grading_method": quiz.get("grading_method") or "best",
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
    quiz = await api.call("GET", quiz_api(course_id, item_id), session=session)
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
        title=quiz.get("title") or item_title(course, item_id),
        quiz=quiz,
        questions=chosen,
        available=[question for question in bank if question["id"] not in chosen_ids],
        settings_values=settings_values or _settings_values(quiz, session),
        question_values=question_values,
        errors=errors or FormErrors(),
        option_rows=option_rows(question_values or {}),
        type_options=[(value, _(label)) for value, label in QUESTION_TYPES.items()],
        type_labels={value: _(label) for value, label in QUESTION_TYPES.items()},
        feedback_options=[(value, _(label)) for value, label in FEEDBACK_POLICIES.items()],
        grading_options=[(value, _(label)) for value, label in GRADING_METHOD_LABELS.items()],
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
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    return await _quiz_page(request, api, session, _, course, item_id, question_type=type)


# --- settings -------------------------------------------------------------------------------


def _settings_body(values: dict[str, Any], session: WebSession) -> dict[str, Any]:
    # A form without the choice (an older page still open) leaves the grading as it is.
    grading = {"grading_method": values["grading_method"]} if values["grading_method"] else {}
    return {
        **grading,
        "time_limit_seconds": scaled_number(values["time_limit"], 60),
        "attempts_allowed": typed_number(values["attempts_allowed"]),
        "pass_mark": typed_number(values["pass_mark"]),
        "shuffle_questions": values["shuffle_questions"],
        "shuffle_options": values["shuffle_options"],
        "feedback": values["show_feedback"],
        "show_correct_answers": values["show_correct_answers"],
        "points": typed_number(values["points"]),
        "grade_category": values["grade_category"].strip() or None,
        "due_at": typed_moment(values["due_date"], values["due_time"], user_zone(session)),
    }


def _settings_messages(_: GettextFunction) -> dict[str, FieldMessage]:
    pass_mark = FieldMessage("pass_mark", _("Enter a pass mark from 0 to 100"))
    return {
        "time_limit_seconds": FieldMessage(
            "time_limit",
            _("Enter the time limit in minutes, like 20, or leave it empty"),
            {
                "greater_than_equal": _("Enter a longer time limit, or leave it empty"),
                "less_than_equal": _("Enter a shorter time limit, or leave it empty"),
            },
        ),
        "attempts_allowed": FieldMessage(
            "attempts_allowed",
            _("Enter a whole number of attempts, or leave it empty"),
            {
                "greater_than_equal": _("Allow at least one attempt, or leave it empty"),
                "less_than_equal": _("Allow fewer attempts, or leave it empty"),
            },
        ),
        "pass_mark": pass_mark,
        # pass_mark is the one setting the form can send as null.
        "body": pass_mark,
        "feedback": FieldMessage("show_feedback", _("Choose when learners see the feedback")),
        "points": FieldMessage(
            "points",
            _("Enter the points as a number greater than 0, or leave it empty"),
        ),
        "grade_category": FieldMessage(
            "grade_category", _("Enter a category of at most 100 characters")
        ),
        "grading_method": FieldMessage("grading_method", _("Choose the attempt that counts")),
        "due_at": due_date_message(_),
    }


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
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in SETTINGS_FIELDS}
    values["show_feedback"] = str(form.get("show_feedback", ""))
    values["shuffle_questions"] = form.get("shuffle_questions") == "yes"
    values["shuffle_options"] = form.get("shuffle_options") == "yes"
    values["show_correct_answers"] = form.get("show_correct_answers") == "yes"
    errors = FormErrors()
    if await accepted(
        api.call(
            "PATCH",
            quiz_api(course_id, item_id),
            session=session,
            json=_settings_body(values, session),
        ),
        errors,
        _settings_messages(_),
        fallback_field="time_limit",
        fallback_message=_("Check the settings and try again"),
    ):
        session.flash("success", _("The quiz settings have been saved."))
        return see_other(quiz_path(course_id, item_id))
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


# --- the quiz's questions, one at a time ----------------------------------------------------


@router.post("/{course_id}/quizzes/{item_id}/order")
async def change_quiz_questions(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Move a question up or down or add one from the bank: each one API call about that
    question, so a change someone makes at the same time stays. Removing one goes to its
    confirmation."""
    await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    form = await request.form()
    action = str(form.get("action", ""))
    question_id = str(form.get("question_id", ""))
    questions = f"{quiz_api(course_id, item_id)}/questions"
    back = see_other(quiz_path(course_id, item_id) + "#quiz-questions")
    try:
        if action == "add":
            await api.call("POST", questions, session=session, json={"question_id": question_id})
            message = _("The question has been added to the quiz.")
        elif action == "remove":
            # Asked once first: the confirmation's form removes it.
            return see_other(f"{questions_path(course_id, item_id)}/{question_id}/remove")
        elif action in ("up", "down"):
            quiz = await api.call("GET", quiz_api(course_id, item_id), session=session)
            order = list(quiz.get("question_ids") or [])
            if question_id not in order:
                return back
            position = order.index(question_id) + (0 if action == "up" else 2)
            if not 1 <= position <= len(order):
                return back
            await api.call(
                "PATCH",
                f"{questions}/{question_id}",
                session=session,
                json={"position": position},
            )
            message = _("The order has been saved.")
        else:
            return back
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        session.flash(
            "error", _("The questions could not be changed. Reload the page and try again.")
        )
    else:
        session.flash("success", message)
    return back


def option_rows(values: dict[str, Any]) -> range:
    """The option rows a question form shows: five, or as many as its options and one
    more, up to the most a question may have."""
    filled = [row for row in range(1, MAX_OPTION_ROWS + 1) if values.get(f"option_{row}")]
    return range(1, min(max(OPTION_ROWS, max(filled, default=0) + 1), MAX_OPTION_ROWS) + 1)


def question_values(form: FormData, question_type: str) -> dict[str, Any]:
    """What was typed into a question's form."""
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in QUESTION_TEXT_FIELDS}
    for row in range(1, MAX_OPTION_ROWS + 1):
        values[f"option_{row}"] = str(form.get(f"option_{row}", ""))
        values[f"option_id_{row}"] = str(form.get(f"option_id_{row}", ""))
    values["type"] = question_type
    values["correct"] = [str(value) for value in form.getlist("correct")]
    values["case_sensitive"] = form.get("case_sensitive") == "yes"
    return values


def question_body(question_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """The API body of a question from the form, as typed: empty option rows and blank
    lines are left out, nothing is checked. An option keeps the id its row carries (an
    edited question's), else gets one from its row."""
    body: dict[str, Any] = {
        "type": question_type,
        "prompt": values["prompt"],
        "feedback": values["feedback"],
    }
    points = typed_number(values["points"])
    if points is not None:
        body["points"] = points
    if question_type in ("single_choice", "multiple_choice"):
        body["options"] = [
            {
                "id": values.get(f"option_id_{row}") or f"option-{row}",
                "text": values[f"option_{row}"].strip(),
                "correct": str(row) in values["correct"],
            }
            for row in range(1, MAX_OPTION_ROWS + 1)
            if values.get(f"option_{row}", "").strip()
        ]
        if question_type == "multiple_choice" and values["scoring"]:
            body["scoring"] = values["scoring"]
    elif question_type == "true_false":
        body["correct"] = values["tf_correct"] or None
    elif question_type == "short_answer":
        body["accepted_answers"] = lines(values["accepted_answers"])
        body["case_sensitive"] = values["case_sensitive"]
    elif question_type == "numeric":
        body["answer"] = typed_number(values["answer"])
        tolerance = typed_number(values["tolerance"])
        if tolerance is not None:
            body["tolerance"] = tolerance
    elif question_type == "matching":
        pairs = []
        for line in lines(values["pairs"]):
            left, _equals, right = line.partition("=")
            pairs.append({"left": left.strip(), "right": right.strip()})
        body["pairs"] = pairs
    elif question_type == "ordering":
        body["items"] = [{"text": line} for line in lines(values["ordering_items"])]
    elif question_type == "essay":
        body["max_words"] = typed_number(values["max_words"])
        body["grading_notes"] = values["grading_notes"]
    return body


def question_messages(_: GettextFunction) -> dict[str, FieldMessage]:
    """The API's field errors about a question, next to the form's fields."""
    pair_line = _("Write each pair on its own line as prompt = match")
    return {
        "prompt": FieldMessage(
            "prompt", _("Enter the question"), {"string_too_long": _("Shorten the question")}
        ),
        "points": FieldMessage(
            "points",
            _("Enter the points as a number, like 2 or 1.5"),
            {
                "greater_than": _("Enter points more than 0"),
                "less_than_equal": _("Enter fewer points"),
            },
        ),
        "feedback": FieldMessage("feedback", _("Shorten the feedback")),
        "options": FieldMessage(
            "options",
            _("Enter more options"),
            {
                "too_long": _("Enter fewer options"),
                "one_correct_option": _("Choose which option is correct"),
                "no_correct_option": _("Choose at least one correct option"),
            },
        ),
        "text": FieldMessage("options", _("Shorten the options")),
        "scoring": FieldMessage("scoring", _("Choose how the question is scored")),
        "correct": FieldMessage("tf_correct", _("Choose whether the statement is true or false")),
        "accepted_answers": FieldMessage(
            "accepted_answers",
            _("Enter at least one accepted answer"),
            {"too_long": _("Enter fewer accepted answers")},
        ),
        "answer": FieldMessage("answer", _("Enter the right answer as a number, like 3.5")),
        "tolerance": FieldMessage(
            "tolerance",
            _("Enter the tolerance as a number, like 0.01"),
            {"greater_than_equal": _("Enter a tolerance of 0 or more")},
        ),
        "pairs": FieldMessage(
            "pairs",
            _("Enter more pairs, one per line"),
            {
                "too_long": _("Enter fewer pairs"),
                "repeated_value": _("Every prompt and every match must be different"),
            },
        ),
        "left": FieldMessage("pairs", pair_line),
        "right": FieldMessage("pairs", pair_line),
        "items": FieldMessage(
            "ordering_items",
            _("Enter more items, one per line"),
            {"too_long": _("Enter fewer items")},
        ),
        "max_words": FieldMessage(
            "max_words",
            _("Enter the most words as a whole number, like 500, or leave it empty"),
            {
                "greater_than_equal": _("Allow at least 1 word, or leave it empty"),
                "less_than_equal": _("Allow at most 20,000 words, or leave it empty"),
            },
        ),
        "grading_notes": FieldMessage("grading_notes", _("Shorten the notes for graders")),
    }


@router.post("/{course_id}/quizzes/{item_id}/questions", response_class=HTMLResponse)
async def create_question(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Write a question of the chosen type into the bank and add it to the end of the quiz,
    in one API call."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    form = await request.form()
    question_type = str(form.get("type", ""))
    if question_type not in QUESTION_TYPES:
        return see_other(quiz_path(course_id, item_id))
    values = question_values(form, question_type)
    errors = FormErrors()
    if await accepted(
        api.call(
            "POST",
            f"{quiz_api(course_id, item_id)}/questions",
            session=session,
            json={"question": question_body(question_type, values)},
        ),
        errors,
        question_messages(_),
        fallback_field="prompt",
        fallback_message=_("Check the question and try again"),
    ):
        session.flash("success", _("The question has been added to the quiz."))
        return see_other(quiz_path(course_id, item_id) + "#quiz-questions")
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
