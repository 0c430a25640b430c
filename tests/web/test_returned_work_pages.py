"""Work returned for resubmission on the pages: the grader ticks "Return it for
resubmission", the learner's outline and assignment page say so and take a new version."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_returned_work_is_handed_in_again(site: Site, author: Author) -> None:
    course, items = await author.course("Pottery", items=(("assignment", "Bowl"),))
    assignment_id = items[0]["id"]
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/assignments/{assignment_id}",
        200,
        json={"points": 10, "resubmission": "never"},
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/pottery/enroll", {}, form_page="/courses/pottery")
    page = f"/courses/pottery/assignments/{assignment_id}"
    handed_in = await site.submit(page, {"text": "A wobbly bowl."})
    assert handed_in.status_code == 303, site.text(handed_in)
    await site.submit("/logout", {}, form_page="/learning")
    # the instructor grades it and returns it
    await site.log_in(*INSTRUCTOR)
    queue = await site.get(f"/teach/{course['id']}/grading")
    link = re.search(rf'href="(/teach/{course["id"]}/grading/{assignment_id}/[^"]+)"', queue.text)
    assert link
    graded = await site.submit(
        link.group(1), {"score": "4", "feedback": "Centre it.", "return_for_resubmission": "yes"}
    )
    assert graded.status_code == 303
    after = site.text(await site.get(graded.headers["location"]))
    assert "Grade saved: 4 out of 10. The work is returned for a new version." in after
    await site.submit("/logout", {}, form_page="/learning")
    # the learner sees it returned, and hands in a new version despite "one submission"
    await site.log_in(*LEARNER)
    text = site.text(await site.get(page))
    assert "Your work was returned for a new version" in text
    assert "Bowl (Assignment, returned for resubmission)" in text
    again = await site.submit(page, {"text": "A centred bowl."})
    assert again.status_code == 303, site.text(again)
    text = site.text(await site.get(page))
    assert "Version 2" in text and "handed in, waiting to be graded" in text
    assert "Send a new version" in text and "Your work was returned" not in text
