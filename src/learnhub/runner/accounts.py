"""Account creation from the command line, outside a running platform."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from learnhub.kit.config import Settings
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.runtime import ServiceRuntime
from learnhub.runner.demo import DEMO_ACCOUNTS, seed_demo_accounts
from learnhub.runner.platform import build_runtimes, bus_from_url
from learnhub.runner.registry import SERVICES, get_service
from learnhub.runner.topology import declare_topology
from learnhub.services.auth import repository as auth_repository
from learnhub.services.auth import service as auth_rules


@asynccontextmanager
async def auth_runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    """The auth service's runtime, without serving. On leaving, the events it recorded are
    published if the bus is a broker (after declaring every consumer's queue, so they wait
    there for services not started yet); on the in-process bus nobody in this process
    listens, so they wait in the outbox for the platform's next start."""
    bus = bus_from_url(settings.bus_url)
    runtimes, caches = build_runtimes(settings, [get_service("auth")], bus=bus, verifier=None)
    auth = runtimes[0]
    try:
        if auth.spec.on_start is not None:
            await auth.spec.on_start(auth)
        yield auth
        if not isinstance(bus, InProcessBus):
            await declare_topology(settings, SERVICES)
            await bus.start()
            await auth.relay.drain()
    finally:
        await bus.close()
        for cache in caches:
            await cache.close()
        await auth.db.dispose()


async def create_account(
    settings: Settings, *, email: str, password: str, display_name: str, roles: Sequence[str]
) -> str:
    async with auth_runtime(settings) as auth:
        async with auth.db.transaction() as session:
            account = await auth_rules.register(
                session,
                auth.state["auth"],
                email=email,
                password=password,
                display_name=display_name,
                roles=tuple(roles),
            )
        return account.id


async def create_demo_accounts(settings: Settings) -> bool:
    """Create the demo accounts if there is no account yet; True if they exist now."""
    async with auth_runtime(settings) as auth:
        if await seed_demo_accounts(auth):
            return True
        async with auth.db.session() as session:
            found = await auth_repository.get_account_by_email(session, DEMO_ACCOUNTS[0].email)
        return found is not None
