"""The bulk path of `learnhub seed` leaves the platform exactly as the same learners acting
one by one through the API would: the same accounts and profiles, the same people known to
the courses service, the same enrollments, progress, completions and certificates, and the
same events for each learner, in the same order. On both tiers."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from learnhub.kit.auth import Principal
from learnhub.kit.events.outbox import outbox_table
from learnhub.runner.course_builder import (
    Api,
    BuiltCourse,
    CourseSpec,
    LessonSpec,
    QuizSpec,
    SectionSpec,
    build_course,
)
from learnhub.services.auth.bulk import NewAccount, register_many
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment.bulk import enroll_many
from learnhub.services.courses.progress.bulk import complete_lessons
from tests.conftest import PASSWORD, Stack, bearer
from tests.services.courses.support import INSTRUCTOR, instructor

LESSONS_ONLY = CourseSpec(
    slug="lessons-only",
    title="Lessons only",
    summary="Completed by reading.",
    description="",
    category="Science",
    tags=("reading",),
    level="beginner",
    sections=(
        SectionSpec("First", lessons=(LessonSpec("One", "# One"), LessonSpec("Two", "# Two"))),
        SectionSpec("Second", lessons=(LessonSpec("Three", "# Three"),)),
    ),
)
WITH_QUIZ = CourseSpec(
    slug="with-a-quiz",
    title="With a quiz",
    summary="Completed by passing the quiz too.",
    description="",
    category="Science",
    tags=("quiz",),
    level="beginner",
    sections=(
        SectionSpec(
            "Only",
            lessons=(LessonSpec("Four", "# Four"), LessonSpec("Five", "# Five")),
            quiz=QuizSpec("Check", ({"type": "true_false", "prompt": "Ready?", "correct": True},)),
        ),
    ),
)
SPECS = (LESSONS_ONLY, WITH_QUIZ)
# Which learner is in which course (by index), and how many lessons they have done there.
ENROLLED = {0: (0, 1), 1: (0,), 2: (0, 1), 3: (1,)}
DONE = {(0, 0): 3, (0, 1): 1, (1, 0): 2, (3, 1): 2}
EVENT_TYPES = {
    "user.registered.v1",
    "enrollment.created.v1",
    "lesson.completed.v1",
    "progress.updated.v1",
    "course.completed.v1",
    "certificate.issued.v1",
}
# Different on every run, or by nature: ids given out, moments, certificate codes.
UNCOMPARABLE = {
    "enrollment_id",
    "certificate_id",
    "code",
    "verification_url",
    "registered_at",
    "enrolled_at",
    "completed_at",
    "updated_at",
    "issued_at",
}


def email(path: str, learner: int) -> str:
    return f"{path}-{learner}@example.org"


async def _build(stack: Stack, path: str) -> list[BuiltCourse]:
    api = Api(stack.client)
    token = await api.login(INSTRUCTOR.email, INSTRUCTOR.password)
    return [
        await build_course(api, token, CourseSpec(**{**vars(spec), "slug": f"{path}-{spec.slug}"}))
        for spec in SPECS
    ]


async def _one_by_one(stack: Stack, courses: list[BuiltCourse]) -> list[str]:
    """Each learner signs up, is enrolled by the instructor and reads lessons, via the API."""
    staff = await instructor(stack)
    ids = [
        await stack.register(email("one", learner), display_name=f"Learner {learner}")
        for learner in ENROLLED
    ]
    for learner, indexes in ENROLLED.items():
        for index in indexes:
            enrolled = await stack.client.post(
                f"/api/v1/courses/{courses[index].id}/enrollments",
                json={"email": email("one", learner)},
                headers=staff,
            )
            assert enrolled.status_code == 201, enrolled.text
    for (learner, index), done in DONE.items():
        headers = bearer(await stack.token(email("one", learner)))
        for lesson_id in courses[index].lesson_ids[:done]:
            completed = await stack.client.post(
                f"/api/v1/courses/{courses[index].id}/items/{lesson_id}/complete",
                headers=headers,
            )
            assert completed.status_code == 200, completed.text
    await stack.settle()
    return ids


async def _bulk(stack: Stack, courses: list[BuiltCourse], instructor_id: str) -> list[str]:
    """The same learners and steps through the services' bulk functions, as the seed does."""
    auth = stack.platform.runtime("auth")
    password_hash = await auth.state["auth"].passwords.hash(PASSWORD)
    accounts = [NewAccount(email("bulk", learner), f"Learner {learner}") for learner in ENROLLED]
    async with auth.db.transaction() as session:
        registered = await register_many(session, accounts, password_hash=password_hash)
    ids = [registered.created[account.email] for account in accounts]
    runtime = stack.platform.runtime("courses")
    principal = Principal(user_id=instructor_id, roles=frozenset({"instructor"}))
    for index, built in enumerate(courses):
        async with runtime.db.transaction() as session:
            course = await courses_repository.get_course(session, built.id)
            assert course is not None
            membership = await courses_repository.get_membership(session, built.id, instructor_id)
            members = [ids[learner] for learner, indexes in ENROLLED.items() if index in indexes]
            await enroll_many(session, CourseAccess(course, principal, membership), members)
    await stack.settle()
    for index, built in enumerate(courses):
        async with runtime.db.transaction() as session:
            course = await courses_repository.get_course(session, built.id)
            assert course is not None
            done = {
                ids[learner]: built.lesson_ids[:count]
                for (learner, course_index), count in DONE.items()
                if course_index == index
            }
            await complete_lessons(session, course=course, lessons_by_learner=done)
    await stack.settle()
    return ids


def _aliases(path: str, ids: list[str], courses: list[BuiltCourse], staff: str) -> dict[str, str]:
    names = {staff: "instructor"}
    for learner, user_id in enumerate(ids):
        names[user_id] = f"learner-{learner}"
        names[email(path, learner)] = f"learner-{learner}@"
    for index, built in enumerate(courses):
        names[built.id] = f"course-{index}"
        for position, item_id in enumerate(built.lesson_ids + built.quiz_ids):
            names[item_id] = f"course-{index}/item-{position}"
    return names


def _same_shape(value: Any, names: dict[str, str]) -> Any:
    """The value with ids and e-mails replaced by path-independent names, moments left out."""
    if isinstance(value, dict):
        return {
            key: _same_shape(item, names) for key, item in value.items() if key not in UNCOMPARABLE
        }
    if isinstance(value, list):
        return [_same_shape(item, names) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


async def _events(stack: Stack, ids: list[str], names: dict[str, str]) -> dict[str, list[Any]]:
    """Every learner's events of the kinds the paths cause, in the order they were recorded."""
    rows = []
    for service in ("auth", "courses"):
        async with stack.platform.runtime(service).db.session() as session:
            rows += list(await session.execute(select(outbox_table)))
    by_learner: dict[str, list[Any]] = {names[user_id]: [] for user_id in ids}
    for row in sorted(rows, key=lambda row: row.created_at):
        data = json.loads(row.data)
        if row.type in EVENT_TYPES and data.get("user_id") in ids:
            by_learner[names[data["user_id"]]].append(
                (row.type, names.get(row.subject, row.subject), _same_shape(data, names))
            )
    return by_learner


async def _state(
    stack: Stack, path: str, ids: list[str], courses: list[BuiltCourse], admin: dict[str, str]
) -> dict[str, Any]:
    """What the APIs say about these learners, in path-independent names."""
    staff = await instructor(stack)
    staff_id = (await stack.client.get("/api/v1/users/me", headers=staff)).json()["id"]
    names = _aliases(path, ids, courses, staff_id)
    state: dict[str, Any] = {"events": await _events(stack, ids, names)}
    for learner, user_id in enumerate(ids):
        profile = (await stack.client.get(f"/api/v1/users/{user_id}", headers=admin)).json()
        state[f"profile {learner}"] = _same_shape(
            {key: profile[key] for key in ("email", "display_name", "roles", "locale", "bio")},
            names,
        )
        headers = bearer(await stack.token(email(path, learner)))
        for index in ENROLLED[learner]:
            base = f"/api/v1/courses/{courses[index].id}"
            mine = (await stack.client.get(f"{base}/progress/me", headers=headers)).json()
            mine["certificate_code"] = mine["certificate_code"] is not None
            state[f"progress {learner} {index}"] = _same_shape(mine, names)
            certificate = await stack.client.get(f"{base}/certificate/me", headers=headers)
            state[f"certificate {learner} {index}"] = (
                certificate.json()["learner_name"] if certificate.status_code == 200 else None
            )
    for index, built in enumerate(courses):
        members = await stack.client.get(
            f"/api/v1/courses/{built.id}/enrollments?role=learner", headers=staff
        )
        state[f"members {index}"] = sorted(
            (
                names[member["user_id"]],
                member["status"],
                names.get(member["enrolled_by"]),
                member["display_name"],
                names[member["email"]],
                member["completed_at"] is not None,
            )
            for member in members.json()["items"]
        )
    return state


async def test_the_bulk_path_leaves_the_state_the_one_by_one_path_leaves(stack: Stack) -> None:
    # given: the same courses twice, one copy for each path
    admin = await stack.demo_admin()
    staff_id = (await stack.client.get("/api/v1/users/me", headers=await instructor(stack))).json()[
        "id"
    ]
    one_courses = await _build(stack, "one")
    bulk_courses = await _build(stack, "bulk")

    # when
    one_ids = await _one_by_one(stack, one_courses)
    bulk_ids = await _bulk(stack, bulk_courses, staff_id)

    # then
    one = await _state(stack, "one", one_ids, one_courses, admin)
    bulk = await _state(stack, "bulk", bulk_ids, bulk_courses, admin)
    assert bulk == one
    # and the comparison compared something: a completion, a certificate, every kind of event
    assert one["certificate 0 0"] == "Learner 0"
    assert one["progress 0 0"]["completed"] is True
    assert one["progress 1 0"]["percent"] == 66.7
    assert {kind for events in one["events"].values() for kind, _, _ in events} == EVENT_TYPES
    assert [kind for kind, _, _ in one["events"]["learner-1"]] == [
        "user.registered.v1",
        "enrollment.created.v1",
        "lesson.completed.v1",
        "progress.updated.v1",
        "lesson.completed.v1",
        "progress.updated.v1",
    ]
