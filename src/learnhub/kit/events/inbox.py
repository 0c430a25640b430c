"""Idempotent consumption: a handler's effects and the processed event id commit together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.kit.db import Database, insert_ignore, utcnow
from learnhub.kit.events.bus import DeliveryHandler, Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.tables import inbox_table
from learnhub.kit.observability import EVENTS_HANDLED, continue_trace

log = logging.getLogger(__name__)

EventHandler = Callable[[AsyncSession, Any], Awaitable[None]]
"""A service's reaction to one event: ``async def handler(session, payload)``. It never
commits; the inbox does, together with the event id."""


class _HandledConcurrently(Exception):
    """Another delivery of the same event committed its inbox row first: undo this one."""


def inbox_delivery(db: Database, handlers: Mapping[str, EventHandler]) -> DeliveryHandler:
    """Wrap a service's handlers so that a redelivered event has no second effect."""

    async def deliver(event: CloudEvent) -> None:
        handler = handlers.get(event.type)
        if handler is None:
            return
        payload: EventPayload = event.payload()
        extra = {"service": db.service, "event_type": event.type, "event_id": event.id}
        with continue_trace(event.traceparent):
            try:
                async with db.transaction() as session:
                    seen = await session.scalar(
                        select(inbox_table.c.event_id).where(inbox_table.c.event_id == event.id)
                    )
                    if seen:
                        EVENTS_HANDLED.labels(db.service, event.type, "duplicate").inc()
                        log.info("skipping %s already handled", event.type, extra=extra)
                        return
                    await handler(session, payload)
                    # On PostgreSQL a concurrent delivery's uncommitted row makes this wait
                    # for it, then insert nothing if it committed.
                    recorded = await insert_ignore(
                        session,
                        inbox_table,
                        {"event_id": event.id, "type": event.type, "processed_at": utcnow()},
                    )
                    if not recorded:
                        raise _HandledConcurrently
            except (_HandledConcurrently, IntegrityError) as error:
                # A concurrent delivery's effects may also collide with this one's before
                # the inbox row does; either way, it is a duplicate only if that one won.
                if isinstance(error, IntegrityError) and not await _already_processed(db, event.id):
                    raise
                EVENTS_HANDLED.labels(db.service, event.type, "duplicate").inc()
                log.info("skipping %s handled concurrently", event.type, extra=extra)
                return
            EVENTS_HANDLED.labels(db.service, event.type, "handled").inc()
            log.info("handled %s", event.type, extra=extra)

    return deliver


async def _already_processed(db: Database, event_id: str) -> bool:
    async with db.session() as session:
        return bool(
            await session.scalar(
                select(inbox_table.c.event_id).where(inbox_table.c.event_id == event_id)
            )
        )


def subscription_for(db: Database, handlers: Mapping[str, EventHandler]) -> Subscription | None:
    """The bus subscription of a service, or None when it consumes nothing."""
    if not handlers:
        return None
    return Subscription(
        consumer=db.service,
        event_types=frozenset(handlers),
        handler=inbox_delivery(db, handlers),
        database=db,
    )
