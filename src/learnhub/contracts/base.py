"""The base class and registry of event contracts."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

CONTRACTS: dict[str, type[EventPayload]] = {}


class EventPayload(BaseModel):
    """The ``data`` of a CloudEvent. Consumers ignore fields they do not know, so a
    producer may add optional fields within a version."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    producer: ClassVar[str]


Payload = TypeVar("Payload", bound=type[EventPayload])


def contract(event_type: str, *, producer: str) -> Callable[[Payload], Payload]:
    """Register a payload class under its wire name, e.g. ``user.registered.v1``."""

    def register(cls: Payload) -> Payload:
        if event_type in CONTRACTS:
            raise ValueError(f"event type {event_type} registered twice")
        cls.event_type = event_type
        cls.producer = producer
        CONTRACTS[event_type] = cls
        return cls

    return register
