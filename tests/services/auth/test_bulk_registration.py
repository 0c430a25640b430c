"""Registering many accounts at once (`learnhub seed`): the same accounts, events and profiles
as signing up one by one; an e-mail already registered is reported and left untouched."""

from __future__ import annotations

import json

from sqlalchemy import select

from learnhub.kit.events.outbox import outbox_table
from learnhub.services.auth.bulk import NewAccount, register_many
from learnhub.services.auth.models import Account
from tests.conftest import PASSWORD, Stack, bearer


async def registrations(stack: Stack) -> list[dict[str, object]]:
    async with stack.platform.runtime("auth").db.session() as session:
        rows = await session.scalars(
            select(outbox_table.c.data)
            .where(outbox_table.c.type == "user.registered.v1")
            .order_by(outbox_table.c.created_at)
        )
        return [json.loads(row) for row in rows]


async def accounts(stack: Stack) -> dict[str, tuple[str, list[str], str]]:
    async with stack.platform.runtime("auth").db.session() as session:
        rows = await session.scalars(select(Account))
        return {row.email: (row.id, row.roles, row.password_hash) for row in rows}


async def register(stack: Stack, *new: NewAccount) -> tuple[dict[str, str], dict[str, str]]:
    auth = stack.platform.runtime("auth")
    password_hash = await auth.state["auth"].passwords.hash(PASSWORD)
    async with auth.db.transaction() as session:
        result = await register_many(session, new, password_hash=password_hash)
    return result.created, result.existing


async def test_many_accounts_sign_up_at_once_with_their_profiles(stack: Stack) -> None:
    # when: one e-mail written twice, in another case the second time
    created, existing = await register(
        stack,
        NewAccount("Ana@Example.org", "Ana Lima"),
        NewAccount("bob@example.org", "Bob Stone", roles=("instructor", "learner")),
        NewAccount("ana@example.org ", "Ana Again"),
    )
    await stack.settle()

    # then: two accounts, each announced once, each with a profile, each can log in
    assert (sorted(created), existing) == (["ana@example.org", "bob@example.org"], {})
    announced = await registrations(stack)
    assert [(event["email"], event["display_name"], event["roles"]) for event in announced] == [
        ("ana@example.org", "Ana Lima", ["learner"]),
        ("bob@example.org", "Bob Stone", ["instructor", "learner"]),
    ]
    tokens = await stack.login("bob@example.org")
    me = await stack.client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))
    assert (me.status_code, me.json()["display_name"], me.json()["roles"]) == (
        200,
        "Bob Stone",
        ["instructor", "learner"],
    )
    assert me.json()["id"] == created["bob@example.org"]


async def test_an_email_already_registered_is_reported_and_left_alone(stack: Stack) -> None:
    # given: Ana signed up herself, with her own password
    ana_id = await stack.register("ana@example.org", password="anas own password")
    before = await accounts(stack)
    announced_before = await registrations(stack)

    # when
    created, existing = await register(
        stack, NewAccount("ana@example.org", "Somebody Else"), NewAccount("bob@example.org", "Bob")
    )

    # then: Ana's account, password and profile are hers; only Bob is new
    assert existing == {"ana@example.org": ana_id}
    assert list(created) == ["bob@example.org"]
    after = await accounts(stack)
    assert after["ana@example.org"] == before["ana@example.org"]
    assert [event["email"] for event in await registrations(stack)] == [
        *(event["email"] for event in announced_before),
        "bob@example.org",
    ]
    assert (await stack.login("ana@example.org", "anas own password"))["access_token"]
