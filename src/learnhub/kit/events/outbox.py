"""The transactional outbox, the inbox tables, and the relay that publishes the outbox.

Every service's database has the same two tables (``outbox`` and ``inbox``), declared once
here and created by each service's first migration. A state change and the events it
causes commit together; the relay later hands committed events to the bus and marks them
published only once the bus has taken them (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts import EventPayload
from learnhub.kit.db import Database, UTCDateTime, utcnow
from learnhub.kit.events.bus import Bus
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.observability import EVENTS_PUBLISHED, OUTBOX_BACKLOG, current_traceparent

log = logging.getLogger(__name__)

messaging_metadata = MetaData()

outbox_table = Table(
    "outbox",
    messaging_metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(200), nullable=False),
    Column("subject", String(200)),
    Column("data", Text, nullable=False),
    Column("traceparent", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_outbox_unpublished", "published_at", "created_at"),
)

inbox_table = Table(
    "inbox",
    messaging_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(200), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
)


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


async def record_event(
    session: AsyncSession, payload: EventPayload, *, subject: str | None = None
) -> CloudEvent:
    """Add an event to the outbox inside the caller's transaction.

    It is published only if that transaction commits; the active trace context goes with it.
    """
    event = _new_event(session, payload, subject)
    await session.execute(insert(outbox_table).values(**_row_values(event)))
    session.info["outbox_pending"] = True
    return event


async def record_events(
    session: AsyncSession, events: Iterable[tuple[EventPayload, str | None]]
) -> list[CloudEvent]:
    """:func:`record_event` for many ``(payload, subject)`` pairs in one statement: the
    same rows in the same order, for bulk writes where a round trip per event would cost
    more than the writes themselves."""
    recorded = [_new_event(session, payload, subject) for payload, subject in events]
    if recorded:
        await session.execute(insert(outbox_table), [_row_values(event) for event in recorded])
        session.info["outbox_pending"] = True
    return recorded


def event_from_row(row: object, source: str) -> CloudEvent:
    return CloudEvent(
        id=row.id,  # type: ignore[attr-defined]
        type=row.type,  # type: ignore[attr-defined]
        source=source,
        subject=row.subject,  # type: ignore[attr-defined]
        data=json.loads(row.data),  # type: ignore[attr-defined]
        time=row.created_at,  # type: ignore[attr-defined]
        traceparent=row.traceparent,  # type: ignore[attr-defined]
    )


class OutboxRelay:
    """Publishes a service's committed, unpublished events in the order they were recorded.

    Several replicas may run it: on PostgreSQL each batch is claimed with
    ``FOR UPDATE SKIP LOCKED``. A commit that recorded events wakes it at once; otherwise
    it polls, which also picks up events left behind by a process that died after commit.
    """

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retry_cap: float = 30.0,
    ) -> None:
        self.db = db
        self.bus = bus
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retry_cap = retry_cap
        self._task: asyncio.Task[None] | None = None
        # The running relay and a caller draining it (tests, shutdown) must not claim the
        # same rows: SQLite has no SKIP LOCKED to keep them apart.
        self._claim = asyncio.Lock()

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many events went out."""
        async with self._claim:
            return await self._publish_batch()

    async def _publish_batch(self) -> int:
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(outbox_table)
                    .where(outbox_table.c.published_at.is_(None))
                    .order_by(outbox_table.c.created_at, outbox_table.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            events = [event_from_row(row, self.db.service) for row in rows]
            ids = [event.id for event in events]
            try:
                await self.bus.publish(events)
            except Exception:
                await session.rollback()
                async with self.db.transaction() as retry_session:
                    await retry_session.execute(
                        update(outbox_table)
                        .where(outbox_table.c.id.in_(ids))
                        .values(attempts=outbox_table.c.attempts + 1)
                    )
                raise
            await session.execute(
                update(outbox_table).where(outbox_table.c.id.in_(ids)).values(published_at=utcnow())
            )
        for event in events:
            EVENTS_PUBLISHED.labels(self.db.service, event.type).inc()
        return len(events)

    async def backlog(self) -> int:
        async with self.db.session() as session:
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
