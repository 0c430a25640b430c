"""Checks made before serving, so a missing database, broker or port ends in one clear
sentence instead of a traceback."""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
from collections.abc import Iterator, Sequence

from sqlalchemy.engine import make_url

from learnhub.kit.cache import cache_from_url
from learnhub.kit.config import Settings
from learnhub.kit.db import Database
from learnhub.kit.migrations import upgrade
from learnhub.kit.runtime import ServiceSpec
from learnhub.runner.platform import bus_from_url

# Libraries that log their own connection failures; the one sentence we print says it all.
_CONNECTION_LOGGERS = ("aiormq", "aio_pika", "asyncpg", "redis")


class PreflightError(RuntimeError):
    """Something the platform needs is missing; the message says what and how to fix it."""


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def reason_of(error: BaseException) -> str:
    """The innermost useful first line of an error, without a trailing full stop."""
    while error.__cause__ is not None and not str(error).strip():
        error = error.__cause__
    cause = error.__cause__
    if cause is not None and str(cause).strip():
        # Our own wrappers repeat the URL; the cause names what actually went wrong.
        error = cause
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.rstrip(".")


@contextlib.contextmanager
def quiet_connection_logs(
    names: Sequence[str] = _CONNECTION_LOGGERS, level: int = logging.CRITICAL
) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise PreflightError(
            f"Port {port} does not exist: pass --port with a number from 1 to 65535."
        )


def check_port_free(host: str, port: int) -> None:
    check_port(port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise PreflightError(
            f"Cannot listen on {host}: the address is not known ({error.strerror}); pass --host with an address of this machine."
        ) from error
    family, _type, _proto, _name, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PreflightError(
                    f"Port {port} on {host} is already in use: stop what uses it or pass --port with another number."
                ) from error
            if error.errno == errno.EACCES:
                raise PreflightError(
                    f"Not allowed to listen on {host}:{port}: pass --port with a number above 1023."
                ) from error
            raise PreflightError(
                f"Cannot listen on {host}:{port} ({error.strerror}): pass --host with an address of this machine."
            ) from error


def check_signing_key(settings: Settings, specs: Sequence[ServiceSpec]) -> None:
    """Outside development the service that issues tokens needs a configured key."""
    for spec in specs:
        if not spec.issues_tokens or spec.settings_class is None:
            continue
        service_settings = spec.settings_class()
        signing_key = getattr(service_settings, "signing_key", None)
        if signing_key is None:
            if settings.env != "development":
                raise PreflightError(
                    f"LEARNHUB_AUTH_SIGNING_KEY is not set: outside development the {spec.name} "
                    "service needs an Ed25519 private key in PEM (create one with `learnhub keygen`)."
                )
            continue
        from learnhub.services.auth.keys import key_pair_from_pem

        try:
            key_pair_from_pem(signing_key.get_secret_value())
        except (ValueError, TypeError) as error:
            raise PreflightError(
                "LEARNHUB_AUTH_SIGNING_KEY is not an Ed25519 private key in PEM: create one with "
                "`learnhub keygen`."
            ) from error


async def check_database(
    settings: Settings, specs: Sequence[ServiceSpec], *, migrate: bool
) -> None:
    for spec in specs:
        url = settings.database_url_for(spec.name)
        try:
            db = Database(url, service=spec.name)
        except Exception as error:
            raise PreflightError(
                f"LEARNHUB_DATABASE_URL is not a database URL learnhub can use ({reason_of(error)}): "
                "set it like postgresql+asyncpg://user@host:5432/learnhub."
            ) from error
        try:
            with quiet_connection_logs():
                await db.ping()
            if migrate:
                # The command says what it migrated; alembic's steps are for DEBUG.
                quiet = () if settings.log_level.upper() == "DEBUG" else ("alembic",)
                with quiet_connection_logs(quiet, logging.WARNING):
                    await upgrade(db, spec.migrations)
        except Exception as error:
            reason = reason_of(error)
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
    try:
        bus = bus_from_url(settings.bus_url)
    except ValueError as error:
        raise PreflightError(
            f"LEARNHUB_BUS_URL {safe_url(settings.bus_url)} is not a bus learnhub knows: set it to "
            "memory:// or amqp://user:password@host:5672/."
        ) from error
    try:
        with quiet_connection_logs():
            await bus.start()
            await bus.ping()
    except Exception as error:
        raise PreflightError(
            f"Cannot reach RabbitMQ at {safe_url(settings.bus_url)} ({reason_of(error)}): start "
            "RabbitMQ or set LEARNHUB_BUS_URL."
        ) from error
    finally:
        with contextlib.suppress(Exception):
            await bus.close()


async def check_cache(settings: Settings) -> None:
    try:
        cache = cache_from_url(settings.cache_url, namespace="preflight")
    except ValueError as error:
        raise PreflightError(
            f"LEARNHUB_CACHE_URL {safe_url(settings.cache_url)} is not a cache learnhub knows: set "
            "it to memory:// or redis://host:6379/0."
        ) from error
    try:
        with quiet_connection_logs():
            await cache.ping()
    except Exception as error:
        raise PreflightError(
            f"Cannot reach Redis at {safe_url(settings.cache_url)} ({reason_of(error)}): start "
            "Redis or set LEARNHUB_CACHE_URL."
        ) from error
    finally:
        with contextlib.suppress(Exception):
            await cache.close()


async def preflight(settings: Settings, specs: Sequence[ServiceSpec], *, migrate: bool) -> None:
    """Reach every backend the services need; apply migrations if asked."""
    check_signing_key(settings, specs)
    await check_database(settings, specs, migrate=migrate)
    if specs:
        await check_bus(settings)
    await check_cache(settings)
