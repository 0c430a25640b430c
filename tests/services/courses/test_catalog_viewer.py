"""What the catalog and the course page say about the caller and the teachers: the
courses a signed-in caller learns in or teaches, marked on the cached public page, and the
instructors a course page names."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack, bearer
from tests.services.courses.support import (
    INSTRUCTOR,
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
)

NOBODY = {"enrolled_course_ids": [], "completed_course_ids": [], "teaching_course_ids": []}


async def open_course(stack: Stack, headers: dict[str, str], title: str) -> tuple[str, str]:
    """A published course with one lesson: (course id, lesson id)."""
    course = await create_course(stack, headers, title=title)
    section = await add_section(stack, headers, course["id"], "Week 1")
    lesson = await add_item(stack, headers, course["id"], section["id"], "lesson", "Welcome")
    await publish(stack, headers, course["id"])
    return course["id"], lesson["id"]


async def catalog(stack: Stack, headers: dict[str, str] | None = None, **query: Any) -> Any:
    response = await stack.client.get("/api/v1/courses", params=query, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


async def enroll(stack: Stack, headers: dict[str, str], course_id: str) -> None:
    response = await stack.client.post(f"/api/v1/courses/{course_id}/enrollments", headers=headers)
    assert response.status_code == 201, response.text


async def test_the_catalog_marks_the_courses_the_caller_learns_in_and_teaches(
    stack: Stack,
) -> None:
    # given three courses: one the learner completed, one they follow, one they do not
    teacher = await instructor(stack)
    done, done_lesson = await open_course(stack, teacher, "Done")
    following, _ = await open_course(stack, teacher, "Following")
    other, _ = await open_course(stack, teacher, "Other")
    _, ana = await learner(stack, "ana@example.com")
    for course_id in (done, following):
        await enroll(stack, ana, course_id)
    completed = await stack.client.post(
        f"/api/v1/courses/{done}/items/{done_lesson}/complete", headers=ana
    )
    assert completed.status_code == 200, completed.text

    # when the learner, the instructor, someone else and an anonymous visitor list them
    as_ana = await catalog(stack, ana)
    as_teacher = await catalog(stack, teacher)
    _, bea = await learner(stack, "bea@example.com")
    as_bea = await catalog(stack, bea)
    anonymous = await catalog(stack)

    # then each sees the same courses, and only their own part in them
    assert as_ana["items"] == as_teacher["items"] == as_bea["items"] == anonymous["items"]
    assert [course["id"] for course in anonymous["items"]] == [other, following, done]
    assert as_ana["viewer"] == {
        "enrolled_course_ids": [following, done],
        "completed_course_ids": [done],
        "teaching_course_ids": [],
    }
    assert as_teacher["viewer"] == {**NOBODY, "teaching_course_ids": [other, following, done]}
    assert as_bea["viewer"] == anonymous["viewer"] == NOBODY


async def test_the_marks_cover_the_listed_page_only_and_follow_each_enrollment(
    stack: Stack,
) -> None:
    teacher = await instructor(stack)
    older, _ = await open_course(stack, teacher, "Older")
    newer, _ = await open_course(stack, teacher, "Newer")
    _, ana = await learner(stack, "ana@example.com")
    await enroll(stack, ana, older)

    # the first page (newest first) lists only the newer course: nothing to mark there
    first = await catalog(stack, ana, limit=1)
    assert [course["id"] for course in first["items"]] == [newer]
    assert first["viewer"] == NOBODY
    second = await catalog(stack, ana, limit=1, cursor=first["next_cursor"])
    assert second["viewer"]["enrolled_course_ids"] == [older]

    # and once the learner joins the newer course, the same cached page marks it
    await enroll(stack, ana, newer)
    assert (await catalog(stack, ana, limit=1))["viewer"]["enrolled_course_ids"] == [newer]
    # leaving takes the mark away again
    me = (await stack.client.get(f"/api/v1/courses/{newer}", headers=ana)).json()
    left = await stack.client.delete(
        f"/api/v1/courses/{newer}/enrollments/{me['viewer']['enrollment_id']}", headers=ana
    )
    assert left.status_code == 204, left.text
    assert (await catalog(stack, ana, limit=1))["viewer"] == NOBODY


async def test_a_bad_token_on_the_catalog_is_refused_not_taken_for_anonymous(
    stack: Stack,
) -> None:
    response = await stack.client.get("/api/v1/courses", headers=bearer("not-a-token"))

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_course_page_names_its_instructors(stack: Stack) -> None:
    # given a course by the demo instructor, with a co-instructor and a teaching assistant
    teacher = await instructor(stack)
    course_id, _ = await open_course(stack, teacher, "Taught")
    co_id, co = await learner(stack, "co@example.com")
    await learner(stack, "ta@example.com")
    for email, role in (("co@example.com", "instructor"), ("ta@example.com", "teaching_assistant")):
        added = await stack.client.post(
            f"/api/v1/courses/{course_id}/enrollments",
            json={"email": email, "role": role},
            headers=teacher,
        )
        assert added.status_code == 201, added.text
    owner_id = (await stack.client.get("/api/v1/users/me", headers=teacher)).json()["id"]

    # when anyone reads the course page
    page = (await stack.client.get(f"/api/v1/courses/{course_id}")).json()

    # then it names the instructors, longest-serving first, and not the assistant
    assert page["instructors"] == [
        {"id": owner_id, "display_name": INSTRUCTOR.display_name},
        {"id": co_id, "display_name": "Test User"},
    ]

    # and a new name shows on the (cached) page once the profile changes
    renamed = await stack.client.patch(
        "/api/v1/users/me", json={"display_name": "Dr Co Teacher"}, headers=co
    )
    assert renamed.status_code == 200
    await stack.settle()
    again = (await stack.client.get(f"/api/v1/courses/{course_id}")).json()
    assert [person["display_name"] for person in again["instructors"]] == [
        INSTRUCTOR.display_name,
        "Dr Co Teacher",
    ]
