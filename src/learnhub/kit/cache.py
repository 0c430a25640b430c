"""A small cache interface with an in-memory and a Redis backend.

Keys are namespaced per service (``learnhub:<service>:<key>``), so services sharing one
Redis never see each other's entries.
"""

from __future__ import annotations

import time
from typing import Protocol, cast

import redis.asyncio as redis


class CacheUnavailable(ConnectionError):
    """The cache backend cannot be reached."""


class Cache(Protocol):
    """String values with TTLs, counters and sorted sets."""

    async def get(self, key: str) -> str | None: ...

    async def get_many(self, keys: list[str]) -> list[str | None]:
        """The values of ``keys`` in one round trip, None for each one missing."""
        ...

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None: ...

    async def set_many(self, values: dict[str, str], *, ttl: float | None = None) -> None:
        """Set several keys in one round trip."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, *, ttl: float) -> int:
        """Add one and return the new count; the TTL starts with the first increment."""
        ...

    async def ttl(self, key: str) -> float | None: ...

    async def zincrby(self, key: str, member: str, amount: float) -> float: ...

    async def ztop(self, key: str, count: int) -> list[tuple[str, float]]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """The all-in-one mode's cache: a dict with expiry times, for one process.

    When it holds more than ``max_entries`` keys, the oldest keys that have a TTL are dropped
    (like Redis's ``volatile-*`` eviction): keys without one (counters' stamps, leaderboards)
    are never evicted.
    """

    def __init__(self, namespace: str = "learnhub", *, max_entries: int = 500_000) -> None:
        self.namespace = namespace
        self.max_entries = max_entries
        self._values: dict[str, tuple[object, float | None]] = {}

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def _live(self, key: str) -> object | None:
        entry = self._values.get(self._key(key))
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= time.monotonic():
            del self._values[self._key(key)]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else time.monotonic() + ttl

    def _read(self, key: str) -> str | None:
        value = self._live(key)
        if isinstance(value, int):
            return str(value)  # a counter reads back as text, as in Redis
        return value if isinstance(value, str) else None

    async def get(self, key: str) -> str | None:
        return self._read(key)

    async def get_many(self, keys: list[str]) -> list[str | None]:
        return [self._read(key) for key in keys]

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self._values[self._key(key)] = (value, self._expiry(ttl))
        if len(self._values) > self.max_entries:
            self._evict()

    async def set_many(self, values: dict[str, str], *, ttl: float | None = None) -> None:
        for key, value in values.items():
            await self.set(key, value, ttl=ttl)

    def _evict(self) -> None:
        # Insertion order is age: drop the oldest tenth of the keys that may expire.
        excess = len(self._values) - self.max_entries + self.max_entries // 10
        doomed = [key for key, (_, expires_at) in self._values.items() if expires_at is not None]
        for key in doomed[:excess]:
            del self._values[key]

    async def delete(self, key: str) -> None:
        self._values.pop(self._key(key), None)

    async def incr(self, key: str, *, ttl: float) -> int:
        current = self._live(key)
        if isinstance(current, str) and current.lstrip("-").isdigit():
            current = int(current)
        if isinstance(current, int):
            count = current + 1
            self._values[self._key(key)] = (count, self._values[self._key(key)][1])
        else:
            count = 1
            self._values[self._key(key)] = (count, self._expiry(ttl))
        return count

    async def ttl(self, key: str) -> float | None:
        if self._live(key) is None:
            return None
        expires_at = self._values[self._key(key)][1]
        return None if expires_at is None else max(0.0, expires_at - time.monotonic())

    async def zincrby(self, key: str, member: str, amount: float) -> float:
        scores = self._live(key)
        if not isinstance(scores, dict):
            scores = {}
            self._values[self._key(key)] = (scores, None)
        score = float(scores.get(member, 0.0)) + amount
        scores[member] = score
        return score

    async def ztop(self, key: str, count: int) -> list[tuple[str, float]]:
        scores = self._live(key)
        if not isinstance(scores, dict):
            return []
        # Ties in Redis's ZREVRANGE order: descending by member too.
        return sorted(scores.items(), key=lambda item: (item[1], item[0]), reverse=True)[:count]

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._values.clear()

    def scoped(self, namespace: str) -> MemoryCache:
        """A view of the same store under another namespace (services sharing one process)."""
        view = MemoryCache(namespace, max_entries=self.max_entries)
        view._values = self._values
        return view


class RedisCache:
    """The distributed mode's cache, shared by every replica of a service."""

    def __init__(self, url: str, namespace: str = "learnhub") -> None:
        self.url = url
        self.namespace = namespace
        self._client = redis.Redis.from_url(url, decode_responses=True)

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def get(self, key: str) -> str | None:
        value = await self._client.get(self._key(key))
        # The client decodes responses; its types still allow the raw bytes.
        return value.decode() if isinstance(value, bytes) else value

    async def get_many(self, keys: list[str]) -> list[str | None]:
        if not keys:
            return []
        # decode_responses=True: every value comes back as text.
        return cast(list[str | None], await self._client.mget([self._key(key) for key in keys]))

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        await self._client.set(
            self._key(key), value, px=max(1, int(ttl * 1000)) if ttl is not None else None
        )

    async def set_many(self, values: dict[str, str], *, ttl: float | None = None) -> None:
        if not values:
            return
        pipe = self._client.pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(self._key(key), value, px=max(1, int(ttl * 1000)) if ttl is not None else None)
        await pipe.execute()

    async def delete(self, key: str) -> None:
        await self._client.delete(self._key(key))

    async def incr(self, key: str, *, ttl: float) -> int:
        pipe = self._client.pipeline(transaction=True)
        pipe.incr(self._key(key))
        pipe.pexpire(self._key(key), int(ttl * 1000), nx=True)
        count, _ = await pipe.execute()
        return int(count)

    async def ttl(self, key: str) -> float | None:
        milliseconds = await self._client.pttl(self._key(key))
        return None if milliseconds < 0 else milliseconds / 1000

    async def zincrby(self, key: str, member: str, amount: float) -> float:
        score = await self._client.zincrby(self._key(key), amount, member)
        return float(score or 0.0)

    async def ztop(self, key: str, count: int) -> list[tuple[str, float]]:
        rows = await self._client.zrevrange(self._key(key), 0, count - 1, withscores=True)
        # With scores, each row is a (member, score) pair; the client's types do not say so.
        pairs = cast("list[tuple[str, float]]", rows)
        return [(member, float(score)) for member, score in pairs]

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (redis.ConnectionError, OSError) as error:
            raise CacheUnavailable(f"cannot reach Redis at {self.url}: {error}") from error

    async def close(self) -> None:
        await self._client.aclose()


def cache_from_url(url: str, *, namespace: str) -> Cache:
    """``memory://`` or ``redis://host:port/db``."""
    if url.startswith("memory:"):
        return MemoryCache(f"learnhub:{namespace}")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisCache(url, f"learnhub:{namespace}")
    raise ValueError(f"unknown cache URL {url!r}: use memory:// or redis://host:6379/0")
