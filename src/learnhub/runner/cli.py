"""The `learnhub` command."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import Any

import click
import httpx
import uvicorn
from pydantic import ValidationError

from learnhub import __version__
from learnhub.kit.config import Settings
from learnhub.kit.observability import configure_logging
from learnhub.runner.preflight import PreflightError, check_port_free, preflight
from learnhub.runner.registry import SERVICES, WEB_PORT, get_service, service_names

log = logging.getLogger("learnhub")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line values on top."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"LEARNHUB_{'_'.join(str(part) for part in item['loc']).upper() or 'SETTINGS'}: {item['msg']}"
            for item in error.errors()
        )
        raise click.ClickException(f"The configuration is not valid: {problems}.") from error


def friendly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the failures a user can fix into one sentence and exit status 1."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except PreflightError as error:
            raise click.ClickException(str(error)) from error
        except (ValueError, KeyError) as error:
            message = error.args[0] if error.args else str(error)
            raise click.ClickException(str(message)) from error

    return run


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def serve(app: Any, settings: Settings, *, host: str, port: int) -> None:
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=",".join(settings.trusted_proxies),
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
    )
    server.run()
    if not server.started:
        raise click.ClickException(
            f"learnhub could not start on {host}:{port}; the log above says why."
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="learnhub")
def main() -> None:
    """learnhub: an e-learning platform (LMS + knowledge hub) built as microservices that
    also run together in one process."""


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port of the gateway.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the SQLite files (default: ./data, or LEARNHUB_DATA_DIR).",
)
@click.option("--no-demo", is_flag=True, help="Do not create the demo accounts on first start.")
@click.option(
    "--distributed",
    is_flag=True,
    help="Run every service in its own process on PostgreSQL, RabbitMQ and Redis, behind nginx.",
)
@friendly
def up(port: int, host: str, data_dir: Path | None, no_demo: bool, distributed: bool) -> None:
    """Run the whole platform at http://HOST:PORT."""
    settings = load_settings(data_dir=data_dir)
    configure_logging(settings.log_level, settings.log_format)
    check_port_free(host, port)
    if distributed:
        from learnhub.runner.distributed import run_distributed

        run_distributed(settings, host=host, port=port, demo=not no_demo)
        return
    from learnhub.runner.demo import describe_demo_accounts, seed_demo_accounts
    from learnhub.runner.platform import build_all_in_one

    run_async(preflight(settings, SERVICES, migrate=True))
    platform, app = build_all_in_one(settings)

    async def start() -> None:
        await platform.start()
        if not no_demo:
            await seed_demo_accounts(platform.runtime("auth"))
            await platform.settle()
        banner = [f"\nlearnhub {__version__} is running at http://{host}:{port}"]
        if not no_demo:
            banner.append(describe_demo_accounts())
        banner.append("Press Ctrl-C to stop.\n")
        click.echo("\n".join(banner), err=True)

    app.on_startup = start
    serve(app, settings, host=host, port=port)


@main.command("serve")
@click.argument("service", type=click.Choice([*service_names(), "web"]))
@click.option(
    "--port",
    type=int,
    default=None,
    help="Port (default: the service's own, see `learnhub services`).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--migrate", is_flag=True, help="Apply the service's migrations before serving.")
@friendly
def serve_one(service: str, port: int | None, host: str, migrate: bool) -> None:
    """Run one service alone, configured by LEARNHUB_* environment variables."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if service == "web":
        if not settings.api_url:
            raise click.ClickException(
                "The web UI needs LEARNHUB_API_URL, the address of the gateway."
            )
        from learnhub.web.app import create_web_app

        port = port or WEB_PORT
        check_port_free(host, port)
        app = create_web_app(settings, httpx.AsyncClient(base_url=settings.api_url))
        serve(app, settings, host=host, port=port)
        return
    from learnhub.runner.platform import build_single_service

    spec = get_service(service)
    port = port or spec.default_port
    check_port_free(host, port)
    run_async(preflight(settings, [spec], migrate=migrate))
    _platform, app = build_single_service(settings, spec)
    serve(app, settings, host=host, port=port)


@main.command()
@click.argument("service", required=False, type=click.Choice(service_names()))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@friendly
def migrate(service: str | None, data_dir: Path | None) -> None:
    """Apply database migrations (of every service, or of SERVICE) and declare the bus's queues."""
    settings = load_settings(data_dir=data_dir)
    specs = [get_service(service)] if service else list(SERVICES)
    run_async(preflight(settings, specs, migrate=True))
    from learnhub.runner.topology import declare_topology

    run_async(declare_topology(settings, specs))
    for spec in specs:
        click.echo(f"{spec.name}: migrated to the latest revision")


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
@click.option("--password", default=None, help="Password (default: a random one, printed once).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@friendly
def create_user(
    email: str,
    roles: tuple[str, ...],
    display_name: str | None,
    password: str | None,
    data_dir: Path | None,
) -> None:
    """Create an account, e.g. the first administrator."""
    from learnhub.runner.accounts import create_account

    settings = load_settings(data_dir=data_dir)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    if len(password) < 10:
        raise click.ClickException("The password must have at least 10 characters.")
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


@main.command("gateway-config")
@click.option(
    "--listen", default="127.0.0.1:8000", show_default=True, help="Address nginx listens on."
)
@click.option(
    "--upstream-host", default="127.0.0.1", show_default=True, help="Host of the services."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to a file.",
)
def gateway_config(listen: str, upstream_host: str, output: Path | None) -> None:
    """Print the nginx configuration that routes /api/v1/<service>/ to each service."""
    from learnhub.runner.distributed import nginx_config

    settings = load_settings()
    config = nginx_config(
        settings, listen=listen, upstream_host=upstream_host, port_of=lambda spec: spec.default_port
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


@events.command("dlq")
@click.argument("service", type=click.Choice(service_names()))
@click.option("--replay", is_flag=True, help="Send the dead letters back to the service's queue.")
@click.option("--id", "event_ids", multiple=True, help="Only these event ids (with --replay).")
@friendly
def dead_letters(service: str, replay: bool, event_ids: tuple[str, ...]) -> None:
    """List (or replay) the events SERVICE failed to handle after every retry (RabbitMQ)."""
    settings = load_settings()
    if not settings.bus_url.startswith(("amqp://", "amqps://")):
        raise click.ClickException(
            "Dead letters are kept by RabbitMQ: set LEARNHUB_BUS_URL=amqp://... (the in-process bus logs them instead)."
        )
    from learnhub.kit.events.rabbitmq import list_dead_letters, replay_dead_letters

    try:
        if replay:
            count = run_async(
                replay_dead_letters(settings.bus_url, service, event_ids=set(event_ids) or None)
            )
            click.echo(f"replayed {count} event(s) to {service}")
            return
        messages = run_async(list_dead_letters(settings.bus_url, service))
    except OSError as error:
        raise PreflightError(
            f"Cannot reach RabbitMQ ({error}): start it or set LEARNHUB_BUS_URL."
        ) from error
    if not messages:
        click.echo(f"no dead letters for {service}")
    for message in messages:
        click.echo(
            f"{message.event_id}  {message.event_type}  attempts={message.attempts}  "
            f"failed_at={message.failed_at}  error={message.error}"
        )


@main.command("demo-accounts", hidden=True)
@friendly
def demo_accounts() -> None:
    """Create the demo accounts if there is no account yet (used by `up --distributed`)."""
    from learnhub.runner.accounts import create_demo_accounts
    from learnhub.runner.demo import describe_demo_accounts

    settings = load_settings()
    if run_async(create_demo_accounts(settings)):
        click.echo(describe_demo_accounts(), err=True)
