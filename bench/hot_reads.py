"""Hot reads against a bare FastAPI endpoint measured in the same run, with wrk.

    python bench/hot_reads.py --mode embedded
    python bench/hot_reads.py --mode distributed [--workers 2]   # PostgreSQL, RabbitMQ, Redis, nginx

It starts a bare FastAPI app (one uvicorn process, one JSON object) and the platform on
free ports with fresh data (demo accounts and courses), signs in as a demo learner (a token
for the API, a session cookie for the web pages), earns a certificate to verify, and runs
wrk (`-t2 -c32` by default) against the bare endpoint first and last and each hot read in
between. It prints req/s, p50 and p99 and each read's share of the bare endpoint's
throughput (the mean of the two bare runs), and writes the figures as JSON under
`bench/results/`. It reports figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from _platform import free_port_block, platform, postgres_database

from learnhub.runner.course_builder import Api, CourseSpec, LessonSpec, SectionSpec, build_course

RESULTS = Path(__file__).parent / "results"
LEARNER = ("learner1@example.com", "learnhub-learner")
GRADUATE = ("learner2@example.com", "learnhub-learner")
INSTRUCTOR = ("instructor@example.com", "learnhub-instructor")

BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    async def bare() -> dict[str, str]:
        return {"status": "ok", "service": "bare"}
    """
)


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "bare", "api" or "web"
    path: str
    headers: tuple[str, ...] = ()


@dataclass
class Figure:
    name: str
    kind: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    share_of_bare: float | None = None


@contextlib.contextmanager
def bare_server(port: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bare_app.py").write_text(BARE_APP)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/bare", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("the bare FastAPI app did not start")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(10)


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, target: Target, *, threads: int, connections: int, duration: int) -> Figure:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: install it from your system's packages.")
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for header in target.headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url + target.path], check=True, capture_output=True, text=True
    ).stdout
    percentiles = {
        match.group(1): _milliseconds(match.group(2))
        for match in re.finditer(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figure(
        name=target.name,
        kind=target.kind,
        path=target.path,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=percentiles.get("50", float("nan")),
        p99_ms=percentiles.get("99", float("nan")),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


async def prepare(url: str) -> dict[str, str]:
    """Tokens, a web session, ids of a course the learner studies, and a certificate code."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        api = Api(client)
        token = await api.login(*LEARNER)
        course = await _course_in_progress(api, token)
        detail = await api.call("GET", f"/api/v1/courses/{course['id']}", token=token)
        lesson = next(
            item
            for section in detail["sections"]
            for item in section["items"]
            if item["kind"] == "lesson"
        )
        code = await _earn_certificate(api)
    cookie = web_session_cookie(url, *LEARNER)
    return {
        "token": token,
        "cookie": cookie,
        "course_id": course["id"],
        "slug": course["slug"],
        "lesson_id": lesson["id"],
        "certificate": code,
    }


async def _course_in_progress(api: Api, token: str) -> dict[str, Any]:
    """The demo learner's course in progress, waiting while `up` still builds the demo
    courses (it does so after the services answer)."""
    deadline = time.monotonic() + 120
    while True:
        dashboard = await api.call("GET", "/api/v1/me/courses", token=token)
        for entry in dashboard:
            if entry["state"] == "in_progress":
                return dict(entry["course"])
        if time.monotonic() > deadline:
            raise RuntimeError("the demo learner has no course in progress after 120 s")
        await asyncio.sleep(1)


async def _earn_certificate(api: Api) -> str:
    instructor = await api.login(*INSTRUCTOR)
    graduate = await api.login(*GRADUATE)
    spec = CourseSpec(
        slug=f"bench-certificate-{int(time.time())}",
        title="A one-lesson course",
        summary="Finished in a minute.",
        description="One lesson, for the benchmark's certificate.",
        category="Benchmarks",
        tags=("bench",),
        level="beginner",
        sections=(SectionSpec("Only", lessons=(LessonSpec("The lesson", "Read me."),)),),
    )
    course = await build_course(api, instructor, spec)
    base = f"/api/v1/courses/{course.id}"
    await api.call("POST", f"{base}/enrollments", token=graduate, expect=(201,))
    progress = await api.call(
        "POST", f"{base}/items/{course.lesson_ids[0]}/complete", token=graduate
    )
    return str(progress["certificate_code"])


def web_session_cookie(url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=url, timeout=30) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = browser.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"web log-in failed with {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def targets(ids: dict[str, str]) -> list[Target]:
    bearer = (f"Authorization: Bearer {ids['token']}",)
    cookie = (f"Cookie: {ids['cookie']}",)
    course = f"/api/v1/courses/{ids['course_id']}"
    return [
        Target("users/me", "api", "/api/v1/users/me", bearer),
        Target("catalog, first page", "api", "/api/v1/courses"),
        Target("catalog, search", "api", "/api/v1/courses?q=data"),
        Target("course outline", "api", course, bearer),
        Target("progress/me", "api", f"{course}/progress/me", bearer),
        Target("dashboard", "api", "/api/v1/me/courses", bearer),
        Target("certificate check", "api", f"/api/v1/certificates/{ids['certificate']}"),
        Target("catalog page", "web", "/courses", cookie),
        Target("course page", "web", f"/courses/{ids['slug']}", cookie),
        Target("lesson player", "web", f"/courses/{ids['slug']}/learn/{ids['lesson_id']}", cookie),
        Target("dashboard page", "web", "/learning", cookie),
    ]


def report(figures: list[Figure], mode: str, settings: dict[str, object]) -> str:
    bare = [figure.requests_per_second for figure in figures if figure.kind == "bare"]
    ceiling = sum(bare) / len(bare)
    for figure in figures:
        figure.share_of_bare = figure.requests_per_second / ceiling
    lines = [
        f"hot reads, mode={mode}, wrk -t{settings['threads']} -c{settings['connections']} "
        f"-d{settings['duration']}s; bare FastAPI = {ceiling:.0f} req/s (mean of {len(bare)} runs)",
        f"{'read':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of bare':>9}{'non-2xx':>9}",
    ]
    for figure in figures:
        lines.append(
            f"{figure.name:<22}{figure.requests_per_second:>9.0f}{figure.p50_ms:>9.1f}"
            f"{figure.p99_ms:>9.1f}{figure.share_of_bare:>8.0%}{figure.non_2xx:>9}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--workers", type=int, default=1, help="processes per service")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per read")
    parser.add_argument("--only", help="run only the reads whose name contains this")
    arguments = parser.parse_args()
    wrk = {
        "threads": arguments.threads,
        "connections": arguments.connections,
        "duration": arguments.duration,
    }

    base_port = free_port_block()
    bare_port = free_port_block()
    with tempfile.TemporaryDirectory() as data_dir, contextlib.ExitStack() as stack:
        database_url = (
            stack.enter_context(postgres_database()) if arguments.mode == "distributed" else None
        )
        url = stack.enter_context(
            platform(arguments.mode, base_port, data_dir, database_url, workers=arguments.workers)
        ).url
        bare_url = stack.enter_context(bare_server(bare_port))
        ids = asyncio.run(prepare(url))
        reads = [
            target for target in targets(ids) if not arguments.only or arguments.only in target.name
        ]
        bare = Target("bare FastAPI", "bare", "/bare")
        figures = [run_wrk(bare_url, bare, **wrk)]
        for target in reads:
            run_wrk(url, target, **{**wrk, "duration": 2})  # warm the caches and connections
            figures.append(run_wrk(url, target, **wrk))
        figures.append(run_wrk(bare_url, bare, **wrk))
    settings = {**wrk, "workers": arguments.workers}
    print(report(figures, arguments.mode, settings))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"hot_reads-{arguments.mode}.json"
    out.write_text(
        json.dumps(
            {"mode": arguments.mode, "settings": settings, "figures": [asdict(f) for f in figures]},
            indent=2,
        )
    )
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
