"""Course changes found wanting in review: a partial completion rule, and slugs that
must not reveal someone else's draft."""

from __future__ import annotations

from tests.conftest import Stack, bearer
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
)

PROBLEM = "application/problem+json"


async def second_instructor(
    stack: Stack, email: str = "other.instructor@example.com"
) -> dict[str, str]:
    """Another platform instructor, made so by an administrator."""
    admin = await stack.demo_admin()
    user_id, _ = await learner(stack, email)
    response = await stack.client.put(
        f"/api/v1/users/{user_id}/roles", json={"roles": ["instructor"]}, headers=admin
    )
    assert response.status_code == 200, response.text
    await stack.settle()
    return bearer(await stack.token(email))


async def test_a_partial_completion_rule_changes_only_what_it_names(stack: Stack) -> None:
    # given: a rule that asks for the quiz to be passed
    headers = await instructor(stack)
    course = await create_course(stack, headers, title="Rules")
    section = await add_section(stack, headers, course["id"], "One")
    quiz = await add_item(stack, headers, course["id"], section["id"], "quiz", "Check")
    url = f"/api/v1/courses/{course['id']}"
    full = await stack.client.patch(
        url,
        json={"completion_rule": {"required_items": True, "passing_quiz_ids": [quiz["id"]]}},
        headers=headers,
    )
    assert full.status_code == 200, full.text

    # when: only one member is sent
    relaxed = await stack.client.patch(
        url, json={"completion_rule": {"required_items": False}}, headers=headers
    )

    # then: the other keeps its value
    assert relaxed.status_code == 200, relaxed.text
    assert relaxed.json()["completion_rule"] == {
        "required_items": False,
        "passing_quiz_ids": [quiz["id"]],
    }

    # when / then: and the other way round
    cleared = await stack.client.patch(
        url, json={"completion_rule": {"passing_quiz_ids": []}}, headers=headers
    )
    assert cleared.json()["completion_rule"] == {"required_items": False, "passing_quiz_ids": []}

    # when: a partial rule naming something that is not a quiz of the course
    wrong = await stack.client.patch(
        url, json={"completion_rule": {"passing_quiz_ids": ["nope"]}}, headers=headers
    )

    # then: a field problem, and the rule unchanged
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == PROBLEM
    assert [e["field"] for e in wrong.json()["errors"]] == ["completion_rule.passing_quiz_ids"]
    current = await stack.client.get(url, headers=headers)
    assert current.json()["completion_rule"] == {"required_items": False, "passing_quiz_ids": []}


async def test_a_draft_slug_is_not_revealed_to_another_instructor(stack: Stack) -> None:
    # given: a draft and a published course of one instructor
    owner = await instructor(stack)
    draft = await create_course(stack, owner, title="Secret", slug="secret-project")
    public = await create_course(stack, owner, title="Public", slug="public-course")
    section = await add_section(stack, owner, public["id"], "S")
    await add_item(stack, owner, public["id"], section["id"], "lesson", "L")
    await publish(stack, owner, public["id"])
    other = await second_instructor(stack)

    # when: another instructor asks for the draft's slug
    created = await stack.client.post(
        "/api/v1/courses", json={"title": "Mine", "slug": "secret-project"}, headers=other
    )

    # then: no conflict that would tell the draft exists; a free variant instead
    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "secret-project-2"

    # when: they rename their course to it
    renamed = await stack.client.patch(
        f"/api/v1/courses/{created.json()['id']}",
        json={"slug": "secret-project"},
        headers=other,
    )

    # then
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["slug"] == "secret-project-2"

    # when / then: a course they may see is a plain conflict
    taken = await stack.client.post(
        "/api/v1/courses", json={"title": "Copy", "slug": "public-course"}, headers=other
    )
    assert taken.status_code == 409
    assert taken.json()["type"] == "/problems/slug-taken"

    # when / then: the draft's own staff (and administrators) see the conflict too
    own = await stack.client.post(
        "/api/v1/courses", json={"title": "Again", "slug": "secret-project"}, headers=owner
    )
    assert own.status_code == 409
    admin = await stack.demo_admin()
    by_admin = await stack.client.post(
        "/api/v1/courses", json={"title": "Again", "slug": "secret-project"}, headers=admin
    )
    assert by_admin.status_code == 409
    # The draft kept its slug.
    unchanged = await stack.client.get(f"/api/v1/courses/{draft['id']}", headers=owner)
    assert unchanged.json()["slug"] == "secret-project"
