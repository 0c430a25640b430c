"""The `learnhub` command.

Every failure a user can fix (a wrong argument, a database or broker that cannot be
reached, a port in use, an insecure setting) ends in one sentence that says what is
missing and how to fix it, with exit status 1 (2 for a wrong argument), never in a
traceback. ``LEARNHUB_LOG_LEVEL=DEBUG`` shows the traceback of unexpected errors.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import click
import uvicorn
from pydantic import ValidationError
from typing_extensions import override

from learnhub import __version__
from learnhub.kit.config import Settings
from learnhub.kit.errors import AppError
from learnhub.kit.observability import configure_logging
from learnhub.runner.preflight import PreflightError, check_port_free, preflight
from learnhub.runner.registry import SERVICES, WEB_PORT, get_service, service_names
from learnhub.runner.workers import TARGET_VARIABLE, build_target, served

log = logging.getLogger("learnhub")


def _validation_sentence(error: ValidationError, prefix: str = "LEARNHUB_") -> str:
    problems = []
    for item in error.errors():
        where = "_".join(str(part) for part in item["loc"]).upper()
        reason = item.get("ctx", {}).get("error") or item["msg"]
        reason = str(reason).removeprefix("Value error, ").rstrip(".")
        problems.append(f"{prefix}{where}: {reason}" if where else reason)
    return "; ".join(problems)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line values on top."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        raise click.ClickException(
            f"The configuration is not valid: {_validation_sentence(error)}."
        ) from error


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class LearnhubGroup(click.Group):
    """Turns the failures a user can fix into one sentence and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except PreflightError as error:
            raise click.ClickException(_sentence(str(error))) from error
        except ValidationError as error:
            # A service's own settings (LEARNHUB_AUTH_*, LEARNHUB_USERS_*...).
            raise click.ClickException(
                f"The configuration is not valid: {_validation_sentence(error, '')}."
            ) from error
        except AppError as error:
            raise click.ClickException(_sentence(error.detail)) from error
        except Exception as error:
            if os.environ.get("LEARNHUB_LOG_LEVEL", "").upper() == "DEBUG":
                raise
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise click.ClickException(
                f"learnhub stopped on an unexpected error ({type(error).__name__}"
                f"{': ' + reason.rstrip('.') if reason else ''}); run it again with "
                "LEARNHUB_LOG_LEVEL=DEBUG to see where, and report it if it persists."
            ) from error


class ServiceName(click.ParamType):
    """A service of the registry (and, if allowed, ``web``), with a helpful error."""

    name = "service"

    def __init__(self, *, web: bool) -> None:
        self.web = web

    @property
    def choices(self) -> list[str]:
        return [*service_names(), "web"] if self.web else service_names()

    @override
    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "{" + "|".join(self.choices) + "}"

    @override
    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        from click.shell_completion import CompletionItem

        return [CompletionItem(name) for name in self.choices if name.startswith(incomplete)]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.choices:
            return str(value)
        self.fail(
            f"there is no service named {value!r}: use one of {', '.join(self.choices)} "
            "(`learnhub services` lists them)",
            param,
            ctx,
        )


class PortNumber(click.ParamType):
    name = "port"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            port = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a port number: use a number from 1 to 65535", param, ctx)
        if not 1 <= port <= 65535:
            self.fail(f"{port} is not a port: use a number from 1 to 65535", param, ctx)
        return port


PORT = PortNumber()


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def _server_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
    }


class _Server(uvicorn.Server):
    """uvicorn's server, calling ``on_listening`` once it listens: after the application's
    start-up and uvicorn's own start-up lines, so what it prints comes last."""

    def __init__(self, config: uvicorn.Config, on_listening: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_listening = on_listening

    @override
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit and self._on_listening is not None:
            self._on_listening()


def serve(
    app: Any,
    settings: Settings,
    *,
    host: str,
    port: int,
    on_listening: Callable[[], None] | None = None,
) -> None:
    server = _Server(
        uvicorn.Config(served(app, settings), **_server_options(settings, host=host, port=port)),
        on_listening,
    )
    server.run()
    if not server.started and not server.should_exit:
        raise click.ClickException(
            f"learnhub could not start on {host}:{port}; the log above says why."
        )


def serve_workers(target: str, settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve ``target`` from ``workers`` processes sharing one socket."""
    os.environ[TARGET_VARIABLE] = target
    uvicorn.run(
        "learnhub.runner.workers:worker_app",
        factory=True,
        workers=workers,
        **_server_options(settings, host=host, port=port),
    )


@click.group(cls=LearnhubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="learnhub")
def main() -> None:
    """learnhub: an e-learning platform (LMS + knowledge hub) built as microservices that
    also run together in one process.

    Settings come from LEARNHUB_* environment variables (see docs/operations.md).
    """


main.group_class = LearnhubGroup


@main.command()
@click.option("--port", type=PORT, default=8000, show_default=True, help="Port of the gateway.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the SQLite files, or nginx's files in distributed mode "
    "(default: ./data, or LEARNHUB_DATA_DIR).",
)
@click.option(
    "--no-demo",
    is_flag=True,
    help="Do not create the demo accounts and demo courses on first start.",
)
@click.option(
    "--distributed",
    is_flag=True,
    help="Run every service in its own process on PostgreSQL, RabbitMQ and Redis, behind nginx "
    "(services on PORT+101.., the web UI on PORT+100).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="With --distributed: worker processes per service.",
)
def up(
    port: int, host: str, data_dir: Path | None, no_demo: bool, distributed: bool, workers: int
) -> None:
    """Run the whole platform at http://HOST:PORT."""
    if workers > 1 and not distributed:
        raise click.UsageError(
            "--workers needs --distributed: the all-in-one mode keeps its cache and its SQLite "
            "writer in one process."
        )
    settings = load_settings(data_dir=data_dir)
    configure_logging(settings.log_level, settings.log_format)
    check_port_free(host, port)
    if distributed:
        from learnhub.runner.distributed import run_distributed

        run_distributed(settings, host=host, port=port, demo=not no_demo, workers=workers)
        return
    from learnhub.runner.demo import describe_demo_accounts, seed_demo_accounts
    from learnhub.runner.demo_courses import seed_demo_courses_in_process
    from learnhub.runner.platform import build_all_in_one

    run_async(preflight(settings, SERVICES, migrate=True))
    platform, app = build_all_in_one(settings)

    banner = [f"\nlearnhub {__version__} is running at http://{host}:{port}"]

    async def start() -> None:
        await platform.start(migrate=False)  # the preflight just migrated
        if not no_demo:
            await seed_demo_accounts(platform.runtime("auth"))
            await platform.settle()
            courses: list[str] = []
            try:
                courses = await seed_demo_courses_in_process(app)
            except PreflightError as error:
                log.warning("The demo courses were not created: %s", error)
            await platform.settle()
            banner.append(describe_demo_accounts())
            if courses:
                banner.append(f"Demo courses created: {', '.join(courses)}")
        if settings.env == "development":
            banner.append(
                "No e-mail is sent in development: the links learnhub would e-mail (to confirm "
                "a sign-up, to reset a password) appear in this log."
            )
        banner.append("Press Ctrl-C to stop.\n")

    def print_banner() -> None:
        click.echo("\n".join(banner), err=True)

    app.on_startup = start
    serve(app, settings, host=host, port=port, on_listening=print_banner)


@main.command()
@click.option(
    "--courses", type=click.IntRange(min=1, max=100_000), required=True, help="Courses to create."
)
@click.option(
    "--learners",
    type=click.IntRange(min=1, max=1_000_000),
    required=True,
    help="Learner accounts to create (seed-learner-00001@example.org...).",
)
@click.option(
    "--enrollments-per-learner",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Courses each learner is enrolled in.",
)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the SQLite files (when LEARNHUB_DATABASE_URL is not set).",
)
def seed(
    courses: int,
    learners: int,
    enrollments_per_learner: int,
    seed_value: int,
    data_dir: Path | None,
) -> None:
    """Fill the platform with generated data for demonstrations and load tests: learner
    accounts (password learnhub-learner), published courses by the demo instructor,
    enrollments and some progress. Run it again to add only what is missing."""
    from learnhub.runner.seed import LEARNER_PASSWORD, SeedPlan, learner_email, run_seed

    settings = load_settings(data_dir=data_dir)
    configure_logging("WARNING", settings.log_format)
    run_async(preflight(settings, SERVICES, migrate=True))

    def bar(label: str, length: int) -> Any:
        return click.progressbar(length=length, label=label, show_pos=True, show_eta=True)

    plan = SeedPlan(courses, learners, enrollments_per_learner, seed_value)
    summary = run_async(run_seed(settings, plan, bar))
    timings = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in summary.seconds.items())
    click.echo(
        f"Seeded in {summary.total_seconds:.1f} s ({timings}):\n"
        f"  learners:    {summary.learners_created} created, {summary.learners_found} already there"
        f" ({learner_email(1)} ... {learner_email(learners)}, password {LEARNER_PASSWORD})\n"
        f"  courses:     {summary.courses_created} created, {summary.courses_found} already there\n"
        f"  enrollments: {summary.enrollments_created} created, "
        f"{summary.enrollments_found} already there\n"
        f"  lesson completions recorded: {summary.lessons_completed}"
    )


@main.command("serve")
@click.argument("service", metavar="SERVICE", type=ServiceName(web=True))
@click.option(
    "--port",
    type=PORT,
    default=None,
    help="Port (default: the service's own, see `learnhub services`).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--migrate", is_flag=True, help="Apply the service's migrations before serving.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes sharing the port (each with its own connections).",
)
def serve_one(service: str, port: int | None, host: str, migrate: bool, workers: int) -> None:
    """Run one service (or the web UI) alone, configured by LEARNHUB_* environment
    variables: LEARNHUB_DATABASE_URL, LEARNHUB_BUS_URL, LEARNHUB_CACHE_URL and
    LEARNHUB_API_URL (the gateway) or LEARNHUB_JWKS_URL.

    SERVICE is one of the services `learnhub services` lists, or web."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if service == "web":
        if not settings.api_url:
            raise click.ClickException(
                "The web UI needs the gateway's address: set LEARNHUB_API_URL "
                "(e.g. LEARNHUB_API_URL=http://127.0.0.1:8000)."
            )
        port = port or WEB_PORT
        check_port_free(host, port)
        try:
            app = build_target("web", settings)
        except Exception as error:
            if settings.log_level.upper() == "DEBUG":
                raise
            raise click.ClickException(
                f"The web UI could not be built ({type(error).__name__}: {error}); the APIs "
                "work without it, and LEARNHUB_LOG_LEVEL=DEBUG shows where it failed."
            ) from error
        if workers > 1:
            serve_workers("web", settings, host=host, port=port, workers=workers)
        else:
            serve(app, settings, host=host, port=port)
        return
    spec = get_service(service)
    if not spec.issues_tokens and settings.effective_jwks_url is None:
        raise click.ClickException(
            f"The {spec.name} service verifies access tokens against the auth service's keys: "
            "set LEARNHUB_API_URL to the gateway's address (e.g. http://127.0.0.1:8000) or "
            "LEARNHUB_JWKS_URL to the JWKS address."
        )
    port = port or spec.default_port
    check_port_free(host, port)
    run_async(preflight(settings, [spec], migrate=migrate))
    if workers > 1:
        serve_workers(spec.name, settings, host=host, port=port, workers=workers)
    else:
        serve(build_target(spec.name, settings), settings, host=host, port=port)


@main.command()
@click.argument("service", required=False, metavar="[SERVICE]", type=ServiceName(web=False))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the SQLite files (when LEARNHUB_DATABASE_URL is not set).",
)
def migrate(service: str | None, data_dir: Path | None) -> None:
    """Apply database migrations (of every service, or of SERVICE) and declare the bus's
    queues, so events wait for consumers that have not started yet."""
    from learnhub.runner.topology import declare_topology

    settings = load_settings(data_dir=data_dir)
    configure_logging(settings.log_level, settings.log_format)
    specs = [get_service(service)] if service else list(SERVICES)
    run_async(preflight(settings, specs, migrate=True))
    # A publisher's migration declares its consumers' queues too: events it sends before
    # they first start must wait for them.
    declared = run_async(declare_topology(settings, SERVICES))
    for spec in specs:
        click.echo(f"{spec.name}: migrated to the latest revision")
    if declared:
        click.echo(f"queues declared for: {', '.join(declared)}")


@main.command()
def services() -> None:
    """List the services: port, routes, events published and consumed."""
    for spec in SERVICES:
        click.echo(f"{spec.name}  (port {spec.default_port})")
        click.echo(f"  routes:    {', '.join(spec.route_prefixes)}")
        click.echo(f"  publishes: {', '.join(event.event_type for event in spec.publishes) or '-'}")
        click.echo(f"  consumes:  {', '.join(spec.consumes) or '-'}")
    click.echo(f"web  (port {WEB_PORT})")
    click.echo("  routes:    every other path (the web UI)")


@main.group()
def user() -> None:
    """Manage accounts."""


def _valid_email(email: str) -> str:
    from pydantic import EmailStr, TypeAdapter

    try:
        # The auth service keeps e-mails in lower case; say what it will store.
        return str(TypeAdapter(EmailStr).validate_python(email.strip())).lower()
    except ValidationError as error:
        raise click.BadParameter(
            f"{email!r} is not an e-mail address: give one like ada@example.org",
            param_hint="'--email'",
        ) from error


@user.command("create")
@click.option("--email", required=True, help="The account's e-mail.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["admin", "instructor", "support", "learner"]),
    default=("learner",),
    show_default=True,
    help="Platform role; repeat for several.",
)
@click.option(
    "--display-name", default=None, help="Name shown to others (default: the e-mail's local part)."
)
@click.option(
    "--password",
    default=None,
    help="Password of at least 10 characters (default: a random one, printed once).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the SQLite files (when LEARNHUB_DATABASE_URL is not set).",
)
def create_user(
    email: str,
    roles: Sequence[str],
    display_name: str | None,
    password: str | None,
    data_dir: Path | None,
) -> None:
    """Create an account, e.g. the first administrator. Its profile appears in the users
    service when that receives the account's event (at once if it runs, else on its start)."""
    from learnhub.runner.accounts import create_account

    email = _valid_email(email)
    settings = load_settings(data_dir=data_dir)
    configure_logging("WARNING", settings.log_format)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    if len(password) < 10:
        raise click.BadParameter(
            "the password must have at least 10 characters", param_hint="'--password'"
        )
    run_async(preflight(settings, [get_service("auth")], migrate=True))
    account_id = run_async(
        create_account(
            settings,
            email=email,
            password=password,
            display_name=display_name or email.split("@")[0],
            roles=roles,
        )
    )
    click.echo(f"Created {email} ({', '.join(roles)}), id {account_id}.")
    if generated:
        click.echo(f"Password: {password}")


def _upstream_override(value: str) -> tuple[str, str]:
    name, _, address = value.partition("=")
    host, _, port = address.rpartition(":")
    if name not in [*service_names(), "web"] or not host or not port.isdigit():
        raise click.BadParameter(
            f"{value!r} is not SERVICE=HOST:PORT with SERVICE one of "
            f"{', '.join([*service_names(), 'web'])}",
            param_hint="'--upstream'",
        )
    return name, address


@main.command("gateway-config")
@click.option(
    "--listen",
    default=None,
    help="Address nginx listens on (default: 127.0.0.1:BASE_PORT).",
)
@click.option(
    "--base-port",
    type=PORT,
    default=8000,
    show_default=True,
    help="As `up --distributed --port`: services at BASE_PORT+101.., the web UI at BASE_PORT+100.",
)
@click.option(
    "--upstream-host", default="127.0.0.1", show_default=True, help="Host of the services."
)
@click.option(
    "--upstream",
    "upstreams",
    multiple=True,
    metavar="SERVICE=HOST:PORT",
    help="Where one service (or web) runs, e.g. users=users:8102; repeat for several.",
)
@click.option(
    "--runtime-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for nginx's pid file, logs and temp files (default: nginx's own).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to a file.",
)
def gateway_config(
    listen: str | None,
    base_port: int,
    upstream_host: str,
    upstreams: Sequence[str],
    runtime_dir: Path | None,
    output: Path | None,
) -> None:
    """Print the nginx configuration that routes /api/v1/<service>/ to each service and
    every other path to the web UI, from the service registry."""
    from learnhub.runner.distributed import nginx_config, service_port, web_port_for

    settings = load_settings()
    hosts = dict(_upstream_override(value) for value in upstreams)
    config = nginx_config(
        settings,
        listen=listen or f"127.0.0.1:{base_port}",
        upstream_host=upstream_host,
        port_of=lambda spec: service_port(base_port, spec),
        web_port=web_port_for(base_port),
        runtime_dir=runtime_dir.resolve() if runtime_dir else None,
        hosts=hosts,
    )
    if output:
        output.write_text(config)
        click.echo(f"wrote {output}")
    else:
        click.echo(config, nl=False)


@main.command()
def keygen() -> None:
    """Print a new Ed25519 private key (PEM) for LEARNHUB_AUTH_SIGNING_KEY."""
    from learnhub.services.auth.keys import generate_key_pair

    click.echo(generate_key_pair().private_pem(), nl=False)


@main.group()
def events() -> None:
    """Inspect the event bus."""


@events.command("asyncapi")
def asyncapi() -> None:
    """Print the AsyncAPI 3.0 document of every event (JSON)."""
    import json

    from learnhub.runner.asyncapi import asyncapi_document

    click.echo(json.dumps(asyncapi_document(), indent=2, default=str))


@events.command("dlq")
@click.argument("service", metavar="SERVICE", type=ServiceName(web=False))
@click.option("--replay", is_flag=True, help="Send the dead letters back to the service's queue.")
@click.option("--id", "event_ids", multiple=True, help="Only these event ids; repeat for several.")
def dead_letters(service: str, replay: bool, event_ids: tuple[str, ...]) -> None:
    """List (or replay) the events SERVICE failed to handle after every retry: kept by
    RabbitMQ, or, with the in-process bus, in the service's own database."""
    settings = load_settings()
    wanted = set(event_ids) or None
    if settings.bus_url.startswith(("amqp://", "amqps://")):
        from learnhub.kit.events.rabbitmq import list_dead_letters, replay_dead_letters
        from learnhub.runner.preflight import quiet_connection_logs, reason_of, safe_url

        try:
            with quiet_connection_logs():
                if replay:
                    count = run_async(
                        replay_dead_letters(settings.bus_url, service, event_ids=wanted)
                    )
                else:
                    messages = run_async(list_dead_letters(settings.bus_url, service))
        except OSError as error:
            raise PreflightError(
                f"Cannot reach RabbitMQ at {safe_url(settings.bus_url)} ({reason_of(error)}): "
                "start it or set LEARNHUB_BUS_URL."
            ) from error
    elif replay:
        count = run_async(_in_process_dead_letters(settings, service, replay=True, wanted=wanted))
    else:
        messages = run_async(_in_process_dead_letters(settings, service, replay=False))
    if replay:
        click.echo(f"replayed {count} event(s) to {service}")
        return
    if wanted:
        messages = [message for message in messages if message.event_id in wanted]
    if not messages:
        click.echo(f"no dead letters for {service}")
    for message in messages:
        click.echo(
            f"{message.event_id}  {message.event_type}  attempts={message.attempts}  "
            f"failed_at={message.failed_at}  error={message.error}"
        )


async def _in_process_dead_letters(
    settings: Settings, service: str, *, replay: bool, wanted: set[str] | None = None
) -> Any:
    """The dead letters the in-process bus kept in SERVICE's database, or how many of them
    were put back in its queue (a running platform picks them up within a second)."""
    from learnhub.kit.db import Database
    from learnhub.kit.events.deliveries import DeliveryQueue
    from learnhub.kit.migrations import current_revision
    from learnhub.runner.preflight import check_database

    url = settings.database_url_for(service)
    if url.startswith("sqlite") and not (settings.data_dir / f"{service}.db").exists():
        return 0 if replay else []
    await check_database(settings, [get_service(service)], migrate=False)
    db = Database(url, service=service)
    try:
        if await current_revision(db) is None:
            return 0 if replay else []
        queue = DeliveryQueue(db)
        return await queue.replay(event_ids=wanted) if replay else await queue.dead_letters()
    finally:
        await db.dispose()


@main.command("demo-accounts", hidden=True)
def demo_accounts() -> None:
    """Create the demo accounts if there is no account yet."""
    from learnhub.runner.accounts import create_demo_accounts
    from learnhub.runner.demo import describe_demo_accounts

    settings = load_settings()
    run_async(preflight(settings, [get_service("auth")], migrate=True))
    if run_async(create_demo_accounts(settings)):
        click.echo(describe_demo_accounts(), err=True)
