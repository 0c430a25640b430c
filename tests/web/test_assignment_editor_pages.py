"""The assignment editor through the whole platform: the settings in the user's time zone,
the rubric one criterion at a time, and the API's refusals in words next to their fields,
as a browser without scripts uses it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.web.authoring_support import sao_paulo_author
from tests.web.test_courses_pages import INSTRUCTOR, Author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    return await sao_paulo_author(web_client)


async def _assignment(author: Author) -> tuple[dict[str, Any], str, str]:
    """A draft course with an essay: the course, the editor's path and the API's path."""
    course, (assignment,) = await author.course(
        "Rubrics", items=(("assignment", "Essay"),), publish=False
    )
    editor = f"/teach/{course['id']}/assignments/{assignment['id']}"
    api = f"/api/v1/courses/{course['id']}/assignments/{assignment['id']}"
    return course, editor, api


async def test_assignment_settings_are_saved_in_the_users_time_zone(
    site: Site, author: Author
) -> None:
    course, path, api_path = await _assignment(author)
    await site.log_in(*INSTRUCTOR)
    builder = await site.get(f"/teach/{course['id']}")
    assert f'href="{path}"' in builder.text

    saved = await site.submit(
        path,
        {
            "instructions": "Write about *bread*.",
            "due_date": "2027-04-01",
            "due_time": "09:30",
            "late_policy": "penalty",
            "penalty_percent_per_day": "10",
            "penalty_cap_percent": "50",
            "submission_types": "file",
            "allowed_file_types": "pdf, .DOCX",
            "max_file_size": "2",
            "resubmission": "until_graded",
            "points": "7,5",
        },
    )
    assert saved.status_code == 303, site.text(saved)
    settings = await author.call("GET", api_path, 200)
    assert settings["instructions"] == "Write about *bread*."
    assert datetime.fromisoformat(settings["due_at"]) == datetime.fromisoformat(
        "2027-04-01T12:30:00+00:00"
    )
    assert settings["late_policy"] == "penalty"
    assert (settings["penalty_percent_per_day"], settings["penalty_cap_percent"]) == (10, 50)
    assert settings["submission_types"] == ["file"]
    assert settings["allowed_file_types"] == [".pdf", ".docx"]
    assert settings["max_file_bytes"] == 2 * 1024 * 1024
    assert settings["resubmission"] == "until_graded"
    assert settings["points"] == 7.5
    page = await site.get(path)
    assert "<em>bread</em>" in page.text
    assert 'value="2027-04-01"' in page.text and 'value="09:30"' in page.text

    # what the API refuses is worded next to its field, the input kept, nothing saved
    refused = await site.submit(
        path,
        {
            "late_policy": "accept",
            "resubmission": "never",
            "allowed_file_types": "not an ext!",
            "max_file_size": "99999",
            "due_date": "2027-02-30",
        },
    )
    assert refused.status_code == 422
    text = site.text(refused)
    assert "Enter file types like .pdf .docx, separated by spaces or commas" in text
    assert "Choose at least one way to hand in work" in text
    assert "Enter a real date and time, like 2027-03-31 and 17:00" in text
    assert 'value="not an ext!"' in refused.text
    assert await author.call("GET", api_path, 200) == settings
    too_big = await site.submit(
        path,
        {
            "submission_types": "text",
            "late_policy": "accept",
            "resubmission": "never",
            "max_file_size": "99999",
        },
    )
    assert too_big.status_code == 422
    assert "The file size is larger than this platform allows" in site.text(too_big)
    assert await author.call("GET", api_path, 200) == settings


async def test_the_rubric_is_edited_one_criterion_at_a_time(site: Site, author: Author) -> None:
    _course, path, api_path = await _assignment(author)
    await site.log_in(*INSTRUCTOR)

    # two criteria added: the assignment is worth their total
    for fields in (
        {"new-title": "Content", "new-description": "Says something true", "new-points": "6"},
        {"new-title": "Style", "new-points": "4"},
    ):
        added = await site.submit(f"{path}/rubric", fields, form_page=path)
        assert added.status_code == 303, site.text(added)
    settings = await author.call("GET", api_path, 200)
    content, style = settings["rubric"]
    assert [(c["title"], c["description"], c["points"]) for c in settings["rubric"]] == [
        ("Content", "Says something true", 6),
        ("Style", "", 4),
    ]
    assert settings["points"] == 10
    page = await site.get(path)
    assert "2 criteria. Points in all: 10." in site.text(page)
    assert 'value="Content"' in page.text

    # one criterion changed, keeping its id
    changed = await site.submit(
        f"{path}/rubric/{style['id']}",
        {
            f"criterion-{style['id']}-title": "Style and spelling",
            f"criterion-{style['id']}-description": "",
            f"criterion-{style['id']}-points": "5",
        },
        form_page=path,
    )
    assert changed.status_code == 303, site.text(changed)
    settings = await author.call("GET", api_path, 200)
    assert [(c["id"], c["title"], c["points"]) for c in settings["rubric"]] == [
        (content["id"], "Content", 6),
        (style["id"], "Style and spelling", 5),
    ]
    assert settings["points"] == 11

    # points the API refuses: in words next to that criterion, the typed value kept
    refused = await site.submit(
        f"{path}/rubric/{content['id']}",
        {
            f"criterion-{content['id']}-title": "Content",
            f"criterion-{content['id']}-points": "0",
        },
        form_page=path,
    )
    assert refused.status_code == 422
    assert f'<a href="#criterion-{content["id"]}-points">Enter points more than 0</a>' in (
        refused.text
    )
    assert f'id="criterion-{content["id"]}-points" name="criterion-{content["id"]}-points"' in (
        refused.text
    )
    empty = await site.submit(
        f"{path}/rubric", {"new-title": "", "new-points": "x"}, form_page=path
    )
    assert empty.status_code == 422
    assert "Enter the criterion's title" in site.text(empty)
    assert "Enter the points as a number, like 4" in site.text(empty)

    # points that do not match the rubric: the page says its total
    mismatch = await site.submit(
        path,
        {
            "points": "3",
            "late_policy": "accept",
            "resubmission": "never",
            "submission_types": "text",
        },
    )
    assert mismatch.status_code == 422
    assert "With a rubric, the points must be its total: 11" in site.text(mismatch)

    # removing a criterion
    removed = await site.submit(f"{path}/rubric/{content['id']}/remove", {}, form_page=path)
    assert removed.status_code == 303
    settings = await author.call("GET", api_path, 200)
    assert [c["title"] for c in settings["rubric"]] == ["Style and spelling"]
    assert settings["points"] == 5


async def test_a_criterion_someone_adds_meanwhile_is_kept(site: Site, author: Author) -> None:
    _course, path, api_path = await _assignment(author)
    await site.log_in(*INSTRUCTOR)
    page = await site.get(path)
    token = site.csrf_token(page.text)
    # another editor adds a criterion while the page is open
    await author.call("POST", f"{api_path}/rubric", 201, json={"title": "Theirs", "points": 2})
    # the open page adds one too
    response = await site.client.post(
        f"{path}/rubric", data={"new-title": "Mine", "new-points": "3", "csrf_token": token}
    )
    assert response.status_code == 303
    settings = await author.call("GET", api_path, 200)
    assert [c["title"] for c in settings["rubric"]] == ["Theirs", "Mine"]
    assert settings["points"] == 5
