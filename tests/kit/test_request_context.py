"""The request-context middleware keeps the access log cheap without losing what matters."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from learnhub.kit.http.middleware import RequestContextMiddleware

ACCESS = "learnhub.access"


def app_answering(status: int, *, fail: bool = False) -> ASGIApp:
    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        if fail:
            raise RuntimeError("boom")
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def get(app: RequestContextMiddleware, path: str = "/thing") -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://test",
    ) as client:
        return await client.get(path)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == ACCESS]


async def test_ordinary_requests_are_sampled_out(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    app = RequestContextMiddleware(app_answering(200), service="t", access_log_sample=0.0)

    for _ in range(20):
        assert (await get(app)).status_code == 200

    assert access_lines(caplog) == []


async def test_a_full_sample_logs_every_request(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    app = RequestContextMiddleware(app_answering(404), service="t", access_log_sample=1.0)

    await get(app, "/a")
    await get(app, "/b")

    assert [line.split()[:3] for line in access_lines(caplog)] == [
        ["GET", "/a", "404"],
        ["GET", "/b", "404"],
    ]


async def test_server_errors_are_always_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    app = RequestContextMiddleware(
        app_answering(200, fail=True), service="t", access_log_sample=0.0
    )

    response = await get(app)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert [line.split()[:3] for line in access_lines(caplog)] == [["GET", "/thing", "500"]]


async def test_slow_requests_are_always_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    app = RequestContextMiddleware(
        app_answering(200), service="t", access_log_sample=0.0, slow_request_seconds=1e-9
    )

    await get(app)

    assert [line.split()[:3] for line in access_lines(caplog)] == [["GET", "/thing", "200"]]


async def test_the_request_id_is_echoed_and_invented_when_missing() -> None:
    app = RequestContextMiddleware(app_answering(200), service="t", access_log_sample=0.0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        given = await client.get("/", headers={"X-Request-ID": "abc-123"})
        invented = await client.get("/", headers={"X-Request-ID": "bad id with spaces"})

    assert given.headers["x-request-id"] == "abc-123"
    assert len(invented.headers["x-request-id"]) == 32
