"""Groups of a course's learners: instructors make them and put learners in them, staff
filter the gradebook (and its CSV) and both grading queues by them, and every refusal is
clear and leaves nothing half done."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.services.courses.assignments_support import assignment_course, problem_of, submit


async def _group(stack: Stack, course_id: str, headers: dict[str, str], name: str) -> Any:
    response = await stack.client.post(
        f"/api/v1/courses/{course_id}/groups", json={"name": name}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_groups_filter_the_gradebook_and_the_queue(stack: Stack) -> None:
    # given two learners with work handed in, and two groups
    course = await assignment_course(stack)
    await submit(stack, course, course.learner1, text="Mine")
    await submit(stack, course, course.learner2, text="Theirs")
    monday = await _group(stack, course.id, course.staff, "  Monday   class ")
    friday = await _group(stack, course.id, course.staff, "Friday class")
    assert monday["name"] == "Monday class"
    # when the first learner joins Monday's group
    groups_url = f"/api/v1/courses/{course.id}/groups"
    moved = await stack.client.post(
        f"{groups_url}/{monday['id']}/members",
        json={"user_ids": [course.learner1_id]},
        headers=course.staff,
    )
    assert (moved.status_code, moved.json()["learner_count"]) == (200, 1)
    listed = (await stack.client.get(groups_url, headers=course.staff)).json()
    assert [(g["name"], g["learner_count"]) for g in listed] == [
        ("Friday class", 0),
        ("Monday class", 1),
    ]
    # then each view filtered by the group shows that learner only
    book = await stack.client.get(
        f"/api/v1/courses/{course.id}/gradebook",
        params={"group_id": monday["id"]},
        headers=course.staff,
    )
    assert [row["user_id"] for row in book.json()["learners"]] == [course.learner1_id]
    assert book.json()["learner_count"] == 1
    queue = await stack.client.get(
        f"/api/v1/courses/{course.id}/grading-queue",
        params={"group_id": monday["id"]},
        headers=course.staff,
    )
    assert [e["submission"]["user_id"] for e in queue.json()["items"]] == [course.learner1_id]
    empty = await stack.client.get(
        f"/api/v1/courses/{course.id}/grading-queue",
        params={"group_id": friday["id"]},
        headers=course.staff,
    )
    assert empty.json()["items"] == []
    csv = await stack.client.get(
        f"/api/v1/courses/{course.id}/gradebook.csv",
        params={"group_id": monday["id"]},
        headers=course.staff,
    )
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 2
    # and moving the learner to Friday, then deleting Friday, leaves them in no group
    await stack.client.post(
        f"{groups_url}/{friday['id']}/members",
        json={"user_ids": [course.learner1_id]},
        headers=course.staff,
    )
    deleted = await stack.client.delete(f"{groups_url}/{friday['id']}", headers=course.staff)
    assert deleted.status_code == 204
    members = await stack.client.get(
        f"/api/v1/courses/{course.id}/enrollments",
        params={"role": "learner"},
        headers=course.staff,
    )
    assert {m["group_id"] for m in members.json()["items"]} == {None}


async def test_group_refusals(embedded: Stack) -> None:
    course = await assignment_course(embedded)
    group = await _group(embedded, course.id, course.staff, "Lab A")
    groups_url = f"/api/v1/courses/{course.id}/groups"
    # a name the course uses, a blank one
    taken = await embedded.client.post(groups_url, json={"name": "Lab A"}, headers=course.staff)
    assert problem_of(taken) == (409, "/problems/group-name-taken")
    blank = await embedded.client.post(groups_url, json={"name": "  "}, headers=course.staff)
    assert problem_of(blank) == (422, "/problems/validation-error")
    other = await _group(embedded, course.id, course.staff, "Lab B")
    renamed = await embedded.client.patch(
        f"{groups_url}/{other['id']}", json={"name": "Lab A"}, headers=course.staff
    )
    assert problem_of(renamed) == (409, "/problems/group-name-taken")
    # someone who is not a learner of the course: all or none
    response = await embedded.client.post(
        f"{groups_url}/{group['id']}/members",
        json={"user_ids": [course.learner1_id, "stranger"]},
        headers=course.staff,
    )
    assert problem_of(response) == (400, "/problems/not-learners-of-course")
    assert response.json()["user_ids"] == ["stranger"]
    listed = (await embedded.client.get(groups_url, headers=course.staff)).json()
    assert [g["learner_count"] for g in listed] == [0, 0]
    # a group of another course, or none at all, is not found
    for url in (
        f"/api/v1/courses/{course.id}/gradebook",
        f"/api/v1/courses/{course.id}/gradebook.csv",
        f"/api/v1/courses/{course.id}/grading-queue",
        f"/api/v1/courses/{course.id}/quiz-grading-queue",
    ):
        missing = await embedded.client.get(url, params={"group_id": "nope"}, headers=course.staff)
        assert problem_of(missing) == (404, "/problems/group-not-found"), url
    # learners may neither read nor change groups
    assert problem_of(await embedded.client.get(groups_url, headers=course.learner1))[0] == 403
    response = await embedded.client.post(
        groups_url, json={"name": "Mine"}, headers=course.learner1
    )
    assert problem_of(response)[0] == 403
    assert problem_of(await embedded.client.get(groups_url))[0] == 401
