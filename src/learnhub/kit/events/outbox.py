"""The transactional outbox and the relay that publishes it.

A state change and the events it causes commit together (the ``outbox`` table of
:mod:`learnhub.kit.events.tables`); the relay later hands committed events to the bus and
marks them published only once the bus has taken them (at least once, never lost). No
transaction stays open while the bus works: a batch is claimed with a short lease in one
transaction, published, then marked in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.kit.db import Database, on_commit, utcnow
from learnhub.kit.events.bus import Bus
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.tables import outbox_table
from learnhub.kit.observability import EVENTS_PUBLISHED, OUTBOX_BACKLOG, current_traceparent

log = logging.getLogger(__name__)

OUTBOX_SIGNAL_KEY = "learnhub.outbox_signal"

_last_recorded_at = datetime.min.replace(tzinfo=UTC)


def _strictly_later_now() -> datetime:
    """Now, but after every earlier call in this process, so events recorded within one
    clock tick still go out in the order they were recorded."""
    global _last_recorded_at
    now = max(datetime.now(UTC), _last_recorded_at + timedelta(microseconds=1))
    _last_recorded_at = now
    return now


def _new_event(session: AsyncSession, payload: EventPayload, subject: str | None) -> CloudEvent:
    """The envelope of an event recorded now, in this service, in the current trace."""
    return replace(
        CloudEvent.from_payload(
            payload,
            source=session.info.get("service", "learnhub"),
            subject=subject,
            traceparent=current_traceparent(),
        ),
        time=_strictly_later_now(),
    )


def _row_values(event: CloudEvent) -> dict[str, object]:
    return {
        "id": event.id,
        "type": event.type,
        "subject": event.subject,
        "data": json.dumps(event.data),
        "traceparent": event.traceparent,
        "created_at": event.time,
        "attempts": 0,
    }


def _wake_relay_after_commit(session: AsyncSession) -> None:
    signal: asyncio.Event | None = session.info.get("outbox_signal")
    if signal is not None:
        on_commit(session, signal.set, key=OUTBOX_SIGNAL_KEY)


async def record_event(
    session: AsyncSession, payload: EventPayload, *, subject: str | None = None
) -> CloudEvent:
    """Add an event to the outbox inside the caller's transaction.

    It is published only if that transaction commits; the active trace context goes with it.
    """
    [event] = await record_events(session, [(payload, subject)])
    return event


async def record_events(
    session: AsyncSession, events: Iterable[tuple[EventPayload, str | None]]
) -> list[CloudEvent]:
    """:func:`record_event` for many ``(payload, subject)`` pairs in one statement: the
    same rows in the same order, for bulk writes where a round trip per event would cost
    more than the writes themselves."""
    recorded = [_new_event(session, payload, subject) for payload, subject in events]
    if recorded:
        await session.execute(_INSERT_EVENT, [_row_values(event) for event in recorded])
        _wake_relay_after_commit(session)
    return recorded


# One statement for every insert into the outbox: compiled once, cached by SQLAlchemy.
_INSERT_EVENT = insert(outbox_table)


def event_from_row(row: Row[Any], source: str) -> CloudEvent:
    return CloudEvent(
        id=row.id,
        type=row.type,
        source=source,
        subject=row.subject,
        data=json.loads(row.data),
        time=row.created_at,
        traceparent=row.traceparent,
    )


class OutboxRelay:
    """Publishes a service's committed, unpublished events in the order they were recorded.

    Each batch is claimed in a short transaction that gives it a lease (``claimed_until``),
    published with no transaction open, then marked published in another short one. A
    relay that dies while publishing leaves its batch to be claimed again when the lease
    ends, so every event goes out at least once. Several replicas may run it: on
    PostgreSQL the claim skips rows another replica is claiming (``SKIP LOCKED``) and rows
    under another's lease. A commit that recorded events wakes it at once; otherwise it
    polls, which also picks up events left behind by a process that died after commit.
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        retry_cap: float = 30.0,
        lease: timedelta = timedelta(seconds=30),
    ) -> None:
        self.db = db
        self.bus = bus
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retry_cap = retry_cap
        self.lease = lease
        self._task: asyncio.Task[None] | None = None
        # The running relay and a caller draining it (tests, shutdown) take turns, so the
        # events of one process go out in the order they were recorded.
        self._turn = asyncio.Lock()

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many events went out."""
        async with self._turn:
            return await self._publish_batch()

    async def _claim(self) -> list[CloudEvent]:
        now = utcnow()
        async with self.db.background_transaction() as session:
            rows = (
                await session.execute(
                    select(outbox_table)
                    .where(
                        outbox_table.c.published_at.is_(None),
                        or_(
                            outbox_table.c.claimed_until.is_(None),
                            outbox_table.c.claimed_until < now,
                        ),
                    )
                    .order_by(outbox_table.c.created_at, outbox_table.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await session.execute(
                    update(outbox_table)
                    .where(outbox_table.c.id.in_([row.id for row in rows]))
                    .values(claimed_until=now + self.lease)
                )
        return [event_from_row(row, self.db.service) for row in rows]

    async def _publish_batch(self) -> int:
        events = await self._claim()
        if not events:
            return 0
        ids = [event.id for event in events]
        try:
            await self.bus.publish(events)
        except Exception:
            async with self.db.background_transaction() as session:
                await session.execute(
                    update(outbox_table)
                    .where(outbox_table.c.id.in_(ids))
                    .values(attempts=outbox_table.c.attempts + 1, claimed_until=None)
                )
            raise
        async with self.db.background_transaction() as session:
            await session.execute(
                update(outbox_table)
                .where(outbox_table.c.id.in_(ids))
                .values(published_at=utcnow(), claimed_until=None)
            )
        for event in events:
            EVENTS_PUBLISHED.labels(self.db.service, event.type).inc()
        return len(events)

    async def backlog(self) -> int:
        async with self.db.background_sessionmaker() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.published_at.is_(None))
            )
        OUTBOX_BACKLOG.labels(self.db.service).set(count or 0)
        return count or 0

    async def drain(self) -> None:
        """Publish until nothing is left (tests and shutdown)."""
        while await self.publish_pending():
            pass

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                self.db.outbox_signal.clear()
                published = await self.publish_pending()
                failures = 0
                if published == self.batch_size:
                    continue
                await self.backlog()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.db.outbox_signal.wait(), self.poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                delay = min(self.retry_cap, 0.5 * 2**failures)
                log.exception(
                    "outbox relay of %s failed; retrying in %.1fs", self.db.service, delay
                )
                await asyncio.sleep(delay)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"outbox:{self.db.service}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
