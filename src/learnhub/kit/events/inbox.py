"""Idempotent consumption: a handler's effects and the processed event id commit together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.kit.db import Database, insert_ignore, utcnow
from learnhub.kit.events.bus import BatchDeliveryHandler, DeliveryHandler, Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.tables import inbox_table
from learnhub.kit.observability import EVENTS_HANDLED, continue_trace

log = logging.getLogger(__name__)

# Bounds the IN list of the inbox look-up, whatever batch a bus hands over.
_ID_CHUNK = 500

EventHandler = Callable[[AsyncSession, Any], Awaitable[None]]
"""A service's reaction to one event: ``async def handler(session, payload)``. It never
commits; the inbox does, together with the event id."""

BatchEventHandler = Callable[[AsyncSession, Sequence[Any]], Awaitable[None]]
"""A service's reaction to several events of one type, oldest first: the effects of its
per-event handler applied to each in turn, in a few statements instead of a few per event
(a backlog of registrations, say). Optional; it never commits either."""


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


def inbox_batch_delivery(
    db: Database,
    handlers: Mapping[str, EventHandler],
    batch_handlers: Mapping[str, BatchEventHandler] | None = None,
) -> BatchDeliveryHandler:
    """Handle several events in one transaction: every handler's effects and every event id
    commit together, or nothing does.

    Events already in the inbox (or repeated within the batch) are skipped, as one by one.
    Consecutive events of a type with a batch handler go to it together (inside the first
    one's trace); the others go to their handler one after the other, in order. Anything
    that raises rolls the whole batch back and propagates, including a concurrent delivery
    that recorded one of the events first; the bus then delivers the events one at a time,
    so a failing event is retried and dead-lettered alone and a duplicate is told apart
    there. A backlog costs one commit instead of one per event.
    """
    batch_handlers = batch_handlers or {}

    async def deliver_batch(events: Sequence[CloudEvent]) -> None:
        unique = {event.id: event for event in reversed(events) if event.type in handlers}
        wanted = [event for event in events if unique.get(event.id) is event]
        if not wanted:
            return
        async with db.transaction() as session:
            seen: set[str] = set()
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = [event.id for event in wanted[start : start + _ID_CHUNK]]
                seen.update(
                    await session.scalars(
                        select(inbox_table.c.event_id).where(inbox_table.c.event_id.in_(chunk))
                    )
                )
            fresh = [event for event in wanted if event.id not in seen]
            for run in _runs_of_one_type(fresh):
                batch_handler = batch_handlers.get(run[0].type)
                if batch_handler is not None:
                    with continue_trace(run[0].traceparent):
                        await batch_handler(session, [event.payload() for event in run])
                    continue
                for event in run:
                    payload: EventPayload = event.payload()
                    with continue_trace(event.traceparent):
                        await handlers[event.type](session, payload)
            now = utcnow()
            recorded = await insert_ignore(
                session,
                inbox_table,
                [
                    {"event_id": event.id, "type": event.type, "processed_at": now}
                    for event in fresh
                ],
            )
            if recorded != len(fresh):
                raise _HandledConcurrently("another delivery handled some of them first")
        for event in wanted:
            outcome = "duplicate" if event.id in seen else "handled"
            EVENTS_HANDLED.labels(db.service, event.type, outcome).inc()
        log.info(
            "handled %d events in one transaction (%d already handled)",
            len(fresh),
            len(wanted) - len(fresh),
            extra={"service": db.service},
        )

    return deliver_batch


def _runs_of_one_type(events: list[CloudEvent]) -> Iterator[list[CloudEvent]]:
    run: list[CloudEvent] = []
    for event in events:
        if run and event.type != run[0].type:
            yield run
            run = []
        run.append(event)
    if run:
        yield run


async def _already_processed(db: Database, event_id: str) -> bool:
    async with db.session() as session:
        return bool(
            await session.scalar(
                select(inbox_table.c.event_id).where(inbox_table.c.event_id == event_id)
            )
        )


def subscription_for(
    db: Database,
    handlers: Mapping[str, EventHandler],
    batch_handlers: Mapping[str, BatchEventHandler] | None = None,
) -> Subscription | None:
    """The bus subscription of a service, or None when it consumes nothing."""
    if not handlers:
        return None
    return Subscription(
        consumer=db.service,
        event_types=frozenset(handlers),
        handler=inbox_delivery(db, handlers),
        database=db,
        batch_handler=inbox_batch_delivery(db, handlers, batch_handlers),
    )
