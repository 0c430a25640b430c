"""Renaming and deleting sections, items and courses in the builder, each delete asked
once on a page that says what it loses; the builder's own forms' refusals next to their
fields; and who may do any of it, as a browser without scripts uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.web.authoring_support import sao_paulo_author
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    return await sao_paulo_author(web_client)


async def _outline(author: Author, course_id: str) -> list[dict]:
    return (await author.call("GET", f"/api/v1/courses/{course_id}", 200))["sections"]


async def test_an_instructor_renames_a_section_and_an_item(site: Site, author: Author) -> None:
    course, (lesson,) = await author.course("Soups")
    section_id = lesson["section_id"]
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    page = await site.get(builder)
    assert f'href="{builder}/sections/{section_id}"' in page.text
    assert f'href="{builder}/items/{lesson["id"]}"' in page.text

    section_page = await site.get(f"{builder}/sections/{section_id}")
    assert h1_of(section_page.text) == "Section: Week 1"
    assert 'value="Week 1"' in section_page.text
    renamed = await site.submit(f"{builder}/sections/{section_id}", {"title": "Stocks"})
    assert renamed.status_code == 303 and renamed.headers["location"] == builder
    assert "The section has been renamed." in site.text(await site.get(builder))

    item_page = await site.get(f"{builder}/items/{lesson['id']}")
    assert h1_of(item_page.text) == "Lesson: Welcome"
    renamed = await site.submit(f"{builder}/items/{lesson['id']}", {"title": "Bones and water"})
    assert renamed.status_code == 303

    (section,) = await _outline(author, course["id"])
    assert section["title"] == "Stocks"
    assert [item["title"] for item in section["items"]] == ["Bones and water"]


@pytest.mark.parametrize("part", ["sections", "items"])
async def test_an_empty_or_long_title_is_refused_next_to_its_field(
    site: Site, author: Author, part: str
) -> None:
    course, (lesson,) = await author.course("Sauces")
    part_id = lesson["section_id"] if part == "sections" else lesson["id"]
    path = f"/teach/{course['id']}/{part}/{part_id}"
    await site.log_in(*INSTRUCTOR)

    for title, message in ((" ", "Enter a title"), ("x" * 201, "Enter a shorter title")):
        refused = await site.submit(path, {"title": title})
        assert refused.status_code == 422
        assert '<a href="#title">' + message + "</a>" in refused.text
        assert 'id="title-error"' in refused.text
        assert f'value="{title}"' in refused.text
    (section,) = await _outline(author, course["id"])
    assert (section["title"], section["items"][0]["title"]) == ("Week 1", "Welcome")


async def test_deleting_an_item_asks_first_and_says_what_is_lost(
    site: Site, author: Author
) -> None:
    course, (_lesson, quiz, assignment) = await author.course(
        "Roasts",
        items=(("lesson", "Heat"), ("quiz", "Timing"), ("assignment", "Sunday roast")),
    )
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    # the item's page leads to the confirmation, which says what each kind loses
    item_page = await site.get(f"{builder}/items/{quiz['id']}")
    assert f'href="{builder}/items/{quiz["id"]}/delete"' in item_page.text
    assert 'class="button button--danger"' in item_page.text
    confirm = await site.get(f"{builder}/items/{quiz['id']}/delete")
    assert h1_of(confirm.text) == "Delete Timing?"
    assert "the learners' attempts, scores and progress on it" in site.text(confirm)
    assert "Its questions stay in the course's question bank" in site.text(confirm)
    assert '<button type="submit" class="button button--danger">Delete the item</button>' in (
        confirm.text
    )
    assert f'href="{builder}/items/{quiz["id"]}">Cancel</a>' in confirm.text
    handed_in = await site.get(f"{builder}/items/{assignment['id']}/delete")
    assert "hand-ins, files, grades and feedback" in site.text(handed_in)

    # looking at the confirmation deletes nothing; its button does
    assert len((await _outline(author, course["id"]))[0]["items"]) == 3
    deleted = await site.submit(
        f"{builder}/items/{quiz['id']}/delete", {}, form_page=f"{builder}/items/{quiz['id']}/delete"
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == builder
    assert "Timing has been deleted." in site.text(await site.get(builder))
    (section,) = await _outline(author, course["id"])
    assert [item["title"] for item in section["items"]] == ["Heat", "Sunday roast"]


async def test_a_published_course_keeps_its_last_item(site: Site, author: Author) -> None:
    course, (lesson,) = await author.course("Toast")
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(
        f"{builder}/items/{lesson['id']}/delete",
        {},
        form_page=f"{builder}/items/{lesson['id']}/delete",
    )

    assert refused.status_code == 303
    assert "A published course keeps at least one item" in site.text(await site.get(builder))
    assert len((await _outline(author, course["id"]))[0]["items"]) == 1


async def test_deleting_a_section_says_how_many_items_go_with_it(
    site: Site, author: Author
) -> None:
    course, (lesson, _quiz) = await author.course(
        "Salads", items=(("lesson", "Leaves"), ("quiz", "Dressings")), publish=False
    )
    empty = await author.call(
        "POST", f"/api/v1/courses/{course['id']}/sections", 201, json={"title": "Later"}
    )
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    confirm = await site.get(f"{builder}/sections/{lesson['section_id']}/delete")
    assert h1_of(confirm.text) == "Delete the section Week 1?"
    assert "It holds 2 items: their content, files and the learners' results" in site.text(confirm)
    assert "It holds no items." in site.text(
        await site.get(f"{builder}/sections/{empty['id']}/delete")
    )

    path = f"{builder}/sections/{lesson['section_id']}/delete"
    deleted = await site.submit(path, {})
    assert deleted.status_code == 303
    assert [section["title"] for section in await _outline(author, course["id"])] == ["Later"]


async def test_archiving_and_deleting_a_course_ask_first(site: Site, author: Author) -> None:
    course, _items = await author.course("Pickles")
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    # the builder offers archiving, a danger button that leads to the confirmation
    page = await site.get(builder)
    assert f'<a class="button button--danger" href="{builder}/archive">' in page.text
    # a form sent without the confirmation (an old page) leads there too, changing nothing
    unconfirmed = await site.submit(
        f"{builder}/visibility", {"visibility": "archived"}, form_page=builder
    )
    assert unconfirmed.headers["location"] == f"{builder}/archive"
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    assert stored["visibility"] == "published"
    confirm = await site.get(f"{builder}/archive")
    assert h1_of(confirm.text) == "Archive Pickles?"
    assert "takes no new enrollments" in site.text(confirm)
    archived = await site.submit(
        f"{builder}/visibility",
        {"visibility": "archived", "confirmed": "yes"},
        form_page=f"{builder}/archive",
    )
    assert archived.status_code == 303
    assert (await author.call("GET", f"/api/v1/courses/{course['id']}", 200))["visibility"] == (
        "archived"
    )

    # an archived course offers deleting, asked once too
    page = await site.get(builder)
    assert f'<a class="button button--danger" href="{builder}/delete">' in page.text
    confirm = await site.get(f"{builder}/delete")
    assert h1_of(confirm.text) == "Delete Pickles?"
    assert "This cannot be undone." in site.text(confirm)
    deleted = await site.submit(f"{builder}/delete", {})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/teach"
    assert "Pickles has been deleted." in site.text(await site.get("/teach"))
    await author.call("GET", f"/api/v1/courses/{course['id']}", 404)


async def test_a_published_course_is_not_deleted(site: Site, author: Author) -> None:
    course, _items = await author.course("Jams")
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(f"{builder}/delete", {}, form_page=builder)

    assert refused.headers["location"] == builder
    assert "Archive the course before deleting it" in site.text(await site.get(builder))
    await author.call("GET", f"/api/v1/courses/{course['id']}", 200)


async def test_a_refused_new_section_or_item_is_worded_next_to_its_field(
    site: Site, author: Author
) -> None:
    course, (lesson,) = await author.course("Breads", publish=False)
    builder = f"/teach/{course['id']}"
    field = f"item-title-{lesson['section_id']}"
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(
        f"{builder}/sections/{lesson['section_id']}/items",
        {"title": "x" * 201, "kind": "quiz"},
        form_page=builder,
    )

    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    assert f'<a href="#{field}">Enter a shorter title</a>' in refused.text
    assert f'id="{field}-error"' in refused.text
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in refused.text
    assert f'value="{"x" * 201}"' in refused.text
    assert '<option value="quiz" selected>' in refused.text
    refused = await site.submit(f"{builder}/sections", {"title": ""}, form_page=builder)
    assert refused.status_code == 422
    assert '<a href="#section-title">Enter a title</a>' in refused.text
    assert len(await _outline(author, course["id"])) == 1


@pytest.mark.parametrize(
    ("page", "form"),
    [
        ("/sections/{section}", "/sections/{section}"),
        ("/sections/{section}/delete", "/sections/{section}/delete"),
        ("/items/{item}", "/items/{item}"),
        ("/items/{item}/delete", "/items/{item}/delete"),
        ("/archive", "/visibility"),
        ("/delete", "/delete"),
    ],
)
async def test_learners_may_not_rename_or_delete(
    site: Site, author: Author, page: str, form: str
) -> None:
    course, (lesson,) = await author.course("Guarded")
    builder = f"/teach/{course['id']}"
    ids = {"section": lesson["section_id"], "item": lesson["id"]}
    await site.log_in(*LEARNER)

    assert (await site.get(builder + page.format(**ids))).status_code == 403
    refused = await site.submit(
        builder + form.format(**ids),
        {"title": "Mine now", "visibility": "archived", "confirmed": "yes"},
        form_page="/courses",
    )

    assert refused.status_code == 403
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    (section,) = stored["sections"]
    assert (section["title"], section["items"][0]["title"]) == ("Week 1", "Welcome")
    assert stored["visibility"] == "published"


async def test_a_section_or_item_of_another_course_is_not_found(site: Site, author: Author) -> None:
    course, _items = await author.course("Mine")
    _other, (lesson,) = await author.course("Other")
    await site.log_in(*INSTRUCTOR)

    assert (await site.get(f"/teach/{course['id']}/items/{lesson['id']}")).status_code == 404
    assert (
        await site.get(f"/teach/{course['id']}/sections/{lesson['section_id']}/delete")
    ).status_code == 404


async def test_an_instructor_duplicates_a_course_from_the_builder(
    site: Site, author: Author
) -> None:
    course, _items = await author.course("Curries")
    builder = f"/teach/{course['id']}"
    await site.log_in(*INSTRUCTOR)
    assert f'action="{builder}/duplicate"' in (await site.get(builder)).text

    copied = await site.submit(f"{builder}/duplicate", {}, form_page=builder)

    assert copied.status_code == 303
    copy_builder = copied.headers["location"]
    assert copy_builder != builder
    page = await site.get(copy_builder)
    assert h1_of(page.text) == "Curries (copy)"
    assert "This is your copy, Curries (copy): a draft, without learners." in site.text(page)
    assert "Welcome" in site.text(page)


async def test_a_learner_may_not_duplicate_a_course(site: Site, author: Author) -> None:
    course, _items = await author.course("Chutneys")
    await site.log_in(*LEARNER)

    refused = await site.submit(f"/teach/{course['id']}/duplicate", {}, form_page="/courses")

    assert refused.status_code == 403
    listed = await author.call("GET", "/api/v1/me/courses", 200)
    assert [row["course"]["title"] for row in listed if "Chutneys" in row["course"]["title"]] == [
        "Chutneys"
    ]
