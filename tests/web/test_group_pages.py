"""Groups on the pages: the instructor makes one, puts a learner in it, and the gradebook
and the grading queue then show one group at a time; deleting asks first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_an_instructor_groups_learners_and_filters_by_group(
    site: Site, author: Author
) -> None:
    course, items = await author.course("Wheel", items=(("assignment", "Mug"),))
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/assignments/{items[0]['id']}",
        200,
        json={"points": 10},
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/wheel/enroll", {}, form_page="/courses/wheel")
    await site.submit(f"/courses/wheel/assignments/{items[0]['id']}", {"text": "A mug."})
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*INSTRUCTOR)
    groups = f"/teach/{course['id']}/groups"
    blank = await site.submit(groups, {"name": " "})
    assert blank.status_code == 422 and "Enter a name for the group" in site.text(blank)
    assert (await site.submit(groups, {"name": "Tuesday"})).status_code == 303
    taken = await site.submit(groups, {"name": "Tuesday"})
    assert "The course has a group by this name already" in site.text(taken)
    assert (await site.submit(groups, {"name": "Thursday"})).status_code == 303
    page = await site.get(groups)
    learner_id = re.search(r'name="user_id" value="([^"]+)"', page.text)
    tuesday = re.search(r'<option value="([^"]+)">Tuesday</option>', page.text)
    assert learner_id and tuesday
    none_ticked = await site.submit(
        f"{groups}/members", {"group": tuesday.group(1)}, form_page=groups
    )
    assert "Tick the learners to put in the group" in site.text(none_ticked)
    moved = await site.submit(
        f"{groups}/members",
        {"group": tuesday.group(1), "user_id": learner_id.group(1)},
        form_page=groups,
    )
    assert moved.status_code == 303
    assert "Tuesday \u2013 1 learner" in site.text(await site.get(groups))
    # the gradebook and the queue of one group
    book = site.text(await site.get(f"/teach/{course['id']}/gradebook?group={tuesday.group(1)}"))
    assert "1 learner in this course" in book
    thursday = re.search(r'<option value="([^"]+)">Thursday</option>', page.text)
    assert thursday
    queue = f"/teach/{course['id']}/grading?status=ungraded&group="
    assert "A mug" not in site.text(await site.get(queue + thursday.group(1)))
    assert "Nothing is waiting to be graded." in site.text(
        await site.get(queue + thursday.group(1))
    )
    assert "Nothing is waiting" not in site.text(await site.get(queue + tuesday.group(1)))
    # deleting asks first, and the learner stays in the course
    delete = f"{groups}/{tuesday.group(1)}/delete"
    assert "Its 1 learner stays in the course, in no group." in site.text(await site.get(delete))
    assert (await site.submit(delete, {}, form_page=delete)).status_code == 303
    assert "Tuesday" not in site.text(await site.get(groups))
    await site.submit("/logout", {}, form_page="/learning")
    # learners may not open the groups page
    await site.log_in(*LEARNER)
    assert (await site.get(groups)).status_code == 403
