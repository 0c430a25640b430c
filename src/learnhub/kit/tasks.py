"""Periodic tasks: work a service does on its own, every so often, outside any request.

A service lists its :class:`PeriodicTask` objects in its spec; the runtime runs each one
in a loop once the platform is up and cancels it on stop. A run opens its own transaction
(the task boundary commits, as the request boundary does for endpoints). Every replica of
a service runs the same tasks, so a task must be safe to run twice at once: it changes rows
with conditional updates, the way concurrent requests do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learnhub.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    """``run(runtime)`` every ``interval(runtime)`` seconds, the first time one interval
    after the start. The interval is read from the runtime so that a service's settings can
    choose it; zero or less turns the task off."""

    name: str
    run: Callable[[ServiceRuntime], Awaitable[object]]
    interval: Callable[[ServiceRuntime], float]


class Scheduler:
    """Runs a service's periodic tasks until stopped. A failing run is logged and the task
    carries on at its next interval."""

    def __init__(self, runtime: ServiceRuntime, tasks: tuple[PeriodicTask, ...]) -> None:
        self._runtime = runtime
        self._tasks = tasks
        self._running: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for task in self._tasks:
            interval = task.interval(self._runtime)
            if interval > 0:
                self._running.append(
                    asyncio.create_task(
                        self._loop(task, interval), name=f"{self._runtime.name}:{task.name}"
                    )
                )

    async def _loop(self, task: PeriodicTask, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await task.run(self._runtime)
            except Exception:
                log.exception("periodic task %s of %s failed", task.name, self._runtime.name)

    async def stop(self) -> None:
        running, self._running = self._running, []
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
