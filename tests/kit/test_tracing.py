"""One trace id follows a request into the events it causes and their handlers' logs."""

from __future__ import annotations

import logging
import secrets

import pytest
from sqlalchemy import select

from learnhub.kit.events.outbox import outbox_table
from learnhub.kit.observability import ContextFilter
from tests.conftest import PASSWORD, Stack

INBOX_LOGGER = "learnhub.kit.events.inbox"


def trace_id_of(traceparent: str) -> str:
    version, trace_id, span_id, _flags = traceparent.split("-")
    assert (version, len(trace_id), len(span_id)) == ("00", 32, 16)
    return trace_id


async def test_a_request_trace_id_reaches_its_event_and_the_consumer_log(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    # given: the capture handler stamps records as the platform's log handler does
    caplog.set_level(logging.INFO, logger=INBOX_LOGGER)
    caplog.handler.addFilter(ContextFilter())
    trace_id, parent_span = secrets.token_hex(16), secrets.token_hex(8)

    await stack.client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.org", "password": PASSWORD, "display_name": "Ada"},
    )

    # when the sign-up's link is followed (the request that creates the account)
    response = await stack.client.post(
        "/api/v1/auth/email-confirmation",
        json={"token": await stack.confirmation_token("ada@example.org")},
        headers={"traceparent": f"00-{trace_id}-{parent_span}-01"},
    )
    await stack.settle()

    # then: the recorded event carries the request's trace
    assert response.status_code == 200, response.text
    async with stack.platform.runtime("auth").db.session() as session:
        [row] = (
            await session.execute(
                select(outbox_table).where(outbox_table.c.type == "user.registered.v1")
            )
        ).all()
    assert row.published_at is not None
    assert trace_id_of(row.traceparent) == trace_id
    assert row.traceparent.split("-")[2] != parent_span  # the server span, a child

    # and the users service logged its handling inside that trace
    [handled] = [
        record
        for record in caplog.records
        if record.name == INBOX_LOGGER
        and record.getMessage() == "handled user.registered.v1"
        and record.service == "users"
    ]
    assert handled.event_id == row.id
    assert handled.trace_id == trace_id


async def test_a_request_without_traceparent_starts_a_trace_of_its_own(embedded: Stack) -> None:
    await embedded.register("ada@example.org")

    async with embedded.platform.runtime("auth").db.session() as session:
        traceparent = await session.scalar(select(outbox_table.c.traceparent))

    assert traceparent is not None
    trace_id = trace_id_of(traceparent)
    assert len(trace_id) == 32
    assert trace_id != "0" * 32
