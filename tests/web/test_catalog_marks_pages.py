"""The catalog marks the courses the signed-in visitor learns in or teaches, and the course
page names its instructors, as a browser without scripts sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conftest import bearer
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    response = await web_client.post(
        "/api/v1/auth/login", json={"email": INSTRUCTOR[0], "password": INSTRUCTOR[1]}
    )
    assert response.status_code == 200, response.text
    return Author(web_client, bearer(response.json()["access_token"]))


def card_of(html: str, title: str) -> str:
    """The catalog card whose title links to ``title``."""
    start = html.index(f">{title}</a>")
    return html[start : html.index("</li>\n", html.index('class="chips"', start))]


async def test_the_catalog_marks_the_courses_the_learner_is_enrolled_in(
    site: Site, author: Author
) -> None:
    # given two courses, and a learner enrolled in one of them
    await author.course("Bread basics")
    await author.course("Pasta by hand")
    await site.log_in(*LEARNER)
    enrolled = await site.submit(
        "/courses/bread-basics/enroll", {}, form_page="/courses/bread-basics"
    )
    assert enrolled.status_code == 303

    # when they open the catalog
    page = await site.get("/courses")

    # then the one they follow carries the mark, the other none
    assert "You are enrolled" in card_of(page.text, "Bread basics")
    assert "You are enrolled" not in card_of(page.text, "Pasta by hand")


async def test_an_anonymous_visitor_sees_no_marks_and_the_instructor_their_courses(
    site: Site, author: Author
) -> None:
    await author.course("Bread basics")

    anonymous = await site.get("/courses")
    await site.log_in(*INSTRUCTOR)
    teaching = await site.get("/courses")

    assert "You are enrolled" not in anonymous.text
    assert "You teach this course" not in anonymous.text
    assert "You teach this course" in card_of(teaching.text, "Bread basics")


async def test_the_course_page_names_its_instructors(site: Site, author: Author) -> None:
    course, _ = await author.course("Bread basics")
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/enrollments",
        201,
        json={"email": LEARNER[0], "role": "instructor"},
    )

    page = await site.get("/courses/bread-basics")
    portuguese = await site.get("/courses/bread-basics", headers={"Accept-Language": "pt"})

    assert "Taught by Ines Instructor and Leo Learner" in site.text(page)
    assert "Ministrado por Ines Instructor e Leo Learner" in site.text(portuguese)
