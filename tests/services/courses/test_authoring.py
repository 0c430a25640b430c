"""Authoring on each tier: courses, their structure, lessons, who may change them, events."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses.models import Enrollment
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


async def courses_outbox(stack: Stack) -> list[tuple[str, dict]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = (
            await session.execute(
                select(outbox_table.c.type, outbox_table.c.data).order_by(outbox_table.c.created_at)
            )
        ).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def add_membership(stack: Stack, course_id: str, user_id: str, role: str) -> None:
    """Course staff other than the owner, written directly: the enrollment API is another
    engineer's, and these tests are about authoring rights only."""
    from learnhub.kit.db import utcnow

    now = utcnow()
    async with stack.platform.runtime("courses").db.transaction() as session:
        session.add(
            Enrollment(
                id=f"m-{user_id}"[:36],
                course_id=course_id,
                user_id=user_id,
                role=role,
                status="active",
                enrolled_by=None,
                created_at=now,
                updated_at=now,
                completed_at=None,
            )
        )


async def test_instructor_creates_a_draft_course_and_becomes_its_instructor(
    stack: Stack,
) -> None:
    headers = await instructor(stack)
    me = (await stack.client.get("/api/v1/users/me", headers=headers)).json()

    course = await create_course(
        stack,
        headers,
        title="  Intro   to Chemistry ",
        summary="Atoms and bonds",
        description="# Hello\n\n<script>alert(1)</script>\n\n**bold** <b onclick=x>hi</b>",
        category="Science",
        tags=["Chemistry", "atoms", "chemistry"],
        level="intermediate",
        estimated_hours=12.5,
        enrollment_policy="approval",
        starts_at="2030-01-01T09:00:00Z",
        ends_at="2030-03-01T09:00:00Z",
        cover_image_url="https://img.example.com/c.png",
    )

    assert course["title"] == "Intro to Chemistry"
    assert course["slug"] == "intro-to-chemistry"
    assert course["visibility"] == "draft"
    assert course["owner_id"] == me["id"]
    assert course["tags"] == ["chemistry", "atoms"]
    assert course["language"] == "en"
    assert course["level"] == "intermediate"
    assert course["enrollment_policy"] == "approval"
    assert course["description_html"] == (
        "<h1>Hello</h1>\n\n<p><strong>bold</strong> <b>hi</b></p>\n"
    )
    assert course["completion_rule"] == {"required_items": True, "passing_quiz_ids": []}
    assert course["published_at"] is None
    detail = (await stack.client.get(f"/api/v1/courses/{course['id']}", headers=headers)).json()
    assert (detail["viewer"]["role"], detail["viewer"]["status"]) == ("instructor", "active")
    assert detail["sections"] == []
    assert detail["item_counts"] == {"lesson": 0, "quiz": 0, "assignment": 0}
    assert [(kind, data["slug"]) for kind, data in await courses_outbox(stack)] == [
        ("course.created.v1", "intro-to-chemistry")
    ]


async def test_slugs_are_generated_unique_and_validated(embedded: Stack) -> None:
    headers = await instructor(embedded)
    first = await create_course(embedded, headers, title="Intro to Chemistry")
    second = await create_course(embedded, headers, title="Intro to Chemistry!")
    third = await create_course(embedded, headers, title="Intro to Chemistry")
    chosen = await create_course(embedded, headers, title="Other", slug="my-course-1")
    unicode_only = await create_course(embedded, headers, title="日本語")
    assert [first["slug"], second["slug"], third["slug"]] == [
        "intro-to-chemistry",
        "intro-to-chemistry-2",
        "intro-to-chemistry-3",
    ]
    assert chosen["slug"] == "my-course-1"
    assert unicode_only["slug"] == "course"

    taken = await embedded.client.post(
        "/api/v1/courses", json={"title": "X", "slug": "my-course-1"}, headers=headers
    )
    assert taken.status_code == 409
    assert taken.json()["type"] == "/problems/slug-taken"
    bad = await embedded.client.post(
        "/api/v1/courses", json={"title": "X", "slug": "Not Valid--"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == PROBLEM
    assert [e["field"] for e in bad.json()["errors"]] == ["slug"]
    renamed = await embedded.client.patch(
        f"/api/v1/courses/{chosen['id']}", json={"slug": "intro-to-chemistry"}, headers=headers
    )
    assert renamed.status_code == 409


async def test_invalid_course_fields_are_422_with_field_errors(embedded: Stack) -> None:
    headers = await instructor(embedded)
    response = await embedded.client.post(
        "/api/v1/courses",
        json={
            "title": "   ",
            "level": "expert",
            "enrollment_policy": "closed",
            "estimated_hours": -1,
            "language": "English",
            "cover_image_url": "javascript:alert(1)",
            "unknown": 1,
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "cover_image_url",
        "enrollment_policy",
        "estimated_hours",
        "language",
        "level",
        "title",
        "unknown",
    ]
    dates = await embedded.client.post(
        "/api/v1/courses",
        json={"title": "T", "starts_at": "2030-02-01T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
        headers=headers,
    )
    assert dates.status_code == 422
    assert dates.json()["errors"][0]["detail"] == "ends_at must be after starts_at"
    course = await create_course(embedded, headers, starts_at="2030-02-01T00:00:00Z")
    patched = await embedded.client.patch(
        f"/api/v1/courses/{course['id']}",
        json={"ends_at": "2030-01-01T00:00:00Z"},
        headers=headers,
    )
    assert patched.status_code == 422
    assert patched.headers["content-type"] == PROBLEM
    assert patched.json()["errors"] == [
        {"field": "ends_at", "pointer": "#/ends_at", "detail": "must be after starts_at"}
    ]
    naive = await embedded.client.patch(
        f"/api/v1/courses/{course['id']}", json={"ends_at": "2030-03-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    assert [kind for kind, _ in await courses_outbox(embedded)] == ["course.created.v1"]


async def test_only_platform_instructors_and_admins_create_courses(stack: Stack) -> None:
    admin = await stack.demo_admin()
    _, learner_headers = await learner(stack, "someone@example.com")
    anonymous = await stack.client.post("/api/v1/courses", json={"title": "T"})
    assert anonymous.status_code == 401
    forbidden = await stack.client.post(
        "/api/v1/courses", json={"title": "T"}, headers=learner_headers
    )
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == PROBLEM
    assert await courses_outbox(stack) == []
    assert (await create_course(stack, admin, title="By admin"))["slug"] == "by-admin"


async def test_publishing_needs_an_item_and_is_announced_once_per_transition(
    stack: Stack,
) -> None:
    headers = await instructor(stack)
    course = await create_course(stack, headers, title="Physics", tags=["waves"])
    empty = await stack.client.patch(
        f"/api/v1/courses/{course['id']}", json={"visibility": "published"}, headers=headers
    )
    assert empty.status_code == 409
    assert empty.json()["type"] == "/problems/course-state"
    section = await add_section(stack, headers, course["id"], "Week 1")
    await add_item(stack, headers, course["id"], section["id"], "lesson", "Waves")

    published = await publish(stack, headers, course["id"])
    assert published["published_at"] is not None
    await publish(stack, headers, course["id"])  # already published: nothing new
    archived = await stack.client.patch(
        f"/api/v1/courses/{course['id']}", json={"visibility": "archived"}, headers=headers
    )
    assert archived.json()["visibility"] == "archived"
    await publish(stack, headers, course["id"])

    events = await courses_outbox(stack)
    assert [kind for kind, _ in events] == [
        "course.created.v1",
        "course.published.v1",
        "course.published.v1",
    ]
    data = events[1][1]
    assert data["course_id"] == course["id"]
    assert data["slug"] == "physics"
    assert data["tags"] == ["waves"]
    assert data["owner_id"] == course["owner_id"]


async def test_outsiders_cannot_see_drafts_or_change_courses(stack: Stack) -> None:
    headers = await instructor(stack)
    admin = await stack.demo_admin()
    draft = await create_course(stack, headers, title="Secret draft")
    other = await create_course(stack, admin, title="Admin course")
    ta_id, ta = await learner(stack, "ta@example.com")
    _, outsider = await learner(stack, "outsider@example.com")
    await add_membership(stack, other["id"], ta_id, "teaching_assistant")
    url = f"/api/v1/courses/{draft['id']}"

    assert (await stack.client.get(url)).status_code == 404
    assert (await stack.client.get(url, headers=outsider)).status_code == 404
    assert (await stack.client.get(url, headers=ta)).status_code == 404
    assert (await stack.client.get("/api/v1/courses/by-slug/secret-draft")).status_code == 404
    assert (await stack.client.patch(url, json={"title": "X"})).status_code == 401
    assert (await stack.client.patch(url, json={"title": "X"}, headers=ta)).status_code == 404
    # The instructor of one course has no rights in another.
    response = await stack.client.patch(
        f"/api/v1/courses/{other['id']}", json={"title": "Mine"}, headers=headers
    )
    assert response.status_code == 404
    assert (
        await stack.client.delete(f"/api/v1/courses/{other['id']}", headers=headers)
    ).status_code == 404
    # A teaching assistant sees the draft but may not change it.
    assert (await stack.client.get(f"/api/v1/courses/{other['id']}", headers=ta)).status_code == 200
    denied = await stack.client.patch(
        f"/api/v1/courses/{other['id']}", json={"title": "TA"}, headers=ta
    )
    assert denied.status_code == 403
    assert denied.json()["type"] == "/problems/not-course-staff"
    section = await stack.client.post(
        f"/api/v1/courses/{other['id']}/sections", json={"title": "S"}, headers=ta
    )
    assert section.status_code == 403
    after = (await stack.client.get(f"/api/v1/courses/{other['id']}", headers=admin)).json()
    assert after["title"] == "Admin course"
    assert after["sections"] == []
    # The admin may change anyone's course.
    changed = await stack.client.patch(url, json={"title": "Renamed"}, headers=admin)
    assert changed.json()["title"] == "Renamed"


async def test_learners_cannot_change_a_published_course(stack: Stack) -> None:
    course, headers, items = await published_course_with_items(stack, kinds=("lesson",))
    _, someone = await learner(stack, "l@example.com")
    cid = course["id"]
    detail = (await stack.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    section_id = detail["sections"][0]["id"]
    attempts = [
        stack.client.patch(f"/api/v1/courses/{cid}", json={"title": "X"}, headers=someone),
        stack.client.delete(f"/api/v1/courses/{cid}", headers=someone),
        stack.client.post(f"/api/v1/courses/{cid}/sections", json={"title": "S"}, headers=someone),
        stack.client.post(
            f"/api/v1/courses/{cid}/sections/{section_id}/items",
            json={"kind": "lesson", "title": "L"},
            headers=someone,
        ),
        stack.client.put(
            f"/api/v1/courses/{cid}/outline",
            json={"sections": [{"id": section_id, "item_ids": [items[0]["id"]]}]},
            headers=someone,
        ),
        stack.client.put(
            f"/api/v1/courses/{cid}/lessons/{items[0]['id']}",
            json={"content_markdown": "hacked"},
            headers=someone,
        ),
        stack.client.patch(
            f"/api/v1/courses/{cid}/items/{items[0]['id']}", json={"title": "X"}, headers=someone
        ),
        stack.client.delete(f"/api/v1/courses/{cid}/items/{items[0]['id']}", headers=someone),
        stack.client.get(f"/api/v1/courses/{cid}/export", headers=someone),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 403, response.text
    after = (await stack.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    assert after["title"] == course["title"]
    assert [[i["title"] for i in s["items"]] for s in after["sections"]] == [["Lesson 1"]]
    lesson = (
        await stack.client.get(f"/api/v1/courses/{cid}/lessons/{items[0]['id']}", headers=headers)
    ).json()
    assert lesson["content_markdown"] == ""


async def test_delete_is_refused_for_published_courses(stack: Stack) -> None:
    course, headers, _ = await published_course_with_items(stack, kinds=("lesson",))
    url = f"/api/v1/courses/{course['id']}"
    refused = await stack.client.delete(url, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/course-state"
    await stack.client.patch(url, json={"visibility": "archived"}, headers=headers)
    assert (await stack.client.delete(url, headers=headers)).status_code == 204
    assert (await stack.client.get(url, headers=headers)).status_code == 404
    draft = await create_course(stack, headers, title="Draft")
    assert (
        await stack.client.delete(f"/api/v1/courses/{draft['id']}", headers=headers)
    ).status_code == 204


async def test_sections_and_items_are_created_renamed_and_deleted(embedded: Stack) -> None:
    headers = await instructor(embedded)
    course = await create_course(embedded, headers)
    cid = course["id"]
    one = await add_section(embedded, headers, cid, "Week 1")
    two = await add_section(embedded, headers, cid, "Week 2")
    assert (one["position"], two["position"]) == (1, 2)
    lesson = await add_item(embedded, headers, cid, one["id"], "lesson", "Intro")
    quiz = await add_item(
        embedded,
        headers,
        cid,
        one["id"],
        "quiz",
        "Check",
        required=False,
        grade_category="Quizzes",
        max_points=10,
    )
    assert lesson == {
        "id": lesson["id"],
        "course_id": cid,
        "section_id": one["id"],
        "kind": "lesson",
        "title": "Intro",
        "position": 1,
        "required": True,
        "grade_category": None,
        "max_points": None,
        "published": True,
    }
    assert (quiz["position"], quiz["required"], quiz["grade_category"], quiz["max_points"]) == (
        2,
        False,
        "Quizzes",
        10.0,
    )
    bad = await embedded.client.post(
        f"/api/v1/courses/{cid}/sections/{one['id']}/items",
        json={"kind": "video", "title": "", "max_points": -1},
        headers=headers,
    )
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["kind", "max_points", "title"]
    missing = await embedded.client.post(
        f"/api/v1/courses/{cid}/sections/nope/items",
        json={"kind": "lesson", "title": "x"},
        headers=headers,
    )
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/section-not-found"

    renamed = await embedded.client.patch(
        f"/api/v1/courses/{cid}/sections/{two['id']}",
        json={"title": "Final week"},
        headers=headers,
    )
    assert renamed.json() == {"id": two["id"], "title": "Final week", "position": 2}
    item = await embedded.client.patch(
        f"/api/v1/courses/{cid}/items/{quiz['id']}",
        json={"title": "Quiz 1", "required": True, "max_points": None},
        headers=headers,
    )
    assert (item.json()["title"], item.json()["required"], item.json()["max_points"]) == (
        "Quiz 1",
        True,
        None,
    )
    await embedded.client.patch(
        f"/api/v1/courses/{cid}",
        json={"completion_rule": {"required_items": True, "passing_quiz_ids": [quiz["id"]]}},
        headers=headers,
    )
    assert (
        await embedded.client.delete(f"/api/v1/courses/{cid}/items/{lesson['id']}", headers=headers)
    ).status_code == 204
    assert (
        await embedded.client.delete(f"/api/v1/courses/{cid}/sections/{one['id']}", headers=headers)
    ).status_code == 204
    detail = (await embedded.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    assert detail["sections"] == [
        {"id": two["id"], "title": "Final week", "position": 1, "items": []}
    ]
    assert detail["completion_rule"] == {"required_items": True, "passing_quiz_ids": []}


async def test_completion_rule_names_only_quizzes_of_the_course(embedded: Stack) -> None:
    course, headers, items = await published_course_with_items(embedded)
    url = f"/api/v1/courses/{course['id']}"
    wrong = await embedded.client.patch(
        url,
        json={"completion_rule": {"required_items": False, "passing_quiz_ids": [items[0]["id"]]}},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "completion_rule.passing_quiz_ids"
    right = await embedded.client.patch(
        url,
        json={"completion_rule": {"required_items": False, "passing_quiz_ids": [items[1]["id"]]}},
        headers=headers,
    )
    assert right.json()["completion_rule"] == {
        "required_items": False,
        "passing_quiz_ids": [items[1]["id"]],
    }
    # The last item of a published course cannot go.
    for item in items[:2]:
        await embedded.client.delete(f"{url}/items/{item['id']}", headers=headers)
    last = await embedded.client.delete(f"{url}/items/{items[2]['id']}", headers=headers)
    assert last.status_code == 409


async def test_outline_reorders_sections_and_moves_items_in_one_call(stack: Stack) -> None:
    headers = await instructor(stack)
    cid = (await create_course(stack, headers))["id"]
    one = await add_section(stack, headers, cid, "One")
    two = await add_section(stack, headers, cid, "Two")
    a = await add_item(stack, headers, cid, one["id"], "lesson", "A")
    b = await add_item(stack, headers, cid, one["id"], "quiz", "B")
    c = await add_item(stack, headers, cid, two["id"], "assignment", "C")
    url = f"/api/v1/courses/{cid}/outline"

    response = await stack.client.put(
        url,
        json={
            "sections": [
                {"id": two["id"], "item_ids": [c["id"], a["id"]]},
                {"id": one["id"], "item_ids": [b["id"]]},
            ]
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    expected = [
        ("Two", 1, [("C", 1), ("A", 2)]),
        ("One", 2, [("B", 1)]),
    ]
    outline = [
        (s["title"], s["position"], [(i["title"], i["position"]) for i in s["items"]])
        for s in response.json()["sections"]
    ]
    assert outline == expected
    lesson = (
        await stack.client.get(f"/api/v1/courses/{cid}/lessons/{a['id']}", headers=headers)
    ).json()
    assert (lesson["section_id"], lesson["previous_item_id"], lesson["next_item_id"]) == (
        two["id"],
        c["id"],
        b["id"],
    )

    for wrong in (
        {"sections": [{"id": two["id"], "item_ids": [c["id"], a["id"], b["id"]]}]},
        {
            "sections": [
                {"id": two["id"], "item_ids": [c["id"], a["id"]]},
                {"id": one["id"], "item_ids": []},
            ]
        },
        {
            "sections": [
                {"id": two["id"], "item_ids": [c["id"], a["id"], a["id"]]},
                {"id": one["id"], "item_ids": [b["id"]]},
            ]
        },
        {
            "sections": [
                {"id": two["id"], "item_ids": [c["id"], a["id"], "stranger"]},
                {"id": one["id"], "item_ids": [b["id"]]},
            ]
        },
    ):
        refused = await stack.client.put(url, json=wrong, headers=headers)
        assert refused.status_code == 400, wrong
        assert refused.json()["type"] == "/problems/invalid-outline"
    malformed = await stack.client.put(url, json={"sections": [{"item_ids": []}]}, headers=headers)
    assert malformed.status_code == 422
    detail = (await stack.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    assert [
        (s["title"], s["position"], [(i["title"], i["position"]) for i in s["items"]])
        for s in detail["sections"]
    ] == expected


async def test_lessons_render_safely_and_turn_videos_into_players(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers))["id"]
    section = await add_section(embedded, headers, cid, "S")
    lesson = await add_item(embedded, headers, cid, section["id"], "lesson", "L")
    quiz = await add_item(embedded, headers, cid, section["id"], "quiz", "Q")
    url = f"/api/v1/courses/{cid}/lessons/{lesson['id']}"
    body = {
        "content_markdown": "## Title\n\n<img src=x onerror=alert(1)> [a](javascript:alert(1))",
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30",
        "transcript": "Hello.",
        "complete_on_view": True,
    }
    written = await embedded.client.put(url, json=body, headers=headers)
    assert written.status_code == 200, written.text
    read = (await embedded.client.get(url, headers=headers)).json()
    assert read["content_html"] == '<h2>Title</h2>\n<p><img src="x"> [a](javascript:alert(1))</p>\n'
    assert read["video"] == {
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30",
        "provider": "youtube",
        "embed_url": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    }
    assert (read["transcript"], read["complete_on_view"]) == ("Hello.", True)
    assert (read["previous_item_id"], read["next_item_id"]) == (None, quiz["id"])
    for video_url, provider, embed in (
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "youtube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://vimeo.com/76979871", "vimeo", "https://player.vimeo.com/video/76979871"),
        ("https://cdn.example.com/a.mp4", "direct", None),
    ):
        body = {"content_markdown": "x", "video_url": video_url}
        video = (await embedded.client.put(url, json=body, headers=headers)).json()["video"]
        assert (video["provider"], video["embed_url"]) == (provider, embed)
    bad = await embedded.client.put(
        url, json={"content_markdown": "x", "video_url": "ftp://x/y.mp4"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "video_url"
    not_lesson = await embedded.client.put(
        f"/api/v1/courses/{cid}/lessons/{quiz['id']}",
        json={"content_markdown": "x"},
        headers=headers,
    )
    assert not_lesson.status_code == 404
    assert not_lesson.json()["type"] == "/problems/lesson-not-found"


async def test_lessons_are_for_staff_and_enrolled_learners(stack: Stack) -> None:
    course, headers, items = await published_course_with_items(stack, kinds=("lesson", "quiz"))
    _, outsider = await learner(stack, "outsider@example.com")
    url = f"/api/v1/courses/{course['id']}/lessons/{items[0]['id']}"
    assert (await stack.client.get(url)).status_code == 401
    refused = await stack.client.get(url, headers=outsider)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/not-enrolled"
    ok = await stack.client.get(url, headers=headers)
    assert (ok.status_code, ok.json()["next_item_id"]) == (200, items[1]["id"])
    enrolled = await stack.client.post(
        f"/api/v1/courses/{course['id']}/enrollments", headers=outsider
    )
    if enrolled.status_code in {404, 405}:
        pytest.skip("the enrollment API is not there yet")
    assert enrolled.status_code == 201, enrolled.text
    assert (await stack.client.get(url, headers=outsider)).status_code == 200


async def test_a_complete_on_view_lesson_is_done_when_a_learner_opens_it(stack: Stack) -> None:
    """The lesson player reports the view (POST); the lesson read itself stays a pure read."""
    # given a published course whose first lesson completes on view
    course, staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    viewed, other = items
    base = f"/api/v1/courses/{course['id']}"
    response = await stack.client.put(
        f"{base}/lessons/{viewed['id']}",
        json={"content_markdown": "Read me.", "complete_on_view": True},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    _, headers = await learner(stack, "viewer@example.com")
    assert (await stack.client.post(f"{base}/enrollments", headers=headers)).status_code == 201
    # when the learner reads it, nothing is recorded: a read never writes
    lesson = await stack.client.get(f"{base}/lessons/{viewed['id']}", headers=headers)
    assert lesson.status_code == 200 and lesson.json()["complete_on_view"] is True
    unread = (await stack.client.get(f"{base}/progress/me", headers=headers)).json()
    assert unread["completed_items"] == 0
    # when the learner reports opening it (and staff open the other)
    for item_id, who in ((viewed["id"], headers), (other["id"], staff)):
        opened = await stack.client.post(f"{base}/items/{item_id}/view", headers=who)
        assert opened.status_code == 204, opened.text
    # then only the viewed lesson is done, and only for the learner
    progress = (await stack.client.get(f"{base}/progress/me", headers=headers)).json()
    states = {entry["item_id"]: entry["status"] for entry in progress["items"]}
    assert states[viewed["id"]] == "completed"
    assert states[other["id"]] != "completed"
    assert (progress["completed_items"], progress["total_items"]) == (1, 2)
