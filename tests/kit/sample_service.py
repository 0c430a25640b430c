"""A tiny test-only service built from the kit alone: the "notebook".

It has its own tables, a router, one event handler and a runtime builder, so the kit's
outbox, inbox, HTTP app and readiness can be tested without the real services. The event
it records and consumes is ``user.registered.v1``, a contract that already exists, so the
global contract registry stays untouched.

It is also imported by the child process of the crash test, which runs it as a script.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from learnhub.contracts.auth import UserRegistered
from learnhub.kit.auth import TokenVerifier
from learnhub.kit.cache import MemoryCache
from learnhub.kit.config import Settings
from learnhub.kit.db import Database, UTCDateTime, utcnow
from learnhub.kit.events.bus import Bus
from learnhub.kit.events.outbox import record_event
from learnhub.kit.events.tables import messaging_metadata, outbox_table
from learnhub.kit.runtime import ServiceRuntime, ServiceSpec

NAME = "notebook"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class Note(Base):
    """One line written by the service: by a request, or by a handler reacting to an event."""

    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


router = APIRouter()


@router.get("/api/v1/notebook/boom")
async def boom() -> dict[str, str]:
    """Fails with an error no handler knows."""
    raise RuntimeError("the notebook caught fire")


@router.get("/api/v1/notebook/notes/{note_id}")
async def read_note(note_id: str) -> dict[str, str]:
    """Echoes the id (no database needed)."""
    return {"id": note_id}


def registered(user_id: str | None = None, *, email: str = "ada@example.org") -> UserRegistered:
    return UserRegistered(
        user_id=user_id or str(uuid.uuid4()),
        email=email,
        display_name="Ada Lovelace",
        roles=["learner"],
        registered_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    )


async def remember_registration(session: AsyncSession, payload: UserRegistered) -> None:
    """The handler: one note per registration it sees."""
    session.add(
        Note(id=payload.user_id, body=f"welcome {payload.display_name}", created_at=utcnow())
    )


HANDLERS = {UserRegistered.event_type: remember_registration}

spec = ServiceSpec(
    name=NAME,
    title="notebook",
    description="A test-only service.",
    router=router,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "no-migrations",
    route_prefixes=("/api/v1/notebook",),
    default_port=8199,
    handlers=HANDLERS,
)


async def write_note(session: AsyncSession, note_id: str, *, user_id: str | None = None) -> str:
    """A state change and the event it causes, in the caller's transaction; returns the event id."""
    session.add(Note(id=note_id, body="written by a request", created_at=utcnow()))
    event = await record_event(session, registered(user_id or note_id), subject=note_id)
    return event.id


async def open_database(url: str, *, service: str = NAME) -> Database:
    """The service's database with its tables (and outbox and inbox) created."""
    db = Database(url, service=service)
    await db.create_schema()
    async with db.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.run_sync(messaging_metadata.create_all)
    return db


async def note_ids(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.scalars(select(Note.id).order_by(Note.id))).all())


async def outbox_rows(db: Database) -> list[dict[str, object]]:
    async with db.session() as session:
        rows = await session.execute(select(outbox_table).order_by(outbox_table.c.created_at))
        return [dict(row._mapping) for row in rows]


async def unpublished(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.published_at.is_(None))
            )
            or 0
        )


async def _no_keys() -> dict[str, object]:
    return {"keys": []}


def build_runtime(db: Database, bus: Bus, data_dir: Path) -> ServiceRuntime:
    return ServiceRuntime(
        spec=spec,
        settings=Settings(data_dir=data_dir, log_format="text"),
        db=db,
        bus=bus,
        cache=MemoryCache(),
        verifier=TokenVerifier(_no_keys, issuer="learnhub", audience="learnhub"),
    )


async def _crash_after_commit(url: str, service: str, note_id: str) -> None:
    db = Database(url, service=service)
    async with db.transaction() as session:
        event_id = await write_note(session, note_id)
    print(event_id, flush=True)
    # Dies before anything could publish: no relay runs in this process at all.
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(_crash_after_commit(sys.argv[1], sys.argv[2], sys.argv[3]))
