"""Argon2id password hashing in a bounded pool of threads, off the event loop.

Hashing is the auth service's one expensive step, on purpose. It runs in as many threads as
the process has cores (argon2-cffi releases the GIL, so they really run in parallel) and at
most ``hash_queue`` more requests may wait for a thread. A request reserves its place
before it does anything else; past the limit it is refused at once with 503 and
``Retry-After``, instead of queueing (for a database connection, then for a thread) while
every later request queues behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from prometheus_client import Counter, Gauge

from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.errors import PasswordHashingBusy

Result = TypeVar("Result")

# Weight of the newest duration in the running average behind Retry-After.
_SMOOTHING = 0.2
# How much lower than the event loop hashing threads run: 10 steps of niceness get about a
# tenth of the CPU when both want it.
_HASHING_NICENESS = 10

HASH_SLOTS_IN_USE = Gauge(
    "learnhub_auth_hash_slots_in_use",
    "Requests holding a place in the password-hashing pool (hashing or waiting to).",
)
HASH_REFUSALS = Counter(
    "learnhub_auth_hash_refusals_total",
    "Requests refused with 503 because the password-hashing pool and its queue were full.",
)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _yield_to_the_event_loop() -> None:
    """Run this hashing thread at a lower priority than the event loop, so that when the
    cores are short the loop still answers (refusals included) and hashing waits; idle
    cores still go to hashing. On Linux a nice value belongs to one thread; elsewhere it
    would slow the whole process, so it is left alone there."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.nice(_HASHING_NICENESS)


class HashPool:
    """A fixed number of threads with a bounded queue of reservations in front of them.

    :meth:`reserve` gives a :class:`HashSlot` while fewer than ``workers + queue`` slots are
    taken, and otherwise raises :class:`PasswordHashingBusy` without waiting. A request
    holds its slot from before its first database read to its last hash, so refusing it
    costs no work; hashes run in the slot one after another.
    """

    def __init__(self, *, workers: int, queue: int) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="argon2", initializer=_yield_to_the_event_loop
        )
        self._slots = threading.BoundedSemaphore(self.capacity)
        self._lock = threading.Lock()
        self._in_use = 0
        self._average_seconds = 0.05

    @property
    def in_use(self) -> int:
        """Slots taken now."""
        return self._in_use

    def retry_after(self) -> int:
        """Whole seconds in which a full queue has drained, at the recent pace."""
        return max(1, math.ceil(self.capacity * self._average_seconds / self.workers))

    def reserve(self) -> HashSlot:
        if not self._slots.acquire(blocking=False):
            HASH_REFUSALS.inc()
            raise PasswordHashingBusy(
                "Too many people are logging in right now. Try again in a moment.",
                retry_after=self.retry_after(),
            )
        with self._lock:
            self._in_use += 1
        HASH_SLOTS_IN_USE.inc()
        return HashSlot(self)

    async def run(self, function: Callable[..., Result], *args: object) -> Result:
        """Run one call in a slot of its own."""
        with self.reserve() as slot:
            return await slot.run(function, *args)

    def _submit(self, function: Callable[..., Result], *args: object) -> Future[Result]:
        return self._executor.submit(self._timed, function, *args)

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
        HASH_SLOTS_IN_USE.dec()
        self._slots.release()


class HashSlot:
    """One request's place in a :class:`HashPool`, given back when the request is done with
    it (leaving the ``with`` block) and no hash of it still runs: a request that gives up
    (its client disconnected) does not free a thread that is still busy."""

    def __init__(self, pool: HashPool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._running: Future[Any] | None = None
        self._closed = False
        self._given_back = False

    async def run(self, function: Callable[..., Result], *args: object) -> Result:
        if self._closed:
            raise RuntimeError("this hashing slot was already given back")
        future = self._pool._submit(function, *args)
        with self._lock:
            self._running = future
        future.add_done_callback(self._hash_done)
        return await asyncio.wrap_future(future)

    def __enter__(self) -> HashSlot:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._closed = True
            still_hashing = self._running is not None and not self._running.done()
        if not still_hashing:
            self._give_back_once()

    def _hash_done(self, _future: Future[Any]) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._give_back_once()

    def _give_back_once(self) -> None:
        with self._lock:
            if self._given_back:
                return
            self._given_back = True
        self._pool._give_back()


class Passwords:
    """Hashes and checks passwords with the configured cost, in a :class:`HashPool`.

    Checking against an unknown account still costs one verification (of a dummy hash made
    with the same cost), so response time does not reveal whether an e-mail is registered.
    ``hash`` and ``verify`` take a slot for one call; a request that needs several, or
    wants to be refused before it reads anything, holds one with :meth:`reserve`.
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

    def reserve(self) -> PasswordWork:
        """A place in the pool for one request, or :class:`PasswordHashingBusy` at once."""
        return PasswordWork(self, self.pool.reserve())

    async def hash(self, password: str) -> str:
        with self.reserve() as work:
            return await work.hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        with self.reserve() as work:
            return await work.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash made with other parameters than today's (re-hash it at log-in)."""
        return self._hasher.check_needs_rehash(password_hash)

    def _check(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                self._hasher.verify(password_hash or self._dummy_hash, password)
                and password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class PasswordWork:
    """Hashing and checking inside one reserved slot; use it as a ``with`` block."""

    def __init__(self, passwords: Passwords, slot: HashSlot) -> None:
        self._passwords = passwords
        self._slot = slot

    def __enter__(self) -> PasswordWork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._slot.__exit__(kind, error, traceback)

    async def hash(self, password: str) -> str:
        return await self._slot.run(self._passwords._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self._slot.run(self._passwords._check, password_hash, password)
