"""The lesson page as a browser without scripts gets it: the lesson first, its outline
after it in a toggle (app.css puts it beside the lesson on a wide screen), and Markdown
tables as tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.web.test_courses_pages import LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]  # the demo instructor's fixture, shared with the course page tests


async def test_the_lesson_comes_first_and_its_outline_follows_in_a_toggle(
    site: Site, author: Author
) -> None:
    course, items = await author.course("Bread", items=(("lesson", "Flour"), ("lesson", "Salt")))
    await author.call(
        "PUT",
        f"/api/v1/courses/{course['id']}/lessons/{items[0]['id']}",
        200,
        json={"content_markdown": "| Flour | Protein |\n|---|---|\n| Strong | 13 % |\n"},
    )
    await site.log_in(*LEARNER)
    enrolled = await site.submit("/courses/bread/enroll", {}, form_page="/courses/bread")

    page = (await site.get(enrolled.headers["location"])).text

    # the lesson, then the outline in a closed <details> whose summary says the progress
    lesson_at = page.index('<h1 id="lesson-title">Flour</h1>')
    outline_at = page.index('<details class="player__side player__outline">')
    assert lesson_at < outline_at
    assert page.index('<nav class="outline" aria-label="Course outline">') > outline_at
    summary = page[outline_at : page.index("</summary>", outline_at)]
    assert "Course outline" in summary and "(0 of 2 done)" in summary
    # the Markdown table is a table, with its header row
    assert "<th>Protein</th>" in page and "<td>Strong</td>" in page
