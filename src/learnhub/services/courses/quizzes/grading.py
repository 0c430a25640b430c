"""Questions as data: filling in part ids, freezing a question into an attempt, showing it
without its answers, checking an answer's shape, and grading it. Pure functions."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from learnhub.services.courses.quizzes.schemas import QuestionWrite
from learnhub.services.courses.rendering import render_markdown

NUMERIC_EPSILON = 1e-9
"""Room for binary floating point: 3.15 is within 0.01 of 3.14 although 3.15 - 3.14 > 0.01."""

_COMMON = ("type", "prompt", "points", "feedback")


def _new_part_id() -> str:
    return uuid.uuid4().hex[:12]


def content_of(question: QuestionWrite) -> dict[str, Any]:
    """The type's own fields of a written question, with every part given an id."""
    content = question.model_dump(exclude=set(_COMMON))
    for option in content.get("options", []):
        option["id"] = option["id"] or _new_part_id()
    for pair in content.get("pairs", []):
        pair["left_id"] = pair["left_id"] or _new_part_id()
        pair["right_id"] = pair["right_id"] or _new_part_id()
    for entry in content.get("items", []):
        entry["id"] = entry["id"] or _new_part_id()
    return content


def freeze(
    *,
    question_id: str,
    type: str,
    prompt: str,
    points: float,
    feedback: str,
    content: dict[str, Any],
    rng: random.Random,
    shuffle_options: bool,
) -> dict[str, Any]:
    """A question as one attempt keeps it: its content now, and the order its parts are
    shown in. Ordering entries and matching choices are always shuffled (in the written
    order they would give the answer away)."""
    layout: dict[str, list[str]] = {}
    if type in {"single_choice", "multiple_choice"}:
        layout["options"] = [option["id"] for option in content["options"]]
        if shuffle_options:
            rng.shuffle(layout["options"])
    elif type == "matching":
        layout["prompts"] = [pair["left_id"] for pair in content["pairs"]]
        if shuffle_options:
            rng.shuffle(layout["prompts"])
        layout["choices"] = [pair["right_id"] for pair in content["pairs"]]
        rng.shuffle(layout["choices"])
    elif type == "ordering":
        layout["items"] = [entry["id"] for entry in content["items"]]
        rng.shuffle(layout["items"])
    return {
        "id": question_id,
        "type": type,
        "prompt": prompt,
        "points": points,
        "feedback": feedback,
        "content": content,
        "layout": layout,
    }


def present(frozen: dict[str, Any]) -> dict[str, Any]:
    """The question as a learner sees it while answering: text and parts, no answers."""
    content, layout = frozen["content"], frozen["layout"]
    shown: dict[str, Any] = {
        "id": frozen["id"],
        "type": frozen["type"],
        "prompt": frozen["prompt"],
        "prompt_html": render_markdown(frozen["prompt"]),
        "points": frozen["points"],
    }
    if "options" in layout:
        texts = {option["id"]: option["text"] for option in content["options"]}
        shown["options"] = [{"id": key, "text": texts[key]} for key in layout["options"]]
    if "prompts" in layout:
        lefts = {pair["left_id"]: pair["left"] for pair in content["pairs"]}
        rights = {pair["right_id"]: pair["right"] for pair in content["pairs"]}
        shown["prompts"] = [{"id": key, "text": lefts[key]} for key in layout["prompts"]]
        shown["choices"] = [{"id": key, "text": rights[key]} for key in layout["choices"]]
    if "items" in layout:
        texts = {entry["id"]: entry["text"] for entry in content["items"]}
        shown["items"] = [{"id": key, "text": texts[key]} for key in layout["items"]]
    if frozen["type"] == "essay":
        shown["max_words"] = content.get("max_words")
    return shown


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def answer_problem(frozen: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` cannot be an answer to the question, or None when it can."""
    if value is None:
        return None
    problem_of = _ANSWER_PROBLEMS.get(frozen["type"], _essay_problem)
    return problem_of(frozen["content"], value)


def _single_choice_problem(content: dict[str, Any], value: Any) -> str | None:
    ids = {option["id"] for option in content["options"]}
    return None if value in ids else "must be the id of one of the options"


def _multiple_choice_problem(content: dict[str, Any], value: Any) -> str | None:
    ids = {option["id"] for option in content["options"]}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in ids for v in value):
        return "must be a list of option ids"
    return None if len(set(value)) == len(value) else "must not repeat an option"


def _true_false_problem(_content: dict[str, Any], value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _short_answer_problem(_content: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    return None if len(value) <= 1000 else "must be at most 1000 characters"


def _numeric_problem(_content: dict[str, Any], value: Any) -> str | None:
    return None if _is_number(value) and math.isfinite(value) else "must be a finite number"


def _matching_problem(content: dict[str, Any], value: Any) -> str | None:
    lefts = {pair["left_id"] for pair in content["pairs"]}
    rights = {pair["right_id"] for pair in content["pairs"]}
    if not isinstance(value, dict) or not all(
        key in lefts and isinstance(v, str) and v in rights for key, v in value.items()
    ):
        return "must map prompt ids to choice ids"
    return None


def _ordering_problem(content: dict[str, Any], value: Any) -> str | None:
    ids = [entry["id"] for entry in content["items"]]
    if not isinstance(value, list) or sorted(map(str, value)) != sorted(ids):
        return "must list every entry id once, in your order"
    return None


def _essay_problem(content: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    limit = content.get("max_words")
    if limit is not None and len(value.split()) > limit:
        return f"must be at most {limit} words"
    return None if len(value) <= 50000 else "must be at most 50000 characters"


_ANSWER_PROBLEMS: dict[str, Callable[[dict[str, Any], Any], str | None]] = {
    "single_choice": _single_choice_problem,
    "multiple_choice": _multiple_choice_problem,
    "true_false": _true_false_problem,
    "short_answer": _short_answer_problem,
    "numeric": _numeric_problem,
    "matching": _matching_problem,
    "ordering": _ordering_problem,
}


def is_answered(frozen: dict[str, Any], value: Any) -> bool:
    """Whether a saved answer answers the whole question: blank text, no choice, or a
    matching with an entry left unmatched does not."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if frozen["type"] == "matching":
        return all(value.get(pair["left_id"]) for pair in frozen["content"]["pairs"])
    if isinstance(value, list):
        return bool(value)
    return True


def _normalise(text: str, *, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def _fraction(frozen: dict[str, Any], value: Any) -> float:
    """The share of the question's points an answer earns, 0 to 1."""
    kind, content = frozen["type"], frozen["content"]
    if value is None:
        return 0.0
    if kind == "single_choice":
        return 1.0 if any(o["correct"] and o["id"] == value for o in content["options"]) else 0.0
    if kind == "multiple_choice":
        right = {option["id"] for option in content["options"] if option["correct"]}
        picked = set(value)
        if content.get("scoring") == "partial":
            return max(0.0, (len(picked & right) - len(picked - right)) / len(right))
        return 1.0 if picked == right else 0.0
    if kind == "true_false":
        return 1.0 if value is content["correct"] else 0.0
    if kind == "short_answer":
        sensitive = content["case_sensitive"]
        given = _normalise(value, case_sensitive=sensitive)
        accepted = {_normalise(a, case_sensitive=sensitive) for a in content["accepted_answers"]}
        return 1.0 if given in accepted else 0.0
    if kind == "numeric":
        target, tolerance = content["answer"], content["tolerance"]
        room = tolerance + NUMERIC_EPSILON * max(1.0, abs(target))
        return 1.0 if abs(value - target) <= room else 0.0
    if kind == "matching":
        pairs = content["pairs"]
        right = sum(value.get(pair["left_id"]) == pair["right_id"] for pair in pairs)
        return right / len(pairs)
    if kind == "ordering":
        return 1.0 if list(value) == [entry["id"] for entry in content["items"]] else 0.0
    raise ValueError(f"{kind} questions are graded by hand")


def answer_key(frozen: dict[str, Any]) -> Any:
    """The right answer, in the shape a learner answers in (essays have none)."""
    kind, content = frozen["type"], frozen["content"]
    if kind == "single_choice":
        return next(option["id"] for option in content["options"] if option["correct"])
    if kind == "multiple_choice":
        return [option["id"] for option in content["options"] if option["correct"]]
    if kind == "true_false":
        return content["correct"]
    if kind == "short_answer":
        return content["accepted_answers"]
    if kind == "numeric":
        return {"answer": content["answer"], "tolerance": content["tolerance"]}
    if kind == "matching":
        return {pair["left_id"]: pair["right_id"] for pair in content["pairs"]}
    if kind == "ordering":
        return [entry["id"] for entry in content["items"]]
    return None


def grade(frozen: dict[str, Any], value: Any) -> dict[str, Any]:
    """One question's result: status, points awarded (None for an essay, pending until a
    grader scores it) and the question's feedback."""
    points = float(frozen["points"])
    if frozen["type"] == "essay":
        return {"status": "pending", "points_awarded": None, "feedback": frozen["feedback"]}
    fraction = _fraction(frozen, value)
    if fraction >= 1.0:
        status = "correct"
    elif fraction > 0.0:
        status = "partially_correct"
    else:
        status = "incorrect"
    return {
        "status": status,
        "points_awarded": round(points * fraction, 4),
        "feedback": frozen["feedback"],
    }
