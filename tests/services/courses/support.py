"""Helpers shared by the courses tests: build courses through the authoring API."""

from __future__ import annotations

from typing import Any

from learnhub.runner.demo import DEMO_ACCOUNTS
from tests.conftest import Stack, bearer

INSTRUCTOR = DEMO_ACCOUNTS[1]


async def instructor(stack: Stack) -> dict[str, str]:
    """The demo instructor's Authorization header (creates the demo accounts first)."""
    await stack.demo_admin()
    return bearer(await stack.token(INSTRUCTOR.email, INSTRUCTOR.password))


async def create_course(stack: Stack, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    """Create a draft course; ``title`` defaults to "Test Course"."""
    body = {"title": "Test Course", **fields}
    response = await stack.client.post("/api/v1/courses", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_section(
    stack: Stack, headers: dict[str, str], course_id: str, title: str
) -> dict[str, Any]:
    response = await stack.client.post(
        f"/api/v1/courses/{course_id}/sections", json={"title": title}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def add_item(
    stack: Stack,
    headers: dict[str, str],
    course_id: str,
    section_id: str,
    kind: str,
    title: str,
    **fields: Any,
) -> dict[str, Any]:
    response = await stack.client.post(
        f"/api/v1/courses/{course_id}/sections/{section_id}/items",
        json={"kind": kind, "title": title, "published": True, **fields},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(stack: Stack, headers: dict[str, str], course_id: str) -> dict[str, Any]:
    response = await stack.client.patch(
        f"/api/v1/courses/{course_id}", json={"visibility": "published"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["visibility"] == "published"
    return response.json()


async def published_course_with_items(
    stack: Stack, kinds: tuple[str, ...] = ("lesson", "quiz", "assignment"), **fields: Any
) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """A published open course with one section holding one item per kind, in that order,
    titled "<Kind> 1", "<Kind> 2", ...; returns (course, instructor headers, items)."""
    headers = await instructor(stack)
    course = await create_course(stack, headers, **fields)
    section = await add_section(stack, headers, course["id"], "Week 1")
    items = [
        await add_item(
            stack, headers, course["id"], section["id"], kind, f"{kind.capitalize()} {n}"
        )
        for n, kind in enumerate(kinds, start=1)
    ]
    course = await publish(stack, headers, course["id"])
    return course, headers, items


async def learner(stack: Stack, email: str) -> tuple[str, dict[str, str]]:
    """A new signed-up user (platform role learner): (user id, Authorization header)."""
    return await stack.signed_up(email)
