"""Password hashing under load, on each tier: a bounded pool, quick refusals past it, no
database connection held across a hash, and old hashes upgraded at log-in."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest
from argon2 import PasswordHasher
from prometheus_client import REGISTRY
from sqlalchemy import update

from learnhub.services.auth.errors import PasswordHashingBusy
from learnhub.services.auth.models import Account
from learnhub.services.auth.passwords import HashPool
from tests.conftest import PASSWORD, Stack, bearer
from tests.services.auth.support import (
    PROBLEM,
    auth_context,
    auth_runtime,
    hashing_blocked,
    log_in,
    one_connection,
    outbox_data,
    stored_hash,
    wait_until,
)

BURST = 12


@pytest.mark.usefixtures("one_hashing_thread_four_waiting")
async def test_a_burst_past_the_queue_is_refused_at_once_and_the_database_pool_stays_free(
    stack: Stack,
) -> None:
    # given four requests that hash, each kind once: they wait for the one busy thread
    for number in range(BURST + 3):
        await stack.register(f"learner{number}@example.com")
    signed_in = bearer(await stack.token("learner0@example.com"))
    await stack.client.post("/api/v1/auth/password-reset", json={"email": "learner1@example.com"})
    [reset] = await outbox_data(stack, "user.password_reset_requested.v1")
    reset_token = reset["reset_url"].rsplit("token=", 1)[1]
    pool = auth_context(stack).passwords.pool
    refusals_before = REGISTRY.get_sample_value("learnhub_auth_hash_refusals_total") or 0

    async with one_connection(stack) as database_pool:
        async with hashing_blocked(stack):
            waiting = [
                asyncio.create_task(coroutine)
                for coroutine in (
                    log_in(stack, "learner2@example.com", PASSWORD),
                    stack.client.post(
                        "/api/v1/auth/register",
                        json={
                            "email": "new@example.com",
                            "password": PASSWORD,
                            "display_name": "N",
                        },
                    ),
                    stack.client.post(
                        "/api/v1/auth/password",
                        json={"current_password": PASSWORD, "new_password": "a new long secret"},
                        headers=signed_in,
                    ),
                    stack.client.post(
                        "/api/v1/auth/password-reset/confirm",
                        json={"token": reset_token, "new_password": "a reset long secret"},
                    ),
                )
            ]
            await wait_until(lambda: pool.in_use == pool.capacity)
            # then none of them holds a connection while it waits for its hash
            await wait_until(lambda: database_pool.checkedout() == 0, within=10)

            # when a burst of log-ins arrives on top
            burst = await asyncio.gather(
                *(
                    log_in(stack, f"learner{number}@example.com", PASSWORD)
                    for number in range(3, BURST + 3)
                )
            )
            # then each is refused at once, with a time to come back
            for response in burst:
                assert response.status_code == 503
                assert response.headers["content-type"] == PROBLEM
                assert response.json()["type"] == "/problems/auth-busy"
                assert int(response.headers["retry-after"]) >= 1
            assert REGISTRY.get_sample_value("learnhub_auth_hash_refusals_total") == (
                refusals_before + BURST
            )
            # and the one database connection still serves everyone else
            jwks = await stack.client.get("/.well-known/jwks.json")
            assert jwks.status_code == 200

        # when the thread is free again, the waiting requests all succeed
        logged_in, registered, changed, reset_done = await asyncio.gather(*waiting)
    assert logged_in.status_code == 200
    assert registered.status_code == 202
    assert changed.status_code == 204
    assert reset_done.status_code == 204
    assert (await log_in(stack, "learner0@example.com", "a new long secret")).status_code == 200
    assert (await log_in(stack, "learner1@example.com", "a reset long secret")).status_code == 200


async def test_an_old_hash_still_works_and_is_upgraded_at_the_next_log_in(stack: Stack) -> None:
    # given an account whose hash was made with other parameters (an older release)
    await stack.register("veteran@example.com")
    old = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash(PASSWORD)
    async with auth_runtime(stack).db.transaction() as session:
        await session.execute(
            update(Account).where(Account.email == "veteran@example.com").values(password_hash=old)
        )
    passwords = auth_context(stack).passwords
    assert passwords.needs_rehash(old)

    # when the owner logs in
    response = await log_in(stack, "veteran@example.com", PASSWORD)

    # then it works, and the stored hash now has today's parameters
    assert response.status_code == 200
    upgraded = await stored_hash(stack, "veteran@example.com")
    assert upgraded != old
    assert not passwords.needs_rehash(upgraded)
    assert (await log_in(stack, "veteran@example.com", PASSWORD)).status_code == 200
    assert await stored_hash(stack, "veteran@example.com") == upgraded


async def test_a_current_hash_is_not_rewritten_at_log_in(stack: Stack) -> None:
    await stack.register("steady@example.com")
    before = await stored_hash(stack, "steady@example.com")

    assert (await log_in(stack, "steady@example.com", PASSWORD)).status_code == 200

    assert await stored_hash(stack, "steady@example.com") == before


async def test_the_pool_refuses_past_its_capacity_and_frees_a_slot_only_when_the_work_ends() -> (
    None
):
    pool = HashPool(workers=1, queue=1)
    gate = threading.Event()
    running = asyncio.create_task(pool.run(gate.wait))
    queued = asyncio.create_task(pool.run(lambda: "done"))
    await wait_until(lambda: pool.in_use == 2)

    with pytest.raises(PasswordHashingBusy) as refused:
        await pool.run(lambda: "too many")
    assert refused.value.status == 503
    assert refused.value.headers["Retry-After"] == str(pool.retry_after())

    # a caller that gives up does not free a thread that is still working
    running.cancel()
    await asyncio.sleep(0)
    assert pool.in_use == 2
    gate.set()
    assert await queued == "done"
    await wait_until(lambda: pool.in_use == 0)
    assert await pool.run(lambda: "again") == "again"


@pytest.mark.skipif(sys.platform != "linux", reason="thread priorities are per thread on Linux")
async def test_hashing_threads_yield_the_cores_to_the_event_loop() -> None:
    pool = HashPool(workers=1, queue=0)

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert await pool.run(niceness) == min(niceness() + 10, 19)
