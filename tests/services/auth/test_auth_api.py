"""The auth API, on each tier: log-in, tokens, sessions, passwords, keys.

Registration is in test_registration.py, throttling in test_login_throttle.py, hashing
capacity in test_hashing_capacity.py."""

from __future__ import annotations

import re

import jwt
from sqlalchemy import func, select

from learnhub.services.auth.models import Account, LoginSession, PasswordResetToken
from tests.conftest import PASSWORD, Stack, bearer
from tests.services.auth.support import (
    PROBLEM,
    auth_runtime,
    outbox_data,
    outbox_types,
    stored_hash,
    without_request_id,
)


async def reset_token_from_outbox(stack: Stack) -> str:
    [*_, newest] = await outbox_data(stack, "user.password_reset_requested.v1")
    match = re.search(r"token=([A-Za-z0-9_-]+)", newest["reset_url"])
    assert match
    return match.group(1)


# ------------------------------------------------------------------ log-in


async def test_login_returns_a_verifiable_access_token(stack: Stack) -> None:
    user_id = await stack.register("login@example.com")
    tokens = await stack.login("login@example.com")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "EdDSA"
    jwks = (await stack.client.get("/.well-known/jwks.json")).json()
    assert header["kid"] in [key["kid"] for key in jwks["keys"]]
    assert all("d" not in key for key in jwks["keys"])
    claims = jwt.decode(
        tokens["access_token"],
        jwt.PyJWK(next(key for key in jwks["keys"] if key["kid"] == header["kid"])).key,
        algorithms=["EdDSA"],
        audience="learnhub",
        issuer="learnhub",
    )
    assert claims["sub"] == user_id
    assert claims["roles"] == ["learner"]
    assert claims["exp"] - claims["iat"] == 900
    assert "user.logged_in.v1" in await outbox_types(stack)


async def test_unknown_email_and_wrong_password_get_the_same_answer(stack: Stack) -> None:
    await stack.register("known@example.com")
    unknown = await stack.client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    wrong = await stack.client.post(
        "/api/v1/auth/login", json={"email": "known@example.com", "password": "wrong-pass!"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert without_request_id(unknown.json()) == without_request_id(wrong.json())
    assert unknown.json()["type"] == "/problems/invalid-credentials"


# ------------------------------------------------------------------ refresh tokens


async def test_refresh_rotates_the_refresh_token(stack: Stack) -> None:
    await stack.register("rotate@example.com")
    first = await stack.login("rotate@example.com")
    response = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (
        await stack.client.get("/api/v1/users/me", headers=bearer(second["access_token"]))
    ).status_code == 200
    third = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert third.status_code == 200


async def test_reused_refresh_token_revokes_the_whole_family(stack: Stack) -> None:
    await stack.register("stolen@example.com")
    first = await stack.login("stolen@example.com")
    first_session = jwt.decode(first["access_token"], options={"verify_signature": False})["sid"]
    rotated = (
        await stack.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
    ).json()
    # when the old token is presented again (an attacker replaying it)
    reuse = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    # then it is refused and the legitimate newest token dies with its family
    assert reuse.status_code == 401
    assert reuse.json()["type"] == "/problems/invalid-refresh-token"
    newest = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert newest.status_code == 401
    async with auth_runtime(stack).db.session() as session:
        reason = await session.scalar(
            select(LoginSession.revoked_reason).where(LoginSession.id == first_session)
        )
    assert reason == "refresh-token-reuse"


async def test_refresh_with_an_unknown_token_is_refused(stack: Stack) -> None:
    response = await stack.client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_logout_ends_the_session(stack: Stack) -> None:
    await stack.register("bye@example.com")
    tokens = await stack.login("bye@example.com")
    response = await stack.client.post(
        "/api/v1/auth/logout", headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204
    refresh = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_logout_needs_a_token(stack: Stack) -> None:
    response = await stack.client.post("/api/v1/auth/logout")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


# ------------------------------------------------------------------ passwords


async def test_password_change_revokes_the_other_sessions(stack: Stack) -> None:
    await stack.register("change@example.com")
    laptop = await stack.login("change@example.com")
    phone = await stack.login("change@example.com")
    response = await stack.client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new secret"},
        headers=bearer(laptop["access_token"]),
    )
    assert response.status_code == 204
    assert (
        await stack.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
        )
    ).status_code == 401
    assert (
        await stack.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}
        )
    ).status_code == 200
    assert (
        await stack.client.post(
            "/api/v1/auth/login", json={"email": "change@example.com", "password": PASSWORD}
        )
    ).status_code == 401
    await stack.login("change@example.com", "a brand new secret")
    assert "user.password_changed.v1" in await outbox_types(stack)


async def test_password_change_with_a_wrong_current_password_changes_nothing(stack: Stack) -> None:
    _, headers = await stack.signed_up("careful@example.com")
    other_device = await stack.login("careful@example.com")
    before = await stored_hash(stack, "careful@example.com")
    response = await stack.client.post(
        "/api/v1/auth/password",
        json={"current_password": "not it at all", "new_password": "whatever else 1"},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/wrong-password"
    assert await stored_hash(stack, "careful@example.com") == before
    refreshed = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert refreshed.status_code == 200
    await stack.login("careful@example.com")
    assert "user.password_changed.v1" not in await outbox_types(stack)


async def test_password_change_needs_a_token(stack: Stack) -> None:
    await stack.register("anonymous@example.com")
    before = await stored_hash(stack, "anonymous@example.com")
    response = await stack.client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new secret"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert await stored_hash(stack, "anonymous@example.com") == before
    assert "user.password_changed.v1" not in await outbox_types(stack)


async def test_password_reset_for_an_unknown_email_looks_the_same(stack: Stack) -> None:
    await stack.register("someone@example.com")
    known = await stack.client.post(
        "/api/v1/auth/password-reset", json={"email": "someone@example.com"}
    )
    unknown = await stack.client.post(
        "/api/v1/auth/password-reset", json={"email": "ghost@example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content == b""
    assert (await outbox_types(stack)).count("user.password_reset_requested.v1") == 1


async def test_password_reset_token_works_once_and_ends_every_session(stack: Stack) -> None:
    await stack.register("forgetful@example.com")
    session_before = await stack.login("forgetful@example.com")
    await stack.client.post("/api/v1/auth/password-reset", json={"email": "forgetful@example.com"})
    token = await reset_token_from_outbox(stack)
    confirm = await stack.client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "remembered at last"},
    )
    assert confirm.status_code == 204
    await stack.login("forgetful@example.com", "remembered at last")
    refresh = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": session_before["refresh_token"]}
    )
    assert refresh.status_code == 401
    again = await stack.client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "yet another secret"},
    )
    assert again.status_code == 400
    assert again.json()["type"] == "/problems/invalid-reset-token"
    await stack.login("forgetful@example.com", "remembered at last")


async def test_expired_password_reset_token_is_refused(stack: Stack) -> None:
    await stack.register("late@example.com")
    await stack.client.post("/api/v1/auth/password-reset", json={"email": "late@example.com"})
    token = await reset_token_from_outbox(stack)
    async with auth_runtime(stack).db.transaction() as session:
        stored = (await session.scalars(select(PasswordResetToken))).one()
        stored.expires_at = stored.created_at
    response = await stack.client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "too late for this"},
    )
    assert response.status_code == 400
    await stack.login("late@example.com")


async def test_jwks_is_public_and_cacheable(stack: Stack) -> None:
    response = await stack.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    (key,) = response.json()["keys"]
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["alg"] == "EdDSA"
    assert key["use"] == "sig"


async def test_registered_accounts_count(stack: Stack) -> None:
    await stack.register("one@example.com")
    await stack.register("two@example.com")
    async with auth_runtime(stack).db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 2
