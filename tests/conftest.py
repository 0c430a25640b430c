"""Fixtures shared by every test tier.

Tiers: the embedded tier (SQLite, in-process bus, memory cache) runs anywhere. The
services tier (PostgreSQL, RabbitMQ, Redis), the browser tier (Chromium) and the
distributed tier (nginx) run when those are present; with ``CI=true`` or
``LEARNHUB_REQUIRE_TIERS=1`` a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

# Cheap password hashing keeps the suite fast; production cost is set in AuthSettings.
os.environ.setdefault("LEARNHUB_AUTH_ARGON2_TIME_COST", "1")
os.environ.setdefault("LEARNHUB_AUTH_ARGON2_MEMORY_COST", "1024")
os.environ.setdefault("LEARNHUB_AUTH_ARGON2_PARALLELISM", "1")

from learnhub.kit.config import Settings
from learnhub.kit.events.outbox import outbox_table
from learnhub.runner.demo import DEMO_ACCOUNTS, seed_demo_accounts
from learnhub.runner.platform import Platform, build_all_in_one
from learnhub.runner.registry import service_names
from learnhub.services.auth.repository import get_account_by_email
from learnhub.services.auth.service import register

REQUIRE_TIERS = os.environ.get("LEARNHUB_REQUIRE_TIERS") == "1" or os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get(
    "LEARNHUB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("LEARNHUB_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SETTLE_WITHIN = 30.0
"""How long a test waits for every event to be handled. Generous: on a loaded two-core
machine the embedded relay once needed more than 10 s to take its turn (see the notes);
a lost event still fails the test, only later."""

REDIS_URL = os.environ.get("LEARNHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "correct horse battery"


def require(tier: str, available: bool, how: str) -> None:
    """Skip a test whose tier is missing here, or fail it where every tier is required."""
    if available:
        return
    message = f"{tier} is not available: {how}"
    if REQUIRE_TIERS:
        pytest.fail(message)
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def nginx_path() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def run_in_own_loop(coroutine: Any) -> Any:
    """Run a coroutine to completion even when called from inside a running event loop
    (session fixtures are first requested by async tests)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# ---------------------------------------------------------------- services tier backends


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    require("PostgreSQL", port_open("127.0.0.1", 5432), "start it on 127.0.0.1:5432")
    import asyncpg

    name = f"learnhub_test_{uuid.uuid4().hex[:10]}"

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    run_in_own_loop(run(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    run_in_own_loop(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def rabbitmq_vhost_url() -> Iterator[str]:
    """A RabbitMQ virtual host of this session's own, so no queue of another run interferes."""
    require("RabbitMQ", port_open("127.0.0.1", 5672), "start it with `rabbitmq-server -detached`")
    rabbitmqctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    vhost = f"learnhub-test-{uuid.uuid4().hex[:8]}"
    if not Path(rabbitmqctl).exists():
        yield RABBITMQ_URL
        return
    subprocess.run([rabbitmqctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        [rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    yield RABBITMQ_URL.rstrip("/") + "/" + vhost
    subprocess.run([rabbitmqctl, "delete_vhost", vhost], check=False, capture_output=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    require("Redis", port_open("127.0.0.1", 6379), "start redis-server on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


# ---------------------------------------------------------------- the platform under test


@dataclass
class Stack:
    """A running platform and an HTTP client that reaches it through the gateway."""

    platform: Platform
    app: Any
    client: httpx.AsyncClient
    tier: str

    async def settle(self) -> None:
        await self.platform.settle(within=SETTLE_WITHIN)

    async def register(
        self, email: str, *, password: str = PASSWORD, display_name: str = "Test User"
    ) -> str:
        response = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": password, "display_name": display_name},
        )
        assert response.status_code == 202, response.text
        confirmed = await self.client.post(
            "/api/v1/auth/email-confirmation",
            json={"token": await self.confirmation_token(email)},
        )
        assert confirmed.status_code == 200, confirmed.text
        await self.settle()
        # The answers name no account (registration's is the same for a taken e-mail).
        async with self.platform.runtime("auth").db.session() as session:
            account = await get_account_by_email(session, email.strip().lower())
        assert account is not None
        return account.id

    async def confirmation_token(self, email: str) -> str:
        """The token of the newest link e-mailed to confirm a sign-up of this address (read
        from the event a notifications service would send it from)."""
        async with self.platform.runtime("auth").db.session() as session:
            rows = await session.scalars(
                select(outbox_table.c.data)
                .where(outbox_table.c.type == "user.email_confirmation_requested.v1")
                .order_by(outbox_table.c.created_at.desc(), outbox_table.c.id.desc())
            )
            for row in rows:
                data = json.loads(row) if isinstance(row, str) else row
                if data["email"] == email.strip().lower():
                    return str(parse_qs(urlsplit(data["confirm_url"]).query)["token"][0])
        raise AssertionError(f"no confirmation link was sent to {email}")

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def token(self, email: str, password: str = PASSWORD) -> str:
        return (await self.login(email, password))["access_token"]

    async def signed_up(
        self, email: str, *, display_name: str = "Test User"
    ) -> tuple[str, dict[str, str]]:
        """Register and log in; returns the user id and the Authorization header."""
        user_id = await self.register(email, display_name=display_name)
        return user_id, bearer(await self.token(email))

    async def demo_admin(self) -> dict[str, str]:
        """Create the demo accounts that are missing; returns the admin's Authorization header."""
        auth = self.platform.runtime("auth")
        async with auth.db.transaction() as session:
            for account in DEMO_ACCOUNTS:
                if await get_account_by_email(session, account.email) is None:
                    await register(
                        session,
                        auth.state["auth"],
                        email=account.email,
                        password=account.password,
                        display_name=account.display_name,
                        roles=(account.role,),
                    )
        await self.settle()
        admin = DEMO_ACCOUNTS[0]
        return bearer(await self.token(admin.email, admin.password))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def start_stack(settings: Settings, tier: str) -> Stack:
    platform, app = build_all_in_one(settings)
    await platform.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    )
    return Stack(platform, app, client, tier)


async def stop_stack(stack: Stack) -> None:
    await stack.client.aclose()
    try:
        await stack.settle()
    finally:
        await stop_platform(stack.platform)


async def stop_platform(platform: Platform, *, within: float = 30.0) -> None:
    """Stop a platform; one that does not stop in time fails the test with every task's
    stack printed, instead of hanging the run."""
    try:
        await asyncio.wait_for(platform.stop(), within)
    except TimeoutError:
        for task in asyncio.all_tasks():
            print(f"task {task.get_name()} still running:", file=sys.stderr)
            task.print_stack(limit=20, file=sys.stderr)
        raise


def embedded_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, log_format="text", **overrides)


async def reset_postgres_schemas(database_url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        for schema in service_names():
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def services_settings(
    data_dir: Path, database_url: str, bus_url: str, cache_url: str, **overrides: Any
) -> Settings:
    return Settings(
        data_dir=data_dir,
        log_format="text",
        database_url=database_url,
        bus_url=bus_url,
        cache_url=cache_url,
        **overrides,
    )


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[Stack]:
    """The all-in-one platform on SQLite, the in-process bus and the memory cache."""
    stack = await start_stack(embedded_settings(tmp_path), "embedded")
    yield stack
    await stop_stack(stack)


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("services", marks=[pytest.mark.postgres, pytest.mark.rabbitmq]),
    ]
)
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The same platform on each tier: embedded, and on PostgreSQL + RabbitMQ + Redis."""
    if request.param == "embedded":
        settings = embedded_settings(tmp_path)
    else:
        database_url = request.getfixturevalue("postgres_database")
        bus_url = request.getfixturevalue("rabbitmq_vhost_url")
        cache_url = request.getfixturevalue("redis_url")
        await reset_postgres_schemas(database_url)
        import redis.asyncio as redis

        flush = redis.Redis.from_url(cache_url)
        await flush.flushdb()
        await flush.aclose()
        settings = services_settings(tmp_path, database_url, bus_url, cache_url)
    started = await start_stack(settings, request.param)
    yield started
    await stop_stack(started)


@pytest.fixture
async def web_client(embedded: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The whole platform, web UI included, in-process, with the demo accounts."""
    await seed_demo_accounts(embedded.platform.runtime("auth"))
    await embedded.settle()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=embedded.app, raise_app_exceptions=False),
        base_url="http://testserver",
        follow_redirects=False,
    ) as client:
        yield client


class LiveServer:
    """The all-in-one platform served by uvicorn in a thread."""

    def __init__(self, data_dir: Path) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        settings = embedded_settings(data_dir, public_url=self.url)
        self.platform, app = build_all_in_one(settings)

        async def start() -> None:
            await self.platform.start()
            await seed_demo_accounts(self.platform.runtime("auth"))
            await self.platform.settle(within=SETTLE_WITHIN)

        app.on_startup = start
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_config=None,
                access_log=False,
                lifespan="on",
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    def confirmation_link(self, email: str) -> str:
        """The newest link e-mailed to confirm a sign-up of this address, read from the event
        a notifications service would send it from."""
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.data_dir / "auth.db")) as database:
            rows = database.execute(
                "SELECT data FROM outbox WHERE type = 'user.email_confirmation_requested.v1' "
                "ORDER BY created_at DESC"
            ).fetchall()
        for (data,) in rows:
            event = json.loads(data)
            if event["email"] == email.strip().lower():
                return str(event["confirm_url"])
        raise AssertionError(f"no confirmation link was sent to {email}")

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live_platform: LiveServer) -> str:
    return live_platform.url
