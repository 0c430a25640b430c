"""Argon2id password hashing in a bounded pool of threads, off the event loop.

Hashing is the auth service's one expensive step, on purpose. It runs in as many threads as
the process has cores (argon2-cffi releases the GIL, so they really run in parallel) and at
most ``hash_queue`` more hashes may wait for a thread; past that a caller is refused at once
with 503 and ``Retry-After``, instead of queueing for seconds while every later request
queues behind it.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.errors import PasswordHashingBusy

Result = TypeVar("Result")

# Weight of the newest duration in the running average behind Retry-After.
_SMOOTHING = 0.2


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class HashPool:
    """A fixed number of threads with a bounded queue in front of them.

    ``run`` admits a call when fewer than ``workers + queue`` calls are running or waiting,
    and otherwise raises :class:`PasswordHashingBusy` without waiting. A slot is given back
    when the call ends in its thread, so a caller that gives up (a client that disconnects)
    does not free a thread that is still busy.
    """

    def __init__(self, *, workers: int, queue: int) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._slots = threading.BoundedSemaphore(self.capacity)
        self._lock = threading.Lock()
        self._in_use = 0
        self._average_seconds = 0.05

    @property
    def in_use(self) -> int:
        """Calls running or waiting now."""
        return self._in_use

    def retry_after(self) -> int:
        """Whole seconds in which a full queue has drained, at the recent pace."""
        return max(1, math.ceil(self.capacity * self._average_seconds / self.workers))

    async def run(self, function: Callable[..., Result], *args: object) -> Result:
        if not self._slots.acquire(blocking=False):
            raise PasswordHashingBusy(
                "Too many people are logging in right now. Try again in a moment.",
                retry_after=self.retry_after(),
            )
        with self._lock:
            self._in_use += 1
        try:
            future = self._executor.submit(self._timed, function, *args)
        except BaseException:
            self._give_back()
            raise
        future.add_done_callback(lambda _future: self._give_back())
        return await asyncio.wrap_future(future)

    def _timed(self, function: Callable[..., Result], *args: object) -> Result:
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self._average_seconds += _SMOOTHING * (elapsed - self._average_seconds)

    def _give_back(self) -> None:
        with self._lock:
            self._in_use -= 1
        self._slots.release()


class Passwords:
    """Hashes and checks passwords with the configured cost, in a :class:`HashPool`.

    Checking against an unknown account still costs one verification (of a dummy hash made
    with the same cost), so response time does not reveal whether an e-mail is registered.
    """

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
        )
        self.pool = HashPool(
            workers=settings.hash_workers or usable_cores(), queue=settings.hash_queue
        )
        self._dummy_hash = self._hasher.hash("not a password anyone has")

    async def hash(self, password: str) -> str:
        return await self.pool.run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self.pool.run(self._check, password_hash, password)

    def _check(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                self._hasher.verify(password_hash or self._dummy_hash, password)
                and password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash made with other parameters than today's (re-hash it at log-in)."""
        return self._hasher.check_needs_rehash(password_hash)
