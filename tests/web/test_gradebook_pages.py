"""The gradebook page with many learners: a page of a sane size at a time, the count in
words, a link to the next page, and the CSV with everyone."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.conftest import Stack
from tests.services.courses.gradebook_support import add_learners
from tests.web.test_courses_pages import INSTRUCTOR, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_two_thousand_learners_are_shown_a_page_at_a_time(
    site: Site, author: Author, embedded: Stack
) -> None:
    course, items = await author.course("Crowded", items=(("quiz", "Check"),))
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/items/{items[0]['id']}",
        200,
        json={"max_points": 10},
    )
    await add_learners(embedded, course["id"], 2000)
    await site.log_in(*INSTRUCTOR)
    path = f"/teach/{course['id']}/gradebook"

    first = await site.get(path)
    assert first.status_code == 200
    assert "2,000 learners in this course" in site.text(first)
    rows = re.findall(r'<th scope="row">Learner \d{4}</th>', first.text)
    assert len(rows) == 50
    assert rows[0] == '<th scope="row">Learner 0000</th>'
    next_link = re.search(
        r'<a href="(/teach/[^"]+/gradebook\?cursor=[^"]+)">Next page</a>', first.text
    )
    assert next_link, first.text

    second = await site.get(next_link.group(1).replace("&amp;", "&"))
    rows = re.findall(r'<th scope="row">(Learner \d{4})</th>', second.text)
    assert (len(rows), rows[0]) == (50, "Learner 0050")
    assert "First page" in site.text(second)
    # the override form's hidden cursor brings the user back to this page
    assert re.search(r'name="cursor" value="[^"]+"', second.text)

    csv = await site.get(f"{path}.csv")
    assert len(csv.text.splitlines()) == 2001

    await site.submit("/language", {"locale": "pt", "next": path}, form_page=path)
    assert "2.000 alunos neste curso" in site.text(await site.get(path))
