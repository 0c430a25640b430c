"""What the benchmarks share: a fresh PostgreSQL database, free ports, and the platform
started in a child process on a loopback port, stopped when the benchmark ends.

    from _platform import free_port_block, platform, postgres_database
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/11"
DEMO_LEARNER = ("learner1@example.com", "learnhub-learner")


def percentile(values: Iterable[float], percent: float) -> float:
    """The nearest-rank percentile of the values (NaN when there are none)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(percent / 100 * len(ordered)) - 1))]


def free_port_block() -> int:
    """A base port whose service ports (+101, +102, +100) are free too, below the kernel's
    range of ephemeral ports, so the platform's own outgoing connections cannot take one of
    them while it starts."""
    for _ in range(200):
        base = random.randrange(20000, 32000)
        ports = [base, base + 100, base + 101, base + 102]
        if all(_free(port) for port in ports):
            return base
    raise RuntimeError("no free block of ports found")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards."""
    import asyncpg

    name = f"learnhub_bench_{uuid.uuid4().hex[:8]}"

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class RunningPlatform:
    url: str
    pid: int


@contextlib.contextmanager
def platform(
    mode: str,
    port: int,
    data_dir: str,
    database_url: str | None,
    *,
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[RunningPlatform]:
    """``learnhub up`` (``--distributed`` in that mode) on ``port``, ready once the demo
    learner can log in and read its profile; interrupted like Ctrl-C on leaving."""
    child_env = {
        **os.environ,
        "LEARNHUB_LOG_LEVEL": "WARNING",
        # The benches measure capacity, not the gateway's limits: one client sends it all.
        "LEARNHUB_GATEWAY_RATE_LIMIT": "1000000",
        "LEARNHUB_GATEWAY_ANONYMOUS_RATE_LIMIT": "1000000",
        "LEARNHUB_GATEWAY_ADDRESS_RATE_LIMIT": "1000000",
        **(env or {}),
    }
    command = [sys.executable, "-m", "learnhub", "up", "--port", str(port), "--data-dir", data_dir]
    if mode == "distributed":
        command.append("--distributed")
        if workers > 1:
            command += ["--workers", str(workers)]
        child_env["LEARNHUB_DATABASE_URL"] = database_url or ""
        child_env["LEARNHUB_CACHE_URL"] = BENCH_REDIS_URL
    process = subprocess.Popen(
        command, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"learnhub up stopped: {process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200 and _logged_in(url):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the platform did not start within 90 s")
            time.sleep(0.3)
        yield RunningPlatform(url=url, pid=process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _logged_in(url: str) -> bool:
    try:
        return demo_login(url) is not None
    except httpx.HTTPError:
        return False


def demo_login(url: str) -> str | None:
    """The demo learner's access token, once its profile exists; None before."""
    email, password = DEMO_LEARNER
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10
    )
    if response.status_code != 200:
        return None
    token = response.json()["access_token"]
    profile = httpx.get(
        f"{url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    return token if profile.status_code == 200 else None


def process_tree_cpu_seconds(root: int) -> float | None:
    """User + system CPU seconds used so far by a process and its descendants (Linux
    ``/proc``; None elsewhere). Children that already exited are not counted."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the fields start after its closing bracket.
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(used.get(pid, 0.0) for pid in tree)
