"""Lesson attachments through the object store: local disk, and S3 (moto's server)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from learnhub.services.courses.storage import StoredFileNotFound
from tests.conftest import Stack, embedded_settings, free_port, start_stack, stop_stack
from tests.services.courses.support import learner, published_course_with_items


@pytest.fixture
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
async def s3_stack(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    monkeypatch.setenv("LEARNHUB_COURSES_STORAGE", "s3")
    monkeypatch.setenv("LEARNHUB_COURSES_S3_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("LEARNHUB_COURSES_S3_BUCKET", "test-files")
    monkeypatch.setenv("LEARNHUB_COURSES_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("LEARNHUB_COURSES_S3_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("LEARNHUB_COURSES_MAX_UPLOAD_BYTES", "1000")
    stack = await start_stack(embedded_settings(tmp_path), "embedded-s3")
    yield stack
    await stop_stack(stack)


@pytest.fixture
async def small_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    monkeypatch.setenv("LEARNHUB_COURSES_MAX_UPLOAD_BYTES", "1000")
    stack = await start_stack(embedded_settings(tmp_path), "embedded")
    yield stack
    await stop_stack(stack)


async def attachment_round_trip(stack: Stack) -> None:
    course, headers, items = await published_course_with_items(stack, kinds=("lesson",))
    _, outsider = await learner(stack, "outsider@example.com")
    lesson_url = f"/api/v1/courses/{course['id']}/lessons/{items[0]['id']}"

    uploaded = await stack.client.post(
        f"{lesson_url}/attachments",
        files={"file": ("../../etc/Notes Ü<1>.pdf", b"%PDF-1.4 data", "application/pdf")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "Notes Ü_1_.pdf",
        "application/pdf",
        13,
    )
    listed = (await stack.client.get(lesson_url, headers=headers)).json()["attachments"]
    assert listed == [attachment]

    file_url = f"{lesson_url}/attachments/{attachment['id']}"
    download = await stack.client.get(file_url, headers=headers)
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 data"
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Notes ?_1_.pdf\"; filename*=UTF-8''Notes%20%C3%9C_1_.pdf"
    )

    too_big = await stack.client.post(
        f"{lesson_url}/attachments", files={"file": ("big.bin", b"x" * 1001)}, headers=headers
    )
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert too_big.json()["type"] == "/problems/file-too-large"

    # Outsiders neither download, upload nor delete.
    assert (await stack.client.get(file_url)).status_code == 401
    assert (await stack.client.get(file_url, headers=outsider)).status_code == 403
    assert (
        await stack.client.post(
            f"{lesson_url}/attachments", files={"file": ("x.txt", b"x")}, headers=outsider
        )
    ).status_code == 403
    assert (await stack.client.delete(file_url, headers=outsider)).status_code == 403
    assert len((await stack.client.get(lesson_url, headers=headers)).json()["attachments"]) == 1

    assert (await stack.client.delete(file_url, headers=headers)).status_code == 204
    assert (await stack.client.get(file_url, headers=headers)).status_code == 404
    assert (await stack.client.get(lesson_url, headers=headers)).json()["attachments"] == []
    store = stack.platform.runtime("courses").state["store"]
    with pytest.raises(StoredFileNotFound):
        await store.get(f"courses/{course['id']}/attachments/{attachment['id']}")


async def test_attachments_on_the_local_store(small_uploads: Stack) -> None:
    await attachment_round_trip(small_uploads)


async def test_attachments_on_an_s3_store(s3_stack: Stack) -> None:
    from learnhub.services.courses.storage import S3ObjectStore

    assert isinstance(s3_stack.platform.runtime("courses").state["store"], S3ObjectStore)
    await attachment_round_trip(s3_stack)


async def test_attachments_belong_to_lessons_and_go_with_their_item(embedded: Stack) -> None:
    course, headers, items = await published_course_with_items(embedded)
    base = f"/api/v1/courses/{course['id']}"
    on_quiz = await embedded.client.post(
        f"{base}/lessons/{items[1]['id']}/attachments",
        files={"file": ("a.txt", b"a", "text/plain")},
        headers=headers,
    )
    assert on_quiz.status_code == 404
    uploaded = await embedded.client.post(
        f"{base}/lessons/{items[0]['id']}/attachments",
        files={"file": ("a.txt", b"a", "text/plain")},
        headers=headers,
    )
    key = f"courses/{course['id']}/attachments/{uploaded.json()['id']}"
    store = embedded.platform.runtime("courses").state["store"]
    assert (await store.get(key)).data == b"a"
    assert (
        await embedded.client.delete(f"{base}/items/{items[0]['id']}", headers=headers)
    ).status_code == 204
    with pytest.raises(StoredFileNotFound):
        await store.get(key)
