"""Stored files are deleted only once the rows that name them are: a commit that fails
leaves every row pointing at a file that still exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from learnhub.kit.db import _PENDING_ACTIONS as PENDING_ACTIONS
from tests.conftest import Stack
from tests.services.courses.support import add_item, add_section, create_course, instructor


class CommitRefused(Exception):
    """What the database says to the next commit of the courses service."""


@contextmanager
def failing_commits() -> Iterator[None]:
    """Every commit of the courses service that has after-commit work (a request's; the
    outbox relay's own have none) fails while this lasts (all else is real)."""

    def refuse(session: Session) -> None:
        if session.info.get("service") == "courses" and session.info.get(PENDING_ACTIONS):
            raise CommitRefused("the database went away during the commit")

    event.listen(Session, "before_commit", refuse)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", refuse)


def stored_files(stack: Stack) -> list[str]:
    root: Path = stack.platform.runtime("courses").state["store"].root
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.suffix != ".type"
    )


async def lesson_with_files(
    stack: Stack, *names: str
) -> tuple[dict[str, str], str, str, list[dict]]:
    headers = await instructor(stack)
    course = await create_course(stack, headers, title="Files")
    section = await add_section(stack, headers, course["id"], "S")
    lesson = await add_item(stack, headers, course["id"], section["id"], "lesson", "L")
    attachments = []
    for name in names:
        response = await stack.client.post(
            f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}/attachments",
            files={"file": (name, name.encode(), "text/plain")},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        attachments.append(response.json())
    return headers, course["id"], lesson["id"], attachments


async def test_a_failed_commit_keeps_the_attachment_and_its_file(embedded: Stack) -> None:
    # given
    headers, course_id, lesson_id, [attachment] = await lesson_with_files(embedded, "a.txt")
    url = f"/api/v1/courses/{course_id}/lessons/{lesson_id}/attachments/{attachment['id']}"
    before = stored_files(embedded)
    assert len(before) == 1

    # when
    with failing_commits():
        failed = await embedded.client.delete(url, headers=headers)

    # then: the row is still there, and so is its file
    assert failed.status_code == 500
    assert stored_files(embedded) == before
    download = await embedded.client.get(url, headers=headers)
    assert download.status_code == 200
    assert download.content == b"a.txt"

    # when: the commit works
    deleted = await embedded.client.delete(url, headers=headers)

    # then: the file went with the row
    assert deleted.status_code == 204
    assert stored_files(embedded) == []
    assert (await embedded.client.get(url, headers=headers)).status_code == 404


async def test_a_failed_commit_keeps_the_files_of_a_course_item_and_section(
    embedded: Stack,
) -> None:
    # given
    headers, course_id, lesson_id, _ = await lesson_with_files(embedded, "a.txt", "b.txt")
    before = stored_files(embedded)
    assert len(before) == 2
    detail = (await embedded.client.get(f"/api/v1/courses/{course_id}", headers=headers)).json()
    section_id = detail["sections"][0]["id"]
    deletions = [
        f"/api/v1/courses/{course_id}/items/{lesson_id}",
        f"/api/v1/courses/{course_id}/sections/{section_id}",
        f"/api/v1/courses/{course_id}",
    ]

    # when / then: each deletion that fails to commit keeps every file
    for url in deletions:
        with failing_commits():
            failed = await embedded.client.delete(url, headers=headers)
        assert failed.status_code == 500, url
        assert stored_files(embedded) == before, url

    # when: the course is deleted for good
    deleted = await embedded.client.delete(deletions[-1], headers=headers)

    # then
    assert deleted.status_code == 204
    assert stored_files(embedded) == []


async def test_deleting_an_item_removes_its_files_after_the_commit(embedded: Stack) -> None:
    headers, course_id, lesson_id, _ = await lesson_with_files(embedded, "a.txt")
    assert len(stored_files(embedded)) == 1

    deleted = await embedded.client.delete(
        f"/api/v1/courses/{course_id}/items/{lesson_id}", headers=headers
    )

    assert deleted.status_code == 204
    assert stored_files(embedded) == []
