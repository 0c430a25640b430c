"""One async SQLAlchemy engine and session factory per service.

SQLite (WAL; statements run on the loop's thread, see ``kit/sqlite.py``) in the all-in-one
mode, one file per service; PostgreSQL (asyncpg) in the distributed mode, one schema per
service. On PostgreSQL the schema is
the connection's ``search_path``, so models and migrations name no schema and the same
code runs on both.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, event, or_, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from learnhub.kit import sqlite

log = logging.getLogger(__name__)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """A service's engine and session factory.

    ``outbox_signal`` is set after every commit that recorded an event, so the relay
    publishes at once instead of waiting for its next poll.
    """

    def __init__(
        self,
        url: str,
        *,
        service: str,
        echo: bool = False,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 30.0,
    ) -> None:
        if not _SCHEMA_NAME.match(service):
            raise ValueError(f"service name {service!r} cannot be a schema name")
        self.url = url
        self.service = service
        self.outbox_signal = asyncio.Event()
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        engine_args: dict[str, Any] = {"echo": echo}
        pool_args = {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "pool_timeout": pool_timeout,
        }
        if self.dialect == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Statements run on the loop's thread; writers queue on this lock (kit/sqlite.py).
            sqlite.register()
            url = parsed.set(drivername=f"sqlite+{sqlite.DRIVER}").render_as_string(
                hide_password=False
            )
            connect_args.update(write_lock=asyncio.Lock(), lock_timeout=pool_timeout)
            if database and database != ":memory:":
                engine_args.update(pool_args)
        elif self.dialect == "postgresql":
            connect_args["server_settings"] = {"search_path": service}
            engine_args.update(pool_args, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(
            url, connect_args=connect_args, **engine_args
        )
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            info={"service": service, "outbox_signal": self.outbox_signal},
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits when the block ends, or rolls back if it raises."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def create_schema(self) -> None:
        """Create the service's PostgreSQL schema; SQLite needs none."""
        if self.dialect != "postgresql":
            return
        async with self.engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.service}"'))

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Session, "after_commit")
def _wake_outbox_relay(session: Session) -> None:
    if session.info.pop("outbox_pending", False):
        signal = session.info.get("outbox_signal")
        if signal is not None:
            signal.set()


@event.listens_for(Session, "after_soft_rollback")
def _forget_outbox_rows(session: Session, _previous_transaction: Any) -> None:
    # A savepoint rolling back leaves the outer transaction's events in place.
    if not session.in_transaction():
        session.info.pop("outbox_pending", None)


_ON_COMMIT = "learnhub.on_commit"

CommitAction = Callable[[], Awaitable[None] | None]


def on_commit(session: AsyncSession, action: CommitAction, *, key: str | None = None) -> None:
    """Run ``action`` once the session's transaction has committed, before ``commit()``
    returns; forget it if the transaction rolls back. A later action with the same ``key``
    replaces an earlier one. A failing action is logged, never raised: what it does (a cache
    refresh, a file deletion) must not undo a committed change."""
    actions: dict[object, CommitAction] = session.info.setdefault(_ON_COMMIT, {})
    actions.pop(key, None)
    actions[key if key is not None else object()] = action


@event.listens_for(Session, "after_commit")
def _run_commit_actions(session: Session) -> None:
    actions: dict[object, CommitAction] = session.info.pop(_ON_COMMIT, {})
    for action in actions.values():
        try:
            outcome = action()
            if inspect.isawaitable(outcome):
                # Commits of an AsyncSession run in SQLAlchemy's greenlet, which can await.
                await_only(outcome)
        except Exception:
            log.warning("an after-commit action failed", exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_commit_actions(session: Session, _previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_ON_COMMIT, None)


def after_keyset(
    sort_column: Any, id_column: Any, after: tuple[Any, str], *, descending: bool = False
) -> ColumnElement[bool]:
    """The rows that come after ``after`` (a ``(sort value, id)`` pair taken from the last
    row of a page) in ``ORDER BY sort_column, id_column`` (both descending if asked):
    the condition behind every cursor-paged list."""
    value, row_id = after
    if descending:
        return or_(sort_column < value, and_(sort_column == value, id_column < row_id))
    return or_(sort_column > value, and_(sort_column == value, id_column > row_id))
