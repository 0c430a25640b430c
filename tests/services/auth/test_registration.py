"""Registration, on each tier: a taken e-mail gets the same answer as a new one, and its
owner a notice instead of an account."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from learnhub.services.auth.models import Account
from tests.conftest import PASSWORD, Stack
from tests.services.auth.support import (
    PROBLEM,
    auth_context,
    auth_runtime,
    hashing_blocked,
    log_in,
    outbox_data,
    outbox_types,
    wait_until,
)

REGISTER = "/api/v1/auth/register"


async def accounts_with(stack: Stack, email: str) -> list[Account]:
    async with auth_runtime(stack).db.session() as session:
        return list((await session.scalars(select(Account).where(Account.email == email))).all())


async def test_a_new_email_gets_an_account_and_its_announcement(stack: Stack) -> None:
    # when
    response = await stack.client.post(
        REGISTER,
        json={
            "email": "  Maria@Example.COM ",
            "password": PASSWORD,
            "display_name": "  Maria   Silva ",
        },
    )

    # then
    assert response.status_code == 202
    assert response.json() == {"email": "maria@example.com", "display_name": "Maria Silva"}
    assert await outbox_types(stack) == ["user.registered.v1"]
    [account] = await accounts_with(stack, "maria@example.com")
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert account.roles == ["learner"]
    [announced] = await outbox_data(stack, "user.registered.v1")
    assert announced["user_id"] == account.id
    assert announced["display_name"] == "Maria Silva"


async def test_a_taken_email_gets_the_same_answer_and_its_owner_a_notice(stack: Stack) -> None:
    # given an owner, and what a newcomer is answered
    owner_id = await stack.register("owner@example.com")
    [before] = await accounts_with(stack, "owner@example.com")
    newcomer = await stack.client.post(
        REGISTER,
        json={"email": "newcomer@example.com", "password": PASSWORD, "display_name": "Nia New"},
    )

    # when someone registers the owner's e-mail, with another password and name
    again = await stack.client.post(
        REGISTER,
        json={"email": " OWNER@example.com", "password": "someone else's", "display_name": "Eve"},
    )

    # then the answer is the newcomer's, with this request's e-mail and name
    assert again.status_code == newcomer.status_code == 202
    assert again.headers["content-type"] == newcomer.headers["content-type"]
    assert again.json() == {"email": "owner@example.com", "display_name": "Eve"}
    assert set(again.json()) == set(newcomer.json())
    # and the account is untouched: still one, same password
    [after] = await accounts_with(stack, "owner@example.com")
    assert (after.id, after.password_hash) == (owner_id, before.password_hash)
    assert (await log_in(stack, "owner@example.com", PASSWORD)).status_code == 200
    assert (await log_in(stack, "owner@example.com", "someone else's")).status_code == 401
    # and the owner is to be told, through an event a notifications service e-mails
    assert (await outbox_types(stack))[:3] == [
        "user.registered.v1",
        "user.registered.v1",
        "user.account_exists_notice_requested.v1",
    ]
    [notice] = await outbox_data(stack, "user.account_exists_notice_requested.v1")
    assert notice["user_id"] == owner_id
    assert notice["email"] == "owner@example.com"
    assert notice["login_url"] == "http://127.0.0.1:8000/login"
    assert notice["reset_password_url"] == "http://127.0.0.1:8000/forgot-password"


async def test_the_notice_is_logged_in_development(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    await stack.register("dev@example.com")
    caplog.set_level(logging.INFO, logger="learnhub.services.auth.service")

    await stack.client.post(
        REGISTER, json={"email": "dev@example.com", "password": PASSWORD, "display_name": "Dev"}
    )

    [record] = [
        record for record in caplog.records if record.name == "learnhub.services.auth.service"
    ]
    assert "dev@example.com" in record.getMessage()
    assert "http://127.0.0.1:8000/forgot-password" in record.getMessage()


async def test_concurrent_registrations_of_one_email_make_one_account(stack: Stack) -> None:
    body = {"email": "twice@example.com", "password": PASSWORD, "display_name": "Twice"}

    first, second = await asyncio.gather(
        stack.client.post(REGISTER, json=body), stack.client.post(REGISTER, json=body)
    )

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert len(await accounts_with(stack, "twice@example.com")) == 1
    assert sorted(await outbox_types(stack)) == [
        "user.account_exists_notice_requested.v1",
        "user.registered.v1",
    ]


@pytest.mark.usefixtures("one_hashing_thread_no_queue")
async def test_both_cases_need_a_hash_so_a_busy_service_refuses_them_alike(stack: Stack) -> None:
    """A new and a taken e-mail do the same work: each hashes the password before anything
    else, so with every hashing thread busy both are refused the same way, writing nothing."""
    await stack.register("taken@example.com")
    types_before = await outbox_types(stack)

    async with hashing_blocked(stack):
        taken = await stack.client.post(
            REGISTER, json={"email": "taken@example.com", "password": PASSWORD, "display_name": "A"}
        )
        new = await stack.client.post(
            REGISTER, json={"email": "fresh@example.com", "password": PASSWORD, "display_name": "A"}
        )

    for response in (taken, new):
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "/problems/auth-busy"
        assert int(response.headers["retry-after"]) >= 1
    assert await outbox_types(stack) == types_before
    assert await accounts_with(stack, "fresh@example.com") == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "display_name": "X"}, "email"),
        ({"email": "a@example.com", "password": "short", "display_name": "X"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129, "display_name": "X"}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "display_name": "   "}, "display_name"),
        ({"email": "a@example.com", "password": PASSWORD}, "display_name"),
    ],
)
async def test_register_rejects_invalid_fields(stack: Stack, payload: dict, field: str) -> None:
    response = await stack.client.post(REGISTER, json=payload)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert [error["field"] for error in problem["errors"]] == [field]
    assert problem["errors"][0]["pointer"] == f"#/{field}"
    assert await outbox_types(stack) == []
    async with auth_runtime(stack).db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 0


async def test_a_registration_in_progress_holds_no_database_connection(stack: Stack) -> None:
    """While the password is hashed (here: waits for a hashing thread) the request has not
    touched the database yet."""
    pool = auth_context(stack).passwords.pool
    engine_pool = auth_runtime(stack).db.engine.sync_engine.pool
    async with hashing_blocked(stack):
        registering = asyncio.create_task(
            stack.client.post(
                REGISTER,
                json={"email": "patient@example.com", "password": PASSWORD, "display_name": "P"},
            )
        )
        await wait_until(lambda: pool.in_use == pool.workers + 1)
        # Only the outbox relay's short polls may take a connection now, and give it back.
        await wait_until(lambda: engine_pool.checkedout() == 0, within=10)
    assert (await registering).status_code == 202
