"""Course export and import: a round trip keeps everything; a bad archive creates nothing."""

from __future__ import annotations

import io
import json
import zipfile

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
