"""The generated nginx configuration, run by a real nginx in front of echo servers:
routing, problem documents, request ids, X-Forwarded-For, body and rate limits."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from learnhub.gateway.dispatch import TOO_LARGE_DETAIL, TOO_LARGE_TITLE
from learnhub.gateway.nginx import Upstream, render_nginx_config
from learnhub.kit.config import Settings
from learnhub.runner.distributed import worker_account
from learnhub.runner.registry import SERVICES
from learnhub.services.courses.config import CoursesSettings
from tests.conftest import free_port, nginx_path, port_open, require

pytestmark = pytest.mark.nginx


class Echo(BaseHTTPRequestHandler):
    """Answers every request with who it is, the headers it got and the body's size."""

    protocol_version = "HTTP/1.1"
    upstream_name = "?"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        body = json.dumps(
            {
                "upstream": self.upstream_name,
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "received": received,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # A service echoes the request id; the gateway must not send it twice.
        self.send_header("X-Request-ID", self.headers.get("X-Request-ID", ""))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def echo_server(name: str) -> Iterator[int]:
    handler = type(f"Echo_{name}", (Echo,), {"upstream_name": name})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Gateway:
    url: str
    runtime_dir: Path


@contextmanager
def gateway(
    tmp_path: Path,
    *,
    rate_limit: int = 1000,
    anonymous_rate_limit: int = 1000,
    address_rate_limit: int = 10000,
    max_body_bytes: int = 2 * 1024 * 1024,
    down: str | None = None,
) -> Iterator[Gateway]:
    nginx = nginx_path()
    require("nginx", nginx is not None, "install nginx (apt-get install nginx)")
    assert nginx is not None
    runtime_dir = tmp_path / "nginx"
    runtime_dir.mkdir()
    with ExitStack() as servers:
        ports = {spec.name: servers.enter_context(echo_server(spec.name)) for spec in SERVICES}
        web = servers.enter_context(echo_server("web"))
        if down is not None:
            ports[down] = free_port()
        upstreams = [
            Upstream(spec.name, spec.route_prefixes, "127.0.0.1", ports[spec.name])
            for spec in SERVICES
        ]
        port = free_port()
        config = runtime_dir / "nginx.conf"
        config.write_text(
            render_nginx_config(
                upstreams,
                Upstream("web", ("/",), "127.0.0.1", web),
                listen=f"127.0.0.1:{port}",
                rate_limit=rate_limit,
                anonymous_rate_limit=anonymous_rate_limit,
                address_rate_limit=address_rate_limit,
                max_body_bytes=max_body_bytes,
                runtime_dir=runtime_dir,
                run_as_user=worker_account(runtime_dir),
                worker_processes="1",
            )
        )
        command = [nginx, "-p", str(runtime_dir), "-c", str(config), "-e", str(runtime_dir / "e")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen([*command, "-g", "daemon off;"])
        try:
            deadline = time.monotonic() + 10
            while not port_open("127.0.0.1", port):
                assert process.poll() is None, "nginx stopped at once"
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
            yield Gateway(f"http://127.0.0.1:{port}", runtime_dir)
        finally:
            process.terminate()
            process.wait(10)


def test_routes_by_prefix_and_answers_unknown_api_paths_with_a_problem(tmp_path: Path) -> None:
    with gateway(tmp_path) as gw, httpx.Client(base_url=gw.url) as client:
        expected = {
            "/api/v1/auth/login": "auth",
            "/api/v1/auth": "auth",
            "/.well-known/jwks.json": "auth",
            "/api/v1/users": "users",
            "/api/v1/users/me": "users",
            "/api/v1/users/?limit=5": "users",
            "/api/v1/courses?q=chemistry": "courses",
            "/api/v1/me/courses": "courses",
            "/api/v1/certificates/LH-ABCD": "courses",
            "/": "web",
            "/courses/42": "web",
        }
        for path, upstream in expected.items():
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.json()["upstream"] == upstream, path
            assert response.json()["path"] == path
        for path in ("/api/v1/nosuch/x", "/api/v1/usersX", "/api/v1/authx/login", "/api/"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 404
            assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        assert client.get("/healthz").json() == {"status": "ok", "service": "gateway"}


def test_request_ids_and_forwarded_for_are_passed_on(tmp_path: Path) -> None:
    with gateway(tmp_path) as gw, httpx.Client(base_url=gw.url) as client:
        response = client.get(
            "/api/v1/users/me",
            headers={"X-Request-ID": "trace-me.1", "X-Forwarded-For": "203.0.113.9"},
        )
        got = response.json()["headers"]
        assert got["x-request-id"] == "trace-me.1"
        assert response.headers.get_list("x-request-id") == ["trace-me.1"]
        assert got["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
        assert got["x-forwarded-proto"] == "http"

        fresh = client.get("/api/v1/users/me")
        assert re.fullmatch(r"[0-9a-f]{32}", fresh.json()["headers"]["x-request-id"])
        assert fresh.headers.get_list("x-request-id") == [fresh.json()["headers"]["x-request-id"]]

        forged = client.get("/api/v1/users/me", headers={"X-Request-ID": "no spaces; allowed"})
        assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])


def test_large_bodies_go_through_temp_files_and_too_large_ones_are_refused(
    tmp_path: Path,
) -> None:
    """Bodies bigger than nginx's buffer are written to its temp folder; started as root,
    the workers must be able to write there (they run as the data folder's owner)."""
    with gateway(tmp_path) as gw, httpx.Client(base_url=gw.url) as client:
        body = b"x" * 1_000_000
        response = client.post("/api/v1/auth/register", content=body)
        assert response.status_code == 200, response.text
        assert response.json()["received"] == len(body)
        assert "buffered to a temporary file" in (gw.runtime_dir / "error.log").read_text()

        at_the_limit = client.post("/api/v1/auth/register", content=b"x" * 2 * 1024 * 1024)
        assert at_the_limit.status_code == 200
        too_large = client.post("/api/v1/auth/register", content=b"x" * (2 * 1024 * 1024 + 1))
        assert too_large.status_code == 413
        assert too_large.headers["content-type"] == "application/problem+json"
        # The same problem as the all-in-one gateway's.
        assert too_large.json() == {
            "type": "about:blank",
            "title": TOO_LARGE_TITLE,
            "status": 413,
            "detail": TOO_LARGE_DETAIL,
        }


def test_the_largest_upload_goes_through_with_the_default_limit(tmp_path: Path) -> None:
    largest = CoursesSettings().max_upload_bytes
    limit = Settings().max_request_bytes
    with (
        gateway(tmp_path, max_body_bytes=limit) as gw,
        httpx.Client(base_url=gw.url, timeout=60) as client,
    ):
        response = client.post(
            "/api/v1/courses/c/lessons/l/attachments",
            files={"file": ("largest.bin", bytes(largest), "application/octet-stream")},
        )
        assert response.status_code == 200, response.text
        assert response.json()["upstream"] == "courses"
        assert response.json()["received"] > largest


def test_anonymous_traffic_is_limited_per_address_with_429_problems(tmp_path: Path) -> None:
    with (
        gateway(tmp_path, anonymous_rate_limit=1) as gw,
        httpx.Client(base_url=gw.url) as client,
    ):
        statuses = [client.get("/api/v1/users/me").status_code for _ in range(12)]
        assert statuses[0] == 200
        assert 429 in statuses
        limited = client.get("/api/v1/users/me")
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["status"] == 429


def test_a_service_that_does_not_answer_is_a_502_problem(tmp_path: Path) -> None:
    with gateway(tmp_path, down="users") as gw, httpx.Client(base_url=gw.url) as client:
        response = client.get("/api/v1/users/me")
        assert response.status_code == 502
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Bad Gateway"
        assert client.get("/api/v1/auth/login").status_code == 200


def test_signed_in_traffic_is_limited_per_person_not_per_address(tmp_path: Path) -> None:
    # given: one person's limit is 1 request/s (burst 4), and 300 people share one address
    with (
        gateway(tmp_path, rate_limit=1, anonymous_rate_limit=1) as gw,
        httpx.Client(base_url=gw.url) as client,
    ):
        # when: each of a classroom's learners makes a few requests at once
        classroom = [
            client.get("/api/v1/users/me", headers={"Authorization": f"Bearer learner-{n}"})
            for n in range(300)
            for _ in range(2)
        ]
        # then: nobody is stopped
        assert {response.status_code for response in classroom} == {200}
        # when: one of them hammers the API
        hammering = [
            client.get("/api/v1/users/me", headers={"Authorization": "Bearer learner-7"})
            for _ in range(10)
        ]
        # then: only they are stopped; a classmate with a web session goes on
        assert 429 in {response.status_code for response in hammering}
        page = client.get("/courses", headers={"Cookie": "lh_session=classmate"})
        assert page.status_code == 200
        other = client.get("/api/v1/users/me", headers={"Authorization": "Bearer learner-8"})
        assert other.status_code == 200


def test_every_address_has_a_ceiling_whatever_credentials_it_sends(tmp_path: Path) -> None:
    with (
        gateway(tmp_path, rate_limit=1000, address_rate_limit=1) as gw,
        httpx.Client(base_url=gw.url) as client,
    ):
        statuses = [
            client.get("/api/v1/users/me", headers={"Authorization": f"Bearer made-up-{n}"})
            for n in range(12)
        ]
        assert 429 in {response.status_code for response in statuses}
