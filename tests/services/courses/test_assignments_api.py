"""The assignments API on each tier: settings, submissions, late work, resubmission,
files, the grading queue and grading."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from learnhub.kit.events.outbox import outbox_table
from learnhub.runner.demo import DEMO_ACCOUNTS
from learnhub.services.courses.assignments import archive
from learnhub.services.courses.assignments.models import Submission
from learnhub.services.courses.models import Item
from learnhub.services.courses.progress.models import ItemProgress
from tests.conftest import Stack, bearer
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    published_course_with_items,
)

PROBLEM = "application/problem+json"
LEARNER_1, LEARNER_2 = DEMO_ACCOUNTS[2], DEMO_ACCOUNTS[3]


@dataclass
class Course:
    id: str
    assignment_id: str
    staff: dict[str, str]
    learner1_id: str
    learner1: dict[str, str]
    learner2_id: str
    learner2: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/courses/{self.id}/assignments/{self.assignment_id}"


async def enroll_self(stack: Stack, course_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def demo_learner(stack: Stack, account: Any) -> tuple[str, dict[str, str]]:
    login = await stack.login(account.email, account.password)
    headers = bearer(login["access_token"])
    me = await stack.client.get("/api/v1/users/me", headers=headers)
    return me.json()["id"], headers


async def assignment_course(stack: Stack, **settings: Any) -> Course:
    """A published course with one assignment worth 10 points (unless ``settings`` say
    otherwise) and the two demo learners enrolled."""
    course, staff, items = await published_course_with_items(stack, kinds=("assignment",))
    assignment_id = items[0]["id"]
    response = await stack.client.patch(
        f"/api/v1/courses/{course['id']}/assignments/{assignment_id}",
        json={"points": 10, **settings},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    learner1_id, learner1 = await demo_learner(stack, LEARNER_1)
    learner2_id, learner2 = await demo_learner(stack, LEARNER_2)
    await enroll_self(stack, course["id"], learner1)
    await enroll_self(stack, course["id"], learner2)
    return Course(course["id"], assignment_id, staff, learner1_id, learner1, learner2_id, learner2)


async def courses_outbox(stack: Stack, event_type: str | None = None) -> list[dict[str, Any]]:
    """The data of the courses outbox's events (of one type), oldest first."""
    statement = select(outbox_table.c.type, outbox_table.c.data).order_by(outbox_table.c.created_at)
    async with stack.platform.runtime("courses").db.session() as session:
        rows = (await session.execute(statement)).all()
    return [json.loads(row.data) for row in rows if event_type is None or row.type == event_type]


async def submission_count(stack: Stack) -> int:
    async with stack.platform.runtime("courses").db.session() as session:
        return await session.scalar(select(func.count()).select_from(Submission)) or 0


async def item_progress(stack: Stack, item_id: str, user_id: str) -> tuple[Any, ...] | None:
    async with stack.platform.runtime("courses").db.session() as session:
        row = await session.scalar(
            select(ItemProgress).where(
                ItemProgress.item_id == item_id, ItemProgress.user_id == user_id
            )
        )
    return None if row is None else (row.status, row.score, row.max_score)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def submit(
    stack: Stack,
    course: Course,
    headers: dict[str, str],
    *,
    text: str | None = None,
    file: tuple[str, bytes, str] | None = None,
) -> Any:
    return await stack.client.post(
        f"{course.url}/submissions",
        data={"text": text} if text is not None else {},
        files={"file": file} if file is not None else None,
        headers=headers,
    )


# ---------------------------------------------------------------- settings


async def test_staff_configure_an_assignment_and_learners_read_it(stack: Stack) -> None:
    # given a course whose assignment has the defaults
    course = await assignment_course(stack)
    defaults = (await stack.client.get(course.url, headers=course.learner1)).json()
    assert {key: value for key, value in defaults.items() if key not in {"id", "course_id"}} == {
        "title": "Assignment 1",
        "points": 10.0,
        "due_at": None,
        "instructions": "",
        "instructions_html": "",
        "late_policy": "accept",
        "penalty_percent_per_day": 0.0,
        "penalty_cap_percent": 100.0,
        "submission_types": ["text", "file"],
        "allowed_file_types": [],
        "max_file_bytes": 50 * 1024 * 1024,
        "resubmission": "until_due",
        "rubric": [],
    }
    # when the instructor sets every rule
    due = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    response = await stack.client.patch(
        course.url,
        json={
            "instructions": "Write **an essay**.<script>alert(1)</script> [x](javascript:bad())",
            "due_at": due.isoformat(),
            "late_policy": "penalty",
            "penalty_percent_per_day": 10,
            "penalty_cap_percent": 30,
            "submission_types": ["file"],
            "allowed_file_types": ["PDF", ".txt"],
            "max_file_bytes": 1000,
            "resubmission": "until_graded",
            "points": 20,
            "rubric": [
                {"title": "Argument", "description": "Clear thesis", "points": 15},
                {"title": "Style", "points": 5},
            ],
        },
        headers=course.staff,
    )
    # then every learner of the course reads them, with the instructions made safe
    assert response.status_code == 200, response.text
    settings = response.json()
    # (inline HTML is allowed and cleaned, as in lessons: the script is gone entirely)
    assert settings["instructions_html"] == (
        "<p>Write <strong>an essay</strong>. [x](javascript:bad())</p>\n"
    )
    rubric = settings["rubric"]
    assert [(c["title"], c["description"], c["points"]) for c in rubric] == [
        ("Argument", "Clear thesis", 15.0),
        ("Style", "", 5.0),
    ]
    assert (settings["due_at"], settings["points"], settings["allowed_file_types"]) == (
        "2031-05-01T12:00:00Z",
        20.0,
        [".pdf", ".txt"],
    )
    assert (await stack.client.get(course.url, headers=course.learner2)).json() == settings
    # and a rubric that does not add up to the points is refused, changing nothing
    response = await stack.client.patch(
        course.url,
        json={"rubric": [{"id": rubric[0]["id"], "title": "Argument", "points": 10}]},
        headers=course.staff,
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/invalid-assignment-settings"
    assert (await stack.client.get(course.url, headers=course.staff)).json() == settings


async def test_who_may_read_and_change_an_assignment(stack: Stack) -> None:
    course = await assignment_course(stack, instructions="Original")
    _, stranger = await stack.signed_up("stranger@example.com")
    before = (await stack.client.get(course.url, headers=course.staff)).json()

    response = await stack.client.get(course.url, headers=stranger)
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-enrolled")
    assert (await stack.client.get(course.url)).status_code == 401
    for headers in (course.learner1, stranger):
        response = await stack.client.patch(
            course.url, json={"instructions": "Hacked"}, headers=headers
        )
        assert (response.status_code, response.json()["type"]) == (
            403,
            "/problems/not-course-staff",
        )
    missing = await stack.client.get(
        f"/api/v1/courses/{course.id}/assignments/nope", headers=course.staff
    )
    assert (missing.status_code, missing.json()["type"]) == (404, "/problems/assignment-not-found")
    assert (await stack.client.get(course.url, headers=course.staff)).json() == before


INVALID_SETTINGS = [
    ({"late_policy": "sometimes"}, 422, "/problems/validation-error"),
    ({"submission_types": []}, 422, "/problems/validation-error"),
    ({"allowed_file_types": ["not an ext!"]}, 422, "/problems/validation-error"),
    ({"due_at": "2030-01-01T10:00:00"}, 422, "/problems/validation-error"),
    ({"rubric": [{"title": "A", "points": 0}]}, 422, "/problems/validation-error"),
    ({"resubmission": None}, 422, "/problems/validation-error"),
    ({"max_file_bytes": 50 * 1024 * 1024 + 1}, 400, "/problems/invalid-assignment-settings"),
    ({"rubric": [{"title": "A", "points": 4}]}, 400, "/problems/invalid-assignment-settings"),
    (
        {"rubric": [{"id": "unknown", "title": "A", "points": 10}]},
        400,
        "/problems/invalid-assignment-settings",
    ),
]


async def test_invalid_settings_are_refused(embedded: Stack) -> None:
    course, staff, items = await published_course_with_items(embedded, kinds=("assignment",))
    url = f"/api/v1/courses/{course['id']}/assignments/{items[0]['id']}"
    assert (await embedded.client.patch(url, json={"points": 10}, headers=staff)).status_code == 200
    before = (await embedded.client.get(url, headers=staff)).json()
    for payload, status, problem in INVALID_SETTINGS:
        response = await embedded.client.patch(url, json=payload, headers=staff)
        assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
        assert response.json()["type"] == problem, payload
    assert (await embedded.client.get(url, headers=staff)).json() == before


# ---------------------------------------------------------------- submissions


async def test_submit_text_and_file_and_who_may_download_it(stack: Stack) -> None:
    course = await assignment_course(stack)
    # when a learner hands in text and a file
    response = await submit(
        stack,
        course,
        course.learner1,
        text="My essay",
        file=("essay.txt", b"Once upon a time", "text/plain"),
    )
    # then a first version is kept, on time, and the item is in progress
    assert response.status_code == 201, response.text
    submission = response.json()
    download = f"{course.url}/submissions/{submission['id']}/file"
    assert {key: value for key, value in submission.items() if key != "submitted_at"} == {
        "id": submission["id"],
        "course_id": course.id,
        "assignment_id": course.assignment_id,
        "user_id": course.learner1_id,
        "version": 1,
        "text": "My essay",
        "file": {
            "name": "essay.txt",
            "content_type": "text/plain",
            "size": 16,
            "download_url": download,
        },
        "late": False,
        "late_by_seconds": 0,
        "status": "submitted",
        "grade": None,
    }
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "in_progress",
        None,
        None,
    )
    mine = await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    assert mine.json() == [submission]
    assert (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner2)
    ).json() == []
    # and only its author and the course's staff may download the file
    for headers in (course.learner1, course.staff):
        response = await stack.client.get(download, headers=headers)
        assert (response.status_code, response.content) == (200, b"Once upon a time")
        assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''essay.txt"
    _, stranger = await stack.signed_up("stranger@example.com")
    for headers in (course.learner2, stranger):
        response = await stack.client.get(download, headers=headers)
        assert (response.status_code, response.json()["type"]) == (
            403,
            "/problems/not-your-submission",
        )
    # and someone not enrolled cannot submit (nothing is stored)
    response = await submit(stack, course, stranger, text="Let me in")
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-enrolled")
    assert await submission_count(stack) == 1


UNFIT_SUBMISSIONS = [
    ({}, None, None, 400, "/problems/invalid-submission"),
    ({}, "   ", None, 400, "/problems/invalid-submission"),
    ({}, None, ("empty.txt", b"", "text/plain"), 400, "/problems/invalid-submission"),
    ({"submission_types": ["file"]}, "text", None, 400, "/problems/invalid-submission"),
    (
        {"submission_types": ["text"]},
        None,
        ("a.txt", b"x", "text/plain"),
        400,
        "/problems/invalid-submission",
    ),
    (
        {"submission_types": ["text", "file"], "allowed_file_types": [".pdf"]},
        None,
        ("a.exe", b"MZ", "application/octet-stream"),
        400,
        "/problems/file-type-not-allowed",
    ),
    (
        {"allowed_file_types": [], "max_file_bytes": 4},
        None,
        ("a.txt", b"12345", "text/plain"),
        413,
        "/problems/file-too-large",
    ),
]


async def test_submissions_that_do_not_fit_are_refused(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    for settings, text, file, status, problem in UNFIT_SUBMISSIONS:
        if settings:
            changed = await embedded.client.patch(course.url, json=settings, headers=course.staff)
            assert changed.status_code == 200
        response = await submit(embedded, course, course.learner1, text=text, file=file)
        assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
        assert response.json()["type"] == problem, (settings, text, file)
    assert await submission_count(embedded) == 0


async def test_late_policies(stack: Stack) -> None:
    now = datetime.now(UTC)
    # given an assignment due a day and a half ago that refuses late work
    course = await assignment_course(
        stack, due_at=iso(now - timedelta(hours=36)), late_policy="refuse"
    )
    response = await submit(stack, course, course.learner1, text="Too late?")
    assert (response.status_code, response.json()["type"]) == (409, "/problems/past-due")
    assert await submission_count(stack) == 0
    # when the policy becomes a 10 % per started day penalty capped at 15 %
    await stack.client.patch(
        course.url,
        json={"late_policy": "penalty", "penalty_percent_per_day": 10, "penalty_cap_percent": 15},
        headers=course.staff,
    )
    response = await submit(stack, course, course.learner1, text="Late work")
    # then the work is taken, flagged with how late it is, and the grade bears the penalty
    assert response.status_code == 201
    late = response.json()
    assert late["late"] is True
    assert 36 * 3600 <= late["late_by_seconds"] <= 36 * 3600 + 120
    graded = await stack.client.post(
        f"{course.url}/submissions/{late['id']}/grade",
        json={"score": 8, "feedback": "Good, but late."},
        headers=course.staff,
    )
    assert graded.status_code == 200, graded.text
    grade = graded.json()["grade"]
    assert (grade["score"], grade["penalty_percent"], grade["final_score"], grade["max_score"]) == (
        8.0,
        15.0,
        6.8,
        10.0,
    )
    # and with a due date in the future, work is on time
    await stack.client.patch(
        course.url, json={"due_at": iso(now + timedelta(days=2))}, headers=course.staff
    )
    response = await submit(stack, course, course.learner2, text="Early")
    assert (response.json()["late"], response.json()["late_by_seconds"]) == (False, 0)


async def test_resubmission_rules(stack: Stack) -> None:
    now = datetime.now(UTC)
    course = await assignment_course(stack, due_at=iso(now + timedelta(days=1)))
    # resubmitting before the due date adds a version and keeps the history
    first = (await submit(stack, course, course.learner1, text="Draft")).json()
    second = await submit(stack, course, course.learner1, text="Final")
    assert (second.status_code, second.json()["version"]) == (201, 2)
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()
    assert [(entry["version"], entry["text"]) for entry in mine] == [(2, "Final"), (1, "Draft")]
    # an older version cannot be graded
    response = await stack.client.post(
        f"{course.url}/submissions/{first['id']}/grade", json={"score": 5}, headers=course.staff
    )
    assert (response.status_code, response.json()["type"]) == (
        409,
        "/problems/superseded-submission",
    )
    # after the due date, "until_due" refuses (the penalty policy still takes first work)
    await stack.client.patch(
        course.url,
        json={"due_at": iso(now - timedelta(hours=1)), "late_policy": "accept"},
        headers=course.staff,
    )
    response = await submit(stack, course, course.learner1, text="Again")
    assert (response.status_code, response.json()["type"]) == (
        409,
        "/problems/resubmission-not-allowed",
    )
    # "until_graded" allows it until the grade, then refuses
    await stack.client.patch(
        course.url, json={"resubmission": "until_graded"}, headers=course.staff
    )
    third = (await submit(stack, course, course.learner1, text="Third")).json()
    assert third["version"] == 3
    await stack.client.post(
        f"{course.url}/submissions/{third['id']}/grade", json={"score": 9}, headers=course.staff
    )
    response = await submit(stack, course, course.learner1, text="Fourth")
    assert response.status_code == 409
    # "never" takes one submission only
    await stack.client.patch(course.url, json={"resubmission": "never"}, headers=course.staff)
    assert (await submit(stack, course, course.learner2, text="Only")).status_code == 201
    response = await submit(stack, course, course.learner2, text="Second")
    assert (response.status_code, response.json()["type"]) == (
        409,
        "/problems/resubmission-not-allowed",
    )
    assert await submission_count(stack) == 4


# ---------------------------------------------------------------- grading


async def test_queue_grading_progress_and_events(stack: Stack) -> None:
    # given a rubric assignment with work from both learners (learner 2 first)
    course = await assignment_course(
        stack,
        rubric=[
            {"title": "Content", "points": 7},
            {"title": "Form", "points": 3},
        ],
    )
    rubric = (await stack.client.get(course.url, headers=course.staff)).json()["rubric"]
    content, form = rubric[0]["id"], rubric[1]["id"]
    work2 = (await submit(stack, course, course.learner2, text="Lia's work")).json()
    work1 = (await submit(stack, course, course.learner1, text="Leo's work")).json()
    queue_url = f"/api/v1/courses/{course.id}/grading-queue"

    # when staff read the queue: oldest first, with names
    queue = (await stack.client.get(queue_url, headers=course.staff)).json()
    assert [
        (entry["submission"]["id"], entry["learner_name"], entry["learner_email"])
        for entry in queue["items"]
    ] == [
        (work2["id"], "Lia Learner", "learner2@example.com"),
        (work1["id"], "Leo Learner", "learner1@example.com"),
    ]
    assert queue["items"][0]["assignment_title"] == "Assignment 1"
    assert queue["next_cursor"] is None
    page = (await stack.client.get(f"{queue_url}?limit=1", headers=course.staff)).json()
    assert [entry["submission"]["id"] for entry in page["items"]] == [work2["id"]]
    page = (
        await stack.client.get(
            f"{queue_url}?limit=1&cursor={page['next_cursor']}", headers=course.staff
        )
    ).json()
    assert ([entry["submission"]["id"] for entry in page["items"]], page["next_cursor"]) == (
        [work1["id"]],
        None,
    )

    # then rubric grades that do not fit are refused
    grade_url = f"{course.url}/submissions/{work1['id']}/grade"
    for body in (
        {"score": 9},
        {"rubric": [{"criterion_id": content, "points": 7}]},
        {"rubric": [{"criterion_id": content, "points": 8}, {"criterion_id": form, "points": 1}]},
        {
            "score": 5,
            "rubric": [{"criterion_id": content, "points": 6}, {"criterion_id": form, "points": 1}],
        },
    ):
        response = await stack.client.post(grade_url, json=body, headers=course.staff)
        assert (response.status_code, response.json()["type"]) == (400, "/problems/invalid-grade")
    # and learners cannot grade (their own work included)
    response = await stack.client.post(
        grade_url, json={"score": 10, "rubric": None}, headers=course.learner1
    )
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-course-staff")
    assert await courses_outbox(stack, "submission.graded.v1") == []

    # when the instructor grades with the rubric
    response = await stack.client.post(
        grade_url,
        json={
            "rubric": [{"criterion_id": content, "points": 6}, {"criterion_id": form, "points": 2}],
            "feedback": "Solid.",
        },
        headers=course.staff,
    )
    assert response.status_code == 200, response.text
    grade = response.json()["grade"]
    instructor_id = grade["graded_by"]
    assert {key: value for key, value in grade.items() if key != "graded_at"} == {
        "score": 8.0,
        "rubric": [
            {"criterion_id": content, "points": 6.0},
            {"criterion_id": form, "points": 2.0},
        ],
        "penalty_percent": 0.0,
        "final_score": 8.0,
        "max_score": 10.0,
        "feedback": "Solid.",
        "graded_by": instructor_id,
    }
    # then the learner sees it, the item is complete with the score, and it is announced
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()
    assert (mine[0]["status"], mine[0]["grade"]) == ("graded", response.json()["grade"])
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        8.0,
        10.0,
    )
    graded_queue = (
        await stack.client.get(f"{queue_url}?status=graded", headers=course.staff)
    ).json()
    assert [entry["submission"]["id"] for entry in graded_queue["items"]] == [work1["id"]]
    ungraded = (await stack.client.get(f"{queue_url}?status=ungraded", headers=course.staff)).json()
    assert [entry["submission"]["id"] for entry in ungraded["items"]] == [work2["id"]]

    # and regrading announces the new score
    await stack.client.post(
        grade_url,
        json={
            "rubric": [{"criterion_id": content, "points": 7}, {"criterion_id": form, "points": 3}],
            "feedback": "On reflection, excellent.",
        },
        headers=course.staff,
    )
    events = await courses_outbox(stack, "submission.graded.v1")
    assert [
        {key: value for key, value in event.items() if key != "graded_at"} for event in events
    ] == [
        {
            "course_id": course.id,
            "course_title": "Test Course",
            "item_id": course.assignment_id,
            "item_title": "Assignment 1",
            "item_kind": "assignment",
            "submission_id": work1["id"],
            "user_id": course.learner1_id,
            "score": score,
            "max_score": 10.0,
            "percent": percent,
            "graded_by": instructor_id,
        }
        for score, percent in ((8.0, 80.0), (10.0, 100.0))
    ]
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        10.0,
        10.0,
    )


async def test_grading_rights_belong_to_this_courses_staff(stack: Stack) -> None:
    # given a course with work, and a teaching assistant of another course
    course = await assignment_course(stack)
    work = (await submit(stack, course, course.learner1, text="Work")).json()
    other, staff, _ = await published_course_with_items(stack, kinds=("lesson",), title="Other")
    _, ta = await stack.signed_up("ta@example.com", display_name="Tara Assistant")
    response = await stack.client.post(
        f"/api/v1/courses/{other['id']}/enrollments",
        json={"email": "ta@example.com", "role": "teaching_assistant"},
        headers=staff,
    )
    assert response.status_code == 201, response.text
    queue_url = f"/api/v1/courses/{course.id}/grading-queue"
    grade_url = f"{course.url}/submissions/{work['id']}/grade"
    # then neither that assistant nor a learner may read the queue or grade here
    for headers in (ta, course.learner1, course.learner2):
        response = await stack.client.get(queue_url, headers=headers)
        assert (response.status_code, response.json()["type"]) == (
            403,
            "/problems/not-course-staff",
        )
        response = await stack.client.post(grade_url, json={"score": 10}, headers=headers)
        assert response.status_code == 403
    assert (
        await stack.client.get(f"/api/v1/courses/{other['id']}/grading-queue", headers=ta)
    ).json() == {"items": [], "next_cursor": None}
    # and nothing was graded
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()
    assert mine[0]["status"] == "submitted"
    assert await courses_outbox(stack, "submission.graded.v1") == []


async def test_an_assignment_without_points_cannot_be_graded(embedded: Stack) -> None:
    course, staff, items = await published_course_with_items(embedded, kinds=("assignment",))
    url = f"/api/v1/courses/{course['id']}/assignments/{items[0]['id']}"
    learner_id, learner = await demo_learner(embedded, LEARNER_1)
    await enroll_self(embedded, course["id"], learner)
    work = await embedded.client.post(f"{url}/submissions", data={"text": "Hi"}, headers=learner)
    response = await embedded.client.post(
        f"{url}/submissions/{work.json()['id']}/grade", json={"score": 1}, headers=staff
    )
    assert (response.status_code, response.json()["type"]) == (409, "/problems/no-points")
    assert await item_progress(embedded, items[0]["id"], learner_id) == ("in_progress", None, None)


# ---------------------------------------------------------------- the course archive


async def test_archive_exports_and_imports_settings_and_rubric(embedded: Stack) -> None:
    course = await assignment_course(
        embedded,
        instructions="Read *this*.",
        due_at="2031-01-02T03:04:05Z",
        late_policy="penalty",
        penalty_percent_per_day=5,
        penalty_cap_percent=20,
        submission_types=["text"],
        resubmission="never",
        rubric=[{"title": "All", "description": "Everything", "points": 10}],
    )
    await submit(embedded, course, course.learner1, text="Not exported")
    target_course = await create_course(embedded, course.staff, title="Copy")
    section = await add_section(embedded, course.staff, target_course["id"], "S")
    target = await add_item(
        embedded, course.staff, target_course["id"], section["id"], "assignment", "Copy 1"
    )
    runtime = embedded.platform.runtime("courses")
    async with runtime.db.transaction() as session:
        exported = await archive.export_item(session, course.assignment_id)
        item = await session.get(Item, target["id"])
        assert item is not None
        item.max_points = 10
        await archive.import_item(session, target["id"], json.loads(json.dumps(exported)))
    assert "submissions" not in exported
    original = (await embedded.client.get(course.url, headers=course.staff)).json()
    copied = (
        await embedded.client.get(
            f"/api/v1/courses/{target_course['id']}/assignments/{target['id']}",
            headers=course.staff,
        )
    ).json()
    ignored = {"id", "course_id", "title"}
    assert {k: v for k, v in copied.items() if k not in ignored} == {
        k: v for k, v in original.items() if k not in ignored
    }
