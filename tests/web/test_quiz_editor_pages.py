"""The quiz editor through the whole platform: the quiz's settings, new questions of every
type, the questions' order one question at a time, refusals in words next to their fields,
and who may edit, as a browser without scripts uses it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.web.authoring_support import sao_paulo_author
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    return await sao_paulo_author(web_client)


async def _quiz_course(author: Author) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    course, (quiz, assignment) = await author.course(
        "Authoring", items=(("quiz", "Check-up"), ("assignment", "Essay")), publish=False
    )
    return course, quiz, assignment


async def _quiz(author: Author, course_id: str, quiz_id: str) -> dict[str, Any]:
    return await author.call("GET", f"/api/v1/courses/{course_id}/quizzes/{quiz_id}", 200)


async def _question(author: Author, course_id: str, question_id: str) -> dict[str, Any]:
    return await author.call("GET", f"/api/v1/courses/{course_id}/questions/{question_id}", 200)


async def test_an_instructor_writes_questions_orders_and_removes_them(
    site: Site, author: Author
) -> None:
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    await site.log_in(*INSTRUCTOR)

    # the builder links to the quiz's page
    builder = await site.get(f"/teach/{course['id']}")
    assert f'href="{path}"' in builder.text

    # choosing a type shows that type's form: five option rows with radios
    form_page = f"{path}?type=single_choice"
    chooser = await site.get(form_page)
    assert chooser.status_code == 200
    assert chooser.text.count('name="correct" value="') == 5
    assert 'type="radio" id="correct_1"' in chooser.text

    # a single-choice question through the form (an empty row is ignored)
    saved = await site.submit(
        f"{path}/questions",
        {
            "type": "single_choice",
            "prompt": "What is **2 + 2**?",
            "points": "2",
            "option_1": "3",
            "option_2": "4",
            "option_3": "",
            "option_4": "5",
            "correct": "2",
            "feedback": "Count on your fingers.",
        },
        form_page=form_page,
    )
    assert saved.status_code == 303, site.text(saved)
    # a numeric question
    saved = await site.submit(
        f"{path}/questions",
        {"type": "numeric", "prompt": "Pi to two places?", "answer": "3,14", "tolerance": "0.01"},
        form_page=f"{path}?type=numeric",
    )
    assert saved.status_code == 303, site.text(saved)

    settings = await _quiz(author, course["id"], quiz["id"])
    first_id, second_id = settings["question_ids"]
    first = await _question(author, course["id"], first_id)
    assert first["type"] == "single_choice" and first["points"] == 2
    assert [(o["text"], o["correct"]) for o in first["options"]] == [
        ("3", False),
        ("4", True),
        ("5", False),
    ]
    assert first["feedback"] == "Count on your fingers."
    second = await _question(author, course["id"], second_id)
    assert (second["type"], second["answer"], second["tolerance"]) == ("numeric", 3.14, 0.01)
    page = await site.get(path)
    assert "<strong>2 + 2</strong>" in page.text
    assert "Pi to two places?" in site.text(page)

    # move the second question up, then remove it: it stays in the bank, ready to add again
    order = f"{path}/order"
    moved = await site.submit(order, {"action": "up", "question_id": second_id}, form_page=path)
    assert moved.status_code == 303
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == [second_id, first_id]
    # removing is asked once: the old form's button leads to the confirmation, which says
    # the question stays in the bank, and only its own button removes it
    remove_path = f"{path}/questions/{second_id}/remove"
    asked = await site.submit(order, {"action": "remove", "question_id": second_id}, form_page=path)
    assert asked.headers["location"] == remove_path
    assert f'href="{remove_path}"' in (await site.get(path)).text
    confirm = await site.get(remove_path)
    assert "Remove question 1 from Check-up?" in site.text(confirm)
    assert "The question: “Pi to two places?”" in site.text(confirm)
    assert "It stays in the course's question bank" in site.text(confirm)
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == [second_id, first_id]
    removed = await site.submit(remove_path, {})
    assert removed.status_code == 303
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == [first_id]
    # a question no longer in the quiz has no confirmation
    assert (await site.get(remove_path)).status_code == 404
    page = await site.get(path)
    bank = page.text.split('id="bank-title"', 1)[1]
    assert "Pi to two places?" in bank
    assert f'name="question_id" value="{second_id}"' in bank
    added = await site.submit(order, {"action": "add", "question_id": second_id}, form_page=path)
    assert added.status_code == 303
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == [first_id, second_id]


async def test_a_refused_question_is_shown_next_to_its_field_with_the_input_kept(
    site: Site, author: Author
) -> None:
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    await site.log_in(*INSTRUCTOR)

    # a single-choice question with no right option: the API refuses it (422)
    refused = await site.submit(
        f"{path}/questions",
        {"type": "single_choice", "prompt": "Best bread?", "option_1": "Rye", "option_2": "Spelt"},
        form_page=f"{path}?type=single_choice",
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text
    assert '<a href="#options">Choose which option is correct</a>' in refused.text
    assert 'id="options-error"' in refused.text
    assert re.search(r'id="options" name="option_1" value="Rye"', refused.text)
    assert 'value="Spelt"' in refused.text
    assert ">Best bread?</textarea>" in refused.text
    # nothing was added
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == []


async def test_quiz_settings_are_saved_in_the_users_time_zone(site: Site, author: Author) -> None:
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    await site.log_in(*INSTRUCTOR)

    saved = await site.submit(
        f"{path}/settings",
        {
            "time_limit": "20",
            "attempts_allowed": "",
            "pass_mark": "75",
            "shuffle_options": "yes",
            "show_feedback": "after_due",
            "due_date": "2027-03-31",
            "due_time": "17:00",
        },
        form_page=path,
    )
    assert saved.status_code == 303, site.text(saved)
    settings = await _quiz(author, course["id"], quiz["id"])
    assert settings["time_limit_seconds"] == 1200
    assert settings["attempts_allowed"] is None
    assert settings["pass_mark"] == 75
    assert (settings["shuffle_questions"], settings["shuffle_options"]) == (False, True)
    assert settings["feedback"] == "after_due"
    assert datetime.fromisoformat(settings["due_at"]) == datetime.fromisoformat(
        "2027-03-31T20:00:00+00:00"
    )
    page = await site.get(path)
    assert 'value="2027-03-31"' in page.text and 'value="17:00"' in page.text

    # a pass mark out of range is refused in words, the input kept
    refused = await site.submit(
        f"{path}/settings", {"pass_mark": "120", "time_limit": "20"}, form_page=path
    )
    assert refused.status_code == 422
    assert "Enter a pass mark from 0 to 100" in site.text(refused)
    assert 'id="pass_mark" name="pass_mark" type="text" value="120"' in refused.text


async def test_only_the_courses_instructors_may_author(site: Site, author: Author) -> None:
    course, quiz, assignment = await _quiz_course(author)
    quiz_path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    assignment_path = f"/teach/{course['id']}/assignments/{assignment['id']}"

    for path in (quiz_path, assignment_path):
        anonymous = await site.get(path)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/login?next=")

    # a draft is invisible to a learner: not found, not forbidden
    await site.log_in(*LEARNER)
    for path in (quiz_path, assignment_path):
        assert (await site.get(path)).status_code == 404
    # once published, the learner may see the course but not edit it, and a change is
    # refused without effect
    await author.call(
        "PATCH", f"/api/v1/courses/{course['id']}", 200, json={"visibility": "published"}
    )
    for path in (quiz_path, assignment_path):
        assert (await site.get(path)).status_code == 403
    refused = await site.submit(
        f"{quiz_path}/settings", {"pass_mark": "1"}, form_page=f"/courses/{course['slug']}"
    )
    assert refused.status_code == 403
    assert (await _quiz(author, course["id"], quiz["id"]))["pass_mark"] == 60


async def test_the_quiz_page_speaks_portuguese(site: Site, author: Author) -> None:
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    await site.log_in(*INSTRUCTOR)
    await site.submit("/language", {"locale": "pt", "next": path}, form_page=path)

    page = await site.get(f"{path}?type=true_false")
    assert page.status_code == 200
    assert page.headers["content-language"] == "pt"
    text = site.text(page)
    assert "Configurações" in text
    assert "Nova pergunta" in text
    assert "Verdadeiro" in text


async def test_every_type_of_question_has_its_form_and_can_be_saved(
    site: Site, author: Author
) -> None:
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    await site.log_in(*INSTRUCTOR)
    forms = {
        "multiple_choice": {"option_1": "Rye", "option_2": "Oats", "correct": "1"},
        "true_false": {"tf_correct": "false"},
        "short_answer": {"accepted_answers": "Lisbon\nLisboa"},
        "matching": {"pairs": "Lisbon = Portugal\nMadrid = Spain"},
        "ordering": {"ordering_items": "Mix\nKnead\nBake"},
        "essay": {},
    }
    for question_type, fields in forms.items():
        form_page = f"{path}?type={question_type}"
        assert (await site.get(form_page)).status_code == 200
        saved = await site.submit(
            f"{path}/questions",
            {"type": question_type, "prompt": f"A {question_type} question", **fields},
            form_page=form_page,
        )
        assert saved.status_code == 303, site.text(saved)
    ids = (await _quiz(author, course["id"], quiz["id"]))["question_ids"]
    questions = [await _question(author, course["id"], qid) for qid in ids]
    assert [q["type"] for q in questions] == list(forms)
    assert questions[1]["correct"] is False
    assert questions[2]["accepted_answers"] == ["Lisbon", "Lisboa"]
    assert [(p["left"], p["right"]) for p in questions[3]["pairs"]] == [
        ("Lisbon", "Portugal"),
        ("Madrid", "Spain"),
    ]
    assert [entry["text"] for entry in questions[4]["items"]] == ["Mix", "Knead", "Bake"]


async def test_a_question_someone_adds_meanwhile_is_kept(site: Site, author: Author) -> None:
    # given a quiz with two questions, open in the editor
    course, quiz, _assignment = await _quiz_course(author)
    path = f"/teach/{course['id']}/quizzes/{quiz['id']}"
    questions = f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}/questions"
    first, second = [
        (
            await author.call(
                "POST",
                questions,
                201,
                json={"question": {"type": "true_false", "prompt": prompt, "correct": True}},
            )
        )["question_ids"][-1]
        for prompt in ("First?", "Second?")
    ]
    await site.log_in(*INSTRUCTOR)
    page = await site.get(path)
    token = site.csrf_token(page.text)
    # when another editor adds a third question through the API
    third = (
        await author.call(
            "POST",
            questions,
            201,
            json={"question": {"type": "true_false", "prompt": "Third?", "correct": False}},
        )
    )["question_ids"][-1]
    # and the open page moves the second up, then removes the first (confirmed)
    response = await site.client.post(
        f"{path}/order", data={"action": "up", "question_id": second, "csrf_token": token}
    )
    assert response.status_code == 303
    response = await site.client.post(
        f"{path}/questions/{first}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 303
    # then the third question is still there, in its place
    assert (await _quiz(author, course["id"], quiz["id"]))["question_ids"] == [second, third]
