"""One question of a quiz's editor on its own page: removing it from the quiz (asked once)
and editing it in the course's bank with the same form a new question is written with,
filled in as saved."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.forms import FormErrors, accepted
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.authoring_support import editable_course, item_title, plain
from learnhub.web.pages.course_support import COURSES_API
from learnhub.web.pages.quiz_editor import (
    MAX_OPTION_ROWS,
    QUESTION_TEXT_FIELDS,
    QUESTION_TYPES,
    option_rows,
    question_body,
    question_messages,
    question_values,
    quiz_api,
    quiz_path,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

PROMPT_SHOWN = 200  # characters of a question's prompt quoted on the confirmation


async def _question_in_quiz(
    api: PlatformApi, session: WebSession, course_id: str, item_id: str, question_id: str
) -> tuple[dict[str, Any], int]:
    """The bank's question and its place in the quiz (1 for first); one the quiz does not
    ask is the 404 page."""
    quiz = await api.call("GET", quiz_api(course_id, item_id), session=session)
    order = list(quiz.get("question_ids") or [])
    if question_id not in order:
        raise ApiProblem(status=404, title="Question not in quiz")
    question = await api.call(
        "GET", f"{COURSES_API}/{course_id}/questions/{question_id}", session=session
    )
    return question, order.index(question_id) + 1


def _quoted(prompt: str, _: GettextFunction) -> str:
    text = " ".join(prompt.split())
    if len(text) > PROMPT_SHOWN:
        text = text[: PROMPT_SHOWN - 1] + "…"
    return _("The question: “%(prompt)s”") % {"prompt": text}


@router.get(
    "/{course_id}/quizzes/{item_id}/questions/{question_id}/remove", response_class=HTMLResponse
)
async def confirm_remove_question(
    request: Request,
    course_id: str,
    item_id: str,
    question_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Ask before taking a question out of the quiz."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    question, number = await _question_in_quiz(api, session, course_id, item_id, question_id)
    title = item_title(course, item_id)
    path = quiz_path(course_id, item_id)
    return confirmation_page(
        request,
        question=_("Remove question %(number)d from %(title)s?")
        % {"number": number, "title": title},
        consequences=[
            _quoted(str(question.get("prompt") or ""), _),
            _(
                "Learners no longer get it in this quiz. It stays in the course's question "
                "bank, so you can add it again."
            ),
        ],
        action=f"{path}/questions/{question_id}/remove",
        confirm_label=_("Remove the question"),
        cancel_path=f"{path}#quiz-questions",
        crumbs=[
            ("/", _("Home")),
            ("/teach", _("Teach")),
            (f"/teach/{course_id}", course["title"]),
            (path, title),
            (None, _("Remove a question")),
        ],
        active_nav="teach",
    )


@router.post("/{course_id}/quizzes/{item_id}/questions/{question_id}/remove")
async def remove_question(
    course_id: str,
    item_id: str,
    question_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Take the question out of the quiz (the confirmation's form); it stays in the bank."""
    await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    try:
        await api.call(
            "DELETE", f"{quiz_api(course_id, item_id)}/questions/{question_id}", session=session
        )
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        session.flash("error", _("That question is no longer in the quiz."))
    else:
        session.flash("success", _("The question has been removed from the quiz."))
    return see_other(quiz_path(course_id, item_id) + "#quiz-questions")


# --- editing a question of the bank -------------------------------------------------------


def _choice_values(question: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"correct": []}
    for row, option in enumerate(question.get("options") or [], 1):
        if row > MAX_OPTION_ROWS:
            break
        values[f"option_{row}"] = option.get("text") or ""
        values[f"option_id_{row}"] = option.get("id") or ""
        if option.get("correct"):
            values["correct"].append(str(row))
    values["scoring"] = question.get("scoring") or ""
    return values


def _saved_values(question: dict[str, Any]) -> dict[str, Any]:
    """A bank question as its form's values, in the shapes the form reads back."""
    question_type = str(question.get("type") or "")
    values: dict[str, Any] = dict.fromkeys(QUESTION_TEXT_FIELDS, "")
    values.update(
        type=question_type,
        prompt=question.get("prompt") or "",
        points=plain(question.get("points")),
        feedback=question.get("feedback") or "",
        correct=[],
        case_sensitive=bool(question.get("case_sensitive")),
    )
    if question_type in ("single_choice", "multiple_choice"):
        values.update(_choice_values(question))
    elif question_type == "true_false":
        values["tf_correct"] = "true" if question.get("correct") else "false"
    elif question_type == "short_answer":
        values["accepted_answers"] = "\n".join(question.get("accepted_answers") or [])
    elif question_type == "numeric":
        values["answer"] = plain(question.get("answer"))
        values["tolerance"] = plain(question.get("tolerance"))
    elif question_type == "matching":
        values["pairs"] = "\n".join(
            f"{pair.get('left', '')} = {pair.get('right', '')}"
            for pair in question.get("pairs") or []
        )
    elif question_type == "ordering":
        values["ordering_items"] = "\n".join(
            item.get("text", "") for item in question.get("items") or []
        )
    elif question_type == "essay":
        values["max_words"] = plain(question.get("max_words"))
        values["grading_notes"] = question.get("grading_notes") or ""
    return values


def _keep_ids(body: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """The body with the saved question's ids on the pairs and items whose text is
    unchanged, so answers already given still point at them."""
    lefts = {pair.get("left"): pair.get("left_id") for pair in saved.get("pairs") or []}
    rights = {pair.get("right"): pair.get("right_id") for pair in saved.get("pairs") or []}
    for pair in body.get("pairs") or []:
        if lefts.get(pair["left"]):
            pair["left_id"] = lefts[pair["left"]]
        if rights.get(pair["right"]):
            pair["right_id"] = rights[pair["right"]]
    items = {item.get("text"): item.get("id") for item in saved.get("items") or []}
    for item in body.get("items") or []:
        if items.get(item["text"]):
            item["id"] = items[item["text"]]
    return body


async def _question_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    course: dict[str, Any],
    item_id: str,
    question: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    course_id = course["id"]
    quiz = await api.call("GET", quiz_api(course_id, item_id), session=session)
    order = list(quiz.get("question_ids") or [])
    values = values or _saved_values(question)
    title = quiz.get("title") or item_title(course, item_id)
    path = quiz_path(course_id, item_id)
    return render(
        request,
        "courses/question_editor.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        item_id=item_id,
        title=title,
        quiz_path=path,
        number=order.index(question["id"]) + 1 if question["id"] in order else None,
        other_quizzes=len([qid for qid in question.get("used_in_quizzes") or [] if qid != item_id]),
        question_values=values,
        question_action=f"{path}/questions/{question['id']}",
        question_submit=_("Save the question"),
        type_heading="h2",
        errors=errors or FormErrors(),
        option_rows=option_rows(values),
        type_labels={value: _(label) for value, label in QUESTION_TYPES.items()},
    )


async def _bank_question(
    api: PlatformApi, session: WebSession, course_id: str, question_id: str
) -> dict[str, Any]:
    return await api.call(
        "GET", f"{COURSES_API}/{course_id}/questions/{question_id}", session=session
    )


@router.get("/{course_id}/quizzes/{item_id}/questions/{question_id}", response_class=HTMLResponse)
async def question_editor(
    request: Request,
    course_id: str,
    item_id: str,
    question_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """A question of the course's bank in its type's form, filled in as saved."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    question = await _bank_question(api, session, course_id, question_id)
    return await _question_page(request, api, session, _, course, item_id, question)


@router.post("/{course_id}/quizzes/{item_id}/questions/{question_id}", response_class=HTMLResponse)
async def save_question(
    request: Request,
    course_id: str,
    item_id: str,
    question_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Rewrite the bank's question (every quiz that asks it asks the new one), then back to
    the quiz."""
    course = await editable_course(api, session, course_id, item_id=item_id, kind="quiz")
    question = await _bank_question(api, session, course_id, question_id)
    question_type = str(question.get("type") or "")
    values = question_values(await request.form(), question_type)
    errors = FormErrors()
    if await accepted(
        api.call(
            "PUT",
            f"{COURSES_API}/{course_id}/questions/{question_id}",
            session=session,
            json=_keep_ids(question_body(question_type, values), question),
        ),
        errors,
        question_messages(_),
        fallback_field="prompt",
        fallback_message=_("Check the question and try again"),
    ):
        session.flash("success", _("The question has been saved."))
        return see_other(quiz_path(course_id, item_id) + "#quiz-questions")
    return await _question_page(
        request,
        api,
        session,
        _,
        course,
        item_id,
        question,
        values=values,
        errors=errors,
        status_code=422,
    )
