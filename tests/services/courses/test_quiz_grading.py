"""Grading of every question type, on the frozen form an attempt keeps (no database)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from learnhub.services.courses.quizzes import grading
from learnhub.services.courses.quizzes.schemas import QuestionWrite

_written = TypeAdapter(QuestionWrite)


def frozen(body: dict[str, Any], *, seed: str = "attempt-1", shuffle: bool = False) -> dict:
    question = _written.validate_python({"prompt": "Q?", **body})
    return grading.freeze(
        question_id="q1",
        type=question.type,
        prompt=question.prompt,
        points=question.points,
        feedback=question.feedback,
        content=grading.content_of(question),
        rng=random.Random(seed),
        shuffle_options=shuffle,
    )


def outcome(question: dict[str, Any], answer: Any) -> tuple[str, float | None]:
    assert grading.answer_problem(question, answer) is None
    result = grading.grade(question, answer)
    return result["status"], result["points_awarded"]


CHOICES = [
    {"id": "a", "text": "A", "correct": True},
    {"id": "b", "text": "B", "correct": True},
    {"id": "c", "text": "C"},
    {"id": "d", "text": "D"},
]


def test_single_choice() -> None:
    question = frozen({"type": "single_choice", "points": 2, "options": CHOICES[1:]})
    assert outcome(question, "b") == ("correct", 2.0)
    assert outcome(question, "c") == ("incorrect", 0.0)
    assert outcome(question, None) == ("incorrect", 0.0)
    assert grading.answer_problem(question, "zz") == "must be the id of one of the options"
    assert grading.answer_key(question) == "b"


def test_multiple_choice_all_or_nothing() -> None:
    question = frozen({"type": "multiple_choice", "points": 4, "options": CHOICES})
    assert outcome(question, ["b", "a"]) == ("correct", 4.0)
    assert outcome(question, ["a"]) == ("incorrect", 0.0)
    assert outcome(question, ["a", "b", "c"]) == ("incorrect", 0.0)
    assert grading.answer_problem(question, ["a", "a"]) == "must not repeat an option"
    assert grading.answer_problem(question, "a") == "must be a list of option ids"


def test_multiple_choice_partial_credit_subtracts_wrong_picks() -> None:
    question = frozen(
        {"type": "multiple_choice", "points": 4, "options": CHOICES, "scoring": "partial"}
    )
    assert outcome(question, ["a", "b"]) == ("correct", 4.0)
    assert outcome(question, ["a"]) == ("partially_correct", 2.0)
    assert outcome(question, ["a", "c"]) == ("incorrect", 0.0)
    assert outcome(question, ["c", "d"]) == ("incorrect", 0.0)  # never below zero
    assert outcome(question, ["a", "b", "c"]) == ("partially_correct", 2.0)


def test_true_false() -> None:
    question = frozen({"type": "true_false", "correct": False})
    assert outcome(question, False) == ("correct", 1.0)
    assert outcome(question, True) == ("incorrect", 0.0)
    assert grading.answer_problem(question, 0) == "must be true or false"


def test_short_answer_trims_collapses_spaces_and_ignores_case() -> None:
    question = frozen(
        {"type": "short_answer", "accepted_answers": ["New  York", "NYC"], "points": 3}
    )
    assert outcome(question, "  new york ") == ("correct", 3.0)
    assert outcome(question, "new\tYORK") == ("correct", 3.0)
    assert outcome(question, "nyc") == ("correct", 3.0)
    assert outcome(question, "newyork") == ("incorrect", 0.0)
    assert outcome(question, "") == ("incorrect", 0.0)
    assert grading.answer_problem(question, 5) == "must be text"
    assert grading.answer_key(question) == ["New York", "NYC"]


def test_short_answer_can_demand_exact_case() -> None:
    question = frozen(
        {"type": "short_answer", "accepted_answers": ["NaCl"], "case_sensitive": True}
    )
    assert outcome(question, " NaCl ") == ("correct", 1.0)
    assert outcome(question, "nacl") == ("incorrect", 0.0)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (3.14, "correct"),
        (3.13, "correct"),  # lower bound included
        (3.15, "correct"),  # upper bound included despite 3.15 - 3.14 > 0.01 in binary
        (3.1500001, "incorrect"),
        (3.1299999, "incorrect"),
        (-3.14, "incorrect"),
    ],
)
def test_numeric_tolerance_bounds(answer: float, expected: str) -> None:
    question = frozen({"type": "numeric", "answer": 3.14, "tolerance": 0.01})
    assert outcome(question, answer)[0] == expected


def test_numeric_without_tolerance_and_bad_shapes() -> None:
    question = frozen({"type": "numeric", "answer": 42})
    assert outcome(question, 42) == ("correct", 1.0)
    assert outcome(question, 42.0001) == ("incorrect", 0.0)
    for bad in ("42", True, float("nan"), float("inf")):
        assert grading.answer_problem(question, bad) == "must be a finite number"


def test_matching_earns_a_share_per_pair() -> None:
    question = frozen(
        {
            "type": "matching",
            "points": 3,
            "pairs": [
                {"left_id": "fr", "left": "France", "right_id": "p", "right": "Paris"},
                {"left_id": "it", "left": "Italy", "right_id": "r", "right": "Rome"},
                {"left_id": "es", "left": "Spain", "right_id": "m", "right": "Madrid"},
            ],
        }
    )
    assert outcome(question, {"fr": "p", "it": "r", "es": "m"}) == ("correct", 3.0)
    assert outcome(question, {"fr": "p", "it": "m", "es": "r"}) == ("partially_correct", 1.0)
    assert outcome(question, {"fr": "p"}) == ("partially_correct", 1.0)
    assert outcome(question, {}) == ("incorrect", 0.0)
    assert grading.answer_problem(question, {"fr": "x"}) == "must map prompt ids to choice ids"
    shown = grading.present(question)
    assert [p["id"] for p in shown["prompts"]] == ["fr", "it", "es"]
    assert sorted(c["id"] for c in shown["choices"]) == ["m", "p", "r"]


def test_ordering_is_all_or_nothing() -> None:
    items = [{"id": name, "text": name.upper()} for name in ("one", "two", "three", "four")]
    question = frozen({"type": "ordering", "items": items, "points": 2})
    assert outcome(question, ["one", "two", "three", "four"]) == ("correct", 2.0)
    assert outcome(question, ["two", "one", "three", "four"]) == ("incorrect", 0.0)
    assert grading.answer_problem(question, ["one", "two"]) == (
        "must list every entry id once, in your order"
    )
    assert grading.answer_key(question) == ["one", "two", "three", "four"]


def test_essays_wait_for_a_grader_and_respect_the_word_limit() -> None:
    question = frozen({"type": "essay", "points": 5, "max_words": 3})
    assert outcome(question, "short and sweet") == ("pending", None)
    assert grading.answer_problem(question, "one two three four") == "must be at most 3 words"
    assert grading.answer_key(question) is None


def test_shuffling_depends_only_on_the_attempt() -> None:
    items = [{"id": f"e{n}", "text": f"Entry {n}"} for n in range(10)]
    options = [{"id": f"o{n}", "text": f"Option {n}", "correct": n == 0} for n in range(10)]
    body = {"type": "single_choice", "options": options}
    first = frozen(body, seed="attempt-1", shuffle=True)
    assert frozen(body, seed="attempt-1", shuffle=True)["layout"] == first["layout"]
    assert frozen(body, seed="attempt-2", shuffle=True)["layout"] != first["layout"]
    assert frozen(body, seed="attempt-1")["layout"]["options"] == [f"o{n}" for n in range(10)]
    ordering = frozen({"type": "ordering", "items": items})
    assert ordering["layout"]["items"] != [f"e{n}" for n in range(10)]  # always shuffled
    assert sorted(ordering["layout"]["items"]) == sorted(f"e{n}" for n in range(10))


def test_parts_without_ids_get_them() -> None:
    question = frozen(
        {"type": "single_choice", "options": [{"text": "x", "correct": True}, {"text": "y"}]}
    )
    ids = [option["id"] for option in question["content"]["options"]]
    assert len(set(ids)) == 2 and all(len(key) == 12 for key in ids)


@pytest.mark.parametrize(
    ("body", "location", "message"),
    [
        ({"type": "single_choice", "options": CHOICES}, "options", "exactly one option"),
        (
            {"type": "single_choice", "options": [{"text": "x"}, {"text": "y"}]},
            "options",
            "exactly one option",
        ),
        (
            {"type": "multiple_choice", "options": [{"text": "x"}, {"text": "y"}]},
            "options",
            "at least one option",
        ),
        ({"type": "single_choice", "options": CHOICES[:1]}, "options", "at least 2"),
        ({"type": "short_answer", "accepted_answers": [" "]}, "accepted_answers", "blank"),
        ({"type": "short_answer", "accepted_answers": []}, "accepted_answers", "at least 1"),
        ({"type": "numeric", "answer": 1, "tolerance": -1}, "tolerance", "greater than"),
        (
            {"type": "matching", "pairs": [{"left": "a", "right": "b"}] * 2},
            "pairs",
            "must be unique",
        ),
        ({"type": "true_false"}, "correct", "Field required"),
        ({"type": "essay", "points": 0}, "points", "greater than 0"),
        ({"type": "essay", "colour": "red"}, "colour", "Extra inputs"),
        ({"type": "poem"}, "", "does not match any of the expected tags"),
    ],
)
def test_question_shapes_are_checked(body: dict[str, Any], location: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _written.validate_python({"prompt": "Q?", **body})
    [error] = raised.value.errors()
    assert error["loc"][1:] == ((location,) if location else ())
    assert message in error["msg"]
