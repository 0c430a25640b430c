"""Deadlines and hand-ins on the learner's pages: the one date format, in the learner's
language and time zone, with a relative hint ("due in 3 days", "2 minutes ago")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from tests.web.test_assignment_pages import assignment_course, enroll, post_work
from tests.web.test_courses_pages import LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]  # the demo instructor's fixture, shared with the course page tests

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


async def learner_in_sao_paulo(site: Site, *, locale: str) -> None:
    """The demo learner, signed in, their profile in São Paulo's time zone and ``locale``."""
    await site.log_in(*LEARNER)
    saved = await site.submit(
        "/profile",
        {
            "display_name": "Leo Learner",
            "bio": "",
            "avatar_url": "",
            "locale": locale,
            "time_zone": "America/Sao_Paulo",
        },
    )
    assert saved.status_code == 303, site.text(saved)


async def test_a_deadline_reads_in_the_learners_zone_with_how_long_is_left(
    site: Site, author: Author
) -> None:
    # given an assignment due in three days (and a bit), and a learner in São Paulo
    due = (datetime.now(UTC) + timedelta(days=3, hours=1)).replace(second=0, microsecond=0)
    course, item, _ = await assignment_course(
        author, "Baking", due_at=due.isoformat(), submission_types=["text"]
    )
    await learner_in_sao_paulo(site, locale="en")
    await enroll(site, course)
    path = f"/courses/baking/assignments/{item['id']}"
    shown = format_datetime(due, "d MMMM y, HH:mm", tzinfo=SAO_PAULO, locale="en")

    # when they read the assignment and their dashboard
    page = site.text(await site.get(path))
    dashboard = site.text(await site.get("/learning"))

    # then both give the date in their zone, and the time left
    assert f"Due {shown} (due in 3 days)" in page
    assert f"{shown} (due in 3 days)" in dashboard
    machine = re.search(rf'<time datetime="([^"]+)">{shown}</time>', (await site.get(path)).text)
    assert machine and datetime.fromisoformat(machine.group(1)) == due

    # and once they hand in, the version says when, and how long ago
    sent = await post_work(site, path, "My loaf.")
    assert sent.status_code == 303, site.text(sent)
    after = site.text(await site.get(path))
    handed_in = re.search(r"Version 1 Handed in (.+?) \((\d+) seconds? ago\)", after)
    assert handed_in, after
    assert handed_in.group(1).startswith(f"{datetime.now(SAO_PAULO).day} ")


async def test_the_deadline_speaks_portuguese(site: Site, author: Author) -> None:
    due = (datetime.now(UTC) - timedelta(days=2, hours=1)).replace(second=0, microsecond=0)
    course, item, _ = await assignment_course(
        author, "Baking", due_at=due.isoformat(), submission_types=["text"]
    )
    await learner_in_sao_paulo(site, locale="pt")
    await enroll(site, course)

    page = site.text(await site.get(f"/courses/baking/assignments/{item['id']}"))

    shown = format_datetime(due, "d 'de' MMMM 'de' y, HH:mm", tzinfo=SAO_PAULO, locale="pt")
    assert f"{shown} (venceu há 2 dias)" in page


async def test_a_quiz_deadline_has_its_hint_too(site: Site, author: Author) -> None:
    course, items = await author.course("Timed", items=(("quiz", "Quick"),))
    due = (datetime.now(UTC) + timedelta(hours=5, minutes=10)).replace(second=0, microsecond=0)
    await author.single_choice_quiz(course["id"], items[0]["id"])
    await author.call(
        "PATCH",
        f"/api/v1/courses/{course['id']}/quizzes/{items[0]['id']}",
        200,
        json={"due_at": due.isoformat()},
    )
    await learner_in_sao_paulo(site, locale="en")
    await site.submit("/courses/timed/enroll", {}, form_page="/courses/timed")

    page = site.text(await site.get(f"/courses/timed/quizzes/{items[0]['id']}"))

    shown = format_datetime(due, "d MMMM y, HH:mm", tzinfo=SAO_PAULO, locale="en")
    assert f"Due {shown} (due in 5 hours)" in page
