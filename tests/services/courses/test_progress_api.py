"""Progress, on each tier: marking lessons done, the learner's progress (and its cache),
the staff's view of every learner, and who may see what."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from learnhub.kit import readcache
from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses.progress.service import progress_view
from tests.conftest import Stack
from tests.services.courses.support import (
    add_item,
    add_section,
    learner,
    published_course_with_items,
)

PROBLEM = "application/problem+json"


async def events_of(stack: Stack, event_type: str) -> list[dict[str, Any]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(
            select(outbox_table.c.data)
            .where(outbox_table.c.type == event_type)
            .order_by(outbox_table.c.created_at)
        )
        return [json.loads(row) for row in rows]


async def enrolled(stack: Stack, course_id: str, email: str) -> tuple[str, dict[str, str]]:
    user_id, headers = await learner(stack, email)
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text
    return user_id, headers


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == f"/problems/{slug}"


async def test_completing_lessons_updates_progress_once(stack: Stack) -> None:
    # given: three required items and an optional lesson
    course, staff, items = await published_course_with_items(
        stack, kinds=("lesson", "lesson", "quiz"), title="Progress 101"
    )
    section_id = items[0]["section_id"]
    extra = await add_item(
        stack, staff, course["id"], section_id, "lesson", "Extra", required=False
    )
    user_id, headers = await enrolled(stack, course["id"], "ana@example.com")
    first, second, quiz = items
    url = f"/api/v1/courses/{course['id']}"
    # when
    done = await stack.client.post(f"{url}/items/{first['id']}/complete", headers=headers)
    again = await stack.client.post(f"{url}/items/{first['id']}/complete", headers=headers)
    optional = await stack.client.post(f"{url}/items/{extra['id']}/complete", headers=headers)
    # then
    assert done.status_code == 200, done.text
    assert again.json() == done.json()
    body = optional.json()
    assert (body["percent"], body["completed_items"], body["total_items"]) == (33.3, 1, 3)
    assert (body["completed"], body["completed_at"], body["certificate_code"]) == (
        False,
        None,
        None,
    )
    assert body["next_item_id"] == second["id"]
    assert [(i["item_id"], i["kind"], i["required"], i["status"]) for i in body["items"]] == [
        (first["id"], "lesson", True, "completed"),
        (second["id"], "lesson", True, "not_started"),
        (quiz["id"], "quiz", True, "not_started"),
        (extra["id"], "lesson", False, "completed"),
    ]
    lessons = await events_of(stack, "lesson.completed.v1")
    assert [(e["item_id"], e["item_title"], e["user_id"]) for e in lessons] == [
        (first["id"], "Lesson 1", user_id),
        (extra["id"], "Extra", user_id),
    ]
    updates = await events_of(stack, "progress.updated.v1")
    assert [(e["completed_items"], e["total_items"], e["percent"]) for e in updates] == [
        (1, 3, 33.3)
    ]
    assert updates[0]["course_title"] == "Progress 101"
    # quizzes complete through their submission, not by hand
    refused = await stack.client.post(f"{url}/items/{quiz['id']}/complete", headers=headers)
    assert_problem(refused, 409, "not-a-lesson")
    assert "quiz" in refused.json()["detail"]
    assert_problem(
        await stack.client.post(f"{url}/items/unknown/complete", headers=headers),
        404,
        "item-not-found",
    )


async def test_progress_is_cached_and_rebuilt_after_a_flush(stack: Stack) -> None:
    # given
    course, staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    user_id, headers = await enrolled(stack, course["id"], "ana@example.com")
    url = f"/api/v1/courses/{course['id']}"
    cache = stack.platform.runtime("courses").cache
    key = progress_view(course["id"], user_id).key
    completed = await stack.client.post(f"{url}/items/{items[0]['id']}/complete", headers=headers)
    # when: the learner reads their progress twice
    first = await stack.client.get(f"{url}/progress/me", headers=headers)
    cached = await cache.get(key)
    second = await stack.client.get(f"{url}/progress/me", headers=headers)
    # then: the write is visible in the next read, which is cached and served again as is
    assert first.json() == completed.json() == second.json()
    assert (first.json()["percent"], first.json()["next_item_id"]) == (50.0, items[1]["id"])
    assert cached is not None and cached.endswith(first.text)
    ttl = await cache.ttl(key)
    assert ttl is not None and 0 < ttl <= 3600
    # when: the cache is lost
    await cache.delete(key)
    after = await stack.client.get(f"{url}/progress/me", headers=headers)
    # then: rebuilt from the database, equal, and cached again
    assert after.status_code == 200
    assert after.json() == first.json()
    assert await cache.get(key) == cached
    # a new required item makes the cached progress outdated: it is rebuilt, not served
    await add_item(stack, staff, course["id"], items[0]["section_id"], "lesson", "New")
    grown = (await stack.client.get(f"{url}/progress/me", headers=headers)).json()
    assert (grown["percent"], grown["completed_items"], grown["total_items"]) == (33.3, 1, 3)


async def test_a_cached_progress_built_from_state_older_than_a_write_is_never_served(
    stack: Stack,
) -> None:
    # given: a reader that built the progress before a write committed, and stores it after
    course, _staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    user_id, headers = await enrolled(stack, course["id"], "ana@example.com")
    url = f"/api/v1/courses/{course['id']}"
    cache = stack.platform.runtime("courses").cache
    view = progress_view(course["id"], user_id)
    stale = await readcache.read(cache, [view])
    await stack.client.post(f"{url}/items/{items[0]['id']}/complete", headers=headers)
    await readcache.keep(cache, stale, {view: '{"stale": true}'}, ttl=60)
    # when
    read = await stack.client.get(f"{url}/progress/me", headers=headers)
    # then: the stale value is ignored and the write is visible
    assert read.json()["percent"] == 50.0


async def test_who_may_see_progress(stack: Stack) -> None:
    # given
    course, staff, items = await published_course_with_items(stack, kinds=("lesson",))
    ana_id, ana = await enrolled(stack, course["id"], "ana@example.com")
    _, bob = await enrolled(stack, course["id"], "bob@example.com")
    _, outsider = await learner(stack, "out@example.com")
    url = f"/api/v1/courses/{course['id']}"
    lesson = items[0]["id"]
    await stack.client.post(f"{url}/items/{lesson}/complete", headers=ana)
    # then: learners see only their own progress, never the course's list
    mine = (await stack.client.get(f"{url}/progress/me", headers=bob)).json()
    assert mine["completed_items"] == 0
    assert_problem(await stack.client.get(f"{url}/progress", headers=bob), 403, "not-course-staff")
    assert_problem(
        await stack.client.get(f"{url}/progress/me", headers=outsider), 403, "not-enrolled"
    )
    assert_problem(
        await stack.client.post(f"{url}/items/{lesson}/complete", headers=outsider),
        403,
        "not-enrolled",
    )
    assert_problem(
        await stack.client.post(f"{url}/items/{lesson}/complete", headers=staff),
        403,
        "not-enrolled",
    )
    assert (await stack.client.get(f"{url}/progress/me")).status_code == 401
    assert (await stack.client.post(f"{url}/items/{lesson}/complete")).status_code == 401
    assert (await stack.client.get(f"{url}/progress")).status_code == 401
    # denied calls recorded nothing
    assert [e["user_id"] for e in await events_of(stack, "lesson.completed.v1")] == [ana_id]


async def test_staff_see_every_learner_paged(embedded: Stack) -> None:
    """Tier-independent: the staff list's content and paging."""
    course, staff, items = await published_course_with_items(embedded, kinds=("lesson", "quiz"))
    await add_section(embedded, staff, course["id"], "Empty")
    ana_id, ana = await enrolled(embedded, course["id"], "ana@example.com")
    bob_id, _ = await enrolled(embedded, course["id"], "bob@example.com")
    url = f"/api/v1/courses/{course['id']}"
    await embedded.client.post(f"{url}/items/{items[0]['id']}/complete", headers=ana)
    first = (
        await embedded.client.get(f"{url}/progress", params={"limit": 1}, headers=staff)
    ).json()
    second = (
        await embedded.client.get(
            f"{url}/progress", params={"limit": 1, "cursor": first["next_cursor"]}, headers=staff
        )
    ).json()
    assert second["next_cursor"] is None
    rows = first["items"] + second["items"]
    assert [(r["user_id"], r["email"], r["percent"], r["completed_items"]) for r in rows] == [
        (ana_id, "ana@example.com", 50.0, 1),
        (bob_id, "bob@example.com", 0.0, 0),
    ]
    assert [i["status"] for i in rows[0]["items"]] == ["completed", "not_started"]
