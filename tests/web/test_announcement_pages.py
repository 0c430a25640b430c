"""Announcements on the pages: the instructor posts, corrects and (after confirming)
deletes one; learners read them on the course page, the announcements page and their
home page, and get no form and no way to change them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


async def test_an_instructor_posts_and_learners_read_it_everywhere(
    site: Site, author: Author
) -> None:
    # given a course with an enrolled learner
    await author.course("Ceramics")
    await site.log_in(*LEARNER)
    await site.submit("/courses/ceramics/enroll", {}, form_page="/courses/ceramics")
    await site.submit("/logout", {}, form_page="/learning")
    # when the instructor posts without a title, then with one
    await site.log_in(*INSTRUCTOR)
    path = "/courses/ceramics/announcements"
    refused = await site.submit(path, {"title": " ", "body": "Kiln is **hot**."})
    assert refused.status_code == 422
    text = site.text(refused)
    assert "There is a problem" in text and "Enter a title for the announcement" in text
    assert "Kiln is **hot**." in refused.text  # what was typed is kept
    posted = await site.submit(path, {"title": "Kiln day", "body": "Kiln is **hot**."})
    assert (posted.status_code, posted.headers["location"]) == (303, path)
    assert "Your announcement has been posted." in site.text(await site.get(path))
    await site.submit("/logout", {}, form_page="/learning")
    # then the learner reads it on the course page, the list and the home page
    await site.log_in(*LEARNER)
    course_page = await site.get("/courses/ceramics")
    assert "Announcements Kiln day" in site.text(course_page)
    assert "<strong>hot</strong>" in course_page.text
    listing = await site.get(path)
    assert "Kiln day" in site.text(listing) and "Post an announcement" not in site.text(listing)
    assert "/edit" not in listing.text
    home = site.text(await site.get("/"))
    assert "Announcements Kiln day Ceramics" in home


async def test_correcting_and_deleting_take_the_instructor_and_a_confirmation(
    site: Site, author: Author
) -> None:
    course, _items = await author.course("Glazes")
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/announcements",
        201,
        json={"title": "Glaze test", "body": "Bring tiles."},
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/glazes/enroll", {}, form_page="/courses/glazes")
    listing = await site.get("/courses/glazes/announcements")
    announcement_id = re.search(r'id="announcement-([0-9a-f-]+)"', listing.text)
    assert announcement_id
    one = f"/courses/glazes/announcements/{announcement_id.group(1)}"
    # a learner may neither edit nor delete it
    assert (await site.get(f"{one}/edit")).status_code == 403
    assert (await site.get(f"{one}/delete")).status_code == 403
    refused = await site.submit(f"{one}/delete", {}, form_page="/courses/glazes/announcements")
    assert refused.status_code == 403
    await site.submit("/logout", {}, form_page="/learning")
    # the instructor corrects it, then deletes it after confirming
    await site.log_in(*INSTRUCTOR)
    edit = await site.get(f"{one}/edit")
    assert 'value="Glaze test"' in edit.text
    blank = await site.submit(f"{one}/edit", {"title": "Glaze test", "body": ""})
    assert blank.status_code == 422 and "Write the announcement" in site.text(blank)
    saved = await site.submit(f"{one}/edit", {"title": "Glaze test", "body": "Bring 3 tiles."})
    assert saved.status_code == 303
    assert "Bring 3 tiles." in site.text(await site.get("/courses/glazes/announcements"))
    confirm = site.text(await site.get(f"{one}/delete"))
    assert "“Glaze test” will disappear for everyone in the course" in confirm
    deleted = await site.submit(f"{one}/delete", {}, form_page=f"{one}/delete")
    assert deleted.status_code == 303
    after = site.text(await site.get("/courses/glazes/announcements"))
    assert "The announcement has been deleted." in after and "Glaze test" not in after
