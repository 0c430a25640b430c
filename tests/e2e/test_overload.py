"""Past capacity the platform refuses quickly and visibly, and loses nothing.

A burst against a tiny database pool gets only successes and 503 answers with
``Retry-After``; every success is recorded once and every refusal left nothing behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.types import Receive, Scope, Send

from learnhub.kit.events.outbox import outbox_table
from learnhub.kit.http.shedding import ShedLoad
from learnhub.services.courses.progress.models import ItemProgress
from tests.conftest import (
    Stack,
    embedded_settings,
    reset_postgres_schemas,
    services_settings,
    start_stack,
    stop_platform,
)
from tests.services.courses.support import learner, published_course_with_items

BURST = 40


async def test_requests_past_the_limit_are_refused_at_once() -> None:
    # given: an app whose requests wait until released, behind a limit of two
    release = asyncio.Event()

    async def slow(scope: Scope, _receive: Receive, send: Send) -> None:
        if scope["path"] != "/healthz":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = ShedLoad(slow, max_in_flight=2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        held = [asyncio.create_task(client.get("/work")) for _ in range(2)]
        await asyncio.sleep(0.05)
        # when: a third request comes while two are in progress
        refused = await client.get("/work")
        health = await client.get("/healthz")
        # then: it is answered before the others finish
        assert not any(task.done() for task in held)
        release.set()
        answered = await asyncio.gather(*held)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/overloaded"
    assert health.status_code == 200
    assert [response.status_code for response in answered] == [200, 200]


async def test_a_request_past_the_limit_waits_its_turn_in_a_bounded_queue() -> None:
    # given: one request at a time, one more may wait, and a wait of at most a second
    release = asyncio.Event()

    async def slow(scope: Scope, _receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    app = ShedLoad(slow, max_in_flight=1, max_queued=1, queue_timeout=1.0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        working = asyncio.create_task(client.get("/first"))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(client.get("/second"))
        await asyncio.sleep(0.05)
        # when: a third arrives while the queue is full
        refused = await client.get("/third")
        # then: it is refused at once; the waiting one is served once the first is done
        assert refused.status_code == 503
        assert not waiting.done()
        release.set()
        assert (await working).text == "/first"
        assert (await waiting).text == "/second"


async def test_a_request_that_waits_too_long_is_refused() -> None:
    async def stuck(_scope: Scope, _receive: Receive, _send: Send) -> None:
        await asyncio.Event().wait()

    app = ShedLoad(stuck, max_in_flight=1, max_queued=5, queue_timeout=0.05)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        holder = asyncio.create_task(client.get("/held"))
        await asyncio.sleep(0.05)
        waited = await client.get("/waits")
        holder.cancel()
    assert waited.status_code == 503
    assert waited.headers["retry-after"] == "1"


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("services", marks=[pytest.mark.postgres, pytest.mark.rabbitmq]),
    ]
)
async def tiny_pool(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The platform with one database connection per service and a 50 ms wait for it."""
    pool = {
        "db_pool_size": 1,
        "db_max_overflow": 0,
        "sqlite_connections": 1,
        "db_pool_timeout": 0.05,
    }
    if request.param == "embedded":
        settings = embedded_settings(tmp_path, **pool)
    else:
        database_url = request.getfixturevalue("postgres_database")
        await reset_postgres_schemas(database_url)
        settings = services_settings(
            tmp_path,
            database_url,
            request.getfixturevalue("rabbitmq_vhost_url"),
            request.getfixturevalue("redis_url"),
            **pool,
        )
    stack = await start_stack(settings, request.param)
    yield stack
    # The relay and the consumers share the one connection with the burst: stop without
    # waiting for them to catch up, which the test does not look at.
    await stack.client.aclose()
    await stop_platform(stack.platform)


async def test_a_burst_against_a_tiny_pool_gets_answers_not_errors(tiny_pool: Stack) -> None:
    # given: learners enrolled in a course, all about to complete its lesson at once
    stack = tiny_pool
    course, _staff, items = await published_course_with_items(stack, kinds=("lesson",))
    url = f"/api/v1/courses/{course['id']}"
    learners = []
    for number in range(BURST):
        _, headers = await learner(stack, f"burst{number}@example.org")
        enrolled = await stack.client.post(f"{url}/enrollments", headers=headers)
        assert enrolled.status_code == 201, enrolled.text
        learners.append(headers)
    async with stack.platform.runtime("courses").db.session() as session:
        events_before = await session.scalar(select(func.count()).select_from(outbox_table))
    # when
    answers = await asyncio.gather(
        *(
            stack.client.post(f"{url}/items/{items[0]['id']}/complete", headers=headers)
            for headers in learners
        )
    )
    # then: each answer is a success or a refusal to retry, never a server error
    statuses = sorted({answer.status_code for answer in answers})
    assert set(statuses) <= {200, 503}, [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 503):
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["type"] == "/problems/overloaded"
    # and each success was recorded once, each refusal not at all
    succeeded = sum(answer.status_code == 200 for answer in answers)
    async with stack.platform.runtime("courses").db.session() as session:
        done = await session.scalar(
            select(func.count()).select_from(ItemProgress).where(ItemProgress.status == "completed")
        )
        events_after = await session.scalar(select(func.count()).select_from(outbox_table))
    assert done == succeeded
    # two events per completion: the lesson completed, the progress updated (and the
    # course completed with its certificate, as the lesson is the only item)
    assert events_after - events_before == 4 * succeeded
