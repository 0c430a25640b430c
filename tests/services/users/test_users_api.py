"""The users API, on each tier: profiles, the admin list, platform roles."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import select

from learnhub.kit.events.outbox import event_from_row, outbox_table
from learnhub.services.users.models import Profile
from tests.conftest import Stack, bearer

PROBLEM = "application/problem+json"


async def users_outbox(stack: Stack) -> list[str]:
    async with stack.platform.runtime("users").db.session() as session:
        return list(
            (
                await session.scalars(
                    select(outbox_table.c.type).order_by(outbox_table.c.created_at)
                )
            ).all()
        )


async def test_profile_is_created_from_the_registration_event(stack: Stack) -> None:
    user_id, headers = await stack.signed_up("new@example.com", display_name="Nova Person")
    response = await stack.client.get("/api/v1/users/me", headers=headers)
    assert response.status_code == 200
    profile = response.json()
    assert profile["id"] == user_id
    assert profile["email"] == "new@example.com"
    assert profile["display_name"] == "Nova Person"
    assert profile["bio"] == ""
    assert profile["avatar_url"] is None
    assert profile["locale"] == "en"
    assert profile["time_zone"] == "UTC"
    assert profile["roles"] == ["learner"]


async def test_me_needs_a_token(stack: Stack) -> None:
    response = await stack.client.get("/api/v1/users/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"


async def test_edit_my_profile(stack: Stack) -> None:
    _, headers = await stack.signed_up("editor@example.com")
    response = await stack.client.patch(
        "/api/v1/users/me",
        json={
            "display_name": "Edi Tor",
            "bio": "I teach chemistry.",
            "avatar_url": "https://images.example.org/me.png",
            "locale": "pt",
            "time_zone": "Europe/Lisbon",
        },
        headers=headers,
    )
    assert response.status_code == 200
    profile = response.json()
    assert (
        profile["display_name"],
        profile["bio"],
        profile["avatar_url"],
        profile["locale"],
        profile["time_zone"],
    ) == (
        "Edi Tor",
        "I teach chemistry.",
        "https://images.example.org/me.png",
        "pt",
        "Europe/Lisbon",
    )
    assert profile["updated_at"] > profile["created_at"]
    assert (await stack.client.get("/api/v1/users/me", headers=headers)).json() == profile
    assert await users_outbox(stack) == ["user.profile_updated.v1"]


async def test_an_edit_that_changes_nothing_announces_nothing(stack: Stack) -> None:
    _, headers = await stack.signed_up("same@example.com", display_name="Same")
    response = await stack.client.patch(
        "/api/v1/users/me", json={"display_name": "Same"}, headers=headers
    )
    assert response.status_code == 200
    assert await users_outbox(stack) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"bio": "x" * 2001}, "bio"),
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url"),
        ({"locale": "klingon"}, "locale"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"roles": ["admin"]}, "roles"),
        ({"email": "new@example.com"}, "email"),
    ],
)
async def test_invalid_profile_edits_are_refused_and_change_nothing(
    stack: Stack, payload: dict, field: str
) -> None:
    _, headers = await stack.signed_up("strict@example.com")
    before = (await stack.client.get("/api/v1/users/me", headers=headers)).json()
    response = await stack.client.patch("/api/v1/users/me", json=payload, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert (await stack.client.get("/api/v1/users/me", headers=headers)).json() == before


# ------------------------------------------------------------------ administration


async def test_admin_lists_and_searches_users_with_paging(stack: Stack) -> None:
    admin = await stack.demo_admin()
    for number in range(5):
        await stack.register(f"pupil{number}@school.example", display_name=f"Pupil {number}")
    first = await stack.client.get(
        "/api/v1/users", params={"q": "school", "limit": 2}, headers=admin
    )
    assert first.status_code == 200
    page = first.json()
    assert [user["email"] for user in page["items"]] == [
        "pupil0@school.example",
        "pupil1@school.example",
    ]
    emails = [user["email"] for user in page["items"]]
    cursor = page["next_cursor"]
    while cursor:
        page = (
            await stack.client.get(
                "/api/v1/users", params={"q": "school", "limit": 2, "cursor": cursor}, headers=admin
            )
        ).json()
        emails += [user["email"] for user in page["items"]]
        cursor = page["next_cursor"]
    assert emails == [f"pupil{number}@school.example" for number in range(5)]
    by_name = await stack.client.get("/api/v1/users", params={"q": "PUPIL 3"}, headers=admin)
    assert [user["email"] for user in by_name.json()["items"]] == ["pupil3@school.example"]
    everyone = await stack.client.get("/api/v1/users", headers=admin)
    assert len(everyone.json()["items"]) == 9
    assert everyone.json()["next_cursor"] is None


async def test_search_treats_wildcards_literally(stack: Stack) -> None:
    admin = await stack.demo_admin()
    response = await stack.client.get("/api/v1/users", params={"q": "%"}, headers=admin)
    assert response.json()["items"] == []


@pytest.mark.parametrize("role", ["learner", "instructor"])
async def test_non_admins_cannot_list_users(stack: Stack, role: str) -> None:
    await stack.demo_admin()
    email = "learner1@example.com" if role == "learner" else "instructor@example.com"
    password = "learnhub-learner" if role == "learner" else "learnhub-instructor"
    headers = bearer(await stack.token(email, password))
    response = await stack.client.get("/api/v1/users", headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


async def test_anonymous_cannot_list_users(stack: Stack) -> None:
    assert (await stack.client.get("/api/v1/users")).status_code == 401


async def test_a_user_reads_only_their_own_profile(stack: Stack) -> None:
    alice_id, alice = await stack.signed_up("alice@example.com")
    bob_id, _ = await stack.signed_up("bob@example.com")
    assert (await stack.client.get(f"/api/v1/users/{alice_id}", headers=alice)).status_code == 200
    denied = await stack.client.get(f"/api/v1/users/{bob_id}", headers=alice)
    assert denied.status_code == 403
    admin = await stack.demo_admin()
    assert (await stack.client.get(f"/api/v1/users/{bob_id}", headers=admin)).json()[
        "email"
    ] == "bob@example.com"
    assert (await stack.client.get("/api/v1/users/no-such-user", headers=admin)).status_code == 404


async def test_admin_changes_roles_and_the_next_token_carries_them(stack: Stack) -> None:
    admin = await stack.demo_admin()
    user_id, _ = await stack.signed_up("promoted@example.com")
    response = await stack.client.put(
        f"/api/v1/users/{user_id}/roles", json={"roles": ["instructor", "learner"]}, headers=admin
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["instructor", "learner"]
    assert await users_outbox(stack) == ["user.roles_changed.v1"]
    await stack.settle()
    claims = jwt.decode(
        await stack.token("promoted@example.com"), options={"verify_signature": False}
    )
    assert claims["roles"] == ["instructor", "learner"]


async def test_a_learner_cannot_change_roles(stack: Stack) -> None:
    await stack.demo_admin()
    victim_id, learner = await stack.signed_up("climber@example.com")
    response = await stack.client.put(
        f"/api/v1/users/{victim_id}/roles", json={"roles": ["admin"]}, headers=learner
    )
    assert response.status_code == 403
    async with stack.platform.runtime("users").db.session() as session:
        assert (await session.get(Profile, victim_id)).roles == ["learner"]
    assert await users_outbox(stack) == []


async def test_an_admin_cannot_remove_their_own_admin_role(stack: Stack) -> None:
    admin = await stack.demo_admin()
    me = (await stack.client.get("/api/v1/users/me", headers=admin)).json()
    response = await stack.client.put(
        f"/api/v1/users/{me['id']}/roles", json={"roles": ["learner"]}, headers=admin
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/own-admin-role"
    assert (await stack.client.get("/api/v1/users/me", headers=admin)).json()["roles"] == ["admin"]


@pytest.mark.parametrize("roles", [[], ["wizard"]])
async def test_roles_must_be_known_and_not_empty(stack: Stack, roles: list[str]) -> None:
    admin = await stack.demo_admin()
    user_id, _ = await stack.signed_up("plain@example.com")
    response = await stack.client.put(
        f"/api/v1/users/{user_id}/roles", json={"roles": roles}, headers=admin
    )
    assert response.status_code == 422


async def test_roles_of_an_unknown_user(stack: Stack) -> None:
    admin = await stack.demo_admin()
    response = await stack.client.put(
        "/api/v1/users/nobody/roles", json={"roles": ["learner"]}, headers=admin
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/profile-not-found"


async def test_a_redelivered_registration_creates_one_profile(stack: Stack) -> None:
    await stack.register("twice@example.com")
    async with stack.platform.runtime("auth").db.session() as session:
        row = (
            await session.execute(
                select(outbox_table).where(outbox_table.c.type == "user.registered.v1")
            )
        ).one()
    event = event_from_row(row, "auth")
    await stack.platform.bus.publish([event])
    await stack.platform.bus.publish([event])
    await stack.settle()
    async with stack.platform.runtime("users").db.session() as session:
        profiles = (
            await session.scalars(select(Profile).where(Profile.email == "twice@example.com"))
        ).all()
    assert len(profiles) == 1
