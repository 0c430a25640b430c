"""Helpers shared by the auth tests: the outbox, a fake clock, a full hashing pool, a
one-connection database pool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.pool import Pool

from learnhub.kit.db import Database
from learnhub.kit.events.outbox import outbox_table
from learnhub.kit.runtime import ServiceRuntime
from learnhub.services.auth.models import Account
from learnhub.services.auth.service import AuthContext
from tests.conftest import Stack

PROBLEM = "application/problem+json"
# A whole minute, so the throttle's per-minute windows start where the tests expect.
MINUTE_BOUNDARY = 1_800_000_000 - 1_800_000_000 % 60


def auth_runtime(stack: Stack) -> ServiceRuntime:
    return stack.platform.runtime("auth")


def auth_context(stack: Stack) -> AuthContext:
    return auth_runtime(stack).state["auth"]


async def outbox_types(stack: Stack) -> list[str]:
    async with auth_runtime(stack).db.session() as session:
        return list(
            (
                await session.scalars(
                    select(outbox_table.c.type).order_by(outbox_table.c.created_at)
                )
            ).all()
        )


async def outbox_data(stack: Stack, event_type: str) -> list[dict[str, Any]]:
    async with auth_runtime(stack).db.session() as session:
        rows = await session.scalars(
            select(outbox_table.c.data)
            .where(outbox_table.c.type == event_type)
            .order_by(outbox_table.c.created_at)
        )
        return [json.loads(row) if isinstance(row, str) else row for row in rows]


async def stored_hash(stack: Stack, email: str) -> str | None:
    async with auth_runtime(stack).db.session() as session:
        return await session.scalar(select(Account.password_hash).where(Account.email == email))


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "request_id"}


async def log_in(
    stack: Stack, email: str, password: str, *, address: str = "198.51.100.1"
) -> httpx.Response:
    """A log-in attempt from a client address (the test client is a trusted proxy)."""
    return await stack.client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": address},
    )


class FakeClock:
    """The throttle's clock, moved by hand so that tests skip waits instead of sleeping."""

    def __init__(self, now: float = MINUTE_BOUNDARY) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_fake_clock(stack: Stack) -> FakeClock:
    clock = FakeClock()
    auth_context(stack).throttle.clock = clock
    return clock


@contextlib.asynccontextmanager
async def hashing_blocked(stack: Stack) -> AsyncIterator[None]:
    """Keep every hashing thread busy until the block ends, so that the hashes asked for
    meanwhile wait in the queue (or are refused once it is full)."""
    pool = auth_context(stack).passwords.pool
    gate = threading.Event()
    blockers = [asyncio.create_task(pool.run(gate.wait)) for _ in range(pool.workers)]
    await wait_until(lambda: pool.in_use == pool.workers)
    try:
        yield
    finally:
        gate.set()
        await asyncio.gather(*blockers)


async def wait_until(condition: Any, *, within: float = 30) -> None:
    """Let the event loop run until ``condition()`` holds; fail if it has not within
    ``within`` seconds (a deadline against hanging, not a measurement)."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the condition still does not hold after {within} s")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def one_connection(stack: Stack) -> AsyncIterator[Pool]:
    """Serve the auth service from a database pool of one connection and no overflow."""
    db = auth_runtime(stack).db
    engine = Database(
        db.url, service=db.service, pool_size=1, max_overflow=0, pool_timeout=30
    ).engine
    original = db.engine
    db.engine = engine
    db.sessionmaker.configure(bind=engine)
    try:
        yield engine.sync_engine.pool
    finally:
        db.sessionmaker.configure(bind=original)
        db.engine = original
        await engine.dispose()
