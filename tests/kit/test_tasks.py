"""The periodic task scheduler: runs each task again and again, survives a failing run, and
stops every loop on stop."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from learnhub.kit.tasks import PeriodicTask, Scheduler


async def test_a_task_runs_again_after_a_failure_and_stops_on_stop() -> None:
    # given a task whose second run fails, and a task turned off
    runs: list[int] = []
    third_run = asyncio.Event()

    async def work(_runtime: Any) -> None:
        runs.append(len(runs) + 1)
        if len(runs) == 2:
            raise RuntimeError("a bad run")
        if len(runs) >= 3:
            third_run.set()

    async def never(_runtime: Any) -> None:
        raise AssertionError("a task with interval 0 must not run")

    runtime: Any = SimpleNamespace(name="sample", interval=0.001)
    scheduler = Scheduler(
        runtime,
        (
            PeriodicTask("work", work, lambda runtime: runtime.interval),
            PeriodicTask("off", never, lambda _runtime: 0),
        ),
    )
    # when
    scheduler.start()
    await asyncio.wait_for(third_run.wait(), timeout=10)
    await scheduler.stop()
    stopped_at = len(runs)
    await asyncio.sleep(0.01)
    # then
    assert runs[:3] == [1, 2, 3]
    assert len(runs) == stopped_at
