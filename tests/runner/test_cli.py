"""The `learnhub` command: help, listings, generated configuration, and the one-sentence
errors a user sees when something is missing (embedded tier: no backend needed)."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learnhub.runner.cli import main
from learnhub.runner.registry import SERVICES, WEB_PORT
from tests.conftest import (
    bearer,
    embedded_settings,
    nginx_path,
    port_open,
    require,
    start_stack,
    stop_stack,
)

UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/x"
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
GATEWAY = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No LEARNHUB_* setting of the developer's shell leaks in (the cheap password hashing
    of conftest stays), SQLite files go to a temp folder, and the root logger that
    `configure_logging` rewires is put back."""
    for name in list(os.environ):
        if name.startswith("LEARNHUB_") and not name.startswith("LEARNHUB_AUTH_ARGON2"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LEARNHUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEARNHUB_LOG_FORMAT", "text")
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, prog_name="learnhub")


def assert_one_sentence(result: Result, *fragments: str, exit_code: int = 1) -> str:
    """Failed with ``exit_code``, no traceback, and the error is one line naming the fix."""
    output = result.output
    assert result.exit_code == exit_code, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    if exit_code == 1:
        # A runtime failure prints nothing but that sentence (no log lines either).
        assert output.strip() == errors[0], output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


# ---------------------------------------------------------------- help and listings

COMMANDS = [
    [],
    ["up"],
    ["serve"],
    ["migrate"],
    ["services"],
    ["user"],
    ["user", "create"],
    ["gateway-config"],
    ["keygen"],
    ["events"],
    ["events", "dlq"],
    ["events", "asyncapi"],
    ["seed"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "learnhub")
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: learnhub {' '.join(command)}".rstrip())
    assert "--help" in result.output


def test_services_lists_each_service_with_port_routes_and_events() -> None:
    result = run("services")
    assert result.exit_code == 0, result.output
    assert "auth  (port 8101)" in result.output
    assert "users  (port 8102)" in result.output
    assert f"web  (port {WEB_PORT})" in result.output
    for spec in SERVICES:
        for event in spec.publishes:
            assert event.event_type in result.output
        for event_type in spec.consumes:
            assert event_type in result.output
    # users builds profiles from auth's event, auth projects roles from users' event.
    assert "user.registered.v1" in result.output
    assert "user.roles_changed.v1" in result.output


def test_keygen_prints_an_ed25519_private_key() -> None:
    result = run("keygen")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(result.output.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)


# ---------------------------------------------------------------- gateway configuration


def test_gateway_config_routes_every_service_and_the_rest_to_the_web() -> None:
    result = run("gateway-config", env={"LEARNHUB_GATEWAY_RATE_LIMIT": "7"})
    assert result.exit_code == 0, result.output
    config = result.output
    assert "listen 127.0.0.1:8000;" in config
    assert "location ~ ^/api/v1/auth(/|$) { proxy_pass http://learnhub_auth; }" in config
    assert "location = /.well-known/jwks.json { proxy_pass http://learnhub_auth; }" in config
    assert "location ~ ^/api/v1/users(/|$) { proxy_pass http://learnhub_users; }" in config
    for spec in SERVICES:
        assert f"server 127.0.0.1:{spec.default_port};" in config
    assert f"server 127.0.0.1:{WEB_PORT};" in config
    assert "location / {" in config
    assert "rate=7r/s" in config
    assert f"client_max_body_size {52 * 1024 * 1024};" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config
    assert "proxy_set_header X-Request-ID" in config
    # No path of this machine in a configuration meant for another.
    assert "pid " not in config
    assert "_temp_path" not in config


def test_gateway_config_follows_the_base_port_and_upstream_overrides() -> None:
    result = run("gateway-config", "--base-port", "9000", "--upstream", "users=users:8102")
    assert result.exit_code == 0, result.output
    assert "listen 127.0.0.1:9000;" in result.output
    assert "server 127.0.0.1:9101;" in result.output
    assert "server users:8102;" in result.output
    assert "server 127.0.0.1:9100;" in result.output
    bad = run("gateway-config", "--upstream", "nosuch=host:1")
    assert_one_sentence(bad, "SERVICE=HOST:PORT", exit_code=2)


@pytest.mark.nginx
@pytest.mark.parametrize("with_runtime_dir", [False, True])
def test_gateway_config_passes_nginx_t(tmp_path: Path, with_runtime_dir: bool) -> None:
    nginx = nginx_path()
    require("nginx", nginx is not None, "install nginx (apt-get install nginx)")
    assert nginx is not None
    config = tmp_path / "nginx.conf"
    args = ["gateway-config", "--output", str(config)]
    if with_runtime_dir:
        args += ["--runtime-dir", str(tmp_path / "run")]
        (tmp_path / "run").mkdir()
    result = run(*args)
    assert result.exit_code == 0, result.output
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


# ---------------------------------------------------------------- one-sentence errors


def test_unreachable_database_names_the_variable() -> None:
    result = run(
        "serve",
        "users",
        env={"LEARNHUB_DATABASE_URL": UNREACHABLE_DATABASE, "LEARNHUB_API_URL": GATEWAY},
    )
    assert_one_sentence(
        result, "Cannot reach the users database", "start PostgreSQL", "LEARNHUB_DATABASE_URL"
    )


def test_unreachable_broker_names_the_variable_and_hides_the_password() -> None:
    result = run(
        "serve", "users", env={"LEARNHUB_BUS_URL": UNREACHABLE_BROKER, "LEARNHUB_API_URL": GATEWAY}
    )
    error = assert_one_sentence(result, "Cannot reach RabbitMQ", "LEARNHUB_BUS_URL")
    assert "guest:guest" not in error


def test_unreachable_cache_names_the_variable() -> None:
    result = run(
        "serve", "auth", env={"LEARNHUB_CACHE_URL": UNREACHABLE_REDIS, "LEARNHUB_API_URL": GATEWAY}
    )
    assert_one_sentence(result, "Cannot reach Redis", "LEARNHUB_CACHE_URL")


def test_unknown_bus_url() -> None:
    result = run("serve", "auth", env={"LEARNHUB_BUS_URL": "kafka://broker:9092"})
    assert_one_sentence(result, "LEARNHUB_BUS_URL", "amqp://")


def test_port_out_of_range() -> None:
    assert_one_sentence(run("up", "--port", "99999"), "1 to 65535", exit_code=2)
    assert_one_sentence(run("serve", "auth", "--port", "0"), "1 to 65535", exit_code=2)


def test_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "auth", "--port", str(port))
        assert_one_sentence(result, f"Port {port}", "already in use", "--port")
        result = run("up", "--port", str(port))
        assert_one_sentence(result, f"Port {port}", "already in use", "--port")


def test_unknown_service() -> None:
    result = run("serve", "nosuch")
    assert_one_sentence(result, "no service named 'nosuch'", "learnhub services", exit_code=2)
    result = run("migrate", "web")
    assert_one_sentence(result, "no service named 'web'", exit_code=2)


def test_a_service_alone_needs_the_gateway_address() -> None:
    assert_one_sentence(run("serve", "users"), "LEARNHUB_API_URL", "LEARNHUB_JWKS_URL")
    assert_one_sentence(run("serve", "web"), "LEARNHUB_API_URL")


def test_production_refuses_the_development_secret() -> None:
    result = run("serve", "auth", env={"LEARNHUB_ENV": "production"})
    assert_one_sentence(result, "LEARNHUB_SECRET_KEY", "development value", "set it")


def test_production_needs_a_signing_key() -> None:
    env = {"LEARNHUB_ENV": "production", "LEARNHUB_SECRET_KEY": "x" * 48}
    assert_one_sentence(run("serve", "auth", env=env), "LEARNHUB_AUTH_SIGNING_KEY", "keygen")
    env["LEARNHUB_AUTH_SIGNING_KEY"] = "not a key"
    assert_one_sentence(run("serve", "auth", env=env), "LEARNHUB_AUTH_SIGNING_KEY", "keygen")


def test_invalid_setting_names_the_variable() -> None:
    result = run("serve", "auth", env={"LEARNHUB_PRIMARY_COLOR": "blue"})
    assert_one_sentence(result, "LEARNHUB_PRIMARY_COLOR", "#1d4ed8")


def test_in_process_dead_letters_are_listed_and_replayed_from_the_service_database(
    tmp_path: Path,
) -> None:
    # given: the users database, with one event its handler gave up on
    from learnhub.kit.db import Database
    from learnhub.kit.events.deliveries import DeliveryQueue
    from learnhub.kit.events.envelope import CloudEvent

    data = {"LEARNHUB_DATA_DIR": str(tmp_path)}
    assert run("events", "dlq", "users", env=data).output.strip() == "no dead letters for users"
    assert run("migrate", env=data).exit_code == 0
    event = CloudEvent(type="user.registered.v1", source="auth", data={"user_id": "u-1"})

    async def dead_letter() -> DeliveryQueue:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'users.db'}", service="users")
        queue = DeliveryQueue(db)
        await queue.accept([event])
        [delivery] = await queue.due(limit=10)
        await queue.dead_letter(delivery, error="KeyError('email')")
        await db.dispose()
        return queue

    queue = asyncio.run(dead_letter())

    # when
    listed = run("events", "dlq", "users", env=data)

    # then
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    assert line.startswith(f"{event.id}  user.registered.v1  attempts=1  failed_at=")
    assert line.endswith("error=KeyError('email')")
    assert run("events", "dlq", "users", "--replay", "--id", "other", env=data).output.strip() == (
        "replayed 0 event(s) to users"
    )

    # when
    replayed = run("events", "dlq", "users", "--replay", env=data)

    # then: back in the queue, for the platform to handle
    assert replayed.output.strip() == "replayed 1 event(s) to users"
    assert run("events", "dlq", "users", env=data).output.strip() == "no dead letters for users"

    async def waiting() -> int:
        try:
            return await queue.waiting()
        finally:
            await queue.db.dispose()

    assert asyncio.run(waiting()) == 1


def test_dead_letters_with_an_unreachable_broker() -> None:
    result = run("events", "dlq", "users", env={"LEARNHUB_BUS_URL": UNREACHABLE_BROKER})
    assert_one_sentence(result, "Cannot reach RabbitMQ", "LEARNHUB_BUS_URL")


def test_user_create_checks_its_arguments() -> None:
    assert_one_sentence(run("user", "create", "--email", "not-an-address"), "e-mail", exit_code=2)
    assert_one_sentence(
        run("user", "create", "--email", "a@example.org", "--password", "short"),
        "10 characters",
        exit_code=2,
    )
    assert_one_sentence(
        run("user", "create", "--email", "a@example.org", "--role", "king"), "king", exit_code=2
    )


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["serve", "nosuch"], {}, "no service named 'nosuch'"),
        (
            ["serve", "users"],
            {"LEARNHUB_DATABASE_URL": UNREACHABLE_DATABASE, "LEARNHUB_API_URL": GATEWAY},
            "LEARNHUB_DATABASE_URL",
        ),
    ],
    ids=["unknown-service", "unreachable-database"],
)
def test_the_installed_command_fails_without_a_traceback(
    args: list[str], env: dict[str, str], fragment: str
) -> None:
    """The same, through `python -m learnhub` in a process of its own (real stderr)."""
    completed = subprocess.run(
        [sys.executable, "-m", "learnhub", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr + completed.stdout
    assert fragment in completed.stderr.strip().splitlines()[-1]


# ---------------------------------------------------------------- accounts and migrations


def test_migrate_applies_every_service(tmp_path: Path) -> None:
    result = run("migrate", "--data-dir", str(tmp_path / "migrated"))
    assert result.exit_code == 0, result.output
    for spec in SERVICES:
        assert f"{spec.name}: migrated to the latest revision" in result.output
        assert (tmp_path / "migrated" / f"{spec.name}.db").exists()


def test_user_create_makes_an_account_whose_profile_appears_on_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "platform"
    result = run(
        "user",
        "create",
        "--email",
        "Ada@Example.org",
        "--role",
        "admin",
        "--display-name",
        "Ada",
        "--password",
        PASSWORD,
        "--data-dir",
        str(data_dir),
    )
    assert result.exit_code == 0, result.output
    assert "Created ada@example.org (admin)" in result.output
    assert "Password:" not in result.output

    again = run(
        "user", "create", "--email", "ada@example.org", "--password", PASSWORD,
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert_one_sentence(again, "already exists")

    generated = run("user", "create", "--email", "bob@example.org", "--data-dir", str(data_dir))
    assert generated.exit_code == 0, generated.output
    assert "Password: " in generated.output

    async def profile_after_start() -> dict[str, object]:
        stack = await start_stack(embedded_settings(data_dir), "embedded")
        try:
            await stack.settle()
            token = await stack.token("ada@example.org", PASSWORD)
            response = await stack.client.get("/api/v1/users/me", headers=bearer(token))
            assert response.status_code == 200, response.text
            return response.json()
        finally:
            await stop_stack(stack)

    profile = asyncio.run(profile_after_start())
    assert profile["email"] == "ada@example.org"
    assert profile["display_name"] == "Ada"
    assert profile["roles"] == ["admin"]


# ---------------------------------------------------------------- distributed mode, before it starts


def free_base_port() -> int:
    """A base port whose gateway, web and service ports are all free."""
    offsets = [0, WEB_PORT - 8000, *(spec.default_port - 8000 for spec in SERVICES)]
    for _ in range(50):
        base = random.randrange(20000, 60000)
        if not any(port_open("127.0.0.1", base + offset) for offset in offsets):
            return base
    raise RuntimeError("no free base port")


@pytest.mark.nginx
def test_distributed_mode_with_an_unreachable_database(tmp_path: Path) -> None:
    require("nginx", nginx_path() is not None, "install nginx (apt-get install nginx)")
    result = run(
        "up", "--distributed", "--port", str(free_base_port()), "--data-dir", str(tmp_path),
        env={"LEARNHUB_DATABASE_URL": UNREACHABLE_DATABASE},
    )  # fmt: skip
    assert_one_sentence(result, "Cannot reach PostgreSQL", "LEARNHUB_DATABASE_URL")


@pytest.mark.nginx
def test_distributed_mode_refuses_sqlite_and_ports_beyond_the_last(tmp_path: Path) -> None:
    require("nginx", nginx_path() is not None, "install nginx (apt-get install nginx)")
    result = run(
        "up", "--distributed", "--port", str(free_base_port()), "--data-dir", str(tmp_path),
        env={"LEARNHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"},
    )  # fmt: skip
    assert_one_sentence(result, "PostgreSQL", "LEARNHUB_DATABASE_URL=postgresql")
    result = run("up", "--distributed", "--port", "65500", "--data-dir", str(tmp_path))
    last = 65500 + max(spec.default_port for spec in SERVICES) - 8000
    assert_one_sentence(result, f"up to {last}", f"--port {65535 - (last - 65500)} or lower")


# ---------------------------------------------------------------- with the real backends


@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_migrate_declares_the_queues_and_dead_letters_can_be_listed(
    postgres_database: str, rabbitmq_vhost_url: str
) -> None:
    env = {"LEARNHUB_DATABASE_URL": postgres_database, "LEARNHUB_BUS_URL": rabbitmq_vhost_url}
    result = run("migrate", env=env)
    assert result.exit_code == 0, result.output
    assert "auth: migrated to the latest revision" in result.output
    assert "queues declared for: auth, users" in result.output
    listed = run("events", "dlq", "users", env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.output.strip() == "no dead letters for users"
    replayed = run("events", "dlq", "users", "--replay", env=env)
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 0 event(s) to users" in replayed.output
