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
import re
import shutil
import subprocess
import tempfile

from _platform import demo_login, free_port_block, platform, postgres_database


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
        url = stack.enter_context(platform(arguments.mode, port, data_dir, database_url)).url
        token = demo_login(url)
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
