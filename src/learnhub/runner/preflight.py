"""Checks made before serving, so a missing database, broker or port ends in one clear
sentence instead of a traceback."""

from __future__ import annotations

import errno
import socket
from collections.abc import Sequence

from sqlalchemy.engine import make_url

from learnhub.kit.cache import cache_from_url
from learnhub.kit.config import Settings
from learnhub.kit.db import Database
from learnhub.kit.migrations import upgrade
from learnhub.kit.runtime import ServiceSpec
from learnhub.runner.platform import bus_from_url


class PreflightError(RuntimeError):
    """Something the platform needs is missing; the message says what and how to fix it."""


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def check_port_free(host: str, port: int) -> None:
    with socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
    ) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PreflightError(
                    f"Port {port} on {host} is already in use: stop what uses it or pass --port with another number."
                ) from error
            raise PreflightError(f"Cannot listen on {host}:{port}: {error.strerror}.") from error


async def check_database(
    settings: Settings, specs: Sequence[ServiceSpec], *, migrate: bool
) -> None:
    for spec in specs:
        url = settings.database_url_for(spec.name)
        db = Database(url, service=spec.name)
        try:
            await db.ping()
            if migrate:
                await upgrade(db, spec.migrations)
        except Exception as error:
            reason = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            if db.dialect == "sqlite":
                raise PreflightError(
                    f"Cannot open the {spec.name} database at {safe_url(url)} ({reason}): check that "
                    "the data folder (--data-dir or LEARNHUB_DATA_DIR) is writable."
                ) from error
            raise PreflightError(
                f"Cannot reach the {spec.name} database at {safe_url(url)} ({reason}): start "
                "PostgreSQL, create the database, or set LEARNHUB_DATABASE_URL."
            ) from error
        finally:
            await db.dispose()


async def check_bus(settings: Settings) -> None:
    bus = bus_from_url(settings.bus_url)
    try:
        await bus.start()
        await bus.ping()
    except Exception as error:
        raise PreflightError(
            f"Cannot reach the event bus at {safe_url(settings.bus_url)} ({error}): start "
            "RabbitMQ or set LEARNHUB_BUS_URL."
        ) from error
    finally:
        await bus.close()


async def check_cache(settings: Settings) -> None:
    cache = cache_from_url(settings.cache_url, namespace="preflight")
    try:
        await cache.ping()
    except Exception as error:
        raise PreflightError(
            f"Cannot reach the cache at {safe_url(settings.cache_url)} ({error}): start Redis or set LEARNHUB_CACHE_URL."
        ) from error
    finally:
        await cache.close()


async def preflight(settings: Settings, specs: Sequence[ServiceSpec], *, migrate: bool) -> None:
    """Reach every backend the services need; apply migrations if asked."""
    await check_database(settings, specs, migrate=migrate)
    if specs:
        await check_bus(settings)
    await check_cache(settings)
