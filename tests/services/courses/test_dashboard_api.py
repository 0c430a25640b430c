"""The learner's dashboard, on each tier: their courses in order, with progress, next item and
due dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Stack
from tests.services.courses.support import published_course_with_items


async def test_dashboard_orders_courses_and_shows_what_is_next(stack: Stack) -> None:
    # given: three courses the learner joins, and one they teach
    started, staff, started_items = await published_course_with_items(
        stack, kinds=("lesson", "assignment", "assignment"), title="Started"
    )
    fresh, _, fresh_items = await published_course_with_items(
        stack, kinds=("lesson",), title="Fresh"
    )
    done, _, done_items = await published_course_with_items(stack, kinds=("lesson",), title="Done")
    teaching, _, _ = await published_course_with_items(stack, kinds=("lesson",), title="Teaching")
    _, headers = await stack.signed_up("ana@example.com", display_name="Ana")
    for course in (started, fresh, done):
        response = await stack.client.post(
            f"/api/v1/courses/{course['id']}/enrollments", headers=headers
        )
        assert response.status_code == 201
    ta = await stack.client.post(
        f"/api/v1/courses/{teaching['id']}/enrollments",
        json={"email": "ana@example.com", "role": "teaching_assistant"},
        headers=staff,
    )
    assert ta.status_code == 201
    soon = datetime.now(UTC) + timedelta(days=3)
    later = datetime.now(UTC) + timedelta(days=45)
    for item, due_at in ((started_items[1], soon), (started_items[2], later)):
        response = await stack.client.patch(
            f"/api/v1/courses/{started['id']}/assignments/{item['id']}",
            json={"due_at": due_at.isoformat()},
            headers=staff,
        )
        assert response.status_code == 200, response.text
    await stack.client.post(
        f"/api/v1/courses/{started['id']}/items/{started_items[0]['id']}/complete", headers=headers
    )
    await stack.client.post(
        f"/api/v1/courses/{done['id']}/items/{done_items[0]['id']}/complete", headers=headers
    )
    # when
    response = await stack.client.get("/api/v1/me/courses", headers=headers)
    # then
    assert response.status_code == 200
    entries = response.json()
    assert [(e["course"]["title"], e["role"], e["state"], e["percent"]) for e in entries] == [
        ("Started", "learner", "in_progress", 33.3),
        ("Fresh", "learner", "not_started", 0.0),
        ("Done", "learner", "completed", 100.0),
        ("Teaching", "teaching_assistant", "teaching", None),
    ]
    first = entries[0]
    assert first["next_item"] == {
        "id": started_items[1]["id"],
        "title": "Assignment 2",
        "kind": "assignment",
    }
    assert [(d["item_id"], d["title"]) for d in first["upcoming_due"]] == [
        (started_items[1]["id"], "Assignment 2")
    ]
    assert datetime.fromisoformat(first["upcoming_due"][0]["due_at"]) == soon
    assert entries[1]["next_item"]["id"] == fresh_items[0]["id"]
    assert (entries[2]["completed"], entries[2]["next_item"]) == (True, None)
    # someone else's dashboard is their own; anonymous callers must sign in
    _, other = await stack.signed_up("bob@example.com")
    assert (await stack.client.get("/api/v1/me/courses", headers=other)).json() == []
    assert (await stack.client.get("/api/v1/me/courses")).status_code == 401


async def test_dashboard_counts_items_and_gives_the_certificate(stack: Stack) -> None:
    # given: a learner half-way through one course and done with another
    half, _, half_items = await published_course_with_items(
        stack, kinds=("lesson", "lesson"), title="Half"
    )
    done, _, done_items = await published_course_with_items(stack, kinds=("lesson",), title="Done")
    _, headers = await stack.signed_up("cleo@example.com", display_name="Cleo")
    for course in (half, done):
        response = await stack.client.post(
            f"/api/v1/courses/{course['id']}/enrollments", headers=headers
        )
        assert response.status_code == 201
    await stack.client.post(
        f"/api/v1/courses/{half['id']}/items/{half_items[0]['id']}/complete", headers=headers
    )
    completion = await stack.client.post(
        f"/api/v1/courses/{done['id']}/items/{done_items[0]['id']}/complete", headers=headers
    )
    code = completion.json()["certificate_code"]
    assert code
    # when
    entries = (await stack.client.get("/api/v1/me/courses", headers=headers)).json()
    # then: "n of m done" and the certificate come with each entry, as progress/me gives them
    by_title = {entry["course"]["title"]: entry for entry in entries}
    assert (
        by_title["Half"]["completed_items"],
        by_title["Half"]["total_items"],
        by_title["Half"]["certificate_code"],
    ) == (1, 2, None)
    assert (
        by_title["Done"]["completed_items"],
        by_title["Done"]["total_items"],
        by_title["Done"]["certificate_code"],
    ) == (1, 1, code)
    mine = await stack.client.get(f"/api/v1/courses/{done['id']}/progress/me", headers=headers)
    assert mine.json()["certificate_code"] == code
