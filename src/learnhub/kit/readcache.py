"""Cached read models that stay true without short TTLs.

A hot read (an outline, a learner's progress, a dashboard) is served from the cache as the
JSON it will be sent as. Each cached value belongs to an *entity* (a course, a learner in a
course…) that has a **stamp**: a random token stored under its own key. A value is stored
together with the stamp its builder read *before* reading the database, and is valid only
while the entity's stamp is still that one. A write replaces the entity's stamp once its
transaction has committed (:func:`restamp`, run with ``kit.db.on_commit``), so:

- the writer's next read, and everyone else's, misses and rebuilds (read-your-writes);
- a reader that loaded the old state before the commit and stores it afterwards stores it
  under the old stamp, so it is never served (the race a plain delete-on-write loses);
- the same holds across processes sharing Redis, since stamps live in the cache itself.

Stamps have no TTL; values do (to bound memory, not for correctness). With Redis, use a
``volatile-*`` eviction policy (or ``noeviction``) so that stamps are never evicted.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from learnhub.kit.cache import Cache
from learnhub.kit.db import ROWS_WRITTEN, on_commit

_NO_STAMP = "-"
_SEPARATOR = "|"
_PENDING = "learnhub.readcache.restamp"


@dataclass(frozen=True)
class View:
    """A cached value (``key``) and the stamps of the entities it was built from."""

    key: str
    stamps: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    """What one round trip to the cache found for some views."""

    _stamps: dict[str, str]
    _values: dict[str, str | None]

    def value(self, view: View) -> str | None:
        """The view's cached value if it is still valid, else None (build it)."""
        raw = self._values.get(view.key)
        if raw is None:
            return None
        tag, _, value = raw.partition(_SEPARATOR)
        return value if tag == self.tag(view) else None

    def tag(self, view: View) -> str:
        """The stamps to store a freshly built value of this view under."""
        return ",".join(self._stamps[stamp] for stamp in view.stamps)


async def read(cache: Cache, views: Sequence[View]) -> Snapshot:
    """Fetch the views' values and their entities' stamps in one round trip."""
    stamp_keys = list(dict.fromkeys(stamp for view in views for stamp in view.stamps))
    value_keys = [view.key for view in views]
    found = await cache.get_many(stamp_keys + value_keys)
    stamps = {key: found[index] or _NO_STAMP for index, key in enumerate(stamp_keys)}
    values = dict(zip(value_keys, found[len(stamp_keys) :], strict=True))
    return Snapshot(stamps, values)


async def keep(cache: Cache, snapshot: Snapshot, values: dict[View, str], *, ttl: float) -> None:
    """Store values built after ``snapshot`` was read, under the stamps it saw."""
    if values:
        await cache.set_many(
            {
                view.key: f"{snapshot.tag(view)}{_SEPARATOR}{value}"
                for view, value in values.items()
            },
            ttl=ttl,
        )


async def read_through(
    cache: Cache, view: View, build: Callable[[], Awaitable[str]], *, ttl: float
) -> str:
    """The view's value: a cache hit, or built (``build`` reads the database) and kept."""
    snapshot = await read(cache, [view])
    found = snapshot.value(view)
    if found is None:
        found = await build()
        await keep(cache, snapshot, {view: found}, ttl=ttl)
    return found


async def restamp(cache: Cache, stamps: Sequence[str]) -> None:
    """Invalidate every value built from these entities."""
    if stamps:
        await cache.set_many({stamp: secrets.token_hex(8) for stamp in stamps})


def restamp_after_commit(session: AsyncSession, cache: Cache, *stamps: str) -> None:
    """Invalidate these entities' cached values once the session's transaction commits
    (one round trip for all the stamps a transaction touched)."""
    pending: set[str] = session.info.setdefault(_PENDING, set())
    pending.update(stamps)

    async def restamp_pending() -> None:
        await restamp(cache, sorted(session.info.pop(_PENDING, ())))

    on_commit(session, restamp_pending, key=_PENDING)


StampsOfRow = Callable[[Any], Iterable[str]]


def renew_stamps_of_flushed_rows(service: str, stamps_of: Mapping[str, StampsOfRow]) -> None:
    """Have every row a session of ``service`` inserts, changes or deletes renew its
    entities' stamps once the transaction commits.

    ``stamps_of`` maps a table name to the stamps a row of it feeds (every table a cached
    view of the service is built from). Rows the ORM flushes are seen by themselves, and so
    are rows inserted with ``kit.db.insert_ignore``; a write made with another bulk
    statement renews its stamps itself with :func:`restamp_after_commit`.
    """

    def renew(session: Session, rows: Iterable[tuple[str, Any]]) -> None:
        stamps: set[str] = set()
        for table_name, row in rows:
            stamps_of_row = stamps_of.get(table_name)
            if stamps_of_row is not None:
                stamps.update(stamps_of_row(row))
        if stamps:
            restamp_after_commit(session, session.info["cache"], *stamps)  # type: ignore[arg-type]

    def watched(session: Session) -> bool:
        return session.info.get("service") == service and "cache" in session.info

    @event.listens_for(Session, "after_flush")
    def renew_flushed(session: Session, _context: Any) -> None:
        if watched(session):
            flushed = (*session.new, *session.dirty, *session.deleted)
            renew(session, ((getattr(row, "__tablename__", ""), row) for row in flushed))

    @event.listens_for(Session, "before_commit")
    def renew_inserted(session: Session) -> None:
        written = session.info.pop(ROWS_WRITTEN, None)
        if written and watched(session):
            renew(session, ((table, SimpleNamespace(**row)) for table, row in written))
