"""The enrollment API: joining, approval, invitations, staff enrolling people (one by one
and from CSV), the member list, leaving, and who may do each. Events, races, bulk writes
and the access rules run on each tier; the remaining input rules on the embedded tier."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from learnhub.kit.events.outbox import outbox_table
from learnhub.services.courses.models import Enrollment
from tests.conftest import Stack, bearer
from tests.services.courses.support import (
    add_section,
    create_course,
    instructor,
    learner,
    published_course_with_items,
)

PROBLEM = "application/problem+json"


async def courses_events(stack: Stack, event_type: str) -> list[dict[str, Any]]:
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(
            select(outbox_table.c.data)
            .where(outbox_table.c.type == event_type)
            .order_by(outbox_table.c.created_at)
        )
        return [json.loads(row) for row in rows]


async def memberships(stack: Stack, course_id: str) -> dict[str, tuple[str, str]]:
    """user id -> (role, status) straight from the table."""
    async with stack.platform.runtime("courses").db.session() as session:
        rows = await session.scalars(select(Enrollment).where(Enrollment.course_id == course_id))
        return {row.user_id: (row.role, row.status) for row in rows}


def enrollments_url(course_id: str) -> str:
    return f"/api/v1/courses/{course_id}/enrollments"


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == f"/problems/{slug}"


async def test_self_enrollment_in_an_open_course(stack: Stack) -> None:
    # given
    course, _, _ = await published_course_with_items(stack, title="Open Course")
    user_id, headers = await learner(stack, "ana@example.com")
    # when
    response = await stack.client.post(enrollments_url(course["id"]), headers=headers)
    again = await stack.client.post(enrollments_url(course["id"]), headers=headers)
    # then
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["course_id"], body["user_id"], body["role"], body["status"]) == (
        course["id"],
        user_id,
        "learner",
        "active",
    )
    assert body["enrolled_by"] is None
    assert_problem(again, 409, "already-enrolled")
    created = [
        e for e in await courses_events(stack, "enrollment.created.v1") if e["user_id"] == user_id
    ]
    assert created == [
        {
            "enrollment_id": body["id"],
            "course_id": course["id"],
            "course_title": "Open Course",
            "user_id": user_id,
            "role": "learner",
            "enrolled_by": None,
            "enrolled_at": created[0]["enrolled_at"],
        }
    ]
    # two requests at the same moment make one membership
    bob_id, bob = await learner(stack, "bob@example.com")
    first, second = await asyncio.gather(
        stack.client.post(enrollments_url(course["id"]), headers=bob),
        stack.client.post(enrollments_url(course["id"]), headers=bob),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert (await memberships(stack, course["id"]))[bob_id] == ("learner", "active")
    created = await courses_events(stack, "enrollment.created.v1")
    assert [e["user_id"] for e in created].count(bob_id) == 1


async def test_approval_course_waits_for_the_staff(stack: Stack) -> None:
    # given
    course, staff, _ = await published_course_with_items(
        stack, kinds=("lesson",), enrollment_policy="approval"
    )
    ana_id, ana = await learner(stack, "ana@example.com")
    bob_id, bob = await learner(stack, "bob@example.com")
    # when
    requested = await stack.client.post(enrollments_url(course["id"]), headers=ana)
    bob_request = await stack.client.post(enrollments_url(course["id"]), headers=bob)
    # then: waiting, not yet a member
    assert requested.status_code == 202
    assert requested.json()["status"] == "pending"
    assert_problem(
        await stack.client.post(enrollments_url(course["id"]), headers=ana),
        409,
        "already-enrolled",
    )
    assert_problem(
        await stack.client.get(f"/api/v1/courses/{course['id']}/progress/me", headers=ana),
        403,
        "not-enrolled",
    )
    ana_enrollment = requested.json()["id"]
    # a learner cannot approve, not even their own request
    denied = await stack.client.post(
        f"{enrollments_url(course['id'])}/{ana_enrollment}/approve", headers=bob
    )
    assert_problem(denied, 403, "not-course-staff")
    assert (await memberships(stack, course["id"]))[ana_id] == ("learner", "pending")
    assert await courses_events(stack, "enrollment.created.v1") == [
        e for e in await courses_events(stack, "enrollment.created.v1") if e["role"] == "instructor"
    ]
    # staff decide
    approved = await stack.client.post(
        f"{enrollments_url(course['id'])}/{ana_enrollment}/approve", headers=staff
    )
    rejected = await stack.client.post(
        f"{enrollments_url(course['id'])}/{bob_request.json()['id']}/reject", headers=staff
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "active"
    assert rejected.json()["status"] == "removed"
    assert_problem(
        await stack.client.post(
            f"{enrollments_url(course['id'])}/{ana_enrollment}/approve", headers=staff
        ),
        409,
        "enrollment-state",
    )
    assert_problem(
        await stack.client.post(f"{enrollments_url(course['id'])}/nope/approve", headers=staff),
        404,
        "enrollment-not-found",
    )
    learners = [
        e["user_id"]
        for e in await courses_events(stack, "enrollment.created.v1")
        if e["role"] == "learner"
    ]
    assert learners == [ana_id]
    assert (await memberships(stack, course["id"]))[bob_id] == ("learner", "removed")


async def test_invite_only_course_and_enrolling_by_email(embedded: Stack) -> None:
    # given
    course, staff, _ = await published_course_with_items(
        embedded, kinds=("lesson",), enrollment_policy="invite"
    )
    cai_id, cai = await learner(embedded, "Cai@Example.com")
    # then: no way in alone
    assert_problem(
        await embedded.client.post(enrollments_url(course["id"]), headers=cai), 403, "invite-only"
    )
    assert cai_id not in await memberships(embedded, course["id"])
    # when: the instructor enrolls them by e-mail (any case)
    response = await embedded.client.post(
        enrollments_url(course["id"]), json={"email": "CAI@example.com"}, headers=staff
    )
    # then
    assert response.status_code == 201, response.text
    assert (response.json()["user_id"], response.json()["role"]) == (cai_id, "learner")
    assert response.json()["enrolled_by"] is not None
    unknown = await embedded.client.post(
        enrollments_url(course["id"]), json={"email": "ghost@example.com"}, headers=staff
    )
    assert_problem(unknown, 404, "person-not-found")
    assert "ghost@example.com" in unknown.json()["detail"]
    bad_role = await embedded.client.post(
        enrollments_url(course["id"]),
        json={"email": "cai@example.com", "role": "owner"},
        headers=staff,
    )
    assert bad_role.status_code == 422


async def test_who_may_enroll_others(stack: Stack) -> None:
    # given: course A with a TA, course B by the same instructor
    course_a, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    course_b, _, _ = await published_course_with_items(stack, kinds=("lesson",), title="B")
    ta_id, ta = await learner(stack, "ta@example.com")
    lea_id, lea = await learner(stack, "lea@example.com")
    await learner(stack, "max@example.com")
    added = await stack.client.post(
        enrollments_url(course_a["id"]),
        json={"email": "ta@example.com", "role": "teaching_assistant"},
        headers=staff,
    )
    assert added.status_code == 201
    # a TA enrolls learners but cannot add staff
    assert (
        await stack.client.post(
            enrollments_url(course_a["id"]), json={"email": "lea@example.com"}, headers=ta
        )
    ).status_code == 201
    assert_problem(
        await stack.client.post(
            enrollments_url(course_a["id"]),
            json={"email": "max@example.com", "role": "teaching_assistant"},
            headers=ta,
        ),
        403,
        "not-course-staff",
    )
    # a learner cannot enroll anyone nor read the member list
    assert_problem(
        await stack.client.post(
            enrollments_url(course_a["id"]), json={"email": "max@example.com"}, headers=lea
        ),
        403,
        "not-course-staff",
    )
    assert_problem(
        await stack.client.get(enrollments_url(course_a["id"]), headers=lea),
        403,
        "not-course-staff",
    )
    # the TA of course A has no rights in course B
    assert_problem(
        await stack.client.get(enrollments_url(course_b["id"]), headers=ta),
        403,
        "not-course-staff",
    )
    assert_problem(
        await stack.client.post(
            enrollments_url(course_b["id"]), json={"email": "max@example.com"}, headers=ta
        ),
        403,
        "not-course-staff",
    )
    # anonymous callers are asked to sign in
    anonymous = await stack.client.post(enrollments_url(course_a["id"]))
    assert anonymous.status_code == 401
    assert (await stack.client.get(enrollments_url(course_a["id"]))).status_code == 401
    # nothing happened beyond the allowed enrollments
    members_a = await memberships(stack, course_a["id"])
    assert sorted(role for role, _ in members_a.values()) == [
        "instructor",
        "learner",
        "teaching_assistant",
    ]
    assert members_a[ta_id] == ("teaching_assistant", "active")
    assert members_a[lea_id] == ("learner", "active")
    assert sorted(role for role, _ in (await memberships(stack, course_b["id"])).values()) == [
        "instructor"
    ]


async def test_drafts_and_archived_courses_cannot_be_joined(embedded: Stack) -> None:
    staff = await instructor(embedded)
    draft = await create_course(embedded, staff, title="Draft")
    await add_section(embedded, staff, draft["id"], "Week 1")
    archived, _, _ = await published_course_with_items(embedded, kinds=("lesson",), title="Old")
    response = await embedded.client.patch(
        f"/api/v1/courses/{archived['id']}", json={"visibility": "archived"}, headers=staff
    )
    assert response.status_code == 200
    _, headers = await learner(embedded, "late@example.com")
    assert_problem(
        await embedded.client.post(enrollments_url(draft["id"]), headers=headers),
        404,
        "course-not-found",
    )
    assert_problem(
        await embedded.client.post(enrollments_url(archived["id"]), headers=headers),
        409,
        "course-state",
    )
    assert_problem(
        await embedded.client.post(
            enrollments_url(draft["id"]), json={"email": "late@example.com"}, headers=staff
        ),
        409,
        "course-state",
    )


async def test_leaving_and_coming_back(stack: Stack) -> None:
    # given
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",), title="Leave")
    ana_id, ana = await learner(stack, "ana@example.com")
    bob_id, bob = await learner(stack, "bob@example.com")
    joined = (await stack.client.post(enrollments_url(course["id"]), headers=ana)).json()
    bob_joined = (await stack.client.post(enrollments_url(course["id"]), headers=bob)).json()
    listed = (await stack.client.get(enrollments_url(course["id"]), headers=staff)).json()
    owner = next(m for m in listed["items"] if m["role"] == "instructor")
    # then: a learner cannot remove someone else, nor the owner
    assert_problem(
        await stack.client.delete(
            f"{enrollments_url(course['id'])}/{bob_joined['id']}", headers=ana
        ),
        403,
        "not-course-staff",
    )
    assert_problem(
        await stack.client.delete(f"{enrollments_url(course['id'])}/{owner['id']}", headers=staff),
        409,
        "owner-membership",
    )
    assert (await memberships(stack, course["id"]))[bob_id] == ("learner", "active")
    # when: Ana leaves, staff remove Bob
    left = await stack.client.delete(f"{enrollments_url(course['id'])}/{joined['id']}", headers=ana)
    removed = await stack.client.delete(
        f"{enrollments_url(course['id'])}/{bob_joined['id']}", headers=staff
    )
    twice = await stack.client.delete(
        f"{enrollments_url(course['id'])}/{joined['id']}", headers=ana
    )
    # then
    assert (left.status_code, removed.status_code, twice.status_code) == (204, 204, 204)
    removals = await courses_events(stack, "enrollment.removed.v1")
    assert [(e["user_id"], e["removed_by"], e["course_title"]) for e in removals] == [
        (ana_id, ana_id, "Leave"),
        (bob_id, owner["user_id"], "Leave"),
    ]
    assert_problem(
        await stack.client.get(f"/api/v1/courses/{course['id']}/progress/me", headers=ana),
        403,
        "not-enrolled",
    )
    # coming back reactivates the same membership
    back = await stack.client.post(enrollments_url(course["id"]), headers=ana)
    assert back.status_code == 201
    assert back.json()["id"] == joined["id"]
    assert back.json()["status"] == "active"
    assert [e["user_id"] for e in await courses_events(stack, "enrollment.created.v1")].count(
        ana_id
    ) == 2


async def test_member_list_with_names_filters_and_pages(embedded: Stack) -> None:
    course, staff, _ = await published_course_with_items(
        embedded, kinds=("lesson",), enrollment_policy="approval"
    )
    for name in ("ana", "bob", "cai"):
        _, headers = await embedded.signed_up(f"{name}@example.com", display_name=name.title())
        await embedded.client.post(enrollments_url(course["id"]), headers=headers)
    first = await embedded.client.get(
        enrollments_url(course["id"]), params={"status": "pending", "limit": 2}, headers=staff
    )
    assert first.status_code == 200
    page = first.json()
    second = (
        await embedded.client.get(
            enrollments_url(course["id"]),
            params={"status": "pending", "limit": 2, "cursor": page["next_cursor"]},
            headers=staff,
        )
    ).json()
    rows = page["items"] + second["items"]
    assert [(m["display_name"], m["email"], m["status"]) for m in rows] == [
        ("Ana", "ana@example.com", "pending"),
        ("Bob", "bob@example.com", "pending"),
        ("Cai", "cai@example.com", "pending"),
    ]
    assert second["next_cursor"] is None
    instructors = (
        await embedded.client.get(
            enrollments_url(course["id"]), params={"role": "instructor"}, headers=staff
        )
    ).json()["items"]
    assert [m["email"] for m in instructors] == ["instructor@example.com"]
    assert_problem(
        await embedded.client.get(
            enrollments_url(course["id"]), params={"cursor": "bad"}, headers=staff
        ),
        400,
        "invalid-cursor",
    )


async def test_bulk_enrollment_from_csv(stack: Stack) -> None:
    # given
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    ana_id, ana = await learner(stack, "ana@example.com")
    bob_id, _ = await learner(stack, "bob@example.com")
    ta_id, _ = await learner(stack, "ta@example.com")
    await stack.client.post(enrollments_url(course["id"]), headers=ana)
    csv_text = (
        "email,role\n"
        "bob@example.com,learner\n"
        "ana@example.com,\n"
        "ghost@example.com,learner\n"
        "not-an-email,learner\n"
        "TA@example.com,teaching_assistant\n"
        "bob@example.com,learner\n"
        "bob2@example.com,owner\n"
    )
    # when
    response = await stack.client.post(
        f"{enrollments_url(course['id'])}/bulk",
        files={"file": ("people.csv", csv_text.encode(), "text/csv")},
        headers=staff,
    )
    # then
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(r["row"], r["email"], r["outcome"]) for r in report["rows"]] == [
        (2, "bob@example.com", "enrolled"),
        (3, "ana@example.com", "already_enrolled"),
        (4, "ghost@example.com", "unknown_email"),
        (5, "not-an-email", "invalid"),
        (6, "ta@example.com", "enrolled"),
        (7, "bob@example.com", "already_enrolled"),
        (8, "bob2@example.com", "invalid"),
    ]
    assert all(r["detail"] for r in report["rows"])
    assert (
        report["enrolled"],
        report["already_enrolled"],
        report["unknown_email"],
        report["invalid"],
    ) == (
        2,
        2,
        1,
        2,
    )
    members = await memberships(stack, course["id"])
    assert members[bob_id] == ("learner", "active")
    assert members[ta_id] == ("teaching_assistant", "active")
    assert members[ana_id] == ("learner", "active")
    created = [e["user_id"] for e in await courses_events(stack, "enrollment.created.v1")]
    assert (created.count(bob_id), created.count(ta_id)) == (1, 1)


async def test_bulk_enrollment_rules(embedded: Stack) -> None:
    course, staff, _ = await published_course_with_items(embedded, kinds=("lesson",))
    _, lea = await learner(embedded, "lea@example.com")
    url = f"{enrollments_url(course['id'])}/bulk"

    def upload(text: str) -> dict[str, Any]:
        return {"file": ("people.csv", text.encode(), "text/csv")}

    assert_problem(
        await embedded.client.post(url, files=upload("email\nlea@example.com\n"), headers=lea),
        403,
        "not-course-staff",
    )
    assert_problem(
        await embedded.client.post(
            url, files=upload("name,email\nx,lea@example.com\n"), headers=staff
        ),
        400,
        "invalid-csv",
    )
    assert_problem(
        await embedded.client.post(url, files=upload(""), headers=staff), 400, "invalid-csv"
    )
    too_many = "email\n" + "".join(f"p{n}@example.com\n" for n in range(5001))
    assert_problem(
        await embedded.client.post(url, files=upload(too_many), headers=staff), 400, "invalid-csv"
    )
    assert (await embedded.client.post(url, headers=staff)).status_code == 422
    assert len(await memberships(embedded, course["id"])) == 1


async def test_staff_of_a_course_are_listed_as_members(embedded: Stack) -> None:
    """Admins act as staff in every course (tier-independent)."""
    course, _, _ = await published_course_with_items(embedded, kinds=("lesson",))
    admin = await embedded.demo_admin()
    _, _ = await learner(embedded, "ana@example.com")
    added = await embedded.client.post(
        enrollments_url(course["id"]),
        json={"email": "ana@example.com", "role": "instructor"},
        headers=admin,
    )
    assert added.status_code == 201
    assert added.json()["role"] == "instructor"
    token = bearer(await embedded.token("ana@example.com"))
    assert (
        await embedded.client.get(enrollments_url(course["id"]), headers=token)
    ).status_code == 200


async def test_an_empty_json_body_also_enrolls_yourself(embedded: Stack) -> None:
    course, _, _ = await published_course_with_items(embedded, title="Empty Body Course")
    user_id, headers = await learner(embedded, "empty@example.com")
    response = await embedded.client.post(enrollments_url(course["id"]), json={}, headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["user_id"], response.json()["role"]) == (user_id, "learner")
