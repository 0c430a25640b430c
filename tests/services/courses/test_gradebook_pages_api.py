"""The gradebook pages through learners by name with a cursor, on each tier, and its CSV
stays complete (streamed a page at a time)."""

from __future__ import annotations

import csv
import io

from tests.conftest import Stack
from tests.services.courses.gradebook_support import add_learners
from tests.services.courses.support import published_course_with_items


async def test_the_gradebook_pages_through_learners_and_the_csv_has_them_all(
    stack: Stack,
) -> None:
    # given a course with 130 learners, two of them not yet known by name
    course, staff, items = await published_course_with_items(stack, kinds=("quiz",))
    points = await stack.client.patch(
        f"/api/v1/courses/{course['id']}/items/{items[0]['id']}",
        json={"max_points": 10},
        headers=staff,
    )
    assert points.status_code == 200, points.text
    named = await add_learners(stack, course["id"], 128)
    unnamed = await add_learners(stack, course["id"], 2, named=False)
    url = f"/api/v1/courses/{course['id']}/gradebook"
    # when staff read it 50 learners at a time
    seen: list[str] = []
    sizes = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        response = await stack.client.get(url, params=params, headers=staff)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["learner_count"] == 130
        sizes.append(len(page["learners"]))
        seen.extend(learner["user_id"] for learner in page["learners"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # then every learner comes once, the unnamed first, then by name
    assert sizes == [50, 50, 30]
    assert sorted(seen[:2]) == sorted(unnamed)
    assert seen[2:] == named
    # and the CSV has every learner, in the same order
    export = await stack.client.get(f"{url}.csv", headers=staff)
    assert export.status_code == 200, export.text
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["Learner", "E-mail", "Quiz 1", "Total %"]
    assert len(rows) == 131
    assert [row[0] for row in rows[3:]] == [f"Learner {n:04d}" for n in range(128)]
    # a cursor the API did not give out is a 400 problem
    bad = await stack.client.get(url, params={"cursor": "junk"}, headers=staff)
    assert (bad.status_code, bad.json()["type"]) == (400, "/problems/invalid-cursor")


async def test_two_thousand_learners_come_in_pages_of_a_sane_size(embedded: Stack) -> None:
    course, staff, _ = await published_course_with_items(embedded, kinds=("quiz",))
    await add_learners(embedded, course["id"], 2000)
    url = f"/api/v1/courses/{course['id']}/gradebook"
    first = (await embedded.client.get(url, headers=staff)).json()
    assert (len(first["learners"]), first["learner_count"]) == (20, 2000)
    biggest = await embedded.client.get(url, params={"limit": 1000}, headers=staff)
    assert (biggest.status_code, biggest.json()["errors"][0]["code"]) == (422, "less_than_equal")
    export = await embedded.client.get(f"{url}.csv", headers=staff)
    assert len(export.text.splitlines()) == 2001
