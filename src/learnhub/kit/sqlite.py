"""SQLite for SQLAlchemy's async engine, run on the event loop's own thread.

The stock async driver (aiosqlite) hands every statement to a worker thread and waits for
the answer: on a busy all-in-one process most of the CPU went into those hand-offs, not into
SQLite. A statement on a local SQLite file in WAL mode takes microseconds, so this dialect
runs it inline instead, inside SQLAlchemy's greenlet, and keeps the event loop free in the
one place SQLite could make it wait: taking the write lock.

Transactions: reads outside a write run in autocommit mode (each sees the latest committed
state, as the standard driver's default behaviour does). The first write of a transaction
(INSERT, UPDATE, DELETE, DDL or a SAVEPOINT) first takes the database's in-process write
lock (an ``asyncio.Lock`` shared by the engine's connections, awaited, so other requests go
on meanwhile), then opens the transaction with ``BEGIN IMMEDIATE``. If another process holds
SQLite's own write lock, ``BEGIN IMMEDIATE`` fails at once (the busy timeout is zero) and is
retried after an asynchronous sleep, never by blocking the loop. Commit or rollback ends the
transaction and releases the lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import pool
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import AdaptedConnection
from sqlalchemy.engine.url import URL
from sqlalchemy.util import await_only
from typing_extensions import override

DIALECT_NAME = "sqlite.learnhub"
DRIVER = "learnhub"

_WRITE_STATEMENTS = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "CREATE",
    "DROP",
    "ALTER",
    "SAVEPOINT",
)
_BUSY_RETRY_FIRST = 0.002
_BUSY_RETRY_CAP = 0.1


def _is_write(operation: str) -> bool:
    return operation.lstrip()[:9].upper().startswith(_WRITE_STATEMENTS)


async def _nothing() -> None:
    return None


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "database is locked" in message or "database is busy" in message


class InlineCursor:
    """A sqlite3 cursor whose writes go through the connection's write discipline.

    Rows are read in full when the statement runs (as SQLAlchemy's other async drivers do),
    so no statement stays open on the connection while the caller awaits something else.
    """

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor = connection.raw.cursor()
        self._rows: deque[Any] = deque()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    def execute(self, operation: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Any:
        if _is_write(operation):
            self._connection.begin_write()
        self._connection.retry_while_busy(self._cursor.execute, operation, parameters)
        # SQLAlchemy's AsyncConnection checks that a driver awaited at least once per
        # statement; one empty await (a greenlet switch, a few microseconds) satisfies it.
        await_only(_nothing())
        if self._cursor.description is not None:
            self._rows = deque(self._cursor.fetchall())
        return self

    def executemany(self, operation: str, seq_of_parameters: Any) -> Any:
        if _is_write(operation):
            self._connection.begin_write()
        self._connection.retry_while_busy(self._cursor.executemany, operation, seq_of_parameters)
        await_only(_nothing())
        return self

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self._cursor.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def close(self) -> None:
        self._rows.clear()
        self._cursor.close()

    async def _async_soft_close(self) -> None:
        # Called by SQLAlchemy's async results; the rows are already buffered.
        return None

    def setinputsizes(self, *_sizes: Any) -> None:
        return None

    def setoutputsize(self, *_args: Any) -> None:
        return None

    def __iter__(self) -> Any:
        while self._rows:
            yield self._rows.popleft()


class InlineConnection(AdaptedConnection):
    """A sqlite3 connection in autocommit mode whose transactions this class opens and ends."""

    __slots__ = ("_holds_lock", "_lock_timeout", "_write_lock", "raw")

    def __init__(
        self, raw: sqlite3.Connection, *, write_lock: asyncio.Lock | None, lock_timeout: float
    ) -> None:
        # SQLAlchemy reads the driver's connection from ``_connection``; ``raw`` is the same
        # object, typed as what it is.
        self._connection = cast(Any, raw)
        self.raw = raw
        self._write_lock = write_lock
        self._holds_lock = False
        self._lock_timeout = lock_timeout

    # DB-API surface used by SQLAlchemy

    def cursor(self, *_args: Any, **_kwargs: Any) -> InlineCursor:
        return InlineCursor(self)

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        cursor = self.cursor()
        cursor.execute(operation, parameters)
        return cursor

    def commit(self) -> None:
        try:
            if self.raw.in_transaction:
                self.raw.execute("COMMIT")
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
        finally:
            self._release()

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            self._release()

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.raw.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:  # noqa: ARG002 - sqlite3's setter
        # Transactions are opened by begin_write(); sqlite3's own implicit BEGIN stays off.
        self.raw.isolation_level = None

    # the write discipline

    def begin_write(self) -> None:
        """Take the write lock and open a transaction, unless this connection has one."""
        if self.raw.in_transaction:
            return
        if self._write_lock is not None and not self._holds_lock:
            try:
                await_only(asyncio.wait_for(self._write_lock.acquire(), self._lock_timeout))
            except TimeoutError as error:
                raise sqlite3.OperationalError(
                    f"database is locked: waited {self._lock_timeout:g}s for the write lock"
                ) from error
            self._holds_lock = True
        try:
            self.retry_while_busy(self.raw.execute, "BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def retry_while_busy(self, run: Any, *args: Any) -> Any:
        """Run a statement; while another process holds SQLite's lock, wait without blocking
        the loop and try again, until the deadline."""
        delay = _BUSY_RETRY_FIRST
        give_up_at: float | None = None
        while True:
            try:
                return run(*args)
            except sqlite3.OperationalError as error:
                # Inside a transaction a busy error cannot clear by waiting: give it back.
                if not _is_busy(error) or self.raw.in_transaction:
                    raise
                now = time.monotonic()
                give_up_at = give_up_at or now + self._lock_timeout
                if now >= give_up_at:
                    raise
                await_only(asyncio.sleep(delay))
                delay = min(delay * 2, _BUSY_RETRY_CAP)

    def _release(self) -> None:
        if self._holds_lock and self._write_lock is not None:
            self._holds_lock = False
            self._write_lock.release()


class InlineDBAPI:
    """The module-like DB-API object the dialect loads: sqlite3's names, our ``connect``."""

    paramstyle = "qmark"

    def __init__(self) -> None:
        for name in (
            "DatabaseError",
            "DataError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "InternalError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "Warning",
            "sqlite_version",
            "sqlite_version_info",
            "version",
            "version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name, None))
        self.sqlite = sqlite3

    def connect(
        self,
        database: str,
        *,
        write_lock: asyncio.Lock | None = None,
        lock_timeout: float = 30.0,
        **kwargs: Any,
    ) -> InlineConnection:
        kwargs.pop("timeout", None)
        kwargs.pop("check_same_thread", None)
        raw = sqlite3.connect(
            database, timeout=0, isolation_level=None, check_same_thread=False, **kwargs
        )
        raw.execute("PRAGMA busy_timeout=0")
        return InlineConnection(raw, write_lock=write_lock, lock_timeout=lock_timeout)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """``sqlite+learnhub://``: the pysqlite dialect, asynchronous, without worker threads."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True
    has_terminate = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return InlineDBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection

    @override
    def set_isolation_level(self, dbapi_connection: Any, level: Any) -> None:
        # Only the default (serializable, via BEGIN IMMEDIATE) is supported.
        return None

    @override
    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "SERIALIZABLE"

    @override
    def detect_autocommit_setting(self, dbapi_conn: Any) -> bool:
        return False


def register() -> None:
    """Make ``sqlite+learnhub://`` URLs resolve to :class:`InlineSQLiteDialect`."""
    from sqlalchemy.dialects import registry

    registry.register(DIALECT_NAME, __name__, "InlineSQLiteDialect")
