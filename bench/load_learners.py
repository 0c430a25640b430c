"""Thousands of signed-in learners at once, with Locust: latency and errors at a steady load.

    python bench/load_learners.py --mode embedded --users 5000
    python bench/load_learners.py --mode distributed --users 5000 [--workers 2]

It seeds a fresh data set (`learnhub seed --courses 200 --learners 10000`, or reuses
`--data-dir` / `--database-url` seeded before), starts the platform on a free port, and
runs Locust headless with `bench/locustfile_learners.py`: each of `--users` learners logs in
once as it arrives (`--spawn-rate` per second), then acts every few seconds (exponential
think time, mean `--think`): 55 % reads, 25 % lesson completions, 10 % quiz steps, 5 %
enrollments, 5 % token refreshes. After everyone has arrived it measures `--duration`
seconds. It prints, per request type, the count, req/s, p50, p95 and p99 and the errors in
the steady window, log-ins during the arrival apart, and the CPU the platform and the
generator used; the figures also go to `bench/results/` as JSON. It asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _platform import (
    free_port_block,
    percentile,
    platform,
    postgres_database,
    process_tree_cpu_seconds,
)

RESULTS = Path(__file__).parent / "results"
LOCUSTFILE = Path(__file__).parent / "locustfile_learners.py"


def seed(
    mode: str, data_dir: str, database_url: str | None, *, courses: int, learners: int
) -> float:
    env = {**os.environ, "LEARNHUB_LOG_LEVEL": "WARNING"}
    if mode == "distributed":
        env.update(
            LEARNHUB_DATABASE_URL=database_url or "", LEARNHUB_CACHE_URL="redis://127.0.0.1:6379/11"
        )
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "learnhub",
            "seed",
            "--courses",
            str(courses),
            "--learners",
            str(learners),
            "--data-dir",
            data_dir,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def run_locust(url: str, arguments: argparse.Namespace, samples: Path) -> float:
    """Run Locust to the end; returns the CPU seconds it used."""
    arrival = math.ceil(arguments.users / arguments.spawn_rate)
    env = {
        **os.environ,
        "LEARNHUB_BENCH_THINK": str(arguments.think),
        "LEARNHUB_BENCH_LEARNERS": str(arguments.learners),
        "LEARNHUB_BENCH_SAMPLES": str(samples),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "--users",
            str(arguments.users),
            "--spawn-rate",
            str(arguments.spawn_rate),
            "--run-time",
            f"{arrival + arguments.settle + arguments.duration}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summarise(samples: list[dict[str, Any]], *, steady_from: float, steady_to: float) -> dict:
    steady: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    logins: list[float] = []
    login_failures = 0
    login_refusals = 0
    for sample in samples:
        if sample["name"] == "log in":
            logins.append(sample["ms"])
            login_failures += not sample["ok"]
            continue
        if sample["name"] == "log in refused":
            login_refusals += 1
            continue
        if steady_from <= sample["t"] < steady_to:
            steady[sample["name"]].append(sample["ms"])
            failed[sample["name"]] += not sample["ok"]
    seconds = steady_to - steady_from

    def line(values: list[float], errors: int) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "count": len(ordered),
            "requests_per_second": len(ordered) / seconds if seconds else 0.0,
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "errors": errors,
        }

    everything = [value for values in steady.values() for value in values]
    return {
        "steady_seconds": seconds,
        "requests": {name: line(values, failed[name]) for name, values in sorted(steady.items())},
        "total": line(everything, sum(failed.values())),
        "log_in": {
            **line(logins, login_failures),
            "requests_per_second": None,
            "refused_and_retried": login_refusals,
        },
    }


def report(result: dict[str, Any]) -> str:
    figures = result["figures"]
    lines = [
        f"{result['users']} learners, mode={result['mode']}, workers={result['workers']}, "
        f"think {result['think']} s; steady window {figures['steady_seconds']:.0f} s",
        f"{'request':<18}{'count':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}",
    ]
    rows = [*figures["requests"].items(), ("TOTAL", figures["total"])]
    for name, line in rows:
        lines.append(
            f"{name:<18}{line['count']:>9}{line['requests_per_second']:>9.1f}"
            f"{line['p50_ms']:>9.1f}{line['p95_ms']:>9.1f}{line['p99_ms']:>9.1f}"
            f"{line['errors']:>8}"
        )
    login = figures["log_in"]
    lines.append(
        f"log-ins while arriving: {login['count']} (p50 {login['p50_ms']:.0f} ms, "
        f"p99 {login['p99_ms']:.0f} ms, {login['errors']} errors; "
        f"{login['refused_and_retried']} refusals with Retry-After, tried again)"
    )
    lines.append(
        f"CPU seconds: platform {result['platform_cpu_seconds']:.0f}, load generator "
        f"{result['generator_cpu_seconds']:.0f} (over {result['wall_seconds']:.0f} s)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--workers", type=int, default=1, help="processes per service")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--spawn-rate", type=float, default=40.0, help="arrivals per second")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time, seconds")
    parser.add_argument("--duration", type=int, default=300, help="steady seconds measured")
    parser.add_argument("--settle", type=int, default=15, help="seconds after the arrivals")
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--learners", type=int, default=10000)
    parser.add_argument("--data-dir", help="an already seeded data folder (embedded)")
    parser.add_argument("--database-url", help="an already seeded database (distributed)")
    arguments = parser.parse_args()

    RESULTS.mkdir(exist_ok=True)
    samples_file = RESULTS / f"load_learners-{arguments.mode}-samples.jsonl"
    samples_file.unlink(missing_ok=True)
    with contextlib.ExitStack() as stack:
        data_dir = arguments.data_dir or stack.enter_context(tempfile.TemporaryDirectory())
        database_url = arguments.database_url
        seeding = None
        if arguments.mode == "distributed" and database_url is None:
            database_url = stack.enter_context(postgres_database())
        if not (arguments.data_dir or arguments.database_url):
            seeding = seed(
                arguments.mode,
                data_dir,
                database_url,
                courses=arguments.courses,
                learners=arguments.learners,
            )
        running = stack.enter_context(
            platform(
                arguments.mode,
                free_port_block(),
                data_dir,
                database_url,
                workers=arguments.workers,
                env={"LEARNHUB_ACCESS_LOG_SAMPLE": "0"},
            )
        )
        cpu_before = process_tree_cpu_seconds(running.pid) or 0.0
        started = time.time()
        generator_cpu = run_locust(running.url, arguments, samples_file)
        wall = time.time() - started
        platform_cpu = (process_tree_cpu_seconds(running.pid) or 0.0) - cpu_before
    samples = [json.loads(line) for line in samples_file.read_text().splitlines() if line]
    arrival = math.ceil(arguments.users / arguments.spawn_rate)
    steady_from = started + arrival + arguments.settle
    result = {
        "mode": arguments.mode,
        "workers": arguments.workers,
        "users": arguments.users,
        "think": arguments.think,
        "seeding_seconds": seeding,
        "wall_seconds": wall,
        "platform_cpu_seconds": platform_cpu,
        "generator_cpu_seconds": generator_cpu,
        "figures": summarise(
            samples, steady_from=steady_from, steady_to=steady_from + arguments.duration
        ),
    }
    print(report(result))
    out = RESULTS / f"load_learners-{arguments.mode}-{arguments.users}-w{arguments.workers}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
