"""Log-in throttling, on each tier: the attacker waits longer and longer, the owner does not.

The throttle's clock is a fake one moved by hand, so no test sleeps through a wait."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.throttle import wait_after
from tests.conftest import PASSWORD, Stack
from tests.services.auth.support import (
    PROBLEM,
    auth_context,
    hashing_blocked,
    log_in,
    outbox_types,
    use_fake_clock,
    wait_until,
    without_request_id,
)

ATTACKER = "203.0.113.66"


def throttled(limit: str) -> float:
    """Refusals counted on /metrics so far, for one kind of limit."""
    return REGISTRY.get_sample_value("learnhub_auth_logins_throttled_total", {"limit": limit}) or 0


HOME = "198.51.100.20"
SCHOOL = "192.0.2.1"


def test_the_wait_starts_after_the_free_failures_and_doubles_up_to_the_cap() -> None:
    settings = AuthSettings(login_free_failures=5, login_first_wait=1, login_max_wait=900)

    waits = [wait_after(failures, settings) for failures in range(1, 18)]

    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert wait_after(10_000, settings) == 900


async def test_an_attacker_elsewhere_does_not_lock_the_owner_out(stack: Stack) -> None:
    # given
    use_fake_clock(stack)
    await stack.register("victim@example.com")
    throttled_before = throttled("pair")

    # when an attacker tries 50 passwords from one address
    statuses = [
        (await log_in(stack, "victim@example.com", f"guess number {n}", address=ATTACKER))
        for n in range(50)
    ]

    # then five were checked and the rest refused without a check
    assert [response.status_code for response in statuses] == [401] * 5 + [429] * 45
    refused = statuses[5]
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "/problems/too-many-attempts"
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["retry_after"] == 1
    assert throttled("pair") - throttled_before == 45
    # and the owner, from their own address, logs in with the right password
    assert (await log_in(stack, "victim@example.com", PASSWORD, address=HOME)).status_code == 200
    # while the attacker's address still waits, even with the right password
    from_attacker = await log_in(stack, "victim@example.com", PASSWORD, address=ATTACKER)
    assert from_attacker.status_code == 429


async def test_the_wait_doubles_with_each_failure_and_a_success_forgets_them(
    stack: Stack,
) -> None:
    clock = use_fake_clock(stack)
    await stack.register("forgetful@example.com")
    for _ in range(5):
        assert (await log_in(stack, "forgetful@example.com", "not it")).status_code == 401

    waits = []
    for _ in range(3):
        refused = await log_in(stack, "forgetful@example.com", "not it")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(waits[-1])
        assert (await log_in(stack, "forgetful@example.com", "not it")).status_code == 401

    assert waits == [1, 2, 4]
    assert (await log_in(stack, "forgetful@example.com", "not it")).status_code == 429
    clock.advance(8)
    assert (await log_in(stack, "forgetful@example.com", PASSWORD)).status_code == 200
    # the pair starts again with its free failures
    assert (await log_in(stack, "forgetful@example.com", "not it")).status_code == 401
    assert (await log_in(stack, "forgetful@example.com", "not it")).status_code == 401


async def test_throttling_looks_the_same_for_an_unknown_email(stack: Stack) -> None:
    use_fake_clock(stack)
    await stack.register("real@example.com")

    real = [await log_in(stack, "real@example.com", "wrong password") for _ in range(6)]
    ghost = [await log_in(stack, "ghost@example.com", "wrong password") for _ in range(6)]

    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [401] * 5 + [429]
    for mine, theirs in zip(real, ghost, strict=True):
        assert without_request_id(mine.json()) == without_request_id(theirs.json())
        assert mine.headers.get("retry-after") == theirs.headers.get("retry-after")


async def test_failures_for_many_accounts_from_one_address_do_not_stop_another_user_there(
    stack: Stack,
) -> None:
    """30 wrong passwords for 30 e-mails from a school's address are far below its ceiling
    (300): a classmate who never logged in from there before is not slowed at all."""
    use_fake_clock(stack)
    await stack.register("classmate@example.com")

    sprayed = [
        (await log_in(stack, f"pupil{n}@example.com", "wrong password", address=SCHOOL))
        for n in range(30)
    ]

    assert [response.status_code for response in sprayed] == [401] * 30
    assert (
        await log_in(stack, "classmate@example.com", PASSWORD, address=SCHOOL)
    ).status_code == 200


@pytest.mark.usefixtures("low_ceilings")
async def test_past_its_ceiling_an_address_is_paced_but_its_regulars_are_not(
    stack: Stack,
) -> None:
    # given a regular of the address (logged in from there before) and a newcomer
    clock = use_fake_clock(stack)
    await stack.register("regular@example.com")
    await stack.register("newcomer@example.com")
    assert (await log_in(stack, "regular@example.com", PASSWORD, address=SCHOOL)).status_code == 200

    # when credential stuffing from the address reaches its ceiling (10), then goes on
    sprayed = [
        (await log_in(stack, f"stuffed{n}@example.com", "leaked password", address=SCHOOL))
        for n in range(13)
    ]

    # then the address keeps 2 attempts a minute, for e-mails new to it
    assert [response.status_code for response in sprayed] == [401] * 12 + [429]
    assert sprayed[-1].headers["retry-after"] == "60"
    newcomer = await log_in(stack, "newcomer@example.com", PASSWORD, address=SCHOOL)
    assert newcomer.status_code == 429
    # the regular is not slowed, nor is the newcomer anywhere else
    assert (await log_in(stack, "regular@example.com", PASSWORD, address=SCHOOL)).status_code == 200
    assert (await log_in(stack, "newcomer@example.com", PASSWORD, address=HOME)).status_code == 200
    # and a minute later the newcomer gets in from the school too
    clock.advance(60)
    assert (
        await log_in(stack, "newcomer@example.com", PASSWORD, address=SCHOOL)
    ).status_code == 200


@pytest.mark.usefixtures("low_ceilings")
async def test_past_its_ceiling_an_email_is_paced_from_new_addresses_only(stack: Stack) -> None:
    # given the owner logs in from home as usual
    clock = use_fake_clock(stack)
    await stack.register("popular@example.com")
    assert (await log_in(stack, "popular@example.com", PASSWORD, address=HOME)).status_code == 200

    # when a botnet guesses from many addresses, one attempt each, past the ceiling (6)
    guesses = [
        (await log_in(stack, "popular@example.com", "guess", address=f"10.0.0.{n}"))
        for n in range(1, 10)
    ]

    # then new addresses get 2 attempts a minute between them
    assert [response.status_code for response in guesses] == [401] * 8 + [429]
    # the owner at home is not slowed; from a new address they are paced too, for now
    assert (await log_in(stack, "popular@example.com", PASSWORD, address=HOME)).status_code == 200
    travelling = await log_in(stack, "popular@example.com", PASSWORD, address="192.0.2.77")
    assert travelling.status_code == 429
    clock.advance(60)
    travelling = await log_in(stack, "popular@example.com", PASSWORD, address="192.0.2.77")
    assert travelling.status_code == 200


async def test_parallel_guesses_cannot_share_a_free_attempt(stack: Stack) -> None:
    """One check per pair at a time: while a guess waits for its hash, more guesses from
    the same pair are refused at once, so a burst cannot outrun the count of failures."""
    use_fake_clock(stack)
    await stack.register("burst@example.com")
    pool = auth_context(stack).passwords.pool
    sign_ins_before = (await outbox_types(stack)).count("user.logged_in.v1")

    async with hashing_blocked(stack):
        first = asyncio.create_task(log_in(stack, "burst@example.com", "guess 0"))
        await wait_until(lambda: pool.in_use == pool.workers + 1)
        others = [await log_in(stack, "burst@example.com", f"guess {n}") for n in range(1, 11)]
        other_user = asyncio.create_task(log_in(stack, "someone@example.com", "guess"))
        await wait_until(lambda: pool.in_use == pool.workers + 2)

    assert [response.status_code for response in others] == [429] * 10
    assert all(response.headers["retry-after"] == "1" for response in others)
    assert (await first).status_code == 401
    assert (await other_user).status_code == 401
    assert (await outbox_types(stack)).count("user.logged_in.v1") == sign_ins_before
