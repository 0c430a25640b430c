"""`learnhub up --distributed`: every service in its own process behind nginx, on
PostgreSQL, RabbitMQ and Redis."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import httpx
from sqlalchemy.engine import make_url

from learnhub.gateway.nginx import Upstream, render_nginx_config
from learnhub.kit.config import Settings
from learnhub.kit.runtime import ServiceSpec
from learnhub.runner.preflight import PreflightError, check_port_free, safe_url
from learnhub.runner.registry import GATEWAY_PORT, SERVICES, WEB_PORT

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/learnhub"
DEFAULT_BUS_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/0"


def nginx_config(
    settings: Settings,
    *,
    listen: str,
    upstream_host: str,
    port_of: Callable[[ServiceSpec], int],
    web_port: int = WEB_PORT,
    runtime_dir: Path | None = None,
) -> str:
    upstreams = [
        Upstream(spec.name, spec.route_prefixes, upstream_host, port_of(spec)) for spec in SERVICES
    ]
    return render_nginx_config(
        upstreams,
        Upstream("web", ("/",), upstream_host, web_port),
        listen=listen,
        rate_limit=settings.gateway_rate_limit,
        body_limit=settings.gateway_body_limit,
        runtime_dir=runtime_dir,
    )


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def _port_of(gateway_port: int) -> Callable[[ServiceSpec], int]:
    # Services keep their distance from the gateway's port: 8000 -> auth 8101, users 8102.
    return lambda spec: gateway_port + (spec.default_port - GATEWAY_PORT)


async def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet (schemas come with migrations)."""
    import asyncpg

    parsed = make_url(url)
    name = parsed.database or "learnhub"
    dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    try:
        connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as error:
        raise PreflightError(
            f"Cannot reach PostgreSQL at {safe_url(url)} ({error}): start it or set LEARNHUB_DATABASE_URL."
        ) from error
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def distributed_environment(settings: Settings, *, host: str, port: int) -> dict[str, str]:
    database_url = settings.database_url or DEFAULT_DATABASE_URL
    bus_url = settings.bus_url if settings.bus_url.startswith("amqp") else DEFAULT_BUS_URL
    cache_url = settings.cache_url if settings.cache_url.startswith("redis") else DEFAULT_CACHE_URL
    gateway = f"http://{host}:{port}"
    return {
        **os.environ,
        "LEARNHUB_DATABASE_URL": database_url,
        "LEARNHUB_BUS_URL": bus_url,
        "LEARNHUB_CACHE_URL": cache_url,
        "LEARNHUB_API_URL": gateway,
        "LEARNHUB_PUBLIC_URL": os.environ.get("LEARNHUB_PUBLIC_URL", gateway),
        "LEARNHUB_DATA_DIR": str(settings.data_dir),
    }


def _learnhub(*args: str) -> list[str]:
    return [sys.executable, "-m", "learnhub", *args]


def _wait_ready(url: str, children: list[Child], *, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                raise PreflightError(
                    f"The {child.name} process stopped while starting; its log above says why."
                )
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise PreflightError(f"{url} did not become ready within {within:.0f} seconds.")


def _stop(children: list[Child]) -> None:
    for child in reversed(children):
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in reversed(children):
        try:
            child.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def run_distributed(settings: Settings, *, host: str, port: int, demo: bool) -> None:
    """Start every service, the web UI and nginx; stop them all on Ctrl-C or if one dies."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        raise PreflightError(
            "nginx is not installed: install it from your system's packages (e.g. `apt-get install nginx`)."
        )
    env = distributed_environment(settings, host=host, port=port)
    port_of = _port_of(port)
    web_port = port + (WEB_PORT - GATEWAY_PORT)
    for spec in SERVICES:
        check_port_free(host, port_of(spec))
    check_port_free(host, web_port)
    asyncio.run(_ensure_database(env["LEARNHUB_DATABASE_URL"]))
    if subprocess.run(_learnhub("migrate"), env=env, check=False).returncode != 0:  # noqa: S603
        raise PreflightError("Migrations failed; the message above says why.")
    if demo:
        subprocess.run(_learnhub("demo-accounts"), env=env, check=False)  # noqa: S603

    runtime_dir = (settings.data_dir / "nginx").resolve()
    runtime_dir.mkdir(parents=True, exist_ok=True)
    config_path = runtime_dir / "nginx.conf"
    config_path.write_text(
        nginx_config(
            settings,
            listen=f"{host}:{port}",
            upstream_host=host,
            port_of=port_of,
            web_port=web_port,
            runtime_dir=runtime_dir,
        )
    )
    children: list[Child] = []
    try:
        for spec in SERVICES:
            command = _learnhub("serve", spec.name, "--host", host, "--port", str(port_of(spec)))
            children.append(Child(spec.name, subprocess.Popen(command, env=env)))  # noqa: S603
        children.append(
            Child(
                "web",
                subprocess.Popen(
                    _learnhub("serve", "web", "--host", host, "--port", str(web_port)), env=env
                ),
            )
        )
        for spec in SERVICES:
            _wait_ready(f"http://{host}:{port_of(spec)}/readyz", children)
        children.append(
            Child(
                "nginx",
                subprocess.Popen(  # noqa: S603
                    [nginx, "-p", str(runtime_dir), "-c", str(config_path), "-g", "daemon off;"],
                    env=env,
                ),
            )
        )
        _wait_ready(f"http://{host}:{port}/healthz", children)
        _wait_ready(f"http://{host}:{port}/", children)
        lines = [f"\nlearnhub is running in distributed mode at http://{host}:{port} (nginx)"]
        for spec in SERVICES:
            lines.append(f"  {spec.name:<6} http://{host}:{port_of(spec)}")
        lines.append(f"  web    http://{host}:{web_port}")
        lines.append("Press Ctrl-C to stop every process.\n")
        click.echo("\n".join(lines), err=True)
        while all(child.process.poll() is None for child in children):
            time.sleep(0.5)
        stopped = next(child for child in children if child.process.poll() is not None)
        raise PreflightError(
            f"The {stopped.name} process stopped (exit status {stopped.process.returncode})."
        )
    except KeyboardInterrupt:
        click.echo("\nstopping...", err=True)
    finally:
        _stop(children)
