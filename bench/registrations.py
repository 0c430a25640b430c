"""Does registration take as long for an e-mail that already has an account as for a new one?

    python bench/registrations.py --count 300

It starts the all-in-one platform in this process on a fresh data folder, registers one
account, then alternates: a new e-mail, the taken one, a new e-mail… through the auth API
(in-process transport, so the network adds no noise), waiting between requests until the
events of the previous one were handled (so that no request pays for another's
background work). It prints the answers' statuses and the median, 10th and 90th
percentile time of each kind, with the Argon2 settings of the environment (production
defaults unless LEARNHUB_AUTH_* says otherwise). It reports figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

PASSWORD = "a bench password"  # noqa: S105


async def measure(count: int) -> dict[str, tuple[list[float], Counter[int]]]:
    from learnhub.kit.config import Settings
    from learnhub.runner.platform import build_all_in_one

    results: dict[str, tuple[list[float], Counter[int]]] = {
        "new": ([], Counter()),
        "taken": ([], Counter()),
    }
    with tempfile.TemporaryDirectory() as data_dir:
        platform, app = build_all_in_one(Settings(data_dir=Path(data_dir), log_level="WARNING"))
        await platform.start()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def register(email: str) -> tuple[float, int]:
                body = {"email": email, "password": PASSWORD, "display_name": "Bench"}
                started = time.perf_counter()
                response = await client.post("/api/v1/auth/register", json=body)
                elapsed = (time.perf_counter() - started) * 1000
                await platform.settle(60)
                return elapsed, response.status_code

            await register("taken@example.org")
            for number in range(count):
                for kind, email in (("new", f"new-{number}@example.org"), ("taken", "taken@example.org")):  # fmt: skip
                    elapsed, status = await register(email)
                    results[kind][0].append(elapsed)
                    results[kind][1][status] += 1
        await platform.stop()
    return results


def main() -> None:
    from learnhub.services.auth.config import AuthSettings

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="Registrations of each kind.")
    arguments = parser.parse_args()
    if not 10 <= arguments.count <= 5000:
        parser.error("keep --count between 10 and 5000")
    auth = AuthSettings()
    results = asyncio.run(measure(arguments.count))
    print(
        f"POST /api/v1/auth/register, in process, alternating  Argon2id m={auth.argon2_memory_cost} "
        f"KiB, t={auth.argon2_time_cost}, p={auth.argon2_parallelism}"
    )
    print(
        f"  {'e-mail':<7} {'count':>6} {'statuses':<12} {'p10 ms':>7} {'median':>7} {'p90 ms':>7}"
    )
    for kind, (times, statuses) in results.items():
        deciles = statistics.quantiles(times, n=10)
        answered = ",".join(f"{status}x{n}" for status, n in sorted(statuses.items()))
        print(
            f"  {kind:<7} {len(times):>6} {answered:<12} {deciles[0]:>7.1f} "
            f"{statistics.median(times):>7.1f} {deciles[-1]:>7.1f}"
        )


if __name__ == "__main__":
    main()
