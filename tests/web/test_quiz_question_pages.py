"""Editing a question of the bank from the quiz editor: the form of its type filled in as
saved, the change written in one call with the ids of unchanged options, pairs and items
kept, refusals next to their fields; and who may edit or remove a question."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.web.authoring_support import sao_paulo_author
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

QUESTIONS: dict[str, dict[str, Any]] = {
    "single_choice": {
        "prompt": "Which is a *root*?",
        "points": 2,
        "options": [
            {"id": "a", "text": "Carrot", "correct": True},
            {"id": "b", "text": "Leek"},
        ],
        "feedback": "Carrots grow underground.",
    },
    "multiple_choice": {
        "prompt": "Which are green?",
        "scoring": "partial",
        "options": [
            {"id": "kale", "text": "Kale", "correct": True},
            {"id": "pea", "text": "Pea", "correct": True},
            {"id": "beet", "text": "Beet"},
        ],
    },
    "true_false": {"prompt": "Tomatoes are fruit.", "correct": True},
    "short_answer": {
        "prompt": "Name an allium.",
        "accepted_answers": ["Onion", "Garlic"],
        "case_sensitive": True,
    },
    "numeric": {"prompt": "Boiling point?", "answer": 100, "tolerance": 0.5},
    "matching": {
        "prompt": "Match.",
        "pairs": [
            {"left_id": "l1", "left": "Basil", "right_id": "r1", "right": "Italy"},
            {"left_id": "l2", "left": "Cumin", "right_id": "r2", "right": "India"},
        ],
    },
    "ordering": {
        "prompt": "Order.",
        "items": [{"id": "i1", "text": "Wash"}, {"id": "i2", "text": "Chop"}],
    },
    "essay": {"prompt": "Describe a soup.", "max_words": 300, "grading_notes": "Stock first."},
}
PREFILLED = {
    "single_choice": ['value="Carrot"', 'name="option_id_1" value="a"', 'value="1" checked'],
    "multiple_choice": [
        'value="partial" checked',
        'id="correct_2" name="correct" value="2" checked',
    ],
    "true_false": ['value="true" checked'],
    "short_answer": [">Onion\nGarlic</textarea>", 'name="case_sensitive" value="yes" checked'],
    "numeric": ['name="answer" type="text" value="100"', 'value="0.5"'],
    "matching": [">Basil = Italy\nCumin = India</textarea>"],
    "ordering": [">Wash\nChop</textarea>"],
    "essay": ['name="max_words" type="text" value="300"', ">Stock first.</textarea>"],
}


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    return await sao_paulo_author(web_client)


async def _quiz_with(author: Author, question_type: str) -> tuple[dict, dict, dict]:
    course, (quiz,) = await author.course("Greens", items=(("quiz", "Veg quiz"),), publish=False)
    added = await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}/questions",
        201,
        json={"question": {"type": question_type, **QUESTIONS[question_type]}},
    )
    question = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{added['question_ids'][-1]}", 200
    )
    return course, quiz, question


@pytest.mark.parametrize("question_type", list(QUESTIONS))
async def test_each_type_of_question_opens_filled_in_and_saves_unchanged(
    site: Site, author: Author, question_type: str
) -> None:
    course, quiz, question = await _quiz_with(author, question_type)
    editor = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    path = f"{editor}/questions/{question['id']}"
    await site.log_in(*INSTRUCTOR)

    assert f'href="{path}"' in (await site.get(editor)).text
    page = await site.get(path)
    assert page.status_code == 200
    assert h1_of(page.text) == "Edit question 1 of Veg quiz"
    assert f'action="{path}"' in page.text
    for fragment in PREFILLED[question_type]:
        assert fragment in page.text, fragment

    # saved as it was filled in, the question is the same, ids included
    form: dict[str, Any] = {}
    for name in (
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
        "case_sensitive",
    ):
        value = _field_value(page.text, name)
        if value is not None:
            form[name] = value
    for row in range(1, 6):
        for name in (f"option_{row}", f"option_id_{row}"):
            value = _field_value(page.text, name)
            if value:
                form[name] = value
    form["correct"] = [
        str(row)
        for row in range(1, 6)
        if f'id="correct_{row}" name="correct" value="{row}" checked' in page.text
    ]
    form["type"] = question_type
    form["csrf_token"] = site.csrf_token(page.text)
    saved = await site.client.post(path, data=form)
    assert saved.status_code == 303, site.text(saved)
    again = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{question['id']}", 200
    )
    assert _content(again) == _content(question)


def _field_value(page: str, name: str) -> str | None:
    """The value a browser would send for the field ``name`` (text, textarea, checked)."""
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page):
        if 'type="radio"' in tag or 'type="checkbox"' in tag:
            if " checked" in tag:
                return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
            continue
        value = re.search(r'value="([^"]*)"', tag)
        return html.unescape(value.group(1)) if value else ""
    return None


def _content(question: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in question.items()
        if key not in {"updated_at", "created_at", "used_in_quizzes", "prompt_html"}
    }


async def test_an_edited_question_keeps_the_ids_of_what_is_unchanged(
    site: Site, author: Author
) -> None:
    course, quiz, question = await _quiz_with(author, "single_choice")
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}/questions/{question['id']}"
    await site.log_in(*INSTRUCTOR)

    # when the instructor rewords the prompt, adds a third option and makes it the right one
    saved = await site.submit(
        path,
        {
            "type": "single_choice",
            "prompt": "Which is a root vegetable?",
            "points": "3",
            "option_1": "Carrot",
            "option_id_1": "a",
            "option_2": "Leek",
            "option_id_2": "b",
            "option_3": "Parsnip",
            "correct": "3",
            "feedback": "",
        },
    )

    # then the options kept their ids, and the quiz asks the new wording
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("#quiz-questions")
    stored = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{question['id']}", 200
    )
    assert (stored["prompt"], stored["points"]) == ("Which is a root vegetable?", 3)
    assert [(o["id"], o["text"], o["correct"]) for o in stored["options"]][:2] == [
        ("a", "Carrot", False),
        ("b", "Leek", False),
    ]
    assert stored["options"][2]["text"] == "Parsnip" and stored["options"][2]["correct"]
    assert "The question has been saved." in site.text(await site.get(saved.headers["location"]))
    # matching and ordering keep the ids of lines whose text is unchanged
    course, quiz, matching = await _quiz_with(author, "matching")
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}/questions/{matching['id']}"
    saved = await site.submit(
        path,
        {
            "type": "matching",
            "prompt": "Match.",
            "points": "1",
            "pairs": "Basil = Italy\nDill = Nordics",
        },
    )
    assert saved.status_code == 303
    stored = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{matching['id']}", 200
    )
    assert (stored["pairs"][0]["left_id"], stored["pairs"][0]["right_id"]) == ("l1", "r1")
    assert stored["pairs"][1]["left_id"] not in ("l1", "l2")


async def test_a_refused_edit_is_worded_next_to_its_field_with_the_input_kept(
    site: Site, author: Author
) -> None:
    course, quiz, question = await _quiz_with(author, "single_choice")
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}/questions/{question['id']}"
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(
        path,
        {
            "type": "single_choice",
            "prompt": "Which is a root?",
            "points": "0",
            "option_1": "Carrot",
            "option_2": "Leek",
        },
    )

    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    assert '<a href="#points">Enter points more than 0</a>' in refused.text
    assert 'id="points-error"' in refused.text
    assert 'value="Leek"' in refused.text and 'name="points" type="text" value="0"' in refused.text
    stored = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{question['id']}", 200
    )
    assert stored["points"] == 2


async def test_a_question_in_another_quiz_says_the_change_applies_there(
    site: Site, author: Author
) -> None:
    course, quiz, question = await _quiz_with(author, "true_false")
    section_id = quiz["section_id"]
    other = await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/sections/{section_id}/items",
        201,
        json={"kind": "quiz", "title": "Second quiz", "published": True},
    )
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/quizzes/{other['id']}/questions",
        201,
        json={"question_id": question["id"]},
    )
    await site.log_in(*INSTRUCTOR)

    page = await site.get(f"/teach/{course['id']}/quizzes/{quiz['id']}/questions/{question['id']}")

    assert "This question is also in 1 other quiz: the change applies there too." in site.text(page)


async def test_learners_may_neither_edit_nor_remove_a_question(site: Site, author: Author) -> None:
    course, quiz, question = await _quiz_with(author, "true_false")
    await author.call(
        "PATCH", f"/api/v1/courses/{course['id']}", 200, json={"visibility": "published"}
    )
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}/questions/{question['id']}"
    await site.log_in(*LEARNER)

    for address in (path, f"{path}/remove"):
        assert (await site.get(address)).status_code == 403
        refused = await site.submit(
            address,
            {"type": "true_false", "prompt": "Changed", "tf_correct": "false"},
            form_page=f"/courses/{course['slug']}",
        )
        assert refused.status_code == 403
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}", 200)
    assert stored["question_ids"] == [question["id"]]
    again = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/questions/{question['id']}", 200
    )
    assert again["prompt"] == "Tomatoes are fruit."
