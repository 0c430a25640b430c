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
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, Table, event, text, update
from sqlalchemy import inspect as inspect_orm
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_
from typing_extensions import override

from learnhub.kit import sqlite as inline_sqlite

# Kept importable from here for the sub-domains that have not moved to the pagination module.
from learnhub.kit.http.pagination import after_keyset as after_keyset

log = logging.getLogger(__name__)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    @override
    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'`` (its ``%`` and ``_`` are not
    wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Database:
    """A service's engine and session factory.

    ``outbox_signal`` is set after every commit that recorded an event (through
    :func:`on_commit`), so the relay publishes at once instead of waiting for its next poll.
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
            inline_sqlite.register()
            url = parsed.set(drivername=f"sqlite+{inline_sqlite.DRIVER}").render_as_string(
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
        info = {"service": service, "outbox_signal": self.outbox_signal}
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        # The outbox relay has connections of its own: behind a full pool of requests it
        # would wait its turn (or time out) while the events of those requests pile up.
        # SQLite needs none: its writers queue on the write lock, not on connections.
        self.background_sessionmaker = self.sessionmaker
        self._background_engine: AsyncEngine | None = None
        if self.dialect == "postgresql":
            self._background_engine = create_async_engine(
                url,
                connect_args=connect_args,
                echo=echo,
                pool_size=1,
                max_overflow=1,
                pool_timeout=30.0,
                pool_pre_ping=True,
            )
            self.background_sessionmaker = async_sessionmaker(
                self._background_engine, expire_on_commit=False, info=info
            )

    @property
    def info(self) -> dict[str, Any]:
        """What every session of this database carries in ``session.info`` (the service's
        settings, its cache...), for code that reads without opening a session."""
        info: dict[str, Any] = self.sessionmaker.kw.setdefault("info", {})
        return info

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits when the block ends, or rolls back if it raises."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def background_transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction on the connections kept for background work (the outbox relay),
        which never wait behind requests for the pool."""
        async with self.background_sessionmaker() as session, session.begin():
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
        if self._background_engine is not None:
            await self._background_engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# ---------------------------------------------------------------- after-commit actions

CommitAction = Callable[[], Awaitable[None] | None]
"""What :func:`on_commit` runs: a plain function, or one returning an awaitable."""

_PENDING_ACTIONS = "learnhub.on_commit.pending"
_COMMITTED_ACTIONS = "learnhub.on_commit.committed"


@dataclass
class _PendingAction:
    action: CommitAction
    key: Hashable | None
    # The transaction (root or savepoint) the action was registered in; a savepoint's
    # actions pass to the enclosing transaction when the savepoint is released.
    transaction: SessionTransaction | None


def on_commit(
    session: AsyncSession | Session, action: CommitAction, *, key: Hashable | None = None
) -> None:
    """Run ``action`` once the session's outermost transaction has committed.

    Actions run in the order they were registered and are awaited before ``commit()``
    returns, so the caller's next read sees their effect. A rollback drops them; a
    savepoint that rolls back drops only the actions registered inside it (and restores
    an action it replaced). A later registration with the same ``key`` replaces an earlier
    one and runs in the later one's place. An action that fails is logged, never raised:
    the transaction is already committed. Actions must not use ``session`` itself.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    transaction = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(_PENDING_ACTIONS, []).append(_PendingAction(action, key, transaction))


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _keep_committed_actions(session: Session) -> None:
    pending: list[_PendingAction] | None = session.info.get(_PENDING_ACTIONS)
    if not pending:
        return
    released = session.get_nested_transaction()
    if released is not None:
        for entry in pending:
            if entry.transaction is released:
                entry.transaction = released.parent
        return
    session.info[_COMMITTED_ACTIONS] = session.info.pop(_PENDING_ACTIONS)


@event.listens_for(Session, "after_transaction_end")
def _run_or_drop_actions(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        pending: list[_PendingAction] | None = session.info.get(_PENDING_ACTIONS)
        if pending:
            # Still tagged with the ended savepoint only if it rolled back (a release
            # re-tagged them in after_commit).
            session.info[_PENDING_ACTIONS] = [
                entry for entry in pending if not _inside(entry.transaction, transaction)
            ]
        return
    if transaction.parent is not None:
        return  # a flush's inner transaction
    session.info.pop(_PENDING_ACTIONS, None)
    committed: list[_PendingAction] | None = session.info.pop(_COMMITTED_ACTIONS, None)
    if committed:
        _run_actions(committed)


def _run_actions(entries: list[_PendingAction]) -> None:
    last_with_key = {
        entry.key: index for index, entry in enumerate(entries) if entry.key is not None
    }
    for index, entry in enumerate(entries):
        if entry.key is not None and last_with_key[entry.key] != index:
            continue
        try:
            result = entry.action()
            if inspect.isawaitable(result):
                # A commit of an AsyncSession runs in SQLAlchemy's greenlet, which can await.
                await_(result)
        except Exception:
            log.exception("an action after commit failed (key %r)", entry.key)


# ---------------------------------------------------------------- insert or ignore


async def insert_ignore(
    session: AsyncSession,
    table: Table | type[DeclarativeBase],
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    conflict_columns: Sequence[str] | None = None,
) -> int:
    """``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, with no savepoint: the
    rows that would break a unique constraint (``conflict_columns``'s, or any when not
    given) are skipped. Returns how many rows were inserted.

    Many rows go as one statement per thousand (SQLAlchemy's "insertmanyvalues": the
    statement is compiled once for a row and repeated, instead of compiled afresh for each
    batch), and ``RETURNING`` counts the rows inserted, in the order given."""
    if isinstance(rows, Mapping):
        rows = [rows]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise NotImplementedError(f"insert_ignore does not know the {dialect} dialect")
    columns = table if isinstance(table, Table) else cast(Table, table.__table__)
    statement = statement.on_conflict_do_nothing(
        index_elements=list(conflict_columns) if conflict_columns else None
    ).returning(*columns.primary_key.columns)
    inserted = len((await session.execute(statement, list(rows))).all())
    if inserted:
        note_rows_written(session, str(columns.name), rows)
    return inserted


Row = TypeVar("Row", bound=DeclarativeBase)


async def insert_and_lock(
    session: AsyncSession, model: type[Row], values: Mapping[str, Any], *, now: datetime
) -> Row:
    """The row of ``model`` whose primary key ``values`` names, inserted with ``values`` if
    missing, then locked by an update of its ``updated_at`` until the transaction ends: a
    second writer waits here (PostgreSQL's row lock, SQLite's write lock) and then reads what
    the first one committed."""
    table = cast(Table, model.__table__)
    (key,) = table.primary_key.columns
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(table)
        .values({**values, "updated_at": now})
        .on_conflict_do_nothing(index_elements=[key.name])
    )
    await session.execute(
        update(model)
        .where(getattr(model, key.name) == values[key.name])
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(model, values[key.name], populate_existing=True)
    if row is None:
        raise RuntimeError(f"the {table.name} row {values[key.name]} was inserted, yet is gone")
    return row


ROWS_WRITTEN = "learnhub.rows_written"


def note_rows_written(
    session: AsyncSession, table_name: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Record rows a statement wrote past the ORM's unit of work (which sees only objects it
    flushes), for those who watch a session's writes: the read cache's invalidation."""
    session.sync_session.info.setdefault(ROWS_WRITTEN, []).extend((table_name, row) for row in rows)


async def add_if_absent(
    session: AsyncSession,
    instance: DeclarativeBase,
    *,
    conflict_columns: Sequence[str] | None = None,
) -> bool:
    """Insert a new ORM object with :func:`insert_ignore`: True when it was inserted (it is
    then in the session like an added and flushed object), False when a row with the same
    unique key was already there (a concurrent request may have made it a moment ago)."""
    state = inspect_orm(instance)
    values = {
        attribute.key: state.dict[attribute.key]
        for attribute in state.mapper.column_attrs
        if attribute.key in state.dict
    }
    if not await insert_ignore(session, type(instance), values, conflict_columns=conflict_columns):
        return False
    # Persistent without a second INSERT; columns the database filled in load on access.
    make_transient_to_detached(instance)
    session.add(instance)
    return True
