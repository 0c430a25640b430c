"""A consuming service's durable queue on the in-process bus, kept in its own database.

Events accepted for the service wait in its ``deliveries`` table until a handler has run
them; a failed delivery waits out its back-off there, and one that failed every attempt
stays as a dead letter (``dead_at`` set) until an operator replays it. So the in-process
bus, like RabbitMQ, loses nothing when the process stops between publish and handling.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import Database, insert_ignore, utcnow
from learnhub.kit.events.bus import DeadLetter
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.tables import deliveries_table

ERROR_MAX_CHARS = 1000


@dataclass(frozen=True)
class Delivery:
    """One event waiting in the queue, and how often it has failed so far."""

    position: int
    event_id: str
    body: str
    attempts: int


class DeliveryQueue:
    """The ``deliveries`` table of one consuming service's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def accept(self, events: Sequence[CloudEvent]) -> int:
        """Keep the events, in order, for handling; an event already waiting is not added
        twice. Returns how many were added."""
        now = utcnow()
        rows = [
            {
                "event_id": event.id,
                "type": event.type,
                "body": event.to_json().decode(),
                "accepted_at": now,
                "attempts": 0,
                "next_attempt_at": now,
            }
            for event in events
        ]
        async with self.db.transaction() as session:
            return await insert_ignore(session, deliveries_table, rows)

    async def due(self, *, limit: int) -> list[Delivery]:
        """The deliveries whose turn has come, oldest first."""
        table = deliveries_table
        async with self.db.session() as session:
            rows = await session.execute(
                select(table.c.position, table.c.event_id, table.c.body, table.c.attempts)
                .where(table.c.dead_at.is_(None), table.c.next_attempt_at <= utcnow())
                .order_by(table.c.position)
                .limit(limit)
            )
            return [Delivery(row.position, row.event_id, row.body, row.attempts) for row in rows]

    async def finish(self, handled: Sequence[Delivery]) -> tuple[int, datetime | None]:
        """Remove the deliveries that were handled, in one transaction, and return the
        queue's :meth:`outlook` as it is then."""
        if not handled:
            return await self.outlook()
        async with self.db.transaction() as session:
            await session.execute(
                delete(deliveries_table).where(
                    deliveries_table.c.position.in_([delivery.position for delivery in handled])
                )
            )
            return await self._outlook(session)

    async def outlook(self) -> tuple[int, datetime | None]:
        """How many deliveries wait to be handled (dead letters not counted), and when the
        earliest of them is due (None when nothing waits)."""
        async with self.db.session() as session:
            return await self._outlook(session)

    @staticmethod
    async def _outlook(session: AsyncSession) -> tuple[int, datetime | None]:
        row = (
            await session.execute(
                select(func.count(), func.min(deliveries_table.c.next_attempt_at)).where(
                    deliveries_table.c.dead_at.is_(None)
                )
            )
        ).one()
        count: int = row[0] or 0
        earliest: datetime | None = row[1]
        return count, earliest

    async def waiting(self) -> int:
        """How many deliveries wait to be handled (dead letters not counted)."""
        count, _ = await self.outlook()
        return count

    async def retry_later(self, delivery: Delivery, *, error: str, delay: float) -> None:
        await self._failed(
            delivery, error=error, next_attempt_at=utcnow() + timedelta(seconds=delay)
        )

    async def dead_letter(self, delivery: Delivery, *, error: str) -> None:
        await self._failed(delivery, error=error, dead_at=utcnow())

    async def _failed(
        self,
        delivery: Delivery,
        *,
        error: str,
        next_attempt_at: datetime | None = None,
        dead_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {
            "attempts": delivery.attempts + 1,
            "error": error[:ERROR_MAX_CHARS],
        }
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if dead_at is not None:
            values["dead_at"] = dead_at
        async with self.db.transaction() as session:
            await session.execute(
                update(deliveries_table)
                .where(deliveries_table.c.position == delivery.position)
                .values(**values)
            )

    async def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """The first ``limit`` dead letters, oldest first."""
        table = deliveries_table
        async with self.db.session() as session:
            rows = await session.execute(
                select(table)
                .where(table.c.dead_at.is_not(None))
                .order_by(table.c.position)
                .limit(limit)
            )
            return [
                DeadLetter(
                    consumer=self.db.service,
                    event_id=row.event_id,
                    event_type=row.type,
                    attempts=row.attempts,
                    error=row.error or "",
                    failed_at=row.dead_at.isoformat(),
                    body=row.body.encode(),
                )
                for row in rows
            ]

    async def replay(self, *, event_ids: Collection[str] | None = None) -> int:
        """Put dead letters (all, or those with the given event ids) back in the queue, each
        starting again at attempt one. Returns how many were replayed."""
        statement = (
            update(deliveries_table)
            .where(deliveries_table.c.dead_at.is_not(None))
            .values(dead_at=None, attempts=0, error=None, next_attempt_at=utcnow())
        )
        if event_ids is not None:
            statement = statement.where(deliveries_table.c.event_id.in_(list(event_ids)))
        async with self.db.transaction() as session:
            # An UPDATE's result is a CursorResult; the session's types only say Result.
            result = cast(CursorResult[Any], await session.execute(statement))
        return max(result.rowcount, 0)
