"""The all-in-one gateway refuses request bodies over the platform's limit as nginx does
(a 413 problem, nothing done), counts streamed bodies without reading them whole, and lets
the largest upload the courses service accepts through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from learnhub.gateway.nginx import _GATEWAY_PROBLEMS
from learnhub.kit.config import Settings
from learnhub.services.courses.config import CoursesSettings
from tests.conftest import Stack, embedded_settings, start_stack, stop_stack
from tests.services.courses.support import add_item, add_section, create_course, instructor

LIMIT = 64 * 1024
# What a multipart form adds around a file: boundaries, part headers, the file name.
FORM_ENVELOPE = 64 * 1024


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Stack]:
    """The all-in-one platform accepting request bodies of up to LIMIT bytes."""
    stack = await start_stack(embedded_settings(tmp_path, max_request_bytes=LIMIT), "embedded")
    yield stack
    await stop_stack(stack)


async def lesson_url(stack: Stack) -> tuple[dict[str, str], str]:
    headers = await instructor(stack)
    course = await create_course(stack, headers, title="Uploads")
    section = await add_section(stack, headers, course["id"], "S")
    lesson = await add_item(stack, headers, course["id"], section["id"], "lesson", "L")
    return headers, f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}"


def assert_gateway_413(response: httpx.Response) -> None:
    """The same problem nginx answers with."""
    title, detail = _GATEWAY_PROBLEMS[413]
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"], body["detail"]) == (413, title, detail)


async def attachments(stack: Stack, headers: dict[str, str], url: str) -> list[dict]:
    return (await stack.client.get(url, headers=headers)).json()["attachments"]


async def test_a_declared_body_over_the_limit_is_refused_before_the_service_runs(
    limited: Stack,
) -> None:
    # given
    headers, url = await lesson_url(limited)

    # when
    response = await limited.client.post(
        f"{url}/attachments",
        files={"file": ("big.bin", b"x" * (LIMIT + 1), "application/octet-stream")},
        headers=headers,
    )

    # then
    assert_gateway_413(response)
    assert await attachments(limited, headers, url) == []


async def test_a_streamed_body_is_counted_and_cut_off_at_the_limit(limited: Stack) -> None:
    # given: a body without Content-Length, sent in chunks
    headers, url = await lesson_url(limited)
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield (
            b"--xyz\r\n"
            b'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for number in range(64):
            sent.append(number)
            yield b"y" * 4096
        yield b"\r\n--xyz--\r\n"

    # when
    response = await limited.client.post(
        f"{url}/attachments",
        content=chunks(),
        headers={**headers, "Content-Type": "multipart/form-data; boundary=xyz"},
    )

    # then: refused once past the limit, without the rest being read
    assert_gateway_413(response)
    assert len(sent) < 64
    assert await attachments(limited, headers, url) == []


async def test_a_body_within_the_limit_goes_through(limited: Stack) -> None:
    headers, url = await lesson_url(limited)

    response = await limited.client.post(
        f"{url}/attachments",
        files={"file": ("fits.bin", b"z" * (LIMIT - FORM_ENVELOPE // 8), "text/plain")},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert [a["filename"] for a in await attachments(limited, headers, url)] == ["fits.bin"]


def test_the_default_limit_leaves_room_for_the_largest_upload() -> None:
    assert Settings().max_request_bytes >= CoursesSettings().max_upload_bytes + FORM_ENVELOPE


@pytest.mark.parametrize(
    ("written", "size"),
    [("123", 123), ("52m", 52 * 1024**2), ("2k", 2048), ("1G", 1024**3), (7, 7)],
)
def test_the_limit_is_read_in_bytes_or_with_units(written: object, size: int) -> None:
    assert Settings(max_request_bytes=written).max_request_bytes == size  # type: ignore[arg-type]


async def test_the_largest_upload_goes_through_with_the_default_limit(embedded: Stack) -> None:
    # given
    headers, url = await lesson_url(embedded)
    largest = CoursesSettings().max_upload_bytes

    # when
    response = await embedded.client.post(
        f"{url}/attachments",
        files={"file": ("largest.bin", bytes(largest), "application/octet-stream")},
        headers=headers,
    )

    # then
    assert response.status_code == 201, response.text
    assert response.json()["size"] == largest
