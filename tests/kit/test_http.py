"""The HTTP chassis: problem details for every error, request ids, health, readiness,
metrics by route template, and cursors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from learnhub.kit.db import Database
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.http.app import create_service_app
from learnhub.kit.http.pagination import InvalidCursor, decode_cursor, encode_cursor
from learnhub.runner.registry import service_names
from tests.conftest import Stack, free_port
from tests.kit.sample_service import build_runtime

PROBLEM = "application/problem+json"
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def assert_problem(
    response: httpx.Response, status: int, type_uri: str, title: str
) -> dict[str, Any]:
    """The response is a problem document of that kind, with the request's id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == type_uri
    assert body["title"] == title
    assert body["status"] == status
    assert body["request_id"]
    return body


@pytest.fixture
async def notebook(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The test-only service's app alone, on a SQLite file."""
    db = Database(
        f"sqlite+aiosqlite:///{(tmp_path / 'notebook.db').as_posix()}", service="notebook"
    )
    bus = InProcessBus()
    app = create_service_app(build_runtime(db, bus, tmp_path))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        yield client
    await bus.close()
    await db.dispose()


async def test_an_unknown_api_path_is_a_404_problem(embedded: Stack) -> None:
    response = await embedded.client.get("/api/v9/nothing/here")

    body = assert_problem(response, 404, "about:blank", "Not Found")
    assert body["detail"] == "There is nothing at /api/v9/nothing/here."
    assert body["instance"] == "/api/v9/nothing/here"


async def test_an_unknown_route_of_a_service_is_a_404_problem(embedded: Stack) -> None:
    response = await embedded.client.get("/api/v1/users/me/shoe-size/left")

    body = assert_problem(response, 404, "about:blank", "Not Found")
    assert body["detail"] == "There is nothing at /api/v1/users/me/shoe-size/left."
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_wrong_method_is_a_405_problem(embedded: Stack) -> None:
    response = await embedded.client.delete("/api/v1/users/me")

    body = assert_problem(response, 405, "about:blank", "Method Not Allowed")
    assert body["detail"] == "DELETE is not allowed on /api/v1/users/me."
    # Starlette names only the first matching route's methods (PATCH is missing).
    assert "GET" in response.headers["allow"]


async def test_an_invalid_payload_is_a_422_problem_listing_the_fields(embedded: Stack) -> None:
    response = await embedded.client.post(
        "/api/v1/auth/register",
        json={"email": "not-an-email", "display_name": "Ada"},
    )

    body = assert_problem(
        response, 422, "/problems/validation-error", "Your request has invalid fields"
    )
    fields = {problem["field"]: problem for problem in body["errors"]}
    assert sorted(fields) == ["email", "password"]
    assert fields["email"]["pointer"] == "#/email"
    assert fields["password"]["pointer"] == "#/password"
    assert fields["password"]["detail"] == "Field required"
    assert fields["password"]["code"] == "missing"
    assert "email" in fields["email"]["detail"]


async def test_an_invalid_query_parameter_is_a_422_problem(embedded: Stack) -> None:
    admin = await embedded.demo_admin()

    response = await embedded.client.get("/api/v1/users?limit=0", headers=admin)

    body = assert_problem(
        response, 422, "/problems/validation-error", "Your request has invalid fields"
    )
    assert body["errors"] == [
        {
            "field": "limit",
            "pointer": "query:limit",
            "detail": "Input should be greater than or equal to 1",
            "code": "greater_than_equal",
        }
    ]


async def test_an_unhandled_error_is_a_500_problem(notebook: httpx.AsyncClient) -> None:
    response = await notebook.get("/api/v1/notebook/boom", headers={"X-Request-ID": "req-500"})

    body = assert_problem(response, 500, "/problems/internal-error", "Internal Server Error")
    assert body["request_id"] == "req-500"
    assert response.headers["x-request-id"] == "req-500"
    assert "fire" not in response.text


async def test_a_well_formed_request_id_is_echoed(embedded: Stack) -> None:
    response = await embedded.client.get(
        "/api/v1/users/me", headers={"X-Request-ID": "client-42.retry:1"}
    )

    body = assert_problem(response, 401, "/problems/unauthorized", "Authentication required")
    assert response.headers["x-request-id"] == "client-42.retry:1"
    assert body["request_id"] == "client-42.retry:1"


@pytest.mark.parametrize(
    "incoming",
    ["has spaces", "x" * 129, "semi;colon", "<script>", ""],
    ids=["spaces", "too-long", "semicolon", "markup", "empty"],
)
async def test_a_malformed_request_id_is_replaced(embedded: Stack, incoming: str) -> None:
    response = await embedded.client.get("/api/v1/users/me", headers={"X-Request-ID": incoming})

    body = assert_problem(response, 401, "/problems/unauthorized", "Authentication required")
    assert HEX_ID.match(response.headers["x-request-id"])
    assert body["request_id"] == response.headers["x-request-id"]


async def test_each_request_gets_its_own_id(embedded: Stack) -> None:
    first = await embedded.client.get("/api/v1/users/me")
    second = await embedded.client.get("/api/v1/users/me")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_the_gateway_404_carries_the_request_id_too(embedded: Stack) -> None:
    response = await embedded.client.get("/api/v9/nothing", headers={"X-Request-ID": "req-404"})

    assert response.headers.get("x-request-id") == "req-404"
    assert response.json()["request_id"] == "req-404"


async def test_healthz_answers(embedded: Stack, notebook: httpx.AsyncClient) -> None:
    platform = await embedded.client.get("/healthz")
    service = await notebook.get("/healthz")

    assert (platform.status_code, platform.json()) == (200, {"status": "ok"})
    assert (service.status_code, service.json()) == (200, {"status": "ok", "service": "notebook"})


async def test_readyz_lists_every_service_check(embedded: Stack) -> None:
    response = await embedded.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {name: {"database": "ok", "bus": "ok"} for name in service_names()},
    }


async def test_readyz_is_a_503_problem_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # given: a service whose PostgreSQL is on a port nothing listens on
    db = Database(
        f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/learnhub", service="notebook"
    )
    bus = InProcessBus()
    app = create_service_app(build_runtime(db, bus, tmp_path))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://testserver",
        ) as client:
            # when
            response = await client.get("/readyz")
            alive = await client.get("/healthz")
    finally:
        await bus.close()
        await db.dispose()

    # then
    body = assert_problem(response, 503, "/problems/not-ready", "Service Unavailable")
    assert body["detail"].startswith("notebook is not ready: ")
    assert alive.status_code == 200


def request_counts(metrics_text: str, service: str) -> dict[tuple[str, str, str], float]:
    counts: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name != "learnhub_http_requests":
            continue
        for sample in family.samples:
            if (
                sample.name == "learnhub_http_requests_total"
                and sample.labels["service"] == service
            ):
                key = (sample.labels["method"], sample.labels["route"], sample.labels["status"])
                counts[key] = sample.value
    return counts


async def test_metrics_count_requests_by_route_template(embedded: Stack) -> None:
    # given
    user_id, auth = await embedded.signed_up("ada@example.org")
    before = request_counts((await embedded.client.get("/metrics")).text, "users")

    # when
    assert (await embedded.client.get(f"/api/v1/users/{user_id}", headers=auth)).status_code == 200
    assert (await embedded.client.get(f"/api/v1/users/{user_id}", headers=auth)).status_code == 200
    assert (
        await embedded.client.get("/api/v1/users/someone-else", headers=auth)
    ).status_code == 403

    # then
    metrics = await embedded.client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    after = request_counts(metrics.text, "users")
    template = ("GET", "/api/v1/users/{user_id}", "200")
    denied = ("GET", "/api/v1/users/{user_id}", "403")
    assert after[template] - before.get(template, 0) == 2
    assert after[denied] - before.get(denied, 0) == 1
    assert user_id not in metrics.text
    assert "someone-else" not in metrics.text


def test_a_cursor_round_trips() -> None:
    values = ["2024-05-01T12:00:00+00:00", "u-1"]

    cursor = encode_cursor(values)

    assert decode_cursor(cursor, length=2) == values
    assert re.match(r"^[A-Za-z0-9_-]+$", cursor)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "!!!!", encode_cursor(["only-one"]), encode_cursor({"a": 1}), "eyJ"],
    ids=["garbage", "empty", "punctuation", "wrong-length", "not-a-list", "truncated"],
)
def test_an_invalid_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        decode_cursor(cursor, length=2)

    assert refused.value.status == 400
    assert refused.value.type_uri == "/problems/invalid-cursor"


async def test_pages_follow_their_cursor(embedded: Stack) -> None:
    admin = await embedded.demo_admin()
    for number in range(3):
        await embedded.register(f"learner{number}@example.org")

    first = (await embedded.client.get("/api/v1/users?limit=2", headers=admin)).json()
    second = (
        await embedded.client.get(
            "/api/v1/users", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
        )
    ).json()

    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(seen) == len(set(seen))
    assert len(first["items"]) == 2
    assert first["next_cursor"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", encode_cursor(["not-a-date", "u-1"]), encode_cursor([1, 2])],
    ids=["garbage", "bad-date", "numbers"],
)
async def test_an_invalid_cursor_is_a_400_problem(embedded: Stack, cursor: str) -> None:
    admin = await embedded.demo_admin()

    response = await embedded.client.get("/api/v1/users", params={"cursor": cursor}, headers=admin)

    body = assert_problem(response, 400, "/problems/invalid-cursor", "Invalid cursor")
    assert body["detail"] == "The cursor is not one this API gave out."


async def test_a_cursor_with_a_naive_timestamp_is_a_400_problem(embedded: Stack) -> None:
    admin = await embedded.demo_admin()
    cursor = encode_cursor(["2024-05-01T12:00:00", "u-1"])

    response = await embedded.client.get("/api/v1/users", params={"cursor": cursor}, headers=admin)

    assert_problem(response, 400, "/problems/invalid-cursor", "Invalid cursor")


async def test_errors_of_the_ops_endpoints_are_problems_too(embedded: Stack) -> None:
    response = await embedded.client.post("/healthz")

    assert_problem(response, 405, "about:blank", "Method Not Allowed")
