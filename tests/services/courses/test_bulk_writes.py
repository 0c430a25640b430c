"""The courses service's bulk writes (used by `learnhub seed`) keep the rules of the one by one
path: only staff enroll others, learners join published courses only, a removed membership
comes back, only lessons are marked done, outsiders' outcomes are stored without progress
events, and the cached progress follows. A refused call writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from learnhub.kit.auth import Principal
from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment.bulk import enroll_many
from learnhub.services.courses.errors import CourseStateConflict, ItemNotFound, NotCourseStaff
from learnhub.services.courses.models import Enrollment
from learnhub.services.courses.progress.bulk import complete_lessons
from learnhub.services.courses.progress.errors import NotALesson
from learnhub.services.courses.progress.models import ItemProgress
from tests.conftest import Stack
from tests.services.courses.support import (
    create_course,
    instructor,
    learner,
    published_course_with_items,
)

STAFF_ROLES = frozenset({"instructor"})


async def courses_events(stack: Stack) -> list[tuple[str, dict[str, Any]]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.execute(
            select(outbox_table.c.type, outbox_table.c.data).order_by(outbox_table.c.created_at)
        )
        return [(row.type, json.loads(row.data)) for row in rows]


async def memberships(stack: Stack, course_id: str) -> dict[str, tuple[str, str]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(select(Enrollment).where(Enrollment.course_id == course_id))
        return {row.user_id: (row.role, row.status) for row in rows}


async def outcomes(stack: Stack, course_id: str) -> list[tuple[str, str, str]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(
            select(ItemProgress).where(ItemProgress.course_id == course_id)
        )
        return sorted((row.user_id, row.item_id, row.status) for row in rows)


async def user_id_of(stack: Stack, headers: dict[str, str]) -> str:
    return str((await stack.client.get("/api/v1/users/me", headers=headers)).json()["id"])


async def enroll(
    stack: Stack, course_id: str, caller: Principal, user_ids: list[str], *, role: str = "learner"
) -> Any:
    async with stack.platform.runtime("courses").db.transaction() as session:
        course = await courses_repository.get_course(session, course_id)
        assert course is not None
        membership = await courses_repository.get_membership(session, course_id, caller.user_id)
        return await enroll_many(
            session, CourseAccess(course, caller, membership), user_ids, role=role
        )


async def complete(stack: Stack, course_id: str, lessons: dict[str, list[str]]) -> Any:
    runtime = stack.platform.runtime("courses")
    async with runtime.db.transaction() as session:
        course = await courses_repository.get_course(session, course_id)
        assert course is not None
        return await complete_lessons(session, course=course, lessons_by_learner=lessons)


# ---------------------------------------------------------------- enroll_many


async def test_staff_enroll_many_at_once_each_announced(stack: Stack) -> None:
    # given
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",), title="Bulk")
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, _ = await learner(stack, "ana@example.com")
    bob_id, _ = await learner(stack, "bob@example.com")
    before = len(await courses_events(stack))

    # when: Bob listed twice
    enrolled = await enroll(stack, course["id"], owner, [ana_id, bob_id, bob_id])
    again = await enroll(stack, course["id"], owner, [ana_id, bob_id])

    # then
    assert (enrolled.enrolled, enrolled.already_enrolled) == (2, 0)
    assert (again.enrolled, again.already_enrolled) == (0, 2)
    members = await memberships(stack, course["id"])
    assert members[ana_id] == members[bob_id] == ("learner", "active")
    announced = (await courses_events(stack))[before:]
    assert [
        (kind, data["user_id"], data["enrolled_by"], data["role"]) for kind, data in announced
    ] == [
        ("enrollment.created.v1", ana_id, owner.user_id, "learner"),
        ("enrollment.created.v1", bob_id, owner.user_id, "learner"),
    ]


async def test_only_course_staff_enroll_others_and_a_refusal_writes_nothing(
    stack: Stack,
) -> None:
    # given: Ana is a learner of the course, Bob is not in it
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, _ = await learner(stack, "ana@example.com")
    bob_id, _ = await learner(stack, "bob@example.com")
    await enroll(stack, course["id"], owner, [ana_id])
    ana = Principal(user_id=ana_id, roles=frozenset({"learner"}))
    before = (await memberships(stack, course["id"]), await courses_events(stack))

    # when / then: a learner cannot enroll anyone
    with pytest.raises(NotCourseStaff) as refused:
        await enroll(stack, course["id"], ana, [bob_id])
    assert str(refused.value) == (
        "Only the course's instructors and teaching assistants may enroll others."
    )
    assert (await memberships(stack, course["id"]), await courses_events(stack)) == before
    # and a teaching assistant cannot add instructors
    await enroll(stack, course["id"], owner, [bob_id], role="teaching_assistant")
    assistant = Principal(user_id=bob_id, roles=frozenset({"learner"}))
    before = (await memberships(stack, course["id"]), await courses_events(stack))
    with pytest.raises(NotCourseStaff):
        await enroll(stack, course["id"], assistant, [ana_id], role="instructor")
    assert (await memberships(stack, course["id"]), await courses_events(stack)) == before


async def test_learners_join_published_courses_only(stack: Stack) -> None:
    # given
    staff = await instructor(stack)
    draft = await create_course(stack, staff, title="Draft")
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, _ = await learner(stack, "ana@example.com")
    before = (await memberships(stack, draft["id"]), await courses_events(stack))

    # when / then
    with pytest.raises(CourseStateConflict) as refused:
        await enroll(stack, draft["id"], owner, [ana_id])
    assert str(refused.value) == "This course is not published yet: learners cannot join it."
    assert (await memberships(stack, draft["id"]), await courses_events(stack)) == before


async def test_a_removed_learner_comes_back_and_is_announced_again(embedded: Stack) -> None:
    # given: Ana joined and left
    course, staff, _ = await published_course_with_items(embedded, kinds=("lesson",))
    owner = Principal(user_id=await user_id_of(embedded, staff), roles=STAFF_ROLES)
    ana_id, ana = await learner(embedded, "ana@example.com")
    joined = await embedded.client.post(f"/api/v1/courses/{course['id']}/enrollments", headers=ana)
    left = await embedded.client.delete(
        f"/api/v1/courses/{course['id']}/enrollments/{joined.json()['id']}", headers=ana
    )
    assert (joined.status_code, left.status_code) == (201, 204)

    # when
    enrolled = await enroll(embedded, course["id"], owner, [ana_id])

    # then: the same membership, active again, announced once more
    assert (enrolled.enrolled, enrolled.already_enrolled) == (1, 0)
    assert (await memberships(embedded, course["id"]))[ana_id] == ("learner", "active")
    created = [
        data for kind, data in await courses_events(embedded) if kind == "enrollment.created.v1"
    ]
    assert [data["enrollment_id"] for data in created[-2:]] == [joined.json()["id"]] * 2


# ---------------------------------------------------------------- complete_lessons


async def test_only_lessons_of_the_course_are_marked_done_and_a_refusal_writes_nothing(
    stack: Stack,
) -> None:
    # given
    course, staff, items = await published_course_with_items(stack, kinds=("lesson", "quiz"))
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, _ = await learner(stack, "ana@example.com")
    await enroll(stack, course["id"], owner, [ana_id])
    lesson, quiz = items[0]["id"], items[1]["id"]
    before = await courses_events(stack)

    # when / then: a quiz is not marked done by hand
    with pytest.raises(NotALesson) as refused:
        await complete(stack, course["id"], {ana_id: [lesson, quiz]})
    assert str(refused.value) == (
        "This item is a quiz: it is completed by submitting it, not marked done."
    )
    # and an item of no course is not found
    with pytest.raises(ItemNotFound):
        await complete(stack, course["id"], {ana_id: [lesson, "no-such-item"]})
    assert await outcomes(stack, course["id"]) == []
    assert await courses_events(stack) == before


async def test_outsiders_outcomes_are_stored_without_progress_events(stack: Stack) -> None:
    # given: Bob is not enrolled, Ana is
    course, staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, _ = await learner(stack, "ana@example.com")
    bob_id, _ = await learner(stack, "bob@example.com")
    await enroll(stack, course["id"], owner, [ana_id])
    lessons = [item["id"] for item in items]
    before = len(await courses_events(stack))

    # when
    recorded = await complete(stack, course["id"], {ana_id: lessons, bob_id: lessons[:1]})
    again = await complete(stack, course["id"], {ana_id: lessons, bob_id: lessons[:1]})

    # then: both stored; only Ana's announced, completing the course; nothing twice
    assert (recorded.lessons_completed, recorded.courses_completed) == (3, 1)
    assert (again.lessons_completed, again.courses_completed) == (0, 0)
    assert await outcomes(stack, course["id"]) == sorted(
        [
            (ana_id, lessons[0], "completed"),
            (ana_id, lessons[1], "completed"),
            (bob_id, lessons[0], "completed"),
        ]
    )
    announced = (await courses_events(stack))[before:]
    assert [(kind, data["user_id"]) for kind, data in announced] == [
        ("lesson.completed.v1", ana_id),
        ("progress.updated.v1", ana_id),
        ("lesson.completed.v1", ana_id),
        ("progress.updated.v1", ana_id),
        ("course.completed.v1", ana_id),
        ("certificate.issued.v1", ana_id),
    ]


async def test_a_learners_cached_progress_follows_a_bulk_completion(stack: Stack) -> None:
    # given: Ana has read her progress, so it is cached at 0 %
    course, staff, items = await published_course_with_items(stack, kinds=("lesson", "lesson"))
    owner = Principal(user_id=await user_id_of(stack, staff), roles=STAFF_ROLES)
    ana_id, ana = await learner(stack, "ana@example.com")
    await enroll(stack, course["id"], owner, [ana_id])
    progress_url = f"/api/v1/courses/{course['id']}/progress/me"
    assert (await stack.client.get(progress_url, headers=ana)).json()["percent"] == 0.0

    # when
    await complete(stack, course["id"], {ana_id: [items[0]["id"]]})

    # then
    mine = (await stack.client.get(progress_url, headers=ana)).json()
    assert (mine["percent"], mine["completed_items"], mine["next_item_id"]) == (
        50.0,
        1,
        items[1]["id"],
    )
