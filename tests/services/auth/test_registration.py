"""Registration, on each tier: a new e-mail is sent the link that creates its account and
signs its owner in; a taken e-mail gets the same answer, and its owner a notice instead."""

from __future__ import annotations

import asyncio
import logging

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from learnhub.services.auth.models import Account, PendingRegistration
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
CONFIRM = "/api/v1/auth/email-confirmation"


async def accounts_with(stack: Stack, email: str) -> list[Account]:
    async with auth_runtime(stack).db.session() as session:
        return list((await session.scalars(select(Account).where(Account.email == email))).all())


async def pending_emails(stack: Stack) -> list[str]:
    async with auth_runtime(stack).db.session() as session:
        return sorted((await session.scalars(select(PendingRegistration.email))).all())


async def confirm(stack: Stack, token: str) -> httpx.Response:
    return await stack.client.post(CONFIRM, json={"token": token})


async def test_a_new_email_is_sent_a_link_and_gets_no_account_yet(stack: Stack) -> None:
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
    assert await outbox_types(stack) == ["user.email_confirmation_requested.v1"]
    [requested] = await outbox_data(stack, "user.email_confirmation_requested.v1")
    assert requested["email"] == "maria@example.com"
    assert requested["display_name"] == "Maria Silva"
    assert requested["confirm_url"].startswith("http://127.0.0.1:8000/confirm-email?token=")
    # and until the link is followed there is no account: its log-in fails like any other
    assert await accounts_with(stack, "maria@example.com") == []
    assert await pending_emails(stack) == ["maria@example.com"]
    assert (await log_in(stack, "maria@example.com", PASSWORD)).status_code == 401


async def test_following_the_link_creates_the_account_and_signs_its_owner_in(
    stack: Stack,
) -> None:
    # given
    await stack.client.post(
        REGISTER, json={"email": "maria@example.com", "password": PASSWORD, "display_name": "Maria"}
    )
    token = await stack.confirmation_token("maria@example.com")

    # when
    response = await confirm(stack, token)

    # then the answer is a token pair for the new account
    assert response.status_code == 200, response.text
    tokens = response.json()
    [account] = await accounts_with(stack, "maria@example.com")
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["sub"] == (
        account.id
    )
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert account.roles == ["learner"]
    assert await pending_emails(stack) == []
    assert (await outbox_types(stack))[1:] == ["user.registered.v1", "user.logged_in.v1"]
    [announced] = await outbox_data(stack, "user.registered.v1")
    assert (announced["user_id"], announced["display_name"]) == (account.id, "Maria")
    # and the refresh token and the password both work
    refreshed = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert (await log_in(stack, "maria@example.com", PASSWORD)).status_code == 200


@pytest.mark.parametrize("token", ["never-issued", "x" * 200])
async def test_an_unknown_link_is_refused_and_changes_nothing(stack: Stack, token: str) -> None:
    response = await confirm(stack, token)

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/invalid-confirmation-token"
    assert await outbox_types(stack) == []


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "x" * 201}])
async def test_a_malformed_confirmation_is_a_validation_error(stack: Stack, body: dict) -> None:
    response = await stack.client.post(CONFIRM, json=body)

    assert response.status_code == 422
    assert response.json()["type"] == "/problems/validation-error"


async def test_a_link_works_once(stack: Stack) -> None:
    await stack.client.post(
        REGISTER, json={"email": "once@example.com", "password": PASSWORD, "display_name": "O"}
    )
    token = await stack.confirmation_token("once@example.com")

    first, second = await asyncio.gather(confirm(stack, token), confirm(stack, token))

    assert sorted([first.status_code, second.status_code]) == [200, 400]
    assert len(await accounts_with(stack, "once@example.com")) == 1
    assert (await confirm(stack, token)).status_code == 400
    assert (await outbox_types(stack)).count("user.registered.v1") == 1


async def test_an_expired_link_is_refused_and_forgotten(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a link whose time is up
    monkeypatch.setattr(auth_context(stack).settings, "confirmation_token_ttl", 0)
    await stack.client.post(
        REGISTER, json={"email": "late@example.com", "password": PASSWORD, "display_name": "L"}
    )
    late = await stack.confirmation_token("late@example.com")
    monkeypatch.setattr(auth_context(stack).settings, "confirmation_token_ttl", 3600)
    await stack.client.post(
        REGISTER, json={"email": "soon@example.com", "password": PASSWORD, "display_name": "S"}
    )

    # when it is followed, and then another, valid one
    refused = await confirm(stack, late)
    accepted = await confirm(stack, await stack.confirmation_token("soon@example.com"))

    # then the late one made no account, and the expired sign-up is forgotten
    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert await accounts_with(stack, "late@example.com") == []
    assert await pending_emails(stack) == []


async def test_of_two_links_of_one_address_the_first_followed_wins(stack: Stack) -> None:
    """Two people signed up with one address before either confirmed: each link carries its
    own password and name; the first followed creates the account, the other then fails."""
    body = {"email": "twice@example.com", "display_name": "Twice"}
    await stack.client.post(REGISTER, json={**body, "password": PASSWORD})
    first_token = await stack.confirmation_token("twice@example.com")
    await stack.client.post(REGISTER, json={**body, "password": "the other one's"})
    second_token = await stack.confirmation_token("twice@example.com")

    second = await confirm(stack, second_token)
    first = await confirm(stack, first_token)

    assert (second.status_code, first.status_code) == (200, 400)
    assert first.json()["type"] == "/problems/invalid-confirmation-token"
    assert len(await accounts_with(stack, "twice@example.com")) == 1
    assert (await log_in(stack, "twice@example.com", "the other one's")).status_code == 200
    assert (await log_in(stack, "twice@example.com", PASSWORD)).status_code == 401


async def test_a_taken_email_gets_the_same_answer_and_its_owner_a_notice(stack: Stack) -> None:
    # given an owner, and what a newcomer is answered
    owner_id = await stack.register("owner@example.com")
    [before] = await accounts_with(stack, "owner@example.com")
    newcomer = await stack.client.post(
        REGISTER,
        json={"email": "newcomer@example.com", "password": PASSWORD, "display_name": "Nia New"},
    )
    types_before = await outbox_types(stack)

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
    # and the account is untouched: still one, same password, and no link was made for it
    [after] = await accounts_with(stack, "owner@example.com")
    assert (after.id, after.password_hash) == (owner_id, before.password_hash)
    assert await pending_emails(stack) == ["newcomer@example.com"]
    assert (await log_in(stack, "owner@example.com", PASSWORD)).status_code == 200
    assert (await log_in(stack, "owner@example.com", "someone else's")).status_code == 401
    # and the owner is to be told, through an event a notifications service e-mails
    assert (await outbox_types(stack))[len(types_before)] == (
        "user.account_exists_notice_requested.v1"
    )
    [notice] = await outbox_data(stack, "user.account_exists_notice_requested.v1")
    assert notice["user_id"] == owner_id
    assert notice["email"] == "owner@example.com"
    assert notice["login_url"] == "http://127.0.0.1:8000/login"
    assert notice["reset_password_url"] == "http://127.0.0.1:8000/forgot-password"


async def test_the_link_and_the_notice_are_logged_in_development(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    await stack.register("dev@example.com")
    caplog.set_level(logging.INFO, logger="learnhub.services.auth.service")

    await stack.client.post(
        REGISTER, json={"email": "dev@example.com", "password": PASSWORD, "display_name": "Dev"}
    )
    await stack.client.post(
        REGISTER, json={"email": "new@example.com", "password": PASSWORD, "display_name": "New"}
    )

    notice, link = [
        record.getMessage()
        for record in caplog.records
        if record.name == "learnhub.services.auth.service"
    ]
    assert "dev@example.com" in notice
    assert "http://127.0.0.1:8000/forgot-password" in notice
    token = await stack.confirmation_token("new@example.com")
    assert f"http://127.0.0.1:8000/confirm-email?token={token}" in link


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
    assert await pending_emails(stack) == []


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
