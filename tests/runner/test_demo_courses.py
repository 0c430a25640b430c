"""The demo courses seeded on the first start of the all-in-one mode: their text is data
files, loaded and checked, and the courses API then serves exactly what the files say."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from learnhub.runner.course_builder import CourseSpec
from learnhub.runner.demo import seed_demo_accounts
from learnhub.runner.demo_courses import (
    DEMO_CONTENT,
    DemoContentError,
    load_demo_courses,
    load_demo_hand_ins,
    seed_demo_courses,
)
from tests.conftest import Stack, bearer

CHEMISTRY = "introduction-to-chemistry"


async def _seeded(stack: Stack) -> list[str]:
    await seed_demo_accounts(stack.platform.runtime("auth"))
    await stack.settle()
    created = await seed_demo_courses(stack.client)
    await stack.settle()
    return created


async def _instructor(stack: Stack) -> dict[str, str]:
    return bearer(await stack.token("instructor@example.com", "learnhub-instructor"))


# ---------------------------------------------------------------- what the API serves


async def test_the_catalog_lists_the_four_demo_courses_in_their_categories(
    embedded: Stack,
) -> None:
    # given / when
    created = await _seeded(embedded)

    # then
    assert created == [spec.slug for spec in load_demo_courses()]
    listed = (await embedded.client.get("/api/v1/courses", params={"limit": 100})).json()
    assert {(entry["slug"], entry["category"]) for entry in listed["items"]} == {
        ("introduction-to-chemistry", "Science"),
        ("python-for-data-analysis", "Computing"),
        ("academic-writing-in-english", "Languages"),
        ("foundations-of-personal-finance", "Business"),
    }
    for entry in listed["items"]:
        assert entry["item_counts"]["lesson"] >= 3
        assert entry["item_counts"]["quiz"] == 1
        assert entry["item_counts"]["assignment"] == 1


def _served_question(served: dict[str, Any]) -> dict[str, Any]:
    """A bank question as the API serves it, in the shape the quiz file writes it."""
    question = {"type": served["type"], "prompt": served["prompt"]}
    if served["feedback"]:
        question["feedback"] = served["feedback"]
    for field in ("correct", "answer", "accepted_answers"):
        if served.get(field) is not None:
            question[field] = served[field]
    if served.get("tolerance"):  # 0 is the default a file leaves out
        question["tolerance"] = served["tolerance"]
    if served.get("options"):
        question["options"] = [
            {"id": option["id"], "text": option["text"], "correct": bool(option.get("correct"))}
            for option in served["options"]
        ]
    return question


def _written_question(question: dict[str, Any]) -> dict[str, Any]:
    written = dict(question)
    if "options" in written:
        written["options"] = [
            {"id": option["id"], "text": option["text"], "correct": bool(option.get("correct"))}
            for option in written["options"]
        ]
    return written


async def _check_served(stack: Stack, spec: CourseSpec, headers: dict[str, str]) -> None:
    course = (
        await stack.client.get(f"/api/v1/courses/by-slug/{spec.slug}", headers=headers)
    ).json()
    base = f"/api/v1/courses/{course['id']}"
    assert {
        field: course[field]
        for field in ("title", "summary", "description", "category", "level", "language")
    } == {
        "title": spec.title,
        "summary": spec.summary,
        "description": spec.description,
        "category": spec.category,
        "level": spec.level,
        "language": spec.language,
    }
    assert course["tags"] == list(spec.tags)
    assert course["estimated_hours"] == spec.estimated_hours
    assert course["visibility"] == "published"
    assert [section["title"] for section in course["sections"]] == [
        section.title for section in spec.sections
    ]
    bank = (await stack.client.get(f"{base}/questions?limit=100", headers=headers)).json()
    questions = {question["id"]: question for question in bank["items"]}
    for section, served in zip(spec.sections, course["sections"], strict=True):
        expected = [("lesson", lesson.title) for lesson in section.lessons]
        expected += [("quiz", section.quiz.title)] if section.quiz else []
        expected += [("assignment", section.assignment.title)] if section.assignment else []
        assert [(item["kind"], item["title"]) for item in served["items"]] == expected
        for lesson, item in zip(section.lessons, served["items"], strict=False):
            read = (await stack.client.get(f"{base}/lessons/{item['id']}", headers=headers)).json()
            video = read["video"]["url"] if read["video"] else None
            assert (read["content_markdown"], video, read["transcript"]) == (
                lesson.markdown,
                lesson.video_url,
                lesson.transcript,
            )
        by_kind = {item["kind"]: item["id"] for item in served["items"]}
        if section.quiz is not None:
            quiz = (
                await stack.client.get(f"{base}/quizzes/{by_kind['quiz']}", headers=headers)
            ).json()
            assert (quiz["pass_mark"], quiz["attempts_allowed"], quiz["feedback"]) == (
                section.quiz.pass_mark,
                section.quiz.attempts_allowed,
                "after_submit",
            )
            assert [_served_question(questions[key]) for key in quiz["question_ids"]] == [
                _written_question(question) for question in section.quiz.questions
            ]
        if section.assignment is not None:
            assignment = (
                await stack.client.get(
                    f"{base}/assignments/{by_kind['assignment']}", headers=headers
                )
            ).json()
            assert assignment["instructions"] == section.assignment.instructions
            assert [
                (row["title"], row["description"], row["points"]) for row in assignment["rubric"]
            ] == [tuple(row) for row in section.assignment.rubric]
            assert assignment["points"] == sum(row[2] for row in section.assignment.rubric)
            due = datetime.fromisoformat(assignment["due_at"])
            expected_due = datetime.now(UTC) + timedelta(days=section.assignment.due_in_days)
            assert abs(due - expected_due) < timedelta(minutes=5)


async def test_the_api_serves_exactly_what_the_demo_files_say(embedded: Stack) -> None:
    # given
    await _seeded(embedded)
    instructor = await _instructor(embedded)

    # when / then
    for spec in load_demo_courses():
        await _check_served(embedded, spec, instructor)


async def test_learner1_has_progress_and_a_passed_quiz(embedded: Stack) -> None:
    # given
    await _seeded(embedded)
    learner1 = bearer(await embedded.token("learner1@example.com", "learnhub-learner"))
    learner2 = bearer(await embedded.token("learner2@example.com", "learnhub-learner"))
    chemistry = (await embedded.client.get(f"/api/v1/courses/by-slug/{CHEMISTRY}")).json()

    # when
    mine = (
        await embedded.client.get(
            f"/api/v1/courses/{chemistry['id']}/progress/me", headers=learner1
        )
    ).json()
    theirs = (
        await embedded.client.get(
            f"/api/v1/courses/{chemistry['id']}/progress/me", headers=learner2
        )
    ).json()

    # then
    done = {(item["kind"], item["status"]) for item in mine["items"]}
    assert ("lesson", "completed") in done
    quiz = next(item for item in mine["items"] if item["kind"] == "quiz")
    assert (quiz["status"], quiz["passed"]) == ("completed", True)
    assert [item["status"] for item in theirs["items"]].count("completed") == 1


async def test_the_grading_queue_has_the_hand_ins_of_the_demo_files(embedded: Stack) -> None:
    # given
    await _seeded(embedded)
    instructor = await _instructor(embedded)
    expected = load_demo_hand_ins(load_demo_courses())
    emails = {1: "learner1@example.com", 2: "learner2@example.com"}

    # when
    waiting = set()
    for slug in {hand_in.slug for hand_in in expected}:
        course = (await embedded.client.get(f"/api/v1/courses/by-slug/{slug}")).json()
        queue = await embedded.client.get(
            f"/api/v1/courses/{course['id']}/grading-queue", headers=instructor
        )
        assert queue.status_code == 200, queue.text
        waiting |= {
            (
                slug,
                entry["learner_email"],
                entry["submission"]["text"],
                entry["submission"]["status"],
            )
            for entry in queue.json()["items"]
        }

    # then
    assert len(expected) >= 3
    assert waiting == {
        (hand_in.slug, emails[hand_in.learner], hand_in.text, "submitted") for hand_in in expected
    }


async def test_seeding_twice_creates_nothing_more(embedded: Stack) -> None:
    # given
    await _seeded(embedded)

    # when
    again = await seed_demo_courses(embedded.client)

    # then
    assert again == []
    listed = (await embedded.client.get("/api/v1/courses", params={"limit": 100})).json()
    assert len(listed["items"]) == 4


# ---------------------------------------------------------------- wrong files


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the demo files to break."""
    folder = tmp_path / "demo_content"
    shutil.copytree(DEMO_CONTENT, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_files_load_in_their_listed_order() -> None:
    specs = load_demo_courses()

    assert [spec.slug for spec in specs] == [
        "introduction-to-chemistry",
        "python-for-data-analysis",
        "academic-writing-in-english",
        "foundations-of-personal-finance",
    ]
    chemistry = specs[0]
    assert chemistry.sections[1].lessons[0].title == "Reading the periodic table"
    assert chemistry.sections[1].lessons[0].markdown.startswith("# Reading the periodic table\n")
    assert chemistry.sections[1].lessons[0].transcript.startswith("Welcome to this tour")
    assert chemistry.sections[1].assignment is not None
    assert chemistry.sections[1].assignment.rubric[0] == (
        "Observations",
        "Clear, specific descriptions of each change.",
        4,
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "course.toml",
            'title = "Introduction to Chemistry"\n',
            "",
            "The demo course file introduction-to-chemistry/course.toml is not valid: title: "
            "Field required",
        ),
        (
            "course.toml",
            'lessons = ["what-is-matter.md"',
            'lesons = ["what-is-matter.md"',
            "The demo course file introduction-to-chemistry/course.toml is not valid: "
            "sections #1, lesons: Extra inputs are not permitted",
        ),
        (
            "course.toml",
            '"inside-the-atom.md"',
            '"inside-an-atom.md"',
            "The demo course file introduction-to-chemistry/inside-an-atom.md, which "
            "introduction-to-chemistry/course.toml (sections #1) lists, does not exist",
        ),
        (
            "quiz.toml",
            'type = "true_false"',
            'type = "yes_no"',
            "The demo course file introduction-to-chemistry/quiz.toml is not valid: "
            "questions #3: Input tag 'yes_no' found using 'type' does not match any of the "
            "expected tags: 'single_choice', 'multiple_choice', 'true_false', 'short_answer', "
            "'numeric', 'matching', 'ordering', 'essay'",
        ),
        (
            "assignment.md",
            "due_in_days = 21",
            "due_in_days = 0",
            "The demo course file introduction-to-chemistry/assignment.md is not valid: "
            "due_in_days: Input should be greater than or equal to 1",
        ),
        (
            "what-is-matter.md",
            "+++\n",
            "",
            "The demo course file introduction-to-chemistry/what-is-matter.md must start with a "
            "+++ line, then its fields (title...) in TOML, then another +++ line before the text",
        ),
    ],
)
def test_a_wrong_file_is_refused_with_its_name_and_field(
    content: Path, file: str, old: str, new: str, message: str
) -> None:
    # given
    _edit(content / CHEMISTRY / file, old, new)

    # when
    with pytest.raises(DemoContentError) as refused:
        load_demo_courses(content)

    # then
    assert str(refused.value) == message


def test_a_hand_in_for_a_course_not_listed_is_refused(content: Path) -> None:
    _edit(content / "hand_ins.toml", 'course = "python-for-data-analysis"', 'course = "python"')

    with pytest.raises(DemoContentError) as refused:
        load_demo_hand_ins(load_demo_courses(content), content)

    assert str(refused.value) == (
        "The demo course file hand_ins.toml is not valid: hand_ins #3, course: 'python' is "
        "not a listed course with an assignment"
    )


def test_a_file_that_is_not_toml_is_refused_with_its_line(content: Path) -> None:
    _edit(content / CHEMISTRY / "quiz.toml", 'title = "Check', "title = Check")

    with pytest.raises(DemoContentError) as refused:
        load_demo_courses(content)

    assert str(refused.value).startswith(
        "The demo course file introduction-to-chemistry/quiz.toml is not valid TOML: "
    )
    assert "line 1" in str(refused.value)


async def test_a_wrong_file_stops_the_demo_before_anything_is_created(
    embedded: Stack, content: Path
) -> None:
    # given: the last course's quiz is broken
    await seed_demo_accounts(embedded.platform.runtime("auth"))
    await embedded.settle()
    _edit(content / "foundations-of-personal-finance" / "quiz.toml", "prompt", "promt")

    # when
    with pytest.raises(DemoContentError, match=r"foundations-of-personal-finance/quiz\.toml"):
        await seed_demo_courses(embedded.client, folder=content)

    # then: not even the first course exists
    listed = (await embedded.client.get("/api/v1/courses", params={"limit": 100})).json()
    assert listed["items"] == []
