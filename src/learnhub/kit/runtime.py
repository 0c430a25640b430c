"""What a service is (its spec) and what it runs on (its runtime).

The spec is static: name, router, tables, migrations, events. The runtime is built by
the composition root (the runner) and holds the service's connections: database, bus,
cache and token verifier. The same spec runs on SQLite and the in-process bus or on
PostgreSQL and RabbitMQ; only the runtime differs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic_settings import BaseSettings
from sqlalchemy import MetaData

from learnhub.contracts import EventPayload
from learnhub.kit.auth import TokenVerifier
from learnhub.kit.cache import Cache
from learnhub.kit.config import Settings
from learnhub.kit.db import Database
from learnhub.kit.events.bus import Bus, Subscription
from learnhub.kit.events.inbox import BatchEventHandler, EventHandler, subscription_for
from learnhub.kit.events.outbox import OutboxRelay
from learnhub.kit.tasks import PeriodicTask, Scheduler


@dataclass(frozen=True)
class ServiceSpec:
    """Everything the platform needs to know to run a service."""

    name: str
    title: str
    description: str
    router: APIRouter
    metadata: MetaData
    migrations: Path
    route_prefixes: tuple[str, ...]
    default_port: int
    publishes: tuple[type[EventPayload], ...] = ()
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    # Optional faster forms of some handlers, for a backlog (see kit.events.inbox).
    batch_handlers: Mapping[str, BatchEventHandler] = field(default_factory=dict)
    settings_class: type[BaseSettings] | None = None
    issues_tokens: bool = False
    on_start: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    tasks: tuple[PeriodicTask, ...] = ()

    @property
    def consumes(self) -> tuple[str, ...]:
        return tuple(sorted(self.handlers))


@dataclass
class ServiceRuntime:
    """A running service's connections and state, passed to its endpoints through
    ``request.app.state.runtime``."""

    spec: ServiceSpec
    settings: Settings
    db: Database
    bus: Bus
    cache: Cache
    verifier: TokenVerifier
    service_settings: Any = None
    state: dict[str, Any] = field(default_factory=dict)
    relay: OutboxRelay = field(init=False)
    scheduler: Scheduler = field(init=False)

    def __post_init__(self) -> None:
        self.scheduler = Scheduler(self, self.spec.tasks)
        self.relay = OutboxRelay(self.db, self.bus)
        if self.service_settings is None and self.spec.settings_class is not None:
            self.service_settings = self.spec.settings_class()
        # Rules that run outside a request (event handlers, other sub-domains' calls) read
        # the settings, and the cache their writes invalidate, from their session.
        info = dict(self.db.sessionmaker.kw.get("info") or {})
        info.update(
            settings=self.settings, service_settings=self.service_settings, cache=self.cache
        )
        self.db.sessionmaker.configure(info=info)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def subscription(self) -> Subscription | None:
        return subscription_for(self.db, self.spec.handlers, self.spec.batch_handlers)

    async def start(self) -> None:
        """Run start-up work and subscribe the event handlers.

        Relays start separately (:meth:`start_relay`), once every service in the process
        has subscribed, so the in-process bus never publishes to a consumer not yet there.
        """
        if self.spec.on_start is not None:
            await self.spec.on_start(self)
        subscription = self.subscription
        if subscription is not None:
            await self.bus.subscribe(subscription)

    def start_relay(self) -> None:
        """Start the outbox relay and the periodic tasks (which may record events too)."""
        self.relay.start()
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.relay.stop()

    async def check_ready(self) -> dict[str, str]:
        """Check the database and the bus; raise if one is unreachable."""
        await self.db.ping()
        await self.bus.ping()
        return {"database": "ok", "bus": "ok"}
