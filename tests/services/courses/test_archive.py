"""Course export and import: a round trip keeps everything; a bad archive creates nothing."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Stack
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
)


def outline(detail: dict) -> list:
    return [
        (s["title"], [(i["kind"], i["title"], i["required"]) for i in s["items"]])
        for s in detail["sections"]
    ]


async def test_export_then_import_reproduces_the_course(stack: Stack) -> None:
    headers = await instructor(stack)
    course = await create_course(
        stack,
        headers,
        title="Round Trip",
        summary="S",
        description="**D**",
        category="Science",
        tags=["a", "b"],
        level="advanced",
        estimated_hours=2,
    )
    cid = course["id"]
    one = await add_section(stack, headers, cid, "One")
    two = await add_section(stack, headers, cid, "Two")
    lesson = await add_item(stack, headers, cid, one["id"], "lesson", "Read")
    quiz = await add_item(
        stack, headers, cid, one["id"], "quiz", "Check", max_points=5, grade_category="Quizzes"
    )
    await add_item(stack, headers, cid, two["id"], "assignment", "Essay", required=False)
    await stack.client.put(
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}",
        json={
            "content_markdown": "# Hi",
            "video_url": "https://vimeo.com/1",
            "transcript": "T",
            "complete_on_view": True,
        },
        headers=headers,
    )
    await stack.client.post(
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}/attachments",
        files={"file": ("notes.txt", b"notes", "text/plain")},
        headers=headers,
    )
    await stack.client.patch(
        f"/api/v1/courses/{cid}",
        json={"completion_rule": {"required_items": True, "passing_quiz_ids": [quiz["id"]]}},
        headers=headers,
    )
    await publish(stack, headers, cid)

    exported = await stack.client.get(f"/api/v1/courses/{cid}/export", headers=headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    imported = await stack.client.post(
        "/api/v1/courses/import",
        files={"file": ("round-trip.zip", exported.content, "application/zip")},
        headers=headers,
    )
    assert imported.status_code == 201, imported.text
    copy = imported.json()
    assert copy["id"] != cid
    assert (copy["slug"], copy["visibility"], copy["title"]) == (
        "round-trip-2",
        "draft",
        "Round Trip",
    )
    for field in ("summary", "description", "category", "tags", "level", "estimated_hours"):
        assert copy[field] == course[field]

    original = (await stack.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    new = (await stack.client.get(f"/api/v1/courses/{copy['id']}", headers=headers)).json()
    assert outline(new) == outline(original)
    new_lesson_id = new["sections"][0]["items"][0]["id"]
    new_quiz_id = new["sections"][0]["items"][1]["id"]
    assert new["completion_rule"] == {"required_items": True, "passing_quiz_ids": [new_quiz_id]}
    old_lesson = (
        await stack.client.get(f"/api/v1/courses/{cid}/lessons/{lesson['id']}", headers=headers)
    ).json()
    new_lesson = (
        await stack.client.get(
            f"/api/v1/courses/{copy['id']}/lessons/{new_lesson_id}", headers=headers
        )
    ).json()
    for field in (
        "title",
        "content_markdown",
        "content_html",
        "video",
        "transcript",
        "complete_on_view",
    ):
        assert new_lesson[field] == old_lesson[field]
    [old_file], [new_file] = old_lesson["attachments"], new_lesson["attachments"]
    assert new_file["id"] != old_file["id"]
    assert {k: new_file[k] for k in ("filename", "content_type", "size")} == {
        k: old_file[k] for k in ("filename", "content_type", "size")
    }
    download = await stack.client.get(
        f"/api/v1/courses/{copy['id']}/lessons/{new_lesson_id}/attachments/{new_file['id']}",
        headers=headers,
    )
    assert download.content == b"notes"


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def test_a_corrupt_or_foreign_archive_creates_nothing(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="Source"))["id"]
    section = await add_section(embedded, headers, cid, "S")
    lesson = await add_item(embedded, headers, cid, section["id"], "lesson", "L")
    await embedded.client.post(
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}/attachments",
        files={"file": ("a.txt", b"a", "text/plain")},
        headers=headers,
    )
    good = (await embedded.client.get(f"/api/v1/courses/{cid}/export", headers=headers)).content
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        document = json.loads(archive.read("course.json"))
    missing_file = zip_of({"course.json": json.dumps(document).encode()})
    foreign = zip_of({"course.json": json.dumps({**document, "format": "moodle"}).encode()})
    bad_item = json.loads(json.dumps(document))
    bad_item["sections"][0]["items"][0]["kind"] = "video"
    for archive in (
        b"not a zip",
        zip_of({"other.txt": b"x"}),
        missing_file,
        foreign,
        zip_of({"course.json": json.dumps(bad_item).encode()}),
        zip_of({"course.json": b"{broken"}),
    ):
        response = await embedded.client.post(
            "/api/v1/courses/import", files={"file": ("x.zip", archive)}, headers=headers
        )
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/invalid-archive"
    async with embedded.platform.runtime("courses").db.session() as session:
        from sqlalchemy import func, select

        from learnhub.services.courses.models import Course

        assert await session.scalar(select(func.count()).select_from(Course)) == 1


async def test_only_course_editors_export_and_only_authors_import(embedded: Stack) -> None:
    headers = await instructor(embedded)
    cid = (await create_course(embedded, headers, title="Mine"))["id"]
    section = await add_section(embedded, headers, cid, "S")
    await add_item(embedded, headers, cid, section["id"], "lesson", "L")
    await publish(embedded, headers, cid)
    _, someone = await learner(embedded, "someone@example.com")
    assert (await embedded.client.get(f"/api/v1/courses/{cid}/export")).status_code == 401
    assert (
        await embedded.client.get(f"/api/v1/courses/{cid}/export", headers=someone)
    ).status_code == 403
    archive = (await embedded.client.get(f"/api/v1/courses/{cid}/export", headers=headers)).content
    refused = await embedded.client.post(
        "/api/v1/courses/import", files={"file": ("x.zip", archive)}, headers=someone
    )
    assert refused.status_code == 403
    listed = (await embedded.client.get("/api/v1/courses")).json()["items"]
    assert [course["title"] for course in listed] == ["Mine"]


async def exported_course(stack: Stack) -> tuple[dict[str, str], bytes, dict]:
    """A course with a lesson and a file, exported; (headers, archive, its course.json)."""
    headers = await instructor(stack)
    cid = (await create_course(stack, headers, title="Source"))["id"]
    section = await add_section(stack, headers, cid, "S")
    lesson = await add_item(stack, headers, cid, section["id"], "lesson", "L")
    await stack.client.post(
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}/attachments",
        files={"file": ("a.txt", b"a", "text/plain")},
        headers=headers,
    )
    good = (await stack.client.get(f"/api/v1/courses/{cid}/export", headers=headers)).content
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        document = json.loads(archive.read("course.json"))
    return headers, good, document


async def course_count(stack: Stack) -> int:
    from sqlalchemy import func, select

    from learnhub.services.courses.models import Course

    async with stack.platform.runtime("courses").db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Course)) or 0)


def stored_count(stack: Stack) -> int:
    root = stack.platform.runtime("courses").state["store"].root
    return sum(1 for path in root.rglob("*") if path.is_file())


async def refused(stack: Stack, headers: dict[str, str], archive: bytes) -> dict:
    response = await stack.client.post(
        "/api/v1/courses/import", files={"file": ("x.zip", archive)}, headers=headers
    )
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {"status": response.status_code, **response.json()}


async def test_a_zip_bomb_is_refused_before_anything_is_written(embedded: Stack) -> None:
    # given: a small archive whose file unpacks to a thousand times its size
    headers, _, document = await exported_course(embedded)
    [attachment] = document["sections"][0]["items"][0]["attachments"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(document))
        with archive.open(f"files/{attachment['id']}", "w") as bomb:
            for _ in range(20):
                bomb.write(bytes(1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    courses, files = await course_count(embedded), stored_count(embedded)

    # when
    problem = await refused(embedded, headers, buffer.getvalue())

    # then
    assert (problem["status"], problem["type"]) == (422, "/problems/archive-too-compressed")
    assert problem["max_ratio"] == 100
    assert (await course_count(embedded), stored_count(embedded)) == (courses, files)


async def test_an_archive_unpacking_to_more_than_the_limit_is_refused(embedded: Stack) -> None:
    # given: a lower limit than this archive's unpacked size
    headers, good, _ = await exported_course(embedded)
    settings = embedded.platform.runtime("courses").service_settings
    settings.archive_max_total_bytes = 100
    courses, files = await course_count(embedded), stored_count(embedded)

    # when
    problem = await refused(embedded, headers, good)

    # then
    assert (problem["status"], problem["type"]) == (413, "/problems/archive-too-large")
    assert problem["max_bytes"] == 100
    assert (await course_count(embedded), stored_count(embedded)) == (courses, files)


def flagged_as_encrypted(archive: bytes) -> bytes:
    """The archive with its entries marked "encrypted, password required" (flag bit 0 in
    the local and the central headers), as a password-protected zip has them."""
    flagged = bytearray(archive)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = flagged.find(signature)
        while start != -1:
            flagged[start + flags_at] |= 0x1
            start = flagged.find(signature, start + 4)
    return bytes(flagged)


async def test_encrypted_and_damaged_archives_are_problems_not_errors(embedded: Stack) -> None:
    # given
    headers, good, document = await exported_course(embedded)
    encrypted = flagged_as_encrypted(zip_of({"course.json": json.dumps(document).encode()}))
    truncated = good[: len(good) // 2]
    corrupt = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        info = archive.getinfo("course.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start, start + min(info.compress_size, 64)):
        corrupt[offset] ^= 0xFF
    courses, files = await course_count(embedded), stored_count(embedded)

    # when / then
    problem = await refused(embedded, headers, encrypted)
    assert (problem["status"], problem["type"]) == (422, "/problems/encrypted-archive")
    for damaged in (truncated, bytes(corrupt)):
        problem = await refused(embedded, headers, damaged)
        assert (problem["status"], problem["type"]) == (400, "/problems/invalid-archive")
    assert (await course_count(embedded), stored_count(embedded)) == (courses, files)


async def test_attachment_names_and_types_are_cleaned_like_uploads(embedded: Stack) -> None:
    # given: a name and a type that would break the download's headers
    headers, good, document = await exported_course(embedded)
    [attachment] = document["sections"][0]["items"][0]["attachments"]
    attachment["filename"] = "notes\r\nX-Injected: yes.txt"
    attachment["content_type"] = "text/plain\r\nSet-Cookie: stolen=1"
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        data = source.read(f"files/{attachment['id']}")
    archive = zip_of(
        {"course.json": json.dumps(document).encode(), f"files/{attachment['id']}": data}
    )

    # when
    imported = await embedded.client.post(
        "/api/v1/courses/import", files={"file": ("x.zip", archive)}, headers=headers
    )

    # then
    assert imported.status_code == 201, imported.text
    cid = imported.json()["id"]
    detail = (await embedded.client.get(f"/api/v1/courses/{cid}", headers=headers)).json()
    lesson_id = detail["sections"][0]["items"][0]["id"]
    lesson = (
        await embedded.client.get(f"/api/v1/courses/{cid}/lessons/{lesson_id}", headers=headers)
    ).json()
    [stored] = lesson["attachments"]
    assert (stored["filename"], stored["content_type"]) == (
        "notesX-Injected_ yes.txt",
        "application/octet-stream",
    )
    download = await embedded.client.get(
        f"/api/v1/courses/{cid}/lessons/{lesson_id}/attachments/{stored['id']}", headers=headers
    )
    assert download.status_code == 200
    assert download.content == b"a"
    assert "x-injected" not in download.headers
    assert "set-cookie" not in download.headers


class HeldInWorker:
    """Wraps a zipfile method so that its first call waits until the test has had another
    request served: were the zip handled on the event loop, nothing else could be served
    meanwhile, and the wait would end in a failure instead."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.started = threading.Event()
        self.served = threading.Event()
        self.on_loop_thread: list[bool] = []

    def method(self) -> Callable[..., Any]:
        def held(archive: zipfile.ZipFile, *args: Any, **kwargs: Any) -> Any:
            return self(archive, *args, **kwargs)

        return held

    def __call__(self, archive: zipfile.ZipFile, *args: Any, **kwargs: Any) -> Any:
        self.on_loop_thread.append(threading.current_thread() is threading.main_thread())
        if not self.started.is_set():
            self.started.set()
            if not self.served.wait(30):
                raise AssertionError("no other request was served while the zip was handled")
        return self.original(archive, *args, **kwargs)

    async def serve_another_request(self, stack: Stack) -> list[str]:
        """Wait for the zip work to start, have the health check answered, let it go on."""
        await asyncio.to_thread(self.started.wait, 30)
        health = await stack.client.get("/healthz")
        assert health.status_code == 200
        self.served.set()
        return ["other request served"]


async def test_other_requests_are_served_while_archives_are_built_and_read(
    embedded: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    headers, _, _ = await exported_course(embedded)
    order: list[str] = []
    writer = HeldInWorker(zipfile.ZipFile.writestr)
    monkeypatch.setattr(zipfile.ZipFile, "writestr", writer.method())
    cid = await any_course_id(embedded)

    # when: an export is being built
    export = asyncio.create_task(
        embedded.client.get(f"/api/v1/courses/{cid}/export", headers=headers)
    )
    order += await writer.serve_another_request(embedded)
    exported = await export
    order.append("export answered")

    # then
    assert exported.status_code == 200, exported.text
    assert order == ["other request served", "export answered"]
    assert writer.on_loop_thread and not any(writer.on_loop_thread)

    # when: the archive is being read by an import
    monkeypatch.setattr(zipfile.ZipFile, "writestr", writer.original)
    reader = HeldInWorker(zipfile.ZipFile.read)
    monkeypatch.setattr(zipfile.ZipFile, "read", reader.method())
    order.clear()
    importing = asyncio.create_task(
        embedded.client.post(
            "/api/v1/courses/import", files={"file": ("x.zip", exported.content)}, headers=headers
        )
    )
    order += await reader.serve_another_request(embedded)
    imported = await importing
    order.append("import answered")

    # then
    assert imported.status_code == 201, imported.text
    assert order == ["other request served", "import answered"]
    assert reader.on_loop_thread and not any(reader.on_loop_thread)


async def any_course_id(stack: Stack) -> str:
    from sqlalchemy import select

    from learnhub.services.courses.models import Course

    async with stack.platform.runtime("courses").db.session() as session:
        return str(await session.scalar(select(Course.id).limit(1)))
