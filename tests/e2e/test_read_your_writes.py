"""Hot reads come from the cache, yet every write is visible in the writer's next read, on
each tier (memory cache in process; Redis shared by processes)."""

from __future__ import annotations

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


async def test_a_profile_change_is_in_the_next_read(stack: Stack) -> None:
    # given: a profile read once, so it is cached
    _, headers = await stack.signed_up("ada@example.org", display_name="Ada")
    assert (await stack.client.get("/api/v1/users/me", headers=headers)).json()[
        "display_name"
    ] == "Ada"
    # when
    changed = await stack.client.patch(
        "/api/v1/users/me", json={"display_name": "Ada L."}, headers=headers
    )
    # then
    assert changed.status_code == 200
    again = await stack.client.get("/api/v1/users/me", headers=headers)
    assert again.json() == changed.json()


async def test_outline_catalog_and_slug_follow_authoring(stack: Stack) -> None:
    # given: a published course read by a visitor (outline, catalog page, slug)
    course, staff, items = await published_course_with_items(stack, kinds=("lesson",))
    url = f"/api/v1/courses/{course['id']}"
    before = (await stack.client.get(url)).json()
    listed = (await stack.client.get("/api/v1/courses")).json()["items"]
    assert [entry["item_counts"]["lesson"] for entry in listed] == [1]
    assert (await stack.client.get(f"/api/v1/courses/by-slug/{course['slug']}")).status_code == 200
    # when: the instructor adds a lesson and renames the course and its address
    await add_item(stack, staff, course["id"], items[0]["section_id"], "lesson", "Second")
    renamed = await stack.client.patch(
        url, json={"title": "Renamed", "slug": "renamed-course"}, headers=staff
    )
    assert renamed.status_code == 200, renamed.text
    # then: every read shows it at once
    after = (await stack.client.get(url)).json()
    assert after["title"] == "Renamed"
    assert [i["title"] for i in after["sections"][0]["items"]] == ["Lesson 1", "Second"]
    assert len(before["sections"][0]["items"]) == 1
    listed = (await stack.client.get("/api/v1/courses")).json()["items"]
    assert [(entry["title"], entry["item_counts"]["lesson"]) for entry in listed] == [
        ("Renamed", 2)
    ]
    assert (await stack.client.get(f"/api/v1/courses/by-slug/{course['slug']}")).status_code == 404
    by_new_slug = await stack.client.get("/api/v1/courses/by-slug/renamed-course")
    assert by_new_slug.json()["id"] == course["id"]


async def test_unpublishing_hides_the_course_at_once(stack: Stack) -> None:
    course, staff, _items = await published_course_with_items(stack, kinds=("lesson",))
    url = f"/api/v1/courses/{course['id']}"
    assert (await stack.client.get(url)).status_code == 200
    archived = await stack.client.patch(url, json={"visibility": "draft"}, headers=staff)
    assert archived.status_code == 200, archived.text
    assert (await stack.client.get(url)).status_code == 404
    assert (await stack.client.get("/api/v1/courses")).json()["items"] == []


async def test_membership_progress_and_dashboard_follow_the_learner(stack: Stack) -> None:
    # given: a learner who looked at a course before joining it
    course, _staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    url = f"/api/v1/courses/{course['id']}"
    _, headers = await learner(stack, "lea@example.org")
    outsider = (await stack.client.get(url, headers=headers)).json()["viewer"]
    assert (outsider["role"], outsider["can_enroll"]) == (None, True)
    assert (await stack.client.get(f"{url}/progress/me", headers=headers)).status_code == 403
    assert (await stack.client.get("/api/v1/me/courses", headers=headers)).json() == []
    # when: they enroll
    joined = await stack.client.post(f"{url}/enrollments", headers=headers)
    assert joined.status_code == 201
    # then: membership, progress and dashboard show it
    member = (await stack.client.get(url, headers=headers)).json()["viewer"]
    assert (member["role"], member["can_enroll"], member["can_study"]) == ("learner", False, True)
    assert (await stack.client.get(url)).json()["learner_count"] == 1
    assert (await stack.client.get(f"{url}/progress/me", headers=headers)).json()["percent"] == 0
    [entry] = (await stack.client.get("/api/v1/me/courses", headers=headers)).json()
    assert (entry["state"], entry["next_item"]["id"]) == ("not_started", items[0]["id"])
    # when: they complete a lesson
    await stack.client.post(f"{url}/items/{items[0]['id']}/complete", headers=headers)
    # then
    progress = (await stack.client.get(f"{url}/progress/me", headers=headers)).json()
    assert (progress["percent"], progress["next_item_id"]) == (50.0, items[1]["id"])
    [entry] = (await stack.client.get("/api/v1/me/courses", headers=headers)).json()
    assert (entry["state"], entry["percent"]) == ("in_progress", 50.0)
    # when: they complete the course
    await stack.client.post(f"{url}/items/{items[1]['id']}/complete", headers=headers)
    # then: the certificate is there, and verifiable
    [entry] = (await stack.client.get("/api/v1/me/courses", headers=headers)).json()
    assert entry["state"] == "completed" and entry["certificate_code"]
    check = await stack.client.get(f"/api/v1/certificates/{entry['certificate_code']}")
    assert check.status_code == 200 and check.json()["valid"] is True


async def test_leaving_a_course_takes_access_away_at_once(stack: Stack) -> None:
    # given: an enrolled learner who has read the course, a lesson and their progress
    course, _staff, items = await published_course_with_items(stack, kinds=("lesson",))
    url = f"/api/v1/courses/{course['id']}"
    _, headers = await learner(stack, "leo@example.org")
    enrollment = (await stack.client.post(f"{url}/enrollments", headers=headers)).json()
    lesson = f"{url}/lessons/{items[0]['id']}"
    assert (await stack.client.get(lesson, headers=headers)).status_code == 200
    assert (await stack.client.get(f"{url}/progress/me", headers=headers)).status_code == 200
    # when
    left = await stack.client.delete(f"{url}/enrollments/{enrollment['id']}", headers=headers)
    assert left.status_code == 204, left.text
    # then
    assert (await stack.client.get(lesson, headers=headers)).status_code == 403
    assert (await stack.client.get(f"{url}/progress/me", headers=headers)).status_code == 403
    assert (await stack.client.get("/api/v1/me/courses", headers=headers)).json() == []
    assert (await stack.client.get(url)).json()["learner_count"] == 0


async def test_a_lesson_edit_is_in_the_next_read(stack: Stack) -> None:
    headers = await instructor(stack)
    course = await create_course(stack, headers)
    section = await add_section(stack, headers, course["id"], "One")
    lesson = await add_item(stack, headers, course["id"], section["id"], "lesson", "Intro")
    url = f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}"
    await publish(stack, headers, course["id"])
    assert (await stack.client.get(url, headers=headers)).json()["content_markdown"] == ""
    written = await stack.client.put(url, json={"content_markdown": "# Hello"}, headers=headers)
    assert written.status_code == 200, written.text
    read = (await stack.client.get(url, headers=headers)).json()
    assert read["content_markdown"] == "# Hello"
    assert "<h2>Hello</h2>" in read["content_html"]  # below the page's h1
