"""The grade form's rubric refusals name their rubric line, in the error summary and next
to the line's field, with what was typed kept."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, Author, author
from tests.web.test_grading_pages import handed_in

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_each_refused_rubric_line_is_named(site: Site, author: Author) -> None:
    given = await handed_in(site, author, "Rubric words")
    course, item = given["course"], given["item"]
    method, result = given["assignment"]["rubric"]
    await site.log_in(*INSTRUCTOR)
    queue = await site.get(f"/teach/{course['id']}/grading")
    link = re.search(rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)"', queue.text)
    assert link

    # when one line is not a number and the other is below 0
    refused = await site.submit(
        link.group(1),
        {f"rubric-{method['id']}": "lots", f"rubric-{result['id']}": "-1", "feedback": "Hm"},
    )

    # then the summary links each message to its line's field, and names the line
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert (
        f'<a href="#rubric-{method["id"]}">'
        "Enter the points for Method as a number, like 12 or 3.5</a>" in summary
    )
    assert f'<a href="#rubric-{result["id"]}">Enter 0 or more points for Result</a>' in summary
    for criterion in (method, result):
        assert f'id="rubric-{criterion["id"]}-error"' in refused.text
    assert 'value="lots"' in refused.text and 'value="-1"' in refused.text

    # and a line left empty is named too
    refused = await site.submit(
        link.group(1), {f"rubric-{method['id']}": "2", f"rubric-{result['id']}": ""}
    )
    assert refused.status_code == 422
    assert f'<a href="#rubric-{result["id"]}">Enter the points for Result</a>' in refused.text
