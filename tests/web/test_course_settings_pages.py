"""The course settings page through the whole platform: every field the API's PATCH takes,
prefilled, saved as typed, refusals worded next to their fields with the input kept, and
who may open it, as a browser without scripts uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.web.authoring_support import sao_paulo_author
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    return await sao_paulo_author(web_client)


def _form(**changes: str) -> dict[str, str]:
    """Every field of the settings form, filled as a person would."""
    return {
        "title": "Bread at home",
        "slug": "bread-at-home",
        "summary": "Loaves without a bakery.",
        "description": "# Bread\n\nFlour, water, **time**.",
        "cover_image_url": "https://images.example.com/loaf.jpg",
        "category": "Cooking",
        "tags": "Bread, baking, bread",
        "level": "intermediate",
        "language": "pt",
        "estimated_hours": "7,5",
        "enrollment_policy": "approval",
        "starts_date": "2027-03-01",
        "starts_time": "",
        "ends_date": "2027-06-30",
        "ends_time": "18:00",
        **changes,
    }


async def test_an_instructor_changes_every_setting_of_a_course(site: Site, author: Author) -> None:
    course, (quiz,) = await author.course("Loaves", items=(("quiz", "Crumb check"),))
    path = f"/teach/{course['id']}/settings"
    await site.log_in(*INSTRUCTOR)

    # the builder links to the settings, which show what is saved
    assert f'href="{path}"' in (await site.get(f"/teach/{course['id']}")).text
    page = await site.get(path)
    assert page.status_code == 200
    assert h1_of(page.text) == "Course settings"
    assert 'id="title" name="title" type="text" value="Loaves"' in page.text
    assert 'id="required_items" name="required_items" value="yes" checked' in page.text
    assert f'name="passing_quiz_ids" value="{quiz["id"]}">' in page.text

    # when every field is changed
    saved = await site.submit(
        path, {**_form(), "required_items": "yes", "passing_quiz_ids": quiz["id"]}
    )

    # then the course has them, dates read in the instructor's time zone (UTC-3)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/teach/{course['id']}"
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    assert {key: stored[key] for key in _form() if key in stored} == {
        "title": "Bread at home",
        "slug": "bread-at-home",
        "summary": "Loaves without a bakery.",
        "description": "# Bread\n\nFlour, water, **time**.",
        "cover_image_url": "https://images.example.com/loaf.jpg",
        "category": "Cooking",
        "tags": ["bread", "baking"],
        "level": "intermediate",
        "language": "pt",
        "estimated_hours": 7.5,
        "enrollment_policy": "approval",
    }
    assert stored["starts_at"].startswith("2027-03-01T03:00:00")
    assert stored["ends_at"].startswith("2027-06-30T21:00:00")
    assert stored["completion_rule"] == {"required_items": True, "passing_quiz_ids": [quiz["id"]]}
    assert "The course settings have been saved." in site.text(
        await site.get(saved.headers["location"])
    )
    # and the form shows them again as typed, in the instructor's time zone
    page = await site.get(path)
    assert 'name="ends_time" value="18:00"' in page.text
    assert 'value="bread, baking"' in page.text

    # emptying the optional fields clears them
    cleared = await site.submit(
        path,
        _form(
            summary="",
            cover_image_url="",
            category="",
            tags="",
            estimated_hours="",
            starts_date="",
            ends_date="",
            ends_time="",
        ),
    )
    assert cleared.status_code == 303
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    assert [stored[key] for key in ("summary", "cover_image_url", "category", "tags")] == [
        "",
        None,
        None,
        [],
    ]
    assert (stored["estimated_hours"], stored["starts_at"], stored["ends_at"]) == (None, None, None)
    # the completion rule unticked: only the required items... none: the quizzes alone
    assert stored["completion_rule"] == {"required_items": False, "passing_quiz_ids": []}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "Enter a title for the course"),
        ({"slug": "Bread At Home"}, "slug", "Use lower-case letters and digits joined by"),
        ({"cover_image_url": "loaf.jpg"}, "cover_image_url", "Enter a web address that starts"),
        ({"estimated_hours": "a lot"}, "estimated_hours", "Enter the hours as a number"),
        ({"estimated_hours": "-2"}, "estimated_hours", "Enter 0 hours or more"),
        ({"ends_date": "2027-02-01"}, "ends_date", "Make the end later than the start"),
        ({"starts_date": "2027-02-30"}, "starts_date", "Enter a real date and time"),
        ({"enrollment_policy": "everyone"}, "enrollment_policy", "Choose who may join"),
    ],
)
async def test_a_refused_setting_is_worded_next_to_its_field_with_the_input_kept(
    site: Site, author: Author, changes: dict[str, str], field: str, message: str
) -> None:
    course, _items = await author.course("Rye", publish=False)
    path = f"/teach/{course['id']}/settings"
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(path, _form(**changes))

    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#{field}"' in summary and message in summary
    assert f'id="{field}-error"' in refused.text
    assert 'value="Bread, baking, bread"' in refused.text  # what was typed is kept
    # and nothing was saved
    stored = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    assert (stored["title"], stored["tags"]) == ("Rye", [])


async def test_an_address_another_course_uses_is_refused_in_words(
    site: Site, author: Author
) -> None:
    await author.course("Taken address")
    course, _items = await author.course("Free address", publish=False)
    await site.log_in(*INSTRUCTOR)

    refused = await site.submit(f"/teach/{course['id']}/settings", _form(slug="taken-address"))

    assert refused.status_code == 422
    assert "Another course uses this web address: choose another" in site.text(refused)
    assert (await author.call("GET", f"/api/v1/courses/{course['id']}", 200))["slug"] == (
        "free-address"
    )


async def test_only_those_who_may_edit_the_course_see_its_settings(
    site: Site, author: Author
) -> None:
    course, _items = await author.course("Closed kitchen")
    path = f"/teach/{course['id']}/settings"
    assert (await site.get(path)).headers["location"].startswith("/login")

    await site.log_in(*LEARNER)

    assert (await site.get(path)).status_code == 403
    refused = await site.submit(path, _form(title="Taken over"), form_page="/courses")
    assert refused.status_code == 403
    stored: dict[str, Any] = await author.call("GET", f"/api/v1/courses/{course['id']}", 200)
    assert stored["title"] == "Closed kitchen"
