"""Handing in assignments on each tier: text and files, who may download them, work that
does not fit (each cause its own problem), late policies and the resubmission rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    assignment_course,
    iso,
    item_progress,
    problem_of,
    submission_count,
    submit,
)


async def test_markdown_work_and_feedback_are_rendered_without_script(stack: Stack) -> None:
    course = await assignment_course(stack)
    # when a learner hands in Markdown with script in it, and the instructor answers in kind
    work = "# My report\n\n**Rusting** <script>alert(1)</script> <img src=x onerror=alert(1)>"
    response = await submit(stack, course, course.learner1, text=work)
    assert response.status_code == 201, response.text
    submission = response.json()
    graded = await stack.client.post(
        f"{course.submission_url(submission['id'])}/grade",
        json={"score": 7, "feedback": "A *fine* start. <a href='javascript:alert(1)'>more</a>"},
        headers=course.staff,
    )
    assert graded.status_code == 200, graded.text
    # then the text is kept as written and offered as HTML with the script taken out
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()[0]
    assert mine["text"] == work
    assert mine["text_html"].startswith("<h3>My report</h3>")  # below the page's headings
    assert "<strong>Rusting</strong>" in mine["text_html"]
    assert "<script" not in mine["text_html"]
    assert "onerror" not in mine["text_html"]
    feedback = mine["grade"]["feedback_html"]
    assert "<em>fine</em>" in feedback
    assert "javascript:" not in feedback


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
    # then a first version is kept, on time, and the item waits for its grade
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
        "text_html": "<p>My essay</p>\n",
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
        "returned": False,
    }
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "submitted",
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
        assert problem_of(response) == (403, "/problems/not-your-submission")
    # and someone not enrolled cannot submit (nothing is stored)
    response = await submit(stack, course, stranger, text="Let me in")
    assert problem_of(response) == (403, "/problems/not-enrolled")
    assert await submission_count(stack) == 1


async def test_a_text_submission_has_no_file(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    work = (await submit(embedded, course, course.learner1, text="Just text")).json()
    response = await embedded.client.get(
        f"{course.submission_url(work['id'])}/file", headers=course.staff
    )
    assert problem_of(response) == (404, "/problems/submission-has-no-file")


UNFIT_SUBMISSIONS = [
    ({}, None, None, 400, "/problems/empty-submission"),
    ({}, "   ", None, 400, "/problems/empty-submission"),
    ({}, "x" * 100_001, None, 400, "/problems/text-too-long"),
    ({}, None, ("empty.txt", b"", "text/plain"), 400, "/problems/empty-file"),
    ({"submission_types": ["file"]}, "text", None, 400, "/problems/text-not-accepted"),
    (
        {"submission_types": ["text"]},
        None,
        ("a.txt", b"x", "text/plain"),
        400,
        "/problems/file-not-accepted",
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


async def test_submissions_that_do_not_fit_are_refused_each_with_its_cause(
    embedded: Stack,
) -> None:
    course = await assignment_course(embedded)
    for settings, text, file, status, problem in UNFIT_SUBMISSIONS:
        if settings:
            changed = await embedded.client.patch(course.url, json=settings, headers=course.staff)
            assert changed.status_code == 200
        response = await submit(embedded, course, course.learner1, text=text, file=file)
        assert problem_of(response) == (status, problem), (settings, text, file)
    assert await submission_count(embedded) == 0
    assert await item_progress(embedded, course.assignment_id, course.learner1_id) is None


async def test_late_policies(stack: Stack) -> None:
    now = datetime.now(UTC)
    # given an assignment due a day and a half ago that refuses late work
    course = await assignment_course(
        stack, due_at=iso(now - timedelta(hours=36)), late_policy="refuse"
    )
    response = await submit(stack, course, course.learner1, text="Too late?")
    assert problem_of(response) == (409, "/problems/past-due")
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
        f"{course.submission_url(late['id'])}/grade",
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


async def test_resubmission_rules_each_refused_with_its_own_problem(stack: Stack) -> None:
    now = datetime.now(UTC)
    course = await assignment_course(stack, due_at=iso(now + timedelta(days=1)))
    # resubmitting before the due date adds a version and keeps the history
    await submit(stack, course, course.learner1, text="Draft")
    second = await submit(stack, course, course.learner1, text="Final")
    assert (second.status_code, second.json()["version"]) == (201, 2)
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()
    assert [(entry["version"], entry["text"]) for entry in mine] == [(2, "Final"), (1, "Draft")]
    # after the due date, "until_due" refuses (the penalty policy still takes first work)
    await stack.client.patch(
        course.url,
        json={"due_at": iso(now - timedelta(hours=1)), "late_policy": "accept"},
        headers=course.staff,
    )
    response = await submit(stack, course, course.learner1, text="Again")
    assert problem_of(response) == (409, "/problems/resubmission-closed")
    # "until_graded" allows it until the grade, then refuses
    await stack.client.patch(
        course.url, json={"resubmission": "until_graded"}, headers=course.staff
    )
    third = (await submit(stack, course, course.learner1, text="Third")).json()
    assert third["version"] == 3
    await stack.client.post(
        f"{course.submission_url(third['id'])}/grade", json={"score": 9}, headers=course.staff
    )
    response = await submit(stack, course, course.learner1, text="Fourth")
    assert problem_of(response) == (409, "/problems/already-graded")
    # "never" takes one submission only
    await stack.client.patch(course.url, json={"resubmission": "never"}, headers=course.staff)
    assert (await submit(stack, course, course.learner2, text="Only")).status_code == 201
    response = await submit(stack, course, course.learner2, text="Second")
    assert problem_of(response) == (409, "/problems/single-submission-only")
    assert await submission_count(stack) == 4
