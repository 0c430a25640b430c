"""The course's ``viewer`` block says what the caller may do, and it agrees with what the
API then does when they join or leave; and items move one place at a time, so concurrent
moves are not lost."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import Stack
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
    published_course_with_items,
)

PROBLEM = "application/problem+json"


def _outcome(response: httpx.Response) -> str | None:
    if response.status_code < 400:
        return None
    assert response.headers["content-type"] == PROBLEM, response.text
    return response.json()["type"].rsplit("/", 1)[1]


async def _viewer(stack: Stack, course_id: str, headers: dict[str, str] | None) -> dict[str, Any]:
    response = await stack.client.get(f"/api/v1/courses/{course_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()["viewer"]


async def _joins_as_said(
    stack: Stack, course_id: str, headers: dict[str, str], *, expect: str | None
) -> dict[str, Any]:
    viewer = await _viewer(stack, course_id, headers)
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    outcome = _outcome(response)
    assert (viewer["can_enroll"], viewer["enroll_refusal"]) == (outcome is None, outcome)
    assert outcome == expect, response.text
    return viewer


async def test_the_viewer_block_agrees_with_joining(stack: Stack) -> None:
    # given an open published course
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    _, ann = await learner(stack, "ann@example.com")
    # anonymous visitors are told to log in
    anonymous = await _viewer(stack, course["id"], None)
    assert anonymous == {
        "role": None,
        "status": None,
        "enrollment_id": None,
        "can_edit": False,
        "is_staff": False,
        "is_learner": False,
        "can_grade": False,
        "can_study": False,
        "can_announce": False,
        "can_enroll": False,
        "enroll_needs_approval": False,
        "enroll_refusal": "unauthorized",
        "can_unenroll": False,
    }
    # a signed-in visitor may join, then studies, then may not join again
    viewer = await _joins_as_said(stack, course["id"], ann, expect=None)
    assert (viewer["can_study"], viewer["can_unenroll"]) == (False, False)
    viewer = await _joins_as_said(stack, course["id"], ann, expect="already-enrolled")
    assert (viewer["role"], viewer["status"], viewer["can_study"], viewer["can_unenroll"]) == (
        "learner",
        "active",
        True,
        True,
    )
    # leaving with the enrollment the viewer names is accepted
    left = await stack.client.delete(
        f"/api/v1/courses/{course['id']}/enrollments/{viewer['enrollment_id']}", headers=ann
    )
    assert left.status_code == 204, left.text
    assert (await _viewer(stack, course["id"], ann))["can_study"] is False
    # by invitation only, and an archived course
    _, bob = await learner(stack, "bob@example.com")
    await stack.client.patch(
        f"/api/v1/courses/{course['id']}", json={"enrollment_policy": "invite"}, headers=staff
    )
    await _joins_as_said(stack, course["id"], bob, expect="invite-only")
    await stack.client.patch(
        f"/api/v1/courses/{course['id']}",
        json={"enrollment_policy": "approval", "visibility": "archived"},
        headers=staff,
    )
    await _joins_as_said(stack, course["id"], bob, expect="course-state")


async def test_requests_staff_and_the_owner(stack: Stack) -> None:
    course, staff, _ = await published_course_with_items(
        stack, kinds=("lesson",), enrollment_policy="approval"
    )
    _, ann = await learner(stack, "ann@example.com")
    # joining an approval course makes a request, which may be withdrawn
    viewer = await _joins_as_said(stack, course["id"], ann, expect=None)
    assert viewer["enroll_needs_approval"] is True
    pending = await _viewer(stack, course["id"], ann)
    assert (pending["status"], pending["can_study"], pending["can_unenroll"]) == (
        "pending",
        False,
        True,
    )
    # the owner may edit, grade and study, and may not leave
    owner = await _viewer(stack, course["id"], staff)
    assert (owner["can_edit"], owner["can_grade"], owner["can_study"], owner["can_unenroll"]) == (
        True,
        True,
        True,
        False,
    )
    left = await stack.client.delete(
        f"/api/v1/courses/{course['id']}/enrollments/{owner['enrollment_id']}", headers=staff
    )
    assert (left.status_code, left.json()["type"]) == (409, "/problems/owner-membership")


async def test_items_move_one_place_at_a_time(stack: Stack) -> None:
    # given two sections: [a, b] and [c]
    headers = await instructor(stack)
    course = await create_course(stack, headers)
    first = await add_section(stack, headers, course["id"], "One")
    second = await add_section(stack, headers, course["id"], "Two")
    a, b = [
        await add_item(stack, headers, course["id"], first["id"], "lesson", title)
        for title in ("A", "B")
    ]
    c = await add_item(stack, headers, course["id"], second["id"], "lesson", "C")
    await publish(stack, headers, course["id"])

    async def move(item: dict[str, Any], direction: str, who: dict[str, str] = headers) -> Any:
        return await stack.client.post(
            f"/api/v1/courses/{course['id']}/items/{item['id']}/move",
            json={"direction": direction},
            headers=who,
        )

    async def read_outline() -> dict[str, Any]:
        detail = await stack.client.get(f"/api/v1/courses/{course['id']}", headers=headers)
        return {"sections": detail.json()["sections"]}

    def titles(outline: dict[str, Any]) -> list[list[str]]:
        return [[item["title"] for item in section["items"]] for section in outline["sections"]]

    # within a section, across its edge, and at the very end (nothing moves)
    assert titles((await move(b, "up")).json()) == [["B", "A"], ["C"]]
    assert titles((await move(a, "down")).json()) == [["B"], ["A", "C"]]
    assert titles((await move(c, "down")).json()) == [["B"], ["A", "C"]]
    assert titles((await move(a, "up")).json()) == [["B", "A"], ["C"]]
    # two moves at once both apply
    await asyncio.gather(move(a, "up"), move(c, "up"))
    outline = await read_outline()
    assert titles(outline) == [["A", "B", "C"], []]
    assert [item["position"] for item in outline["sections"][0]["items"]] == [1, 2, 3]
    # a learner may not move anything, a bad direction is a 422
    _, ann = await learner(stack, "ann@example.com")
    response = await move(a, "down", ann)
    assert (response.status_code, response.json()["type"]) == (403, "/problems/not-course-staff")
    response = await move(a, "sideways")
    assert (response.status_code, response.json()["errors"][0]["code"]) == (422, "literal_error")
    missing = await stack.client.post(
        f"/api/v1/courses/{course['id']}/items/nope/move",
        json={"direction": "up"},
        headers=headers,
    )
    assert (missing.status_code, missing.json()["type"]) == (404, "/problems/item-not-found")
    assert await read_outline() == outline
