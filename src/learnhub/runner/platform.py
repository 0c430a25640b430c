"""Builds services' runtimes from settings and runs them: all in one process, or one alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI, Response

from learnhub.gateway.dispatch import Dispatcher
from learnhub.kit.auth import TokenVerifier, http_jwks_fetcher
from learnhub.kit.cache import Cache, MemoryCache, cache_from_url
from learnhub.kit.config import Settings
from learnhub.kit.db import Database
from learnhub.kit.events.bus import Bus
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.http.app import create_service_app, metrics_response, readiness
from learnhub.kit.http.middleware import RequestContextMiddleware
from learnhub.kit.http.problems import install_problem_handlers
from learnhub.kit.migrations import upgrade
from learnhub.kit.runtime import ServiceRuntime, ServiceSpec
from learnhub.runner.registry import SERVICES

log = logging.getLogger(__name__)

INTERNAL_BASE_URL = "http://learnhub.internal"


def bus_from_url(url: str) -> Bus:
    """``memory://`` (in-process) or ``amqp://`` (RabbitMQ)."""
    if url.startswith("memory:"):
        return InProcessBus()
    if url.startswith(("amqp://", "amqps://")):
        from learnhub.kit.events.rabbitmq import RabbitMQBus

        return RabbitMQBus(url)
    raise ValueError(f"unknown bus URL {url!r}: use memory:// or amqp://user:password@host:5672/")


@dataclass
class Platform:
    """The services of one process and the connections they share."""

    settings: Settings
    runtimes: list[ServiceRuntime]
    bus: Bus
    clients: list[httpx.AsyncClient] = field(default_factory=list)
    caches: list[Cache] = field(default_factory=list)
    started: bool = False

    def runtime(self, name: str) -> ServiceRuntime:
        for runtime in self.runtimes:
            if runtime.name == name:
                return runtime
        raise KeyError(name)

    async def migrate(self) -> None:
        for runtime in self.runtimes:
            await upgrade(runtime.db, runtime.spec.migrations)

    async def start(self, *, migrate: bool = True) -> None:
        """Connect the bus, migrate, subscribe every service, then start the relays."""
        await self.bus.start()
        if migrate:
            await self.migrate()
        for runtime in self.runtimes:
            await runtime.start()
        for runtime in self.runtimes:
            runtime.start_relay()
        self.started = True

    async def stop(self) -> None:
        for runtime in reversed(self.runtimes):
            await runtime.stop()
        await self.bus.close()
        for client in self.clients:
            await client.aclose()
        for cache in self.caches:
            await cache.close()
        for runtime in self.runtimes:
            await runtime.db.dispose()
        self.started = False

    async def settle(self, within: float = 10.0) -> None:
        """Wait until every committed event has been published and handled (tests, seeding)."""

        async def drain_all() -> None:
            # Handlers may record new events, so go round until nothing is left anywhere.
            while True:
                pending = 0
                for runtime in self.runtimes:
                    await runtime.relay.drain()
                await self.bus.wait_idle(within)
                for runtime in self.runtimes:
                    pending += await runtime.relay.backlog()
                if pending == 0:
                    return

        await asyncio.wait_for(drain_all(), within)


def _verifier(settings: Settings, client: httpx.AsyncClient, jwks_url: str) -> TokenVerifier:
    return TokenVerifier(
        http_jwks_fetcher(client, jwks_url),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )


def _cache_for(settings: Settings, name: str, shared: MemoryCache | None) -> Cache:
    if shared is not None:
        return shared.scoped(f"learnhub:{name}")
    return cache_from_url(settings.cache_url, namespace=name)


def build_runtimes(
    settings: Settings,
    specs: Sequence[ServiceSpec],
    *,
    bus: Bus,
    verifier: TokenVerifier | None,
) -> tuple[list[ServiceRuntime], list[Cache]]:
    shared_memory = MemoryCache() if settings.cache_url.startswith("memory:") else None
    runtimes, caches = [], []
    for spec in specs:
        cache = _cache_for(settings, spec.name, shared_memory)
        caches.append(cache)
        runtimes.append(
            ServiceRuntime(
                spec=spec,
                settings=settings,
                db=Database(
                    settings.database_url_for(spec.name),
                    service=spec.name,
                    pool_size=settings.db_pool_size
                    if settings.database_url
                    else min(settings.db_pool_size, settings.sqlite_connections),
                    max_overflow=settings.db_max_overflow
                    if settings.database_url
                    else max(0, settings.sqlite_connections - settings.db_pool_size),
                    pool_timeout=settings.db_pool_timeout,
                ),
                bus=bus,
                cache=cache,
                verifier=verifier,  # type: ignore[arg-type]  # set by the caller when None
            )
        )
    return runtimes, caches


def ops_app(runtimes: list[ServiceRuntime]) -> FastAPI:
    """/healthz, /readyz and /metrics for every service of the process."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service="ops")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> Response:
        return await readiness(runtimes)

    @app.get("/metrics")
    async def metrics() -> Response:
        return metrics_response()

    return app


def build_all_in_one(settings: Settings, *, with_web: bool = True) -> tuple[Platform, Dispatcher]:
    """Every service and the web UI in one ASGI app, on the configured backends (by default
    SQLite files, the in-process bus and the in-memory cache)."""
    dispatcher = Dispatcher(max_body_bytes=settings.max_request_bytes)
    internal = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dispatcher), base_url=INTERNAL_BASE_URL
    )
    verifier = _verifier(settings, internal, "/.well-known/jwks.json")
    bus = bus_from_url(settings.bus_url)
    runtimes, caches = build_runtimes(settings, SERVICES, bus=bus, verifier=verifier)
    platform = Platform(
        settings=settings, runtimes=runtimes, bus=bus, clients=[internal], caches=caches
    )
    for runtime in runtimes:
        dispatcher.mount(runtime.name, runtime.spec.route_prefixes, create_service_app(runtime))
    dispatcher.mount("ops", ("/healthz", "/readyz", "/metrics"), ops_app(runtimes))
    if with_web:
        from learnhub.web.app import create_web_app

        dispatcher.fallback = create_web_app(settings, internal, gateway=dispatcher)
    dispatcher.on_startup = platform.start
    dispatcher.on_shutdown = platform.stop
    return platform, dispatcher


def build_single_service(settings: Settings, spec: ServiceSpec) -> tuple[Platform, FastAPI]:
    """One service alone, reaching the others through the gateway (``LEARNHUB_API_URL``)."""
    bus = bus_from_url(settings.bus_url)
    runtimes, caches = build_runtimes(settings, [spec], bus=bus, verifier=None)
    runtime = runtimes[0]
    platform = Platform(settings=settings, runtimes=runtimes, bus=bus, caches=caches)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await platform.start(migrate=False)
        try:
            yield
        finally:
            await platform.stop()

    app = create_service_app(runtime, lifespan=lifespan)
    if spec.issues_tokens:
        # The key owner verifies its own tokens (logout, password change) in process.
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=INTERNAL_BASE_URL
        )
        jwks_url = "/.well-known/jwks.json"
    else:
        jwks_url = settings.effective_jwks_url
        if jwks_url is None:
            raise ValueError(
                f"the {spec.name} service needs LEARNHUB_API_URL (or LEARNHUB_JWKS_URL) to verify access tokens"
            )
        client = httpx.AsyncClient()
    platform.clients.append(client)
    runtime.verifier = _verifier(settings, client, jwks_url)
    return platform, app
