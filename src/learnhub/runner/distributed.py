"""`learnhub up --distributed`: every service in its own process behind nginx, on
PostgreSQL, RabbitMQ and Redis.

The launcher prepares the backends itself (creates the database, applies every service's
migrations, declares the RabbitMQ queues, creates the demo accounts), then starts one
``learnhub serve SERVICE`` process per service, one for the web UI, and nginx, with a
configuration generated from the service registry. Ctrl-C (or SIGTERM) stops them all:
nginx first, then the web UI, then the services. The children run in their own process
group, so a terminal's Ctrl-C reaches only the launcher, which stops them in that order;
on Linux they also receive SIGTERM if the launcher itself is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import grp
import logging
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import click
import httpx
from sqlalchemy.engine import make_url

from learnhub.gateway.nginx import Upstream, render_nginx_config
from learnhub.kit.config import Settings
from learnhub.kit.runtime import ServiceSpec
from learnhub.runner.preflight import (
    PreflightError,
    check_port_free,
    preflight,
    quiet_connection_logs,
    reason_of,
    safe_url,
)
from learnhub.runner.registry import GATEWAY_PORT, SERVICES, WEB_PORT
from learnhub.web.session import SESSION_COOKIE

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/learnhub"
DEFAULT_BUS_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/0"

STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0


def nginx_path() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def service_port(base_port: int, spec: ServiceSpec) -> int:
    """Services keep their distance from the gateway's port: 8000 -> auth 8101, users 8102."""
    return base_port + (spec.default_port - GATEWAY_PORT)


def web_port_for(base_port: int) -> int:
    return base_port + (WEB_PORT - GATEWAY_PORT)


def nginx_config(
    settings: Settings,
    *,
    listen: str,
    upstream_host: str,
    port_of: Callable[[ServiceSpec], int],
    web_port: int = WEB_PORT,
    runtime_dir: Path | None = None,
    run_as_user: str | None = None,
    hosts: Mapping[str, str] | None = None,
) -> str:
    """The gateway's nginx.conf for the registry's services. ``hosts`` overrides the
    ``host:port`` of single upstreams (``{"users": "users:8102"}``)."""
    hosts = hosts or {}

    def upstream(name: str, prefixes: tuple[str, ...], port: int) -> Upstream:
        host, _, given_port = hosts.get(name, f"{upstream_host}:{port}").rpartition(":")
        return Upstream(name, prefixes, host, int(given_port))

    upstreams = [upstream(spec.name, spec.route_prefixes, port_of(spec)) for spec in SERVICES]
    return render_nginx_config(
        upstreams,
        upstream("web", ("/",), web_port),
        listen=listen,
        rate_limit=settings.gateway_rate_limit,
        anonymous_rate_limit=settings.gateway_anonymous_rate_limit,
        address_rate_limit=settings.gateway_address_rate_limit,
        session_cookie=SESSION_COOKIE,
        max_body_bytes=settings.max_request_bytes,
        runtime_dir=runtime_dir,
        run_as_user=run_as_user,
        worker_processes="2" if runtime_dir is not None else "auto",
    )


def worker_account(folder: Path) -> str | None:
    """Started as root, nginx's workers would run as `nobody`, which usually cannot enter
    the data folder (a home or a private temp folder) to write request bodies there; they
    run as the folder's owner instead. Not root: nginx keeps the current user."""
    if os.geteuid() != 0:
        return None
    status = folder.stat()
    try:
        user = pwd.getpwuid(status.st_uid).pw_name
        group = grp.getgrgid(status.st_gid).gr_name
    except KeyError:
        return None
    return f"{user} {group}"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    essential: bool = True
    reported: bool = False


async def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet (schemas come with migrations)."""
    import asyncpg

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise PreflightError(
            f"The distributed mode runs on PostgreSQL, not {parsed.get_backend_name()}: set "
            "LEARNHUB_DATABASE_URL=postgresql+asyncpg://user@host:5432/learnhub."
        )
    name = parsed.database or "learnhub"
    dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    try:
        with quiet_connection_logs():
            connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise PreflightError(
            f"Cannot reach PostgreSQL at {safe_url(url)} ({reason_of(error)}): start it or set "
            "LEARNHUB_DATABASE_URL."
        ) from error
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.PostgresError as error:
        raise PreflightError(
            f"Cannot create the database {name} at {safe_url(url)} ({reason_of(error)}): create "
            "it yourself or give LEARNHUB_DATABASE_URL a user allowed to."
        ) from error
    finally:
        await connection.close()


def distributed_settings(settings: Settings, *, host: str, port: int) -> Settings:
    """The settings every process of the distributed mode shares: PostgreSQL, RabbitMQ and
    Redis (the configured ones, or local defaults), and the gateway as API address."""
    gateway = f"http://{host}:{port}"
    return settings.model_copy(
        update={
            "database_url": settings.database_url or DEFAULT_DATABASE_URL,
            "bus_url": settings.bus_url
            if settings.bus_url.startswith(("amqp://", "amqps://"))
            else DEFAULT_BUS_URL,
            "cache_url": settings.cache_url
            if settings.cache_url.startswith(("redis://", "rediss://"))
            else DEFAULT_CACHE_URL,
            "api_url": gateway,
            "public_url": os.environ.get("LEARNHUB_PUBLIC_URL", gateway),
        }
    )


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment of every child process, from :func:`distributed_settings`."""
    if settings.database_url is None or settings.api_url is None:
        raise ValueError("child processes need the settings of distributed_settings()")
    return {
        **os.environ,
        "LEARNHUB_DATABASE_URL": settings.database_url,
        "LEARNHUB_BUS_URL": settings.bus_url,
        "LEARNHUB_CACHE_URL": settings.cache_url,
        "LEARNHUB_API_URL": settings.api_url,
        "LEARNHUB_PUBLIC_URL": settings.public_url,
        "LEARNHUB_DATA_DIR": str(settings.data_dir),
        # Many processes' lines interleave: JSON keeps each one whole for a collector.
        "LEARNHUB_LOG_FORMAT": os.environ.get("LEARNHUB_LOG_FORMAT", "json"),
        # One process per service already; the children need not buffer their logs.
        "PYTHONUNBUFFERED": "1",
    }


def _learnhub(*args: str) -> list[str]:
    return [sys.executable, "-m", "learnhub", *args]


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the launcher dies (Linux only)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _spawn(name: str, command: list[str], env: dict[str, str], *, essential: bool = True) -> Child:
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and nginx, no shell)
        command,
        env=env,
        process_group=0,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    return Child(name, process, essential=essential)


def _check_children(children: list[Child]) -> None:
    for child in children:
        if child.essential and child.process.poll() is not None:
            raise PreflightError(
                f"The {child.name} process stopped while starting (exit status "
                f"{child.process.returncode}); its log above says why."
            )


def _wait_ready(
    url: str, children: list[Child], *, within: float = STARTUP_SECONDS, what: str = ""
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        _check_children(children)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0, trust_env=False).status_code == 200:
                return
        time.sleep(0.2)
    raise PreflightError(
        f"{what or url} did not become ready within {within:.0f} seconds; the log above says why."
    )


def _wait_web(child: Child, url: str, *, within: float = 30.0) -> bool:
    """Wait for the web UI; it is not essential (the APIs work without it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            return False
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=2.0, trust_env=False)
            return True
        time.sleep(0.2)
    return False


def stop_children(children: list[Child], *, within: float = STOP_SECONDS) -> None:
    """SIGTERM in reverse start order (nginx, web, services), SIGKILL for the stubborn."""
    for child in reversed(children):
        if child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + within
    for child in reversed(children):
        try:
            child.process.wait(max(0.1, deadline - time.monotonic()))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            with contextlib.suppress(ProcessLookupError):
                child.process.kill()
            child.process.wait()


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the launcher like Ctrl-C does, so its children stop too.
    SIGINT is set too: a shell starting the launcher in the background ignores it."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {
        signum: signal.signal(signum, interrupt)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _seed_demo_courses(gateway: str) -> None:
    """The demo courses, through the gateway like any client; a failure is only a warning."""
    from learnhub.runner.demo_courses import seed_demo_courses_at

    try:
        asyncio.run(seed_demo_courses_at(gateway))
    except Exception as error:
        log.warning("the demo courses could not be created: %s", error)


async def _prepare(settings: Settings, *, demo: bool) -> bool:
    """Database, migrations, queues and demo accounts; True if the demo accounts exist."""
    from learnhub.runner.topology import declare_topology

    if settings.database_url is None:
        raise ValueError("the distributed mode needs the settings of distributed_settings()")
    await _ensure_database(settings.database_url)
    await preflight(settings, SERVICES, migrate=True)
    await declare_topology(settings, SERVICES)
    if not demo:
        return False
    from learnhub.runner.accounts import create_demo_accounts

    return await create_demo_accounts(settings)


def run_distributed(
    settings: Settings, *, host: str, port: int, demo: bool, workers: int = 1
) -> None:
    """Start every service, the web UI and nginx; stop them all on Ctrl-C or SIGTERM."""
    nginx = nginx_path()
    if nginx is None:
        raise PreflightError(
            "nginx is not installed: install it from your system's packages (e.g. `apt-get install nginx`)."
        )
    settings = distributed_settings(settings, host=host, port=port)
    web_port = web_port_for(port)
    highest = max([web_port, *(service_port(port, spec) for spec in SERVICES)])
    if highest > 65535:
        raise PreflightError(
            f"With --port {port} the services would need ports up to {highest}: pass --port "
            f"{65535 - (highest - port)} or lower."
        )
    for spec in SERVICES:
        check_port_free(host, service_port(port, spec))
    check_port_free(host, web_port)

    with _signals_interrupt():
        try:
            demo_ready = asyncio.run(_prepare(settings, demo=demo))
        except KeyboardInterrupt:
            click.echo("\nstopped before starting.", err=True)
            return
        env = child_environment(settings)
        runtime_dir = (settings.data_dir / "nginx").resolve()
        runtime_dir.mkdir(parents=True, exist_ok=True)
        config_path = runtime_dir / "nginx.conf"
        config_path.write_text(
            nginx_config(
                settings,
                listen=f"{host}:{port}",
                upstream_host=host,
                port_of=lambda spec: service_port(port, spec),
                web_port=web_port,
                runtime_dir=runtime_dir,
                run_as_user=worker_account(runtime_dir),
            )
        )
        nginx_command = [
            nginx,
            "-p",
            str(runtime_dir),
            "-c",
            str(config_path),
            "-e",
            str(runtime_dir / "error.log"),
        ]
        checked = subprocess.run(  # noqa: S603
            [*nginx_command, "-t", "-q"], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            lines = checked.stderr.strip().splitlines() or ["no output"]
            detail = next((line for line in lines if "[emerg]" in line), lines[-1])
            raise PreflightError(
                f"nginx refused the generated configuration {config_path} ({detail}): check "
                "LEARNHUB_GATEWAY_RATE_LIMIT and LEARNHUB_GATEWAY_BODY_LIMIT."
            )
        children: list[Child] = []
        try:
            _run(settings, children, host=host, port=port, web_port=web_port, env=env,
                 nginx_command=nginx_command, demo_ready=demo_ready, workers=workers)  # fmt: skip
        except KeyboardInterrupt:
            click.echo("\nstopping every learnhub process...", err=True)
        finally:
            stop_children(children)


def _run(
    settings: Settings,
    children: list[Child],
    *,
    host: str,
    port: int,
    web_port: int,
    env: dict[str, str],
    nginx_command: list[str],
    demo_ready: bool,
    workers: int,
) -> None:
    processes = ["--workers", str(workers)]
    for spec in SERVICES:
        service_port_ = str(service_port(port, spec))
        children.append(
            _spawn(
                spec.name,
                _learnhub("serve", spec.name, "--host", host, "--port", service_port_, *processes),
                env,
            )
        )
    web = _spawn(
        "web", _learnhub("serve", "web", "--host", host, "--port", str(web_port), *processes),
        env, essential=False,
    )  # fmt: skip
    children.append(web)
    for spec in SERVICES:
        _wait_ready(
            f"http://{host}:{service_port(port, spec)}/readyz",
            children,
            what=f"The {spec.name} service",
        )
    children.append(_spawn("nginx", [*nginx_command, "-g", "daemon off;"], env))
    _wait_ready(f"http://{host}:{port}/healthz", children, what="nginx")
    web_ok = _wait_web(web, f"http://{host}:{web_port}/")

    gateway = f"http://{host}:{port}"
    if demo_ready:
        _seed_demo_courses(gateway)
    lines = [f"\nlearnhub is running in distributed mode at {gateway} (nginx)"]
    for spec in SERVICES:
        lines.append(f"  {spec.name:<6} http://{host}:{service_port(port, spec)}")
    if web_ok:
        lines.append(f"  web    http://{host}:{web_port}")
    else:
        web.reported = True
        lines.append(
            "  web    did not start (its log above says why); the APIs still answer at "
            f"{gateway}/api/v1/"
        )
    lines.append(
        f"  on {safe_url(settings.database_url or '')}, {safe_url(settings.bus_url)}, "
        f"{safe_url(settings.cache_url)}"
    )
    if demo_ready:
        from learnhub.runner.demo import describe_demo_accounts

        lines.append(describe_demo_accounts())
    lines.append("Press Ctrl-C to stop every process.\n")
    click.echo("\n".join(lines), err=True)
    _watch(children, host=host, port=port)


def _watch(children: list[Child], *, host: str, port: int) -> None:
    """Report children that stop; the others keep running until Ctrl-C."""
    while True:
        for child in children:
            if child.reported or child.process.poll() is None:
                continue
            child.reported = True
            if child.name == "nginx":
                raise PreflightError(
                    f"nginx stopped (exit status {child.process.returncode}); its error log is "
                    "in the data folder under nginx/error.log."
                )
            if child.name == "web":
                restart = f"learnhub serve web --host {host} --port {web_port_for(port)}"
            else:
                spec = next(spec for spec in SERVICES if spec.name == child.name)
                restart = (
                    f"learnhub serve {spec.name} --host {host} --port {service_port(port, spec)}"
                )
            click.echo(
                f"The {child.name} process stopped (exit status {child.process.returncode}); "
                f"the others keep running. Start it again with the same environment: {restart}",
                err=True,
            )
        time.sleep(0.5)
