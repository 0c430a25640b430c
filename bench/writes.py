"""Durable writes: lesson completions per second, how soon their events leave the outbox,
and a rush of quiz starts by different learners.

    python bench/writes.py --mode embedded
    python bench/writes.py --mode distributed [--workers 2]   # PostgreSQL, RabbitMQ, Redis, nginx

It prepares a course of `--lessons` lessons and a quiz with `--learners` enrolled learners
(through the services' own functions, with cheap password hashing: log-ins are measured by
`bench/logins.py`, not here), starts the platform on a free port, and then:

1. **completions**: wrk sends `POST …/items/{lesson}/complete` for distinct (learner,
   lesson) pairs, so each request records a new outcome (row + outbox in one transaction),
   `--connections` at a time for `--duration` seconds. Reported: writes/s, p50, p99.
2. **event lag**: for the events those writes recorded, the time from commit to the relay
   handing them to the bus (from the outbox's own timestamps); in distributed mode also to
   their delivery to a queue of the benchmark's own bound to RabbitMQ's exchange.
3. **quiz starts**: every learner starts the quiz at once (all requests sent within about a
   second). Reported: successes, p50/p99, and the number of learners with more than one
   attempt (it must be 0).

Figures also go to `bench/results/` as JSON. It reports figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from _platform import BENCH_REDIS_URL, free_port_block, percentile, platform, postgres_database

RESULTS = Path(__file__).parent / "results"
PASSWORD = "bench writer password"  # noqa: S105  # every prepared learner's
CHEAP_HASHING = {
    "LEARNHUB_AUTH_ARGON2_TIME_COST": "1",
    "LEARNHUB_AUTH_ARGON2_MEMORY_COST": "1024",
    "LEARNHUB_AUTH_ARGON2_PARALLELISM": "1",
}

LUA = """
local lines, index = {}, 0
function init(args)
  local thread_id, threads = tonumber(args[1]), tonumber(args[2])
  local n = 0
  for line in io.lines("PLAN") do
    if n % threads == thread_id then table.insert(lines, line) end
    n = n + 1
  end
end
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function request()
  index = index + 1
  if index > #lines then index = 1 end
  local token, path = lines[index]:match("([^ ]+) ([^ ]+)")
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token})
end
"""


# ---------------------------------------------------------------- preparing the data


async def _prepare(settings: Any, *, learners: int, lessons: int) -> dict[str, Any]:
    from learnhub.runner.course_builder import (
        Api,
        CourseSpec,
        LessonSpec,
        QuizSpec,
        SectionSpec,
        build_course,
    )
    from learnhub.runner.demo import seed_demo_accounts
    from learnhub.runner.platform import INTERNAL_BASE_URL, build_all_in_one
    from learnhub.services.auth.service import register

    preparing, app = build_all_in_one(settings, with_web=False)
    await preparing.start()
    try:
        auth = preparing.runtime("auth")
        await seed_demo_accounts(auth)
        context = auth.state["auth"]
        password_hash = await context.passwords.hash(PASSWORD)
        async with auth.db.transaction() as session:
            for number in range(1, learners + 1):
                await register(
                    session,
                    context,
                    email=f"bench-writer-{number:05d}@example.org",
                    display_name=f"Bench Writer {number}",
                    password_hash=password_hash,
                )
        await preparing.settle(300)
        spec = CourseSpec(
            slug="bench-writes",
            title="Bench writes",
            summary="Lessons to complete, a quiz to start.",
            description="",
            category="Benchmarks",
            tags=("bench",),
            level="beginner",
            sections=(
                SectionSpec(
                    "All",
                    lessons=tuple(LessonSpec(f"Lesson {n}", "Read me.") for n in range(lessons)),
                    quiz=QuizSpec(
                        "Quick quiz",
                        (
                            {
                                "type": "true_false",
                                "prompt": "The sky is blue.",
                                "correct": True,
                                "points": 1,
                            },
                        ),
                        attempts_allowed=None,
                    ),
                ),
            ),
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=INTERNAL_BASE_URL, timeout=60
        ) as client:
            api = Api(client)
            instructor = await api.login("instructor@example.com", "learnhub-instructor")
            course = await build_course(api, instructor, spec)
            base = f"/api/v1/courses/{course.id}"
            for first in range(1, learners + 1, 200):
                batch = range(first, min(first + 200, learners + 1))
                emails = "email,role\n" + "".join(
                    f"bench-writer-{n:05d}@example.org,learner\n" for n in batch
                )
                await api.call(
                    "POST",
                    f"{base}/enrollments/bulk",
                    token=instructor,
                    files={"file": ("learners.csv", emails.encode(), "text/csv")},
                )
        await preparing.settle(300)
        return {
            "course_id": course.id,
            "lesson_ids": course.lesson_ids,
            "quiz_id": course.quiz_ids[0],
        }
    finally:
        await preparing.stop()


def prepare(mode: str, data_dir: str, database_url: str | None, **sizes: int) -> dict[str, Any]:
    from learnhub.kit.config import Settings

    os.environ.update(CHEAP_HASHING)
    overrides: dict[str, Any] = {"data_dir": Path(data_dir), "log_level": "WARNING"}
    if mode == "distributed":
        overrides |= {"database_url": database_url, "cache_url": BENCH_REDIS_URL}
    return asyncio.run(_prepare(Settings(**overrides), **sizes))


# ---------------------------------------------------------------- measuring


async def _log_in_all(url: str, learners: int) -> list[str]:
    limits = httpx.Limits(max_connections=8)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one(number: int) -> str:
            while True:
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"email": f"bench-writer-{number:05d}@example.org", "password": PASSWORD},
                )
                if response.status_code not in (429, 503):
                    break
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            response.raise_for_status()
            return str(response.json()["access_token"])

        return list(await asyncio.gather(*(one(n) for n in range(1, learners + 1))))


def completions(
    url: str, tokens: list[str], ids: dict[str, Any], *, connections: int, duration: int
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: install it from your system's packages.")
    base = f"/api/v1/courses/{ids['course_id']}"
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan.txt"
        # Lesson-major order: every learner completes lesson 1, then lesson 2...; pairs are
        # distinct until the plan wraps round.
        plan.write_text(
            "".join(
                f"{token} {base}/items/{lesson}/complete\n"
                for lesson in ids["lesson_ids"]
                for token in tokens
            )
        )
        script = Path(folder) / "complete.lua"
        script.write_text(LUA.replace("PLAN", str(plan)))
        threads = 1
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
             "-s", str(script), url, "--", "0", str(threads)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    return {
        "writes_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "requests": int(total.group(1)) if total else None,
        "p50": percentiles.get("50"),
        "p99": percentiles.get("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "distinct_pairs": len(tokens) * len(ids["lesson_ids"]),
        "generator": f"wrk -t{threads} -c{connections} -d{duration}s (Lua: a pair per request)",
        "generator_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


async def _relay_lag(mode: str, data_dir: str, database_url: str | None, since: float) -> dict:
    """Commit to publication of the courses events recorded since ``since``, from the outbox."""
    from sqlalchemy import select

    from learnhub.kit.db import Database
    from learnhub.kit.events.tables import outbox_table

    url = database_url if mode == "distributed" else f"sqlite:///{data_dir}/courses.db"
    db = Database(url or "", service="courses")
    try:
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(outbox_table.c.created_at, outbox_table.c.published_at).where(
                        outbox_table.c.type.in_(["lesson.completed.v1", "progress.updated.v1"])
                    )
                )
            ).all()
    finally:
        await db.dispose()
    lags = [
        (row.published_at - row.created_at).total_seconds() * 1000
        for row in rows
        if row.created_at.timestamp() >= since and row.published_at is not None
    ]
    unpublished = sum(
        1 for row in rows if row.created_at.timestamp() >= since and row.published_at is None
    )
    return {
        "events": len(lags),
        "unpublished": unpublished,
        "p50_ms": percentile(lags, 50),
        "p99_ms": percentile(lags, 99),
        "max_ms": max(lags, default=float("nan")),
    }


class BrokerWatch:
    """A queue of the benchmark's own on RabbitMQ's exchange: when each event arrives."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lags: list[float] = []

    async def run(self, stop: asyncio.Event) -> None:
        import aio_pika

        connection = await aio_pika.connect_robust(self.url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange("learnhub.events")
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            for event_type in ("lesson.completed.v1", "progress.updated.v1"):
                await queue.bind(exchange, routing_key=event_type)

            async def on_message(message: Any) -> None:
                async with message.process():
                    recorded = datetime.fromisoformat(json.loads(message.body)["time"])
                    self.lags.append((time.time() - recorded.timestamp()) * 1000)

            await queue.consume(on_message)
            await stop.wait()


async def _quiz_rush(url: str, tokens: list[str], ids: dict[str, Any]) -> dict[str, Any]:
    """Every learner, on a connection of its own opened beforehand, starts the quiz at once.

    The requests are written on plain sockets: an HTTP client library with thousands of
    connections in one process spends more CPU than the platform does, and would measure
    itself."""
    path = f"/api/v1/courses/{ids['course_id']}/quizzes/{ids['quiz_id']}/attempts"
    host, port = httpx.URL(url).host, httpx.URL(url).port
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    go = asyncio.Event()

    async def start(token: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
        await go.wait()
        began = time.perf_counter()
        writer.write(request)
        status_line = await reader.readline()
        latencies.append((time.perf_counter() - began) * 1000)
        status = int(status_line.split()[1]) if status_line else 0
        statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    tasks = [asyncio.create_task(start(token)) for token in tokens]
    await asyncio.sleep(2)  # every connection open and waiting
    began = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        attempts = await client.get(
            path, headers={"Authorization": f"Bearer {tokens[0]}"}, params={"limit": 100}
        )
    return {
        "learners": len(tokens),
        "statuses": statuses,
        "seconds_to_answer_all": elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "first_learner_attempts": len(attempts.json().get("items", [])),
    }


async def _duplicate_attempts(mode: str, data_dir: str, database_url: str | None) -> int:
    from sqlalchemy import func, select

    from learnhub.kit.db import Database
    from learnhub.services.courses.quizzes.models import QuizAttempt

    url = database_url if mode == "distributed" else f"sqlite:///{data_dir}/courses.db"
    db = Database(url or "", service="courses")
    try:
        async with db.session() as session:
            per_learner = (
                select(QuizAttempt.user_id, func.count().label("attempts"))
                .group_by(QuizAttempt.quiz_id, QuizAttempt.user_id)
                .subquery()
            )
            return int(
                await session.scalar(
                    select(func.count()).select_from(per_learner).where(per_learner.c.attempts > 1)
                )
                or 0
            )
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--workers", type=int, default=1, help="processes per service")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--lessons", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=15, help="seconds of completions")
    arguments = parser.parse_args()

    result: dict[str, Any] = {"mode": arguments.mode, "workers": arguments.workers}
    with tempfile.TemporaryDirectory() as data_dir, contextlib.ExitStack() as stack:
        database_url = (
            stack.enter_context(postgres_database()) if arguments.mode == "distributed" else None
        )
        started = time.monotonic()
        ids = prepare(
            arguments.mode,
            data_dir,
            database_url,
            learners=arguments.learners,
            lessons=arguments.lessons,
        )
        result["prepare_seconds"] = time.monotonic() - started
        running = stack.enter_context(
            platform(
                arguments.mode,
                free_port_block(),
                data_dir,
                database_url,
                workers=arguments.workers,
                env={**CHEAP_HASHING, "LEARNHUB_ACCESS_LOG_SAMPLE": "0"},
            )
        )
        tokens = asyncio.run(_log_in_all(running.url, arguments.learners))

        async def measure_writes() -> dict[str, Any]:
            stop = asyncio.Event()
            watch = BrokerWatch("amqp://guest:guest@127.0.0.1:5672/")
            watcher = (
                asyncio.create_task(watch.run(stop)) if arguments.mode == "distributed" else None
            )
            await asyncio.sleep(1)
            since = time.time()
            figures = await asyncio.to_thread(
                completions,
                running.url,
                tokens,
                ids,
                connections=arguments.connections,
                duration=arguments.duration,
            )
            await asyncio.sleep(3)  # let the relays catch up before reading the outbox
            stop.set()
            if watcher is not None:
                await watcher
                figures["broker_lag"] = {
                    "events": len(watch.lags),
                    "p50_ms": percentile(watch.lags, 50),
                    "p99_ms": percentile(watch.lags, 99),
                }
            figures["relay_lag"] = await _relay_lag(arguments.mode, data_dir, database_url, since)
            return figures

        result["completions"] = asyncio.run(measure_writes())
        result["quiz_starts"] = asyncio.run(_quiz_rush(running.url, tokens, ids))
        result["quiz_starts"]["learners_with_two_attempts"] = asyncio.run(
            _duplicate_attempts(arguments.mode, data_dir, database_url)
        )
    print(json.dumps(result, indent=2, default=str))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"writes-{arguments.mode}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"figures written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
