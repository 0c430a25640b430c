"""Quizzes: the introduction (settings, attempts left), the attempt form with every
question, saving and submitting, and the result. What the learner may do is the quiz's
viewer block; answers are sent as typed, and the API's refusals are worded by problem type
and field code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.choices import GRADING_METHOD_LABELS
from learnhub.web.deps import Api, Gettext, Ngettext, SignedInSession, page_router
from learnhub.web.forms import FormErrors, typed_number
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    build_outline,
    check_item_kind,
    course_path,
    course_viewer,
    items_of,
    load_course,
    my_progress,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router()


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


def start_refusal_words(slug: str | None, _: GettextFunction) -> str | None:
    """Why the learner cannot start the quiz, from the problem type the API names."""
    if slug is None:
        return None
    return {
        "no-attempts-left": _("You have used all your attempts at this quiz."),
        "quiz-closed": _("The quiz's due date has passed."),
        "quiz-empty": _("This quiz has no questions yet."),
        "not-enrolled": _("Enroll in this course to take its quizzes."),
    }.get(slug, _("You cannot start this quiz now."))


@router.get("/courses/{ref}/quizzes/{item_id}", response_class=HTMLResponse)
async def quiz_intro(
    request: Request,
    ref: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """What the quiz is like and how many attempts are left; start or resume it."""
    page = await _context(api, session, ref, item_id, _)
    course = page["course"]
    if not course_viewer(course).can_study:
        session.flash("info", _("Enroll in this course to take its quizzes."))
        return see_other(page["course_path"])
    quiz = await api.call("GET", _quiz_api(course, item_id), session=session)
    viewer = quiz.get("viewer") or {}
    is_learner = course_viewer(course).is_learner
    attempts: list[dict[str, Any]] = []
    if is_learner:
        attempts = items_of(
            await api.call("GET", f"{_quiz_api(course, item_id)}/attempts", session=session)
        )
    minutes = -(-(quiz.get("time_limit_seconds") or 0) // 60)
    left = viewer.get("attempts_left")
    return render(
        request,
        "courses/quiz_intro.html",
        active_nav="learning",
        quiz=quiz,
        viewer=viewer,
        is_learner=is_learner,
        attempts=attempts,
        grading_words=_(GRADING_METHOD_LABELS.get(quiz.get("grading_method") or "best", "")),
        closed_reason=None
        if viewer.get("can_start") or viewer.get("can_resume")
        else start_refusal_words(viewer.get("reason_if_not"), _),
        attempts_left_words=_("Unlimited")
        if left is None
        else ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left},
        time_limit_words=ngettext("%(count)d minute", "%(count)d minutes", minutes)
        % {"count": minutes}
        if minutes
        else None,
        question_count_words=ngettext(
            "%(count)d question", "%(count)d questions", quiz.get("question_count") or 0
        )
        % {"count": quiz.get("question_count") or 0},
        **page,
    )


@router.post("/courses/{ref}/quizzes/{item_id}/start")
async def start_attempt(
    ref: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Start an attempt (or resume the one open) and open it."""
    course = await load_course(api, session, ref)
    check_item_kind(build_outline(course, None), item_id, "quiz")
    back = f"{course_path(course)}/quizzes/{item_id}"
    try:
        attempt = await api.call("POST", f"{_quiz_api(course, item_id)}/attempts", session=session)
    except ApiProblem as problem:
        if problem.status not in (403, 409):
            raise
        session.flash("error", start_refusal_words(problem.slug, _) or "")
        return see_other(back)
    return see_other(f"{back}/attempts/{attempt['id']}")


def _answers_from_form(
    questions: list[dict[str, Any]], form: FormData
) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's answers from the form's fields as typed, and the raw text of the fields
    typed into (numbers and positions), to show them again.

    Field names: ``q-<question>`` for one value (or several checkboxes), and
    ``q-<question>-<part>`` for each left entry of a matching question and each entry of an
    ordering question (its position as a number). Text that is not a number, or positions
    that are not, go to the API as they are, for it to refuse.
    """
    answers: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for question in questions:
        answer_of = _ANSWER_OF_KIND.get(question.get("type"), _text_answer)
        answers[question["id"]] = answer_of(question, form, f"q-{question['id']}", raw)
    return answers, raw


# Each reads one question's answer from the form; ``raw`` collects the text typed, to show.
AnswerReader = Callable[[dict[str, Any], FormData, str, dict[str, str]], Any]


def _multiple_choice_answer(
    _question: dict[str, Any], form: FormData, name: str, _raw: dict[str, str]
) -> Any:
    return [str(value) for value in form.getlist(name)]


def _true_false_answer(
    _question: dict[str, Any], form: FormData, name: str, _raw: dict[str, str]
) -> Any:
    value = form.get(name)
    return None if value not in ("true", "false") else value == "true"


def _numeric_answer(
    _question: dict[str, Any], form: FormData, name: str, raw: dict[str, str]
) -> Any:
    raw[name] = str(form.get(name) or "")
    typed = typed_number(raw[name])
    try:
        return None if typed is None else float(typed)
    except ValueError:
        return typed


def _matching_answer(
    question: dict[str, Any], form: FormData, name: str, _raw: dict[str, str]
) -> Any:
    pairs = {}
    for prompt in question.get("prompts") or []:
        choice = str(form.get(f"{name}-{prompt['id']}") or "")
        if choice:
            pairs[prompt["id"]] = choice
    return pairs or None


def _ordering_answer(
    question: dict[str, Any], form: FormData, name: str, raw: dict[str, str]
) -> Any:
    positions: dict[str, str] = {}
    for entry in question.get("items") or []:
        field = f"{name}-{entry['id']}"
        raw[field] = str(form.get(field) or "").strip()
        positions[entry["id"]] = raw[field]
    try:
        return sorted(positions, key=lambda entry_id: int(positions[entry_id]))
    except ValueError:
        return positions


def _text_answer(_question: dict[str, Any], form: FormData, name: str, _raw: dict[str, str]) -> Any:
    value = form.get(name)
    return str(value) if value not in (None, "") else None


_ANSWER_OF_KIND: dict[Any, AnswerReader] = {
    "multiple_choice": _multiple_choice_answer,
    "true_false": _true_false_answer,
    "numeric": _numeric_answer,
    "matching": _matching_answer,
    "ordering": _ordering_answer,
}


def _answer_errors(
    problem: ApiProblem, questions: list[dict[str, Any]], errors: FormErrors, _: GettextFunction
) -> None:
    """The API's refusal of some answers, next to their questions."""
    kinds = {question["id"]: question.get("type") for question in questions}
    for field_problem in problem.errors:
        qid = field_problem.path.removeprefix("answers.")
        kind = kinds.get(qid)
        if kind == "numeric":
            errors.add(f"q-{qid}", _("Enter a number, like 12 or 3.5"))
        elif kind == "ordering":
            errors.add(f"q-{qid}", _("Give each entry its own position number"))
        elif kind is not None:
            errors.add(f"q-{qid}", _("Choose or enter an answer that fits the question"))
    if not errors:
        errors.add("q-" + (questions[0]["id"] if questions else ""), _("Check your answers"))


def answer_lines(question: dict[str, Any], answer: Any, _: GettextFunction) -> list[str]:
    """An answer (the learner's, or the right one) in the question's own words, a line per
    part: the options picked, the entries in order, each pair matched."""
    if answer in (None, "", [], {}):
        return []
    kind = question.get("type")
    parts = [
        *(question.get("options") or []),
        *(question.get("items") or []),
        *(question.get("choices") or []),
    ]
    texts = {part["id"]: part["text"] for part in parts}
    if kind == "single_choice":
        return [texts.get(answer, "")]
    if kind in {"multiple_choice", "ordering"}:
        return [texts.get(part, "") for part in answer]
    if kind == "true_false":
        return [_("True") if answer else _("False")]
    if kind == "matching":
        unmatched = _("(none)")
        return [
            f"{prompt['text']} → {texts.get(answer.get(prompt['id']), unmatched)}"
            for prompt in question.get("prompts") or []
        ]
    if kind == "numeric" and isinstance(answer, dict):
        if answer.get("tolerance"):
            return [f"{answer['answer']:g} ± {answer['tolerance']:g}"]
        return [f"{answer['answer']:g}"]
    if isinstance(answer, list):  # the accepted answers of a short-answer question
        return [_(" or ").join(answer)] if len(answer) > 1 else list(answer)
    return [f"{answer:g}" if isinstance(answer, float) else str(answer)]


def _field_values(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """What each form field shows for the saved ``answers``."""
    values: dict[str, Any] = {}
    for question in questions:
        qid = question["id"]
        name = f"q-{qid}"
        answer = answers.get(qid)
        kind = question.get("type")
        if kind == "ordering":
            order = answer if isinstance(answer, list) else []
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
            values[name] = f"{answer:g}" if isinstance(answer, int | float) else answer or ""
        else:
            values[name] = "" if answer is None else str(answer)
    return values


async def _render_attempt(
    request: Request,
    page: dict[str, Any],
    quiz: dict[str, Any],
    attempt: dict[str, Any],
    _: GettextFunction,
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
        answer_lines=lambda question, answer: answer_lines(question, answer, _),
        grading_words=_(GRADING_METHOD_LABELS.get(quiz.get("grading_method") or "best", "")),
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
    return await _render_attempt(request, page, quiz, attempt, _)


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
    """Save the answers (``action=save``) or submit them for grading (``action=submit``):
    the answers are saved first, and while some question is unanswered a summary asks
    before the attempt is handed in (``confirmed=yes`` from there submits). Whether the
    attempt still takes answers is the API's to say: past its time, a submission hands in
    the answers saved in time."""
    page = await _context(api, session, ref, item_id, _)
    quiz_api = _quiz_api(page["course"], item_id)
    attempt_api = f"{quiz_api}/attempts/{attempt_id}"
    attempt = await api.call("GET", attempt_api, session=session)
    attempt_path = f"{page['quiz_path']}/attempts/{attempt_id}"
    form = await request.form()
    questions = attempt.get("questions") or []
    answers, raw = _answers_from_form(questions, form)
    submitting = form.get("action") == "submit"
    confirmed = form.get("confirmed") == "yes"
    try:
        if confirmed:
            # Sent from the summary: the answers were saved on the way there.
            await api.call("POST", f"{attempt_api}/submit", session=session, json={"answers": {}})
        else:
            saved = await api.call(
                "PUT", f"{attempt_api}/answers", session=session, json={"answers": answers}
            )
            if submitting and saved.get("unanswered_question_ids"):
                return _summary_before_submitting(request, page, saved, attempt_path)
            if submitting:
                await api.call(
                    "POST", f"{attempt_api}/submit", session=session, json={"answers": {}}
                )
    except ApiProblem as problem:
        if problem.slug == "invalid-answers":
            errors = FormErrors()
            _answer_errors(problem, questions, errors, _)
            quiz = await api.call("GET", quiz_api, session=session)
            values = {**_field_values(questions, answers), **raw}
            return await _render_attempt(
                request, page, quiz, attempt, _, values=values, errors=errors, status_code=422
            )
        if problem.slug != "attempt-closed":
            raise
        # Past the deadline or already submitted: the attempt page shows what was kept.
        session.flash("info", _("This attempt is closed: your answers saved in time were sent."))
        return see_other(attempt_path)
    if submitting or confirmed:
        session.flash("success", _("Your answers have been submitted."))
    else:
        session.flash("success", _("Your answers have been saved. You can come back to them."))
    return see_other(attempt_path)


def _summary_before_submitting(
    request: Request, page: dict[str, Any], attempt: dict[str, Any], attempt_path: str
) -> Response:
    """The questions still unanswered, with the choice to go back or submit anyway. The
    answers are saved already, so either way nothing typed is lost."""
    unanswered = set(attempt.get("unanswered_question_ids") or [])
    questions = attempt.get("questions") or []
    return render(
        request,
        "courses/quiz_summary.html",
        active_nav="learning",
        attempt=attempt,
        unanswered=[
            (number, question)
            for number, question in enumerate(questions, start=1)
            if question["id"] in unanswered
        ],
        question_total=len(questions),
        attempt_path=attempt_path,
        **page,
    )
