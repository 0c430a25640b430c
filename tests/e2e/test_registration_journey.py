"""The registration journey, the same scenario on each tier (the distributed tier runs it
across processes behind nginx in test_distributed_mode.py)."""

from __future__ import annotations

import jwt

from tests.conftest import PASSWORD, Stack, bearer


async def test_register_profile_login_refresh_edit(stack: Stack) -> None:
    # given a newcomer registers
    registered = await stack.client.post(
        "/api/v1/auth/register",
        json={"email": "journey@example.com", "password": PASSWORD, "display_name": "Jo Urney"},
    )
    assert registered.status_code == 202

    # when they follow the e-mailed link, they are signed in, and their profile exists
    # (built by the users service from the event)
    confirmed = await stack.client.post(
        "/api/v1/auth/email-confirmation",
        json={"token": await stack.confirmation_token("journey@example.com")},
    )
    assert confirmed.status_code == 200
    await stack.settle()
    tokens = confirmed.json()
    user_id = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sub"]
    profile = await stack.client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))
    assert profile.status_code == 200
    assert profile.json()["id"] == user_id
    assert profile.json()["display_name"] == "Jo Urney"

    # and after refreshing their tokens they edit the profile
    refreshed = await stack.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    headers = bearer(refreshed.json()["access_token"])
    edited = await stack.client.patch(
        "/api/v1/users/me", json={"bio": "Learning every day.", "locale": "pt"}, headers=headers
    )
    assert edited.status_code == 200

    # then the edit is what they read back
    again = await stack.client.get("/api/v1/users/me", headers=headers)
    assert again.json()["bio"] == "Learning every day."
    assert again.json()["locale"] == "pt"
