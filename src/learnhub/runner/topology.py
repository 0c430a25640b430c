"""Declares every consuming service's queue on the broker before any service publishes,
so an event published before its consumer first starts waits in the queue."""

from __future__ import annotations

from collections.abc import Sequence

from learnhub.kit.config import Settings
from learnhub.kit.events.bus import Subscription
from learnhub.kit.runtime import ServiceSpec


async def declare_topology(settings: Settings, specs: Sequence[ServiceSpec]) -> list[str]:
    """Declare the queues (and bindings) of the consuming services among ``specs``; returns
    the names of the services whose queues were declared (none on the in-process bus)."""
    if not settings.bus_url.startswith(("amqp://", "amqps://")):
        return []
    from learnhub.kit.events.rabbitmq import RabbitMQBus

    bus = RabbitMQBus(settings.bus_url)
    await bus.start()
    declared: list[str] = []
    try:
        for spec in specs:
            if spec.handlers:
                await bus.declare(Subscription(spec.name, frozenset(spec.handlers), _never_called))
                declared.append(spec.name)
    finally:
        await bus.close()
    return declared


async def _never_called(_event: object) -> None:
    raise RuntimeError("declaring a queue does not consume from it")
