"""`learnhub up --distributed` end to end: every service in its own process on PostgreSQL,
RabbitMQ and Redis, behind nginx; journeys through the gateway, a consumer killed and
restarted without losing an event, and Ctrl-C leaving no process behind.

The tests of this module share one running platform and run in file order.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from learnhub.runner.registry import GATEWAY_PORT, SERVICES, WEB_PORT
from tests.conftest import POSTGRES_URL, RABBITMQ_URL, nginx_path, port_open, require
from tests.e2e.test_course_journey import run_course_journey

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.redis, pytest.mark.nginx]

PASSWORD = "correct horse battery"
REDIS_DB_URL = "redis://127.0.0.1:6379/10"
START_SECONDS = 60
STOP_SECONDS = 15


def wait_for(check: Callable[[], Any], *, within: float, what: str, every: float = 0.2) -> Any:
    """Poll ``check`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {within} s (last: {last!r})")


def children_of(pid: int) -> list[int]:
    """Direct children of a process, from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the parent pid follows the closing parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def free_base_port() -> int:
    """A base port P with P, P+100 and every service's port free."""
    offsets = [0, WEB_PORT - GATEWAY_PORT, *(spec.default_port - GATEWAY_PORT for spec in SERVICES)]
    for _ in range(50):
        base = random.randrange(20000, 60000)
        if not any(port_open("127.0.0.1", base + offset) for offset in offsets):
            return base
    raise RuntimeError("no free base port")


async def _postgres(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _rabbitmqctl(*args: str) -> None:
    rabbitmqctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([rabbitmqctl, *args], check=True, capture_output=True, timeout=60)


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_DB_URL)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class Distributed:
    url: str
    base_port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def port_of(self, service: str) -> int:
        if service == "web":
            return self.base_port + (WEB_PORT - GATEWAY_PORT)
        spec = next(spec for spec in SERVICES if spec.name == service)
        return self.base_port + (spec.default_port - GATEWAY_PORT)

    def child(self, service: str) -> int:
        for pid in children_of(self.process.pid):
            if f"learnhub serve {service} " in command_line(pid):
                return pid
        raise AssertionError(f"no {service} process under learnhub up")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Distributed]:
    require("PostgreSQL", port_open("127.0.0.1", 5432), "start it on 127.0.0.1:5432")
    require("RabbitMQ", port_open("127.0.0.1", 5672), "start it with `rabbitmq-server -detached`")
    require("Redis", port_open("127.0.0.1", 6379), "start redis-server on 127.0.0.1:6379")
    require("nginx", nginx_path() is not None, "install nginx (apt-get install nginx)")
    suffix = uuid.uuid4().hex[:10]
    database = f"learnhub_e2e_{suffix}"
    vhost = f"learnhub-e2e-{suffix}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    _flush_redis()
    data_dir = tmp_path_factory.mktemp("distributed")
    base_port = free_base_port()
    env = {
        **os.environ,
        # `up` creates the database itself.
        "LEARNHUB_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "LEARNHUB_BUS_URL": RABBITMQ_URL.rstrip("/") + "/" + vhost,
        "LEARNHUB_CACHE_URL": REDIS_DB_URL,
        "LEARNHUB_LOG_FORMAT": "text",
        # Every request in the log, so the tests can follow a request id through it.
        "LEARNHUB_ACCESS_LOG_SAMPLE": "1",
    }
    log = data_dir / "up.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "learnhub", "up", "--distributed", "--port", str(base_port),
             "--data-dir", str(data_dir)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Distributed(f"http://127.0.0.1:{base_port}", base_port, process, env, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while "Press Ctrl-C" not in log.read_text(errors="replace"):
            assert process.poll() is None, f"learnhub up stopped:\n{running.output()}"
            assert time.monotonic() < deadline, f"learnhub up did not start:\n{running.output()}"
            time.sleep(0.2)
        yield running
    finally:
        for extra in running.extra:
            if extra.poll() is None:
                extra.terminate()
                try:
                    extra.wait(10)
                except subprocess.TimeoutExpired:
                    extra.kill()
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        _rabbitmqctl("delete_vhost", vhost)
        _flush_redis()


@pytest.fixture
def client(distributed: Distributed) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=distributed.url, timeout=10) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def register(
    distributed: Distributed, client: httpx.Client, email: str, display_name: str = "E2E User"
) -> str:
    """Sign up and follow the link, which in development the auth process logs (no e-mail
    is sent); returns the new account's id."""
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": display_name},
    )
    assert response.status_code == 202, response.text
    logged = re.compile(
        rf"link confirming the sign-up of {re.escape(email)} \(development only\): "
        r"\S+/confirm-email\?token=(\S+)"
    )

    def link() -> str | None:
        match = logged.search(distributed.log.read_text(errors="replace"))
        return match.group(1) if match else None

    token = wait_for(link, within=10, what="the confirmation link in the log")
    confirmed = client.post("/api/v1/auth/email-confirmation", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    # The answers name no account (registration's is the same for a taken e-mail): the token does.
    return claims(confirmed.json()["access_token"])["sub"]


def profile_of(client: httpx.Client, token: str, *, within: float = 20) -> dict[str, Any]:
    """The caller's profile, once the users service built it from the registration event."""

    def fetch() -> dict[str, Any] | None:
        response = client.get("/api/v1/users/me", headers=bearer(token))
        if response.status_code == 200:
            return response.json()
        assert response.status_code in (404, 502), response.text
        return None

    return wait_for(fetch, within=within, what="the profile", every=0.25)


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_registration_journey(distributed: Distributed, client: httpx.Client) -> None:
    email = f"journey-{uuid.uuid4().hex[:8]}@example.org"
    user_id = register(distributed, client, email, "Journey Learner")
    tokens = login(client, email)
    # The profile is built by the users process from an event that crossed RabbitMQ.
    profile = profile_of(client, tokens["access_token"])
    assert profile["id"] == user_id
    assert profile["display_name"] == "Journey Learner"
    assert profile["roles"] == ["learner"]

    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    access = refreshed.json()["access_token"]
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401

    edited = client.patch(
        "/api/v1/users/me",
        headers=bearer(access),
        json={"display_name": "Journey Renamed", "bio": "Learning in a distributed world."},
    )
    assert edited.status_code == 200, edited.text
    again = client.get("/api/v1/users/me", headers=bearer(access))
    assert again.status_code == 200
    assert again.json()["display_name"] == "Journey Renamed"
    assert again.json()["bio"] == "Learning in a distributed world."


def test_admin_changes_a_role_and_the_next_token_carries_it(
    distributed: Distributed, client: httpx.Client
) -> None:
    email = f"promoted-{uuid.uuid4().hex[:8]}@example.org"
    user_id = register(distributed, client, email)
    learner = login(client, email)
    profile_of(client, learner["access_token"])
    assert claims(learner["access_token"])["roles"] == ["learner"]

    admin = login(client, "admin@example.com", "learnhub-admin")["access_token"]
    changed = client.put(
        f"/api/v1/users/{user_id}/roles",
        headers=bearer(admin),
        json={"roles": ["instructor", "learner"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["roles"] == ["instructor", "learner"]

    # auth projects the roles from user.roles_changed.v1, delivered over RabbitMQ.
    def next_token_roles() -> list[str] | None:
        roles = claims(login(client, email)["access_token"])["roles"]
        return roles if roles == ["instructor", "learner"] else None

    wait_for(next_token_roles, within=20, what="the new role in the next token", every=0.3)


def test_course_journey_across_processes(distributed: Distributed, client: httpx.Client) -> None:
    # The courses process learns the learner's name from the registration event too.
    email = f"course-{uuid.uuid4().hex[:8]}@example.org"
    register(distributed, client, email, "Distributed Learner")
    learner = login(client, email)["access_token"]
    profile_of(client, learner)
    instructor = login(client, "instructor@example.com", "learnhub-instructor")["access_token"]

    async def journey() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=distributed.url, timeout=20) as async_client:
            return await run_course_journey(
                async_client,
                instructor=bearer(instructor),
                learner=bearer(learner),
                settle=_nothing,
            )

    certificate = asyncio.run(journey())
    assert certificate["learner_name"] == "Distributed Learner"


async def _nothing() -> None:
    """Completion happens inside the grading request, so there is nothing to wait for."""


def test_gateway_answers_problems_keeps_request_ids_and_every_service_is_ready(
    distributed: Distributed, client: httpx.Client
) -> None:
    unknown = client.get("/api/v1/nosuch/things")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["status"] == 404

    traced = client.get("/api/v1/users/me", headers={"X-Request-ID": "e2e-trace-42"})
    assert traced.status_code == 401
    assert traced.headers.get_list("x-request-id") == ["e2e-trace-42"]
    # The users service logs its request id (just after answering).
    wait_for(
        lambda: "[e2e-trace-42 " in distributed.log.read_text(errors="replace"),
        within=5,
        what="the request id in the users service's log",
    )
    fresh = client.get("/.well-known/jwks.json")
    assert fresh.status_code == 200
    assert fresh.json()["keys"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])

    for spec in SERVICES:
        ready = httpx.get(f"http://127.0.0.1:{distributed.port_of(spec.name)}/readyz", timeout=5)
        assert ready.status_code == 200, (spec.name, ready.text)

    # A body larger than nginx's buffer is written to its temp folder by a worker.
    big = client.post(
        "/api/v1/auth/login",
        content=b'{"email": "x@example.org", "password": "' + b"p" * 200_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 422, big.text

    if "web    did not start" not in distributed.output():
        assert client.get("/").status_code == 200


def test_the_gateway_takes_bodies_up_to_the_platform_limit(client: httpx.Client) -> None:
    """nginx's limit is LEARNHUB_MAX_REQUEST_BYTES, as the all-in-one dispatcher's: the
    largest upload reaches the service (which decides), one byte more is refused."""
    from learnhub.kit.config import Settings

    limit = Settings().max_request_bytes
    reached = client.post(
        "/api/v1/courses/import",
        content=bytes(limit),
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    )
    assert reached.status_code in {401, 422}, reached.text  # the courses service answered
    refused = client.post(
        "/api/v1/courses/import",
        content=bytes(limit + 1),
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "Content Too Large"


def test_a_service_in_two_worker_processes_reads_its_own_writes(
    distributed: Distributed, client: httpx.Client
) -> None:
    """`learnhub serve users --workers 2` beside the platform: two processes share the port,
    a write made through one is in the next read whichever process answers (the cached
    reads' stamps are in Redis), and stopping the command stops both."""
    port = free_base_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "learnhub", "serve", "users", "--port", str(port),
         "--workers", "2"],
        env={**distributed.env, "LEARNHUB_API_URL": distributed.url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    distributed.extra.append(server)

    def workers_ready() -> list[int] | None:
        assert server.poll() is None, "learnhub serve --workers 2 stopped"
        # Besides its workers, uvicorn's supervisor has multiprocessing's resource tracker.
        workers = [
            pid
            for pid in children_of(server.pid)
            if alive(pid) and "spawn_main" in command_line(pid)
        ]
        ready = len(workers) == 2 and port_open("127.0.0.1", port)
        return workers if ready else None

    workers = wait_for(workers_ready, within=30, what="two users worker processes")
    email = f"workers-{uuid.uuid4().hex[:8]}@example.org"
    register(distributed, client, email, "Two Workers")
    token = login(client, email)["access_token"]
    profile_of(client, token)
    direct = f"http://127.0.0.1:{port}/api/v1/users/me"
    for number in range(10):
        name = f"Renamed {number}"
        # A new connection per request, so the kernel hands them to either process.
        edited = httpx.patch(direct, headers=bearer(token), json={"display_name": name})
        assert edited.status_code == 200, edited.text
        for _ in range(3):
            read = httpx.get(direct, headers=bearer(token))
            assert read.status_code == 200, read.text
            assert read.json()["display_name"] == name

    server.send_signal(signal.SIGINT)
    server.wait(STOP_SECONDS)
    wait_for(
        lambda: not any(alive(pid) for pid in workers),
        within=5,
        what="both worker processes to exit",
    )
    assert not port_open("127.0.0.1", port)


def test_a_consumer_killed_mid_stream_loses_nothing(distributed: Distributed) -> None:
    """kill -9 the users process; an account registered meanwhile waits as an event in the
    durable RabbitMQ queue; a users process started again builds its profile."""
    users = distributed.child("users")
    os.kill(users, signal.SIGKILL)
    wait_for(lambda: not alive(users), within=10, what="the users process to die")
    port = distributed.port_of("users")
    wait_for(lambda: not port_open("127.0.0.1", port), within=10, what="the users port to close")

    with httpx.Client(base_url=distributed.url, timeout=10) as client:
        email = f"survivor-{uuid.uuid4().hex[:8]}@example.org"
        user_id = register(distributed, client, email, "Survivor")
        token = login(client, email)["access_token"]
        assert client.get("/api/v1/users/me", headers=bearer(token)).status_code == 502

        restarted = subprocess.Popen(
            [sys.executable, "-m", "learnhub", "serve", "users", "--port", str(port)],
            # The environment `up` gives its children: the backends and the gateway.
            env={**distributed.env, "LEARNHUB_API_URL": distributed.url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        distributed.extra.append(restarted)
        profile = profile_of(client, token, within=40)
        assert profile["id"] == user_id
        assert profile["display_name"] == "Survivor"
    restarted.terminate()
    restarted.wait(15)


def test_ctrl_c_stops_every_process(distributed: Distributed) -> None:
    up = distributed.process
    children = children_of(up.pid)
    grandchildren = [pid for child in children for pid in children_of(child)]
    names = " | ".join(command_line(pid) for pid in children)
    assert "learnhub serve auth" in names
    assert "learnhub serve web" in names
    assert "nginx" in names
    assert grandchildren, "nginx has no worker processes"

    up.send_signal(signal.SIGINT)
    up.wait(STOP_SECONDS)
    assert up.returncode == 0, distributed.output()
    wait_for(
        lambda: not any(alive(pid) for pid in [*children, *grandchildren]),
        within=5,
        what="every child process to exit",
    )
    for offset in (0, WEB_PORT - GATEWAY_PORT, *(s.default_port - GATEWAY_PORT for s in SERVICES)):
        assert not port_open("127.0.0.1", distributed.base_port + offset)
