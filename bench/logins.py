"""Log-ins per second, latency and refusals under a crowd, with production Argon2 settings.

    python bench/logins.py --mode embedded                       # wrk, 64 connections, 30 s
    python bench/logins.py --mode distributed --connections 16   # needs PostgreSQL, RabbitMQ, Redis, nginx
    python bench/logins.py --mode embedded --arrivals 20 --accounts 1000   # open loop, httpx

It seeds ``--accounts`` learner accounts (``bench-learner-NNNNN@example.org``) through the
auth service's own ``register`` with one password hash made once, in a fresh data folder
(embedded) or a fresh PostgreSQL database (distributed), then starts the platform on a free
loopback port and logs in with distinct accounts:

- by default with wrk (closed loop: ``--connections`` clients, each posting the next account
  as soon as its previous answer came, for ``--duration`` seconds), through a Lua script;
- with ``--arrivals RATE``, with httpx (open loop: every account logs in once, starting
  RATE a second, whatever the answers; latency counts from the planned start).

It prints logins/s (200s a second), p50/p99 latency, the count of 2xx, 429, 503, other
4xx, 5xx and transport errors, the answers without Retry-After, and the CPU seconds of the
generator and of the platform, and writes the same as JSON under bench/results/. It
reports figures; it asserts nothing.
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
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _platform import (
    BENCH_REDIS_URL,
    free_port_block,
    percentile,
    platform,
    postgres_database,
    process_tree_cpu_seconds,
)

PASSWORD = "bench learner password"  # noqa: S105  # every seeded account's
RESULTS = Path(__file__).parent / "results"
SEED_BATCH = 500

LUA = """
-- counts and missing are globals: done() reads them from each thread with thread:get
local threads = {}
local accounts, step, counter = ACCOUNTS, THREADS, 0
function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter, counts, missing = first, {}, 0
end
function request()
  local number = counter % accounts + 1
  counter = counter + step
  local body = string.format('{"email":"bench-learner-%05d@example.org","password":"PASSWORD"}', number)
  return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if (status == 429 or status == 503) and not (headers["retry-after"] or headers["Retry-After"]) then
    missing = missing + 1
  end
end
function done(summary, latency, requests)
  local total, absent = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
    absent = absent + thread:get("missing")
  end
  for status, count in pairs(total) do io.write(string.format("status %d %d\\n", status, count)) end
  io.write(string.format("missing_retry_after %d\\n", absent))
  io.write(string.format("socket_errors %d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
  io.write(string.format("duration_us %d\\n", summary.duration))
  io.write(string.format("p50_us %d\\np99_us %d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


# ---------------------------------------------------------------- seeding


async def _seed(settings: Any, accounts: int) -> None:
    """Create the demo accounts and ``accounts`` learners the way the platform would, with
    the auth service's rules, and let every service handle the registration events."""
    from learnhub.runner.demo import seed_demo_accounts
    from learnhub.runner.platform import build_all_in_one
    from learnhub.services.auth.service import register

    seeding, _app = build_all_in_one(settings)
    await seeding.start()
    try:
        auth = seeding.runtime("auth")
        await seed_demo_accounts(auth)
        context = auth.state["auth"]
        password_hash = await context.passwords.hash(PASSWORD)
        for first in range(1, accounts + 1, SEED_BATCH):
            async with auth.db.transaction() as session:
                for number in range(first, min(first + SEED_BATCH, accounts + 1)):
                    await register(
                        session,
                        context,
                        email=f"bench-learner-{number:05d}@example.org",
                        display_name=f"Bench Learner {number}",
                        password_hash=password_hash,
                    )
            await seeding.settle(120)
    finally:
        await seeding.stop()


def seed(mode: str, data_dir: str, database_url: str | None, accounts: int) -> float:
    from learnhub.kit.config import Settings

    started = time.monotonic()
    overrides: dict[str, Any] = {"data_dir": Path(data_dir), "log_level": "WARNING"}
    if mode == "distributed":
        # The seeding runs every service in this process on the in-process bus, so the
        # broker carries only the benchmark's own events.
        overrides |= {"database_url": database_url, "cache_url": BENCH_REDIS_URL}
    asyncio.run(_seed(Settings(**overrides), accounts))
    return time.monotonic() - started


# ---------------------------------------------------------------- load generators


def run_wrk(url: str, *, accounts: int, connections: int, duration: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk, or use --arrivals (httpx).")
    threads = 1  # the generator shares the platform's cores: one thread is enough for it
    script = LUA.replace("ACCOUNTS", str(accounts)).replace("THREADS", str(threads))
    script = script.replace("PASSWORD", PASSWORD)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        output = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s",
             "-s", file.name, f"{url}/api/v1/auth/login"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(file.name)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = Counter(
        {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    )
    figure = dict(re.findall(r"^(\w+) (\d+)$", output, re.M))
    return {
        "generator": f"wrk -t{threads} -c{connections} -d{duration}s (Lua: a distinct account per request)",
        "statuses": counts,
        "transport_errors": int(figure["socket_errors"]),
        "missing_retry_after": int(figure["missing_retry_after"]),
        "seconds": int(figure["duration_us"]) / 1e6,
        "p50_ms": int(figure["p50_us"]) / 1000,
        "p99_ms": int(figure["p99_us"]) / 1000,
        "generator_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


async def _arrivals(url: str, *, accounts: int, rate: float) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    refusal_latencies: list[float] = []
    transport_errors = 0
    missing_retry_after = 0
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        started = time.monotonic()

        async def one(number: int) -> None:
            nonlocal transport_errors, missing_retry_after
            planned = started + (number - 1) / rate
            await asyncio.sleep(max(0.0, planned - time.monotonic()))
            body = {"email": f"bench-learner-{number:05d}@example.org", "password": PASSWORD}
            try:
                response = await client.post("/api/v1/auth/login", json=body)
            except httpx.HTTPError:
                transport_errors += 1
                return
            finally:
                latencies.append((time.monotonic() - planned) * 1000)
            statuses[response.status_code] += 1
            if response.status_code in (429, 503):
                refusal_latencies.append(latencies[-1])
                if "retry-after" not in response.headers:
                    missing_retry_after += 1

        await asyncio.gather(*(one(number) for number in range(1, accounts + 1)))
        elapsed = time.monotonic() - started
    return {
        "generator": f"httpx/asyncio, open loop: {accounts} log-ins arriving at {rate:g}/s",
        "statuses": statuses,
        "transport_errors": transport_errors,
        "missing_retry_after": missing_retry_after,
        "seconds": elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "refusal_max_ms": max(refusal_latencies, default=None),
    }


def run_arrivals(url: str, *, accounts: int, rate: float) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    figures = asyncio.run(_arrivals(url, accounts=accounts, rate=rate))
    after = resource.getrusage(resource.RUSAGE_SELF)
    figures["generator_cpu_s"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return figures


# ---------------------------------------------------------------- report


def summarise(figures: dict[str, Any]) -> dict[str, Any]:
    statuses: Counter[int] = figures["statuses"]
    seconds = figures["seconds"] or 1.0
    return {
        "logins_per_s": round(statuses[200] / seconds, 1),
        "p50_ms": round(figures["p50_ms"], 1),
        "p99_ms": round(figures["p99_ms"], 1),
        "2xx": sum(n for code, n in statuses.items() if 200 <= code < 300),
        "429": statuses[429],
        "503": statuses[503],
        "other_4xx": sum(n for code, n in statuses.items() if 400 <= code < 500 and code != 429),
        "5xx": sum(n for code, n in statuses.items() if code >= 500 and code != 503),
        "transport_errors": figures["transport_errors"],
        "refusals_without_retry_after": figures["missing_retry_after"],
        "slowest_refusal_ms": (
            round(figures["refusal_max_ms"], 1)
            if figures.get("refusal_max_ms") is not None
            else None
        ),
    }


def hashing_settings() -> dict[str, Any]:
    from learnhub.services.auth.config import AuthSettings
    from learnhub.services.auth.passwords import usable_cores

    auth = AuthSettings()
    return {
        "argon2id": f"m={auth.argon2_memory_cost} KiB, t={auth.argon2_time_cost}, p={auth.argon2_parallelism}",
        "hash_workers": auth.hash_workers or usable_cores(),
        "hash_queue": auth.hash_queue,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--accounts", type=int, default=1000, help="Seeded learner accounts.")
    parser.add_argument("--connections", type=int, default=64, help="wrk's concurrent clients.")
    parser.add_argument("--duration", type=int, default=30, help="wrk's seconds of load.")
    parser.add_argument(
        "--arrivals", type=float, metavar="RATE", help="Open loop with httpx: log-ins a second."
    )
    arguments = parser.parse_args()
    if arguments.duration > 600 or arguments.connections > 1000 or arguments.accounts > 100_000:
        parser.error("keep --duration <= 600, --connections <= 1000 and --accounts <= 100000")

    port = free_port_block()
    with tempfile.TemporaryDirectory() as data_dir, contextlib.ExitStack() as stack:
        database_url = (
            stack.enter_context(postgres_database()) if arguments.mode == "distributed" else None
        )
        seeded = seed(arguments.mode, data_dir, database_url, arguments.accounts)
        running = stack.enter_context(platform(arguments.mode, port, data_dir, database_url))
        server_before = process_tree_cpu_seconds(running.pid)
        if arguments.arrivals:
            figures = run_arrivals(
                running.url, accounts=arguments.accounts, rate=arguments.arrivals
            )
        else:
            figures = run_wrk(
                running.url,
                accounts=arguments.accounts,
                connections=arguments.connections,
                duration=arguments.duration,
            )
        server_after = process_tree_cpu_seconds(running.pid)
    platform_cpu = (
        round(server_after - server_before, 1)
        if server_before is not None and server_after is not None
        else None
    )
    result = {
        "benchmark": "logins",
        "mode": arguments.mode,
        "accounts": arguments.accounts,
        "seeding_s": round(seeded, 1),
        "generator": figures["generator"],
        "cores": os.cpu_count(),
        **hashing_settings(),
        **summarise(figures),
        "run_s": round(figures["seconds"], 1),
        "generator_cpu_s": round(figures["generator_cpu_s"], 1),
        "platform_cpu_s": platform_cpu,
    }
    print(report(result))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"logins-{arguments.mode}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def report(result: dict[str, Any]) -> str:
    head = (
        f"POST /api/v1/auth/login  mode={result['mode']}  accounts={result['accounts']}  "
        f"Argon2id {result['argon2id']}  hashing: {result['hash_workers']} threads + "
        f"{result['hash_queue']} waiting\n  load: {result['generator']}"
    )
    columns = ["logins_per_s", "p50_ms", "p99_ms", "2xx", "429", "503", "other_4xx", "5xx",
               "transport_errors"]  # fmt: skip
    widths = [max(len(name), 8) for name in columns]
    lines = [
        head,
        "  " + " ".join(name.rjust(width) for name, width in zip(columns, widths, strict=True)),
        "  "
        + " ".join(
            str(result[name]).rjust(width) for name, width in zip(columns, widths, strict=True)
        ),
        f"  refusals without Retry-After: {result['refusals_without_retry_after']}, slowest "
        f"refusal: {result['slowest_refusal_ms'] or 'n/a'} ms   "
        f"CPU seconds: generator {result['generator_cpu_s']}, platform {result['platform_cpu_s']} "
        f"over {result['run_s']} s on {result['cores']} cores   (seeding {result['seeding_s']} s)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
