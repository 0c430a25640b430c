"""The memory cache and the Redis cache behave the same."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as redis

from learnhub.kit.cache import Cache, CacheUnavailable, MemoryCache, RedisCache, cache_from_url
from tests.conftest import free_port

SHORT_TTL = 0.15

CacheFactory = Callable[[str], Cache]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def caches(request: pytest.FixtureRequest) -> AsyncIterator[CacheFactory]:
    """Makes caches in given namespaces that share one store (one dict, or one Redis)."""
    prefix = f"learnhub-test-{uuid.uuid4().hex[:8]}"
    made: list[Cache] = []
    if request.param == "memory":
        shared = MemoryCache()

        def make(namespace: str) -> Cache:
            return shared.scoped(f"{prefix}:{namespace}")

        yield make
        return
    url = request.getfixturevalue("redis_url")

    def make(namespace: str) -> Cache:
        cache = RedisCache(url, f"{prefix}:{namespace}")
        made.append(cache)
        return cache

    yield make
    cleaner = redis.Redis.from_url(url)
    keys = [key async for key in cleaner.scan_iter(match=f"{prefix}:*")]
    if keys:
        await cleaner.delete(*keys)
    await cleaner.aclose()
    for cache in made:
        await cache.close()


@pytest.fixture
def cache(caches: CacheFactory) -> Cache:
    return caches("tests")


async def test_a_value_is_set_read_and_deleted(cache: Cache) -> None:
    assert await cache.get("colour") is None

    await cache.set("colour", "blue")
    assert await cache.get("colour") == "blue"
    await cache.set("colour", "red")
    assert await cache.get("colour") == "red"
    assert await cache.ttl("colour") is None

    await cache.delete("colour")
    assert await cache.get("colour") is None
    await cache.delete("colour")


async def test_a_value_expires_after_its_ttl(cache: Cache) -> None:
    # given
    await cache.set("code", "1234", ttl=SHORT_TTL)

    # then
    assert await cache.get("code") == "1234"
    remaining = await cache.ttl("code")
    assert remaining is not None
    assert 0 < remaining <= SHORT_TTL
    await asyncio.sleep(SHORT_TTL + 0.05)
    assert await cache.get("code") is None
    assert await cache.ttl("code") is None


async def test_setting_again_without_ttl_keeps_the_value_forever(cache: Cache) -> None:
    await cache.set("code", "1", ttl=SHORT_TTL)
    await cache.set("code", "2")

    await asyncio.sleep(SHORT_TTL + 0.05)

    assert await cache.get("code") == "2"


async def test_incr_counts_and_keeps_the_first_ttl(cache: Cache) -> None:
    # when
    counts = [await cache.incr("attempts", ttl=SHORT_TTL)]
    await asyncio.sleep(0.05)
    counts += [await cache.incr("attempts", ttl=60), await cache.incr("attempts", ttl=60)]

    # then
    assert counts == [1, 2, 3]
    assert await cache.get("attempts") == "3"
    remaining = await cache.ttl("attempts")
    assert remaining is not None
    assert remaining <= SHORT_TTL - 0.05 + 0.01
    await asyncio.sleep(remaining + 0.05)
    assert await cache.get("attempts") is None
    assert await cache.incr("attempts", ttl=60) == 1


async def test_zincrby_adds_up_and_ztop_ranks(cache: Cache) -> None:
    # when
    scores = [
        await cache.zincrby("popular", "algebra", 1),
        await cache.zincrby("popular", "biology", 3),
        await cache.zincrby("popular", "chemistry", 2),
        await cache.zincrby("popular", "algebra", 2.5),
    ]

    # then
    assert scores == [1.0, 3.0, 2.0, 3.5]
    assert await cache.ztop("popular", 2) == [("algebra", 3.5), ("biology", 3.0)]
    assert await cache.ztop("popular", 10) == [
        ("algebra", 3.5),
        ("biology", 3.0),
        ("chemistry", 2.0),
    ]
    assert await cache.ztop("nothing", 3) == []


async def test_namespaces_isolate_services(caches: CacheFactory) -> None:
    # given
    auth, users = caches("auth"), caches("users")

    # when
    await auth.set("key", "auth's")
    await users.set("key", "users'")
    await auth.incr("counter", ttl=60)
    await users.zincrby("board", "x", 1)

    # then
    assert await auth.get("key") == "auth's"
    assert await users.get("key") == "users'"
    assert await users.get("counter") is None
    assert await users.incr("counter", ttl=60) == 1
    assert await auth.ztop("board", 5) == []
    await auth.delete("key")
    assert await users.get("key") == "users'"


@pytest.mark.redis
async def test_ties_rank_the_same_on_both_backends(redis_url: str) -> None:
    namespace = f"learnhub-test-{uuid.uuid4().hex[:8]}"
    memory, shared = MemoryCache(namespace), RedisCache(redis_url, namespace)
    try:
        for cache in (memory, shared):
            for member in ("beta", "alpha", "gamma"):
                await cache.zincrby("board", member, 1)

        assert await memory.ztop("board", 3) == await shared.ztop("board", 3)
    finally:
        await shared.delete("board")
        await shared.close()


async def test_an_unreachable_redis_is_reported_on_ping() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", "learnhub:tests")
    try:
        with pytest.raises(CacheUnavailable, match=r"cannot reach Redis at redis://127\.0\.0\.1:"):
            await cache.ping()
    finally:
        await cache.close()


async def test_cache_from_url_picks_the_backend_and_namespaces_it() -> None:
    memory = cache_from_url("memory://", namespace="auth")
    shared = cache_from_url("redis://127.0.0.1:6379/0", namespace="users")
    try:
        assert isinstance(memory, MemoryCache)
        assert memory.namespace == "learnhub:auth"
        assert isinstance(shared, RedisCache)
        assert shared.namespace == "learnhub:users"
    finally:
        await shared.close()


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "http://cache", "", "redis:/x"])
def test_cache_from_url_refuses_unknown_schemes(url: str) -> None:
    with pytest.raises(ValueError, match="unknown cache URL"):
        cache_from_url(url, namespace="auth")
