"""Grading assignments on each tier: the queue, one submission with its versions, grades
that do not fit (each cause its own problem and per-criterion codes), grading any version,
who may grade, and the events."""

from __future__ import annotations

from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    LEARNER_1,
    assignment_course,
    courses_outbox,
    demo_learner,
    enroll_self,
    item_progress,
    outbox_rows,
    problem_of,
    submit,
)
from tests.services.courses.support import published_course_with_items


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

    # then grades that do not fit are refused, each with its own problem
    grade_url = f"{course.submission_url(work1['id'])}/grade"
    cases = [
        ({"score": 9}, "/problems/rubric-points-required", []),
        (
            {"rubric": [{"criterion_id": content, "points": 7}]},
            "/problems/invalid-rubric-points",
            [(f"rubric.{form}", "missing_criterion")],
        ),
        (
            {
                "rubric": [
                    {"criterion_id": content, "points": 8},
                    {"criterion_id": form, "points": 1},
                    {"criterion_id": "nope", "points": 1},
                ]
            },
            "/problems/invalid-rubric-points",
            [(f"rubric.{content}", "above_criterion_points"), ("rubric.nope", "unknown_criterion")],
        ),
        (
            {
                "score": 5,
                "rubric": [
                    {"criterion_id": content, "points": 6},
                    {"criterion_id": form, "points": 1},
                ],
            },
            "/problems/score-not-rubric-sum",
            [],
        ),
    ]
    for body, problem, codes in cases:
        response = await stack.client.post(grade_url, json=body, headers=course.staff)
        assert problem_of(response) == (400, problem), body
        errors = response.json().get("errors") or []
        assert [(error["field"], error["code"]) for error in errors] == codes, body
    # and learners cannot grade (their own work included)
    response = await stack.client.post(
        grade_url, json={"score": 10, "rubric": None}, headers=course.learner1
    )
    assert problem_of(response) == (403, "/problems/not-course-staff")
    assert await courses_outbox(stack, "submission.graded.v1") == []
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "submitted",
        None,
        None,
    )

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
        "feedback_html": "<p>Solid.</p>\n",
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

    # and regrading announces the new score, with the course as the event's subject
    await stack.client.post(
        grade_url,
        json={
            "rubric": [{"criterion_id": content, "points": 7}, {"criterion_id": form, "points": 3}],
            "feedback": "On reflection, excellent.",
        },
        headers=course.staff,
    )
    events = await outbox_rows(stack, "submission.graded.v1")
    assert [
        (subject, {key: value for key, value in data.items() if key != "graded_at"})
        for subject, data in events
    ] == [
        (
            course.id,
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
            },
        )
        for score, percent in ((8.0, 80.0), (10.0, 100.0))
    ]
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        10.0,
        10.0,
    )


async def test_staff_read_one_submission_with_its_versions_and_grade_an_older_one(
    stack: Stack,
) -> None:
    # given a learner who handed in two versions
    course = await assignment_course(stack)
    first = (await submit(stack, course, course.learner1, text="Draft")).json()
    second = (await submit(stack, course, course.learner1, text="Final")).json()
    # when staff open the first version
    response = await stack.client.get(course.submission_url(first["id"]), headers=course.staff)
    # then they see it, that it is not the latest, and every version newest first
    assert response.status_code == 200, response.text
    detail = response.json()
    assert (detail["submission"]["id"], detail["submission"]["text"]) == (first["id"], "Draft")
    assert (detail["is_latest"], detail["assignment_title"]) == (False, "Assignment 1")
    assert (detail["learner_name"], detail["learner_email"]) == (
        "Leo Learner",
        "learner1@example.com",
    )
    assert [version["id"] for version in detail["versions"]] == [second["id"], first["id"]]
    latest = (
        await stack.client.get(course.submission_url(second["id"]), headers=course.staff)
    ).json()
    assert latest["is_latest"] is True

    # when the older version is graded, it is the grade that counts
    graded = await stack.client.post(
        f"{course.submission_url(first['id'])}/grade", json={"score": 6}, headers=course.staff
    )
    assert graded.status_code == 200, graded.text
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        6.0,
        10.0,
    )
    # and grading the newer one afterwards makes that one count
    await stack.client.post(
        f"{course.submission_url(second['id'])}/grade", json={"score": 9}, headers=course.staff
    )
    assert await item_progress(stack, course.assignment_id, course.learner1_id) == (
        "completed",
        9.0,
        10.0,
    )
    grades = await stack.client.get(
        f"/api/v1/courses/{course.id}/grades/me", headers=course.learner1
    )
    assert grades.json()["grades"][0]["score"] == 9.0
    events = await courses_outbox(stack, "submission.graded.v1")
    assert [(event["submission_id"], event["score"]) for event in events] == [
        (first["id"], 6.0),
        (second["id"], 9.0),
    ]

    # and learners, including the author, cannot open it through the staff's route
    for headers in (course.learner1, course.learner2):
        response = await stack.client.get(course.submission_url(first["id"]), headers=headers)
        assert problem_of(response) == (403, "/problems/not-course-staff")
    missing = await stack.client.get(course.submission_url("nope"), headers=course.staff)
    assert problem_of(missing) == (404, "/problems/submission-not-found")


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
    grade_url = f"{course.submission_url(work['id'])}/grade"
    # then neither that assistant nor a learner may read the queue, the work or grade here
    for headers in (ta, course.learner1, course.learner2):
        for response in (
            await stack.client.get(queue_url, headers=headers),
            await stack.client.get(course.submission_url(work["id"]), headers=headers),
            await stack.client.post(grade_url, json={"score": 10}, headers=headers),
        ):
            assert problem_of(response) == (403, "/problems/not-course-staff")
    assert (
        await stack.client.get(f"/api/v1/courses/{other['id']}/grading-queue", headers=ta)
    ).json() == {"items": [], "next_cursor": None}
    # and nothing was graded
    mine = (
        await stack.client.get(f"{course.url}/submissions/mine", headers=course.learner1)
    ).json()
    assert mine[0]["status"] == "submitted"
    assert await courses_outbox(stack, "submission.graded.v1") == []


async def test_grades_without_a_rubric(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    work = (await submit(embedded, course, course.learner1, text="Work")).json()
    grade_url = f"{course.submission_url(work['id'])}/grade"
    cases = [
        ({}, "/problems/score-required", [("score", "missing")]),
        ({"score": 11}, "/problems/score-above-maximum", [("score", "above_maximum")]),
        ({"rubric": [{"criterion_id": "x", "points": 1}]}, "/problems/no-rubric", []),
    ]
    for body, problem, codes in cases:
        response = await embedded.client.post(grade_url, json=body, headers=course.staff)
        assert problem_of(response) == (400, problem), body
        errors = response.json().get("errors") or []
        assert [(error["field"], error["code"]) for error in errors] == codes
    response = await embedded.client.post(grade_url, json={"score": -1}, headers=course.staff)
    assert problem_of(response) == (422, "/problems/validation-error")
    assert response.json()["errors"][0]["code"] == "greater_than_equal"
    assert await courses_outbox(embedded, "submission.graded.v1") == []


async def test_an_assignment_without_points_cannot_be_graded(embedded: Stack) -> None:
    course, staff, items = await published_course_with_items(embedded, kinds=("assignment",))
    url = f"/api/v1/courses/{course['id']}/assignments/{items[0]['id']}"
    learner_id, learner = await demo_learner(embedded, LEARNER_1)
    await enroll_self(embedded, course["id"], learner)
    work = await embedded.client.post(f"{url}/submissions", data={"text": "Hi"}, headers=learner)
    response = await embedded.client.post(
        f"{url}/submissions/{work.json()['id']}/grade", json={"score": 1}, headers=staff
    )
    assert problem_of(response) == (409, "/problems/no-points")
    assert await item_progress(embedded, items[0]["id"], learner_id) == ("submitted", None, None)
