"""Throughput and tail latency of `GET /api/v1/users/me` with a token, measured with wrk.

    python bench/users_me.py --mode embedded
    python bench/users_me.py --mode distributed      # needs PostgreSQL, RabbitMQ, Redis, nginx

It starts the platform on a free port with a fresh data folder (and, in distributed mode,
a fresh PostgreSQL database), logs in as a demo learner, runs wrk against the gateway and
prints requests/s and latency percentiles. It reports figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator

import httpx

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port_block() -> int:
    """A base port whose service ports (+101, +102, +100) are free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 60000:
            continue
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
    import asyncio

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


@contextlib.contextmanager
def platform(
    mode: str, port: int, data_dir: str, database_url: str | None, *, workers: int = 1
) -> Iterator[str]:
    env = {
        **os.environ,
        "LEARNHUB_LOG_LEVEL": "WARNING",
        "LEARNHUB_GATEWAY_RATE_LIMIT": "1000000",
    }
    command = [sys.executable, "-m", "learnhub", "up", "--port", str(port), "--data-dir", data_dir]
    if mode == "distributed":
        command.append("--distributed")
        if workers > 1:
            command += ["--workers", str(workers)]
        env["LEARNHUB_DATABASE_URL"] = database_url or ""
        env["LEARNHUB_CACHE_URL"] = "redis://127.0.0.1:6379/11"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _logged_in(url: str) -> bool:
    try:
        return login(url) is not None
    except httpx.HTTPError:
        return False


def login(url: str) -> str | None:
    response = httpx.post(
        f"{url}/api/v1/auth/login",
        json={"email": "learner1@example.com", "password": "learnhub-learner"},
        timeout=10,
    )
    if response.status_code != 200:
        return None
    token = response.json()["access_token"]
    if (
        httpx.get(
            f"{url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).status_code
        != 200
    ):
        return None
    return token


def run_wrk(url: str, token: str, *, threads: int, connections: int, duration: int) -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "wrk is not installed: install it from your system's packages (apt-get install wrk)."
        )
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        f"{url}/api/v1/users/me",
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def summarise(output: str) -> dict[str, str]:
    figures = {"requests/s": re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)}
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+\w+)", output, re.MULTILINE)
        figures[f"p{percentile}"] = match.group(1) if match else "?"
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non-2xx"] = errors.group(1) if errors else "0"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=15, help="seconds")
    parser.add_argument("--raw", action="store_true", help="print wrk's own output too")
    arguments = parser.parse_args()

    port = free_port_block()
    with tempfile.TemporaryDirectory() as data_dir, contextlib.ExitStack() as stack:
        database_url = (
            stack.enter_context(postgres_database()) if arguments.mode == "distributed" else None
        )
        url = stack.enter_context(platform(arguments.mode, port, data_dir, database_url))
        token = login(url)
        assert token is not None
        run_wrk(
            url, token, threads=arguments.threads, connections=arguments.connections, duration=3
        )  # warm-up
        output = run_wrk(
            url,
            token,
            threads=arguments.threads,
            connections=arguments.connections,
            duration=arguments.duration,
        )
    if arguments.raw:
        print(output)
    figures = summarise(output)
    print(
        f"GET /api/v1/users/me  mode={arguments.mode}  wrk -t{arguments.threads} -c{arguments.connections} "
        f"-d{arguments.duration}s"
    )
    print("  " + "  ".join(f"{name}={value}" for name, value in figures.items()))


if __name__ == "__main__":
    main()
