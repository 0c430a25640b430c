"""Learners studying at once: a load scenario against a running learnhub.

    python bench/learner_journey.py --url http://127.0.0.1:8000 --users 50 --duration 60
    python bench/learner_journey.py --mode embedded --courses 200 --learners 10000
    python bench/learner_journey.py --mode distributed --courses 200 --learners 10000

Each virtual learner logs in once as a seeded account (`learnhub seed`), reads the courses
it is enrolled in, then loops: search the catalog, open one of its courses, view a lesson,
mark it complete, read its progress, and take the course's quiz (start an attempt, submit
answers). It prints, per request type and overall: count, requests/s, p50/p95/p99 latency
and errors (non-2xx other than the expected 409s, which are counted apart).

With --mode it reproduces a figure by itself: it seeds a fresh data folder (embedded) or a
fresh PostgreSQL database (distributed), starts the platform on a free port, runs the
scenario and stops everything. Traffic goes only to a loopback address, for a bounded time
and number of requests. It reports figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from _platform import free_port_block, percentile, platform, postgres_database

PASSWORD = "learnhub-learner"  # noqa: S105  # the seeded learners' password
SEARCH_WORDS = ("introduction", "applied", "advanced", "python", "biology", "music", "english")
CATEGORIES = ("Science", "Computing", "Languages", "Business", "Arts", "Health")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: dict[str, str] = field(default_factory=dict)
    requests: int = 0


class Budget:
    """Stops every virtual learner at the deadline or after the last allowed request."""

    def __init__(self, *, deadline: float, max_requests: int) -> None:
        self.deadline = deadline
        self.left = max_requests

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


class Learner:
    def __init__(self, client: httpx.AsyncClient, stats: Stats, budget: Budget) -> None:
        self.client = client
        self.stats = stats
        self.budget = budget
        self.headers: dict[str, str] = {}

    async def request(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        if not self.budget.take():
            raise TimeoutError
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError as error:
            self.stats.latencies[name].append((time.perf_counter() - started) * 1000)
            self.stats.errors[name] += 1
            self.stats.error_samples.setdefault(name, f"{type(error).__name__}: {error}")
            self.stats.requests += 1
            return None
        self.stats.latencies[name].append((time.perf_counter() - started) * 1000)
        self.stats.requests += 1
        if response.status_code == 409:
            self.stats.conflicts[name] += 1
            return None
        if not 200 <= response.status_code < 300:
            self.stats.errors[name] += 1
            self.stats.error_samples.setdefault(
                name, f"{response.status_code} {response.text[:200]}"
            )
            return None
        return response.json() if response.content else {}

    async def run(self, email: str, rng: random.Random) -> None:
        tokens = await self.request(
            "login", "POST", "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        if tokens is None:
            return
        self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        mine = await self.request("my courses", "GET", "/api/v1/me/courses")
        course_ids = [entry["course"]["id"] for entry in mine or [] if entry["role"] == "learner"]
        if not course_ids:
            return
        while True:
            await self.journey(rng, rng.choice(course_ids))

    async def journey(self, rng: random.Random, course_id: str) -> None:
        if rng.random() < 0.5:
            params = {"q": rng.choice(SEARCH_WORDS), "limit": 20}
        else:
            params = {"category": rng.choice(CATEGORIES), "limit": 20}
        await self.request("catalog", "GET", "/api/v1/courses", params=params)
        base = f"/api/v1/courses/{course_id}"
        course = await self.request("course", "GET", base)
        if course is None:
            return
        items = [item for section in course["sections"] for item in section["items"]]
        lessons = [item["id"] for item in items if item["kind"] == "lesson"]
        quizzes = [item["id"] for item in items if item["kind"] == "quiz"]
        if lessons:
            lesson_id = rng.choice(lessons)
            await self.request("lesson", "GET", f"{base}/lessons/{lesson_id}")
            await self.request("complete", "POST", f"{base}/items/{lesson_id}/complete")
        await self.request("progress", "GET", f"{base}/progress/me")
        if quizzes:
            attempts = f"{base}/quizzes/{rng.choice(quizzes)}/attempts"
            attempt = await self.request("quiz start", "POST", attempts)
            if attempt is not None:
                answers = {
                    question["id"]: _some_answer(question, rng) for question in attempt["questions"]
                }
                await self.request(
                    "quiz submit",
                    "POST",
                    f"{attempts}/{attempt['id']}/submit",
                    json={"answers": answers},
                )


def _some_answer(question: dict[str, Any], rng: random.Random) -> Any:
    kind = question["type"]
    if kind == "single_choice":
        return rng.choice(question["options"])["id"]
    if kind == "multiple_choice":
        return [option["id"] for option in question["options"] if rng.random() < 0.6]
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "numeric":
        return rng.randint(1, 81)
    return "an answer"


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        allowed = False
    if not allowed:
        raise SystemExit(f"{url} is not a loopback address: this benchmark only targets 127.0.0.1.")
    return url.rstrip("/")


async def scenario(
    url: str,
    *,
    users: int,
    duration: float,
    ramp: float,
    learners: int,
    max_requests: int,
    seed: int,
) -> tuple[Stats, float]:
    stats = Stats()
    rng = random.Random(seed)
    emails = [
        f"seed-learner-{number:05d}@example.org"
        for number in rng.sample(range(1, learners + 1), min(users, learners))
    ]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        started = time.monotonic()
        budget = Budget(deadline=started + duration, max_requests=max_requests)

        async def one(index: int, email: str) -> None:
            await asyncio.sleep(ramp * index / max(len(emails), 1))
            with contextlib.suppress(TimeoutError):
                await Learner(client, stats, budget).run(email, random.Random(seed + index))

        await asyncio.gather(*(one(index, email) for index, email in enumerate(emails)))
        elapsed = time.monotonic() - started
    return stats, elapsed


def report(stats: Stats, elapsed: float, title: str) -> str:
    order = ["login", "my courses", "catalog", "course", "lesson", "complete", "progress",
             "quiz start", "quiz submit"]  # fmt: skip
    lines = [
        title,
        f"{'request':<12} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'409s':>6}",
    ]
    everything: list[float] = []
    for name in [name for name in order if name in stats.latencies]:
        values = stats.latencies[name]
        everything.extend(values)
        lines.append(_row(name, values, elapsed, stats.errors[name], stats.conflicts[name]))
    lines.append(
        _row(
            "TOTAL", everything, elapsed, sum(stats.errors.values()), sum(stats.conflicts.values())
        )
    )
    for name, sample in stats.error_samples.items():
        lines.append(f"  first error of {name}: {sample}")
    return "\n".join(lines)


def _row(name: str, values: list[float], elapsed: float, errors: int, conflicts: int) -> str:
    if not values:
        return f"{name:<12} {0:>7}"
    return (
        f"{name:<12} {len(values):>7} {len(values) / elapsed:>8.1f} "
        f"{percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f} "
        f"{percentile(values, 99):>8.1f} {errors:>7} {conflicts:>6}"
    )


# ---------------------------------------------------------------- --mode: one command, one figure


def _seed(env: dict[str, str], data_dir: str, *, courses: int, learners: int) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "learnhub", "seed", "--courses", str(courses),
         "--learners", str(learners), "--data-dir", data_dir],
        env=env, check=True,
    )  # fmt: skip
    return time.monotonic() - started


def run_mode(arguments: argparse.Namespace) -> None:
    port = free_port_block()
    with tempfile.TemporaryDirectory() as data_dir, contextlib.ExitStack() as stack:
        env = {**os.environ, "LEARNHUB_LOG_LEVEL": "WARNING"}
        database_url = None
        if arguments.mode == "distributed":
            database_url = stack.enter_context(postgres_database())
            # Seeding runs every service in its own process on the in-process bus, so the
            # broker carries only the benchmark's events.
            env |= {
                "LEARNHUB_DATABASE_URL": database_url,
                "LEARNHUB_BUS_URL": "memory://",
                "LEARNHUB_CACHE_URL": "redis://127.0.0.1:6379/11",
            }
        seeded = _seed(env, data_dir, courses=arguments.courses, learners=arguments.learners)
        url = stack.enter_context(platform(arguments.mode, port, data_dir, database_url)).url
        stats, elapsed = asyncio.run(
            scenario(
                url,
                users=arguments.users,
                duration=arguments.duration,
                ramp=arguments.ramp,
                learners=arguments.learners,
                max_requests=arguments.max_requests,
                seed=arguments.seed,
            )
        )
    print(
        report(
            stats,
            elapsed,
            f"learner journey  mode={arguments.mode}  courses={arguments.courses} "
            f"learners={arguments.learners}  seeding {seeded:.0f} s  users={arguments.users} "
            f"duration={arguments.duration:.0f}s ramp={arguments.ramp:.0f}s  ({elapsed:.1f} s)",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="A running platform's gateway, e.g. http://127.0.0.1:8000.")
    parser.add_argument("--mode", choices=["embedded", "distributed"])
    parser.add_argument("--users", type=int, default=50, help="Virtual learners.")
    parser.add_argument("--duration", type=float, default=60, help="Seconds, ramp included.")
    parser.add_argument("--ramp", type=float, default=10, help="Seconds to start every learner.")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="Stop after these.")
    parser.add_argument("--learners", type=int, default=10_000, help="Seeded learner accounts.")
    parser.add_argument("--courses", type=int, default=200, help="Courses to seed (--mode).")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.duration > 3600 or arguments.users > 2000:
        parser.error("keep --duration at most 3600 s and --users at most 2000")
    if arguments.mode:
        run_mode(arguments)
        return
    if not arguments.url:
        parser.error("give --url of a running platform, or --mode to start one")
    url = _loopback(arguments.url)
    stats, elapsed = asyncio.run(
        scenario(
            url,
            users=arguments.users,
            duration=arguments.duration,
            ramp=arguments.ramp,
            learners=arguments.learners,
            max_requests=arguments.max_requests,
            seed=arguments.seed,
        )
    )
    print(report(stats, elapsed, f"learner journey  {url}  users={arguments.users}"))


if __name__ == "__main__":
    main()
