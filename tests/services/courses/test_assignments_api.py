"""The assignments API on each tier: settings, the rubric one criterion at a time, who may
read and change them, and the course archive."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from learnhub.services.courses.assignments import archive
from learnhub.services.courses.models import Item
from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    assignment_course,
    problem_of,
    submit,
    without_viewer,
)
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    published_course_with_items,
)

# ---------------------------------------------------------------- settings


async def test_staff_configure_an_assignment_and_learners_read_it(stack: Stack) -> None:
    # given a course whose assignment has the defaults
    course = await assignment_course(stack)
    defaults = (await stack.client.get(course.url, headers=course.learner1)).json()
    assert {
        key: value for key, value in defaults.items() if key not in {"id", "course_id", "viewer"}
    } == {
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
    settings = without_viewer(response.json())
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
    read = await stack.client.get(course.url, headers=course.learner2)
    assert without_viewer(read.json()) == settings
    # and a rubric that does not add up to the points is refused, changing nothing
    response = await stack.client.patch(
        course.url,
        json={"rubric": [{"id": rubric[0]["id"], "title": "Argument", "points": 10}]},
        headers=course.staff,
    )
    assert problem_of(response) == (400, "/problems/rubric-total-mismatch")
    assert (response.json()["rubric_total"], response.json()["points"]) == (10.0, 20.0)
    read = await stack.client.get(course.url, headers=course.staff)
    assert without_viewer(read.json()) == settings


async def test_who_may_read_and_change_an_assignment(stack: Stack) -> None:
    course = await assignment_course(
        stack, instructions="Original", rubric=[{"title": "All", "points": 10}]
    )
    _, stranger = await stack.signed_up("stranger@example.com")
    before = (await stack.client.get(course.url, headers=course.staff)).json()
    criterion = {"title": "Sneaky", "points": 1}
    existing = f"{course.url}/rubric/{before['rubric'][0]['id']}"

    assert problem_of(await stack.client.get(course.url, headers=stranger)) == (
        403,
        "/problems/not-enrolled",
    )
    assert (await stack.client.get(course.url)).status_code == 401
    for headers in (course.learner1, stranger):
        for response in (
            await stack.client.patch(course.url, json={"instructions": "Hacked"}, headers=headers),
            await stack.client.post(f"{course.url}/rubric", json=criterion, headers=headers),
            await stack.client.patch(existing, json={"points": 1}, headers=headers),
            await stack.client.delete(existing, headers=headers),
        ):
            assert problem_of(response) == (403, "/problems/not-course-staff")
    missing = await stack.client.get(
        f"/api/v1/courses/{course.id}/assignments/nope", headers=course.staff
    )
    assert problem_of(missing) == (404, "/problems/assignment-not-found")
    assert (await stack.client.get(course.url, headers=course.staff)).json() == before


INVALID_SETTINGS = [
    ({"late_policy": "sometimes"}, 422, "/problems/validation-error", "literal_error"),
    ({"submission_types": []}, 422, "/problems/validation-error", "too_short"),
    ({"submission_types": ["text", "text"]}, 422, "/problems/validation-error", "repeated_value"),
    (
        {"allowed_file_types": ["not an ext!"]},
        422,
        "/problems/validation-error",
        "not_a_file_extension",
    ),
    ({"due_at": "2030-01-01T10:00:00"}, 422, "/problems/validation-error", "timezone_aware"),
    ({"rubric": [{"title": "A", "points": 0}]}, 422, "/problems/validation-error", "greater_than"),
    ({"resubmission": None}, 422, "/problems/validation-error", "null_not_allowed"),
    (
        {"max_file_bytes": 50 * 1024 * 1024 + 1},
        400,
        "/problems/file-limit-above-platform",
        "above_platform_limit",
    ),
    ({"rubric": [{"title": "A", "points": 4}]}, 400, "/problems/rubric-total-mismatch", None),
    (
        {"rubric": [{"id": "unknown", "title": "A", "points": 10}]},
        400,
        "/problems/unknown-rubric-criterion",
        "unknown_criterion",
    ),
]


async def test_invalid_settings_are_refused_each_with_its_own_problem(embedded: Stack) -> None:
    course, staff, items = await published_course_with_items(embedded, kinds=("assignment",))
    url = f"/api/v1/courses/{course['id']}/assignments/{items[0]['id']}"
    assert (await embedded.client.patch(url, json={"points": 10}, headers=staff)).status_code == 200
    before = (await embedded.client.get(url, headers=staff)).json()
    for payload, status, problem, code in INVALID_SETTINGS:
        response = await embedded.client.patch(url, json=payload, headers=staff)
        assert problem_of(response) == (status, problem), payload
        codes = [error["code"] for error in response.json().get("errors") or []]
        assert codes == ([code] if code else []), payload
    assert (await embedded.client.get(url, headers=staff)).json() == before


# ---------------------------------------------------------------- the rubric, one criterion at a time


async def test_the_rubric_changes_one_criterion_at_a_time(stack: Stack) -> None:
    # given an assignment worth 10 points without a rubric
    course = await assignment_course(stack)
    rubric_url = f"{course.url}/rubric"
    # when the instructor adds two criteria
    first = await stack.client.post(
        rubric_url, json={"title": "Content", "points": 6}, headers=course.staff
    )
    second = await stack.client.post(
        rubric_url,
        json={"title": "Form", "description": "Spelling", "points": 2},
        headers=course.staff,
    )
    # then they are kept in order and the assignment is worth their total
    assert (first.status_code, second.status_code) == (201, 201), second.text
    body = second.json()
    content, form = body["rubric"]
    assert [(c["title"], c["description"], c["points"]) for c in body["rubric"]] == [
        ("Content", "", 6.0),
        ("Form", "Spelling", 2.0),
    ]
    assert body["points"] == 8.0
    # when one criterion changes, and the other is removed
    changed = await stack.client.patch(
        f"{rubric_url}/{content['id']}", json={"points": 7.5}, headers=course.staff
    )
    removed = await stack.client.delete(f"{rubric_url}/{form['id']}", headers=course.staff)
    # then the one left keeps its id and the points follow
    assert changed.status_code == 200, changed.text
    assert removed.status_code == 200, removed.text
    assert [(c["id"], c["title"], c["points"]) for c in removed.json()["rubric"]] == [
        (content["id"], "Content", 7.5)
    ]
    assert removed.json()["points"] == 7.5
    # and an unknown criterion is a 404 problem, a bad one a 422, changing nothing
    before = (await stack.client.get(course.url, headers=course.staff)).json()
    missing = await stack.client.patch(
        f"{rubric_url}/nope", json={"points": 1}, headers=course.staff
    )
    assert problem_of(missing) == (404, "/problems/rubric-criterion-not-found")
    missing = await stack.client.delete(f"{rubric_url}/nope", headers=course.staff)
    assert problem_of(missing) == (404, "/problems/rubric-criterion-not-found")
    for payload in ({"points": 0}, {"title": None}, {"title": "x", "extra": 1}):
        response = await stack.client.patch(
            f"{rubric_url}/{content['id']}", json=payload, headers=course.staff
        )
        assert problem_of(response) == (422, "/problems/validation-error"), payload
    assert (await stack.client.get(course.url, headers=course.staff)).json() == before


async def test_criteria_added_at_the_same_time_all_land(stack: Stack) -> None:
    # given an assignment without a rubric
    course = await assignment_course(stack)
    # when three criteria are added at once
    responses = await asyncio.gather(
        *(
            stack.client.post(
                f"{course.url}/rubric",
                json={"title": f"Criterion {n}", "points": n},
                headers=course.staff,
            )
            for n in (1, 2, 3)
        )
    )
    # then none is lost and the points are their total
    assert [response.status_code for response in responses] == [201, 201, 201]
    read = (await stack.client.get(course.url, headers=course.staff)).json()
    assert sorted(c["title"] for c in read["rubric"]) == [
        "Criterion 1",
        "Criterion 2",
        "Criterion 3",
    ]
    assert read["points"] == 6.0


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
