"""Announcements on each tier: the course's staff post them (announced for the
notifications service), its members read them a page at a time, their author or the
course's instructors correct or delete them, and each member's dashboard gathers the
newest from all their courses."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.services.courses.quiz_support import courses_outbox, enroll, problem_of
from tests.services.courses.support import published_course_with_items


def url(course: dict[str, Any], suffix: str = "") -> str:
    return f"/api/v1/courses/{course['id']}/announcements{suffix}"


async def post(
    stack: Stack, course: dict[str, Any], headers: dict[str, str], title: str, body: str = "Hi."
) -> dict[str, Any]:
    response = await stack.client.post(
        url(course), json={"title": title, "body": body}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_staff_post_members_read_and_the_post_is_announced(stack: Stack) -> None:
    # given a course with a learner
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    learner_id, learner = await enroll(stack, course["id"], "ann@example.com")
    # when the instructor posts an announcement in Markdown
    posted = await post(stack, course, staff, "Lab moved", "The **lab** is on Thursday.")
    # then it is rendered, the instructor may edit it, and it is announced once
    assert posted["body_html"].strip() == "<p>The <strong>lab</strong> is on Thursday.</p>"
    assert posted["viewer"] == {"can_edit": True}
    await stack.settle()
    [event] = await courses_outbox(stack, "announcement.posted.v1")
    assert (event["announcement_id"], event["title"], event["course_title"]) == (
        posted["id"],
        "Lab moved",
        course["title"],
    )
    # and the learner reads it, without the right to post or edit
    page = (await stack.client.get(url(course), headers=learner)).json()
    assert [item["title"] for item in page["items"]] == ["Lab moved"]
    assert page["viewer"] == {"can_post": False}
    assert page["items"][0]["viewer"] == {"can_edit": False}
    # and their dashboard has it, with the course it came from
    mine = (await stack.client.get("/api/v1/me/announcements", headers=learner)).json()
    assert [(a["title"], a["course_slug"]) for a in mine] == [("Lab moved", course["slug"])]
    assert learner_id


async def test_announcements_page_newest_first(stack: Stack) -> None:
    course, staff, _ = await published_course_with_items(stack, kinds=("lesson",))
    for number in range(1, 6):
        await post(stack, course, staff, f"News {number}")
    first = (await stack.client.get(url(course), params={"limit": 3}, headers=staff)).json()
    assert [item["title"] for item in first["items"]] == ["News 5", "News 4", "News 3"]
    rest = await stack.client.get(
        url(course), params={"limit": 3, "cursor": first["next_cursor"]}, headers=staff
    )
    assert [item["title"] for item in rest.json()["items"]] == ["News 2", "News 1"]
    assert rest.json()["next_cursor"] is None
    bad = await stack.client.get(url(course), params={"cursor": "nonsense"}, headers=staff)
    assert problem_of(bad) == (400, "/problems/invalid-cursor")


async def test_who_may_post_read_change_and_delete(embedded: Stack) -> None:
    # given a course with a learner and a teaching assistant, and an outsider
    course, staff, _ = await published_course_with_items(embedded, kinds=("lesson",))
    _, learner = await enroll(embedded, course["id"], "ann@example.com")
    _, outsider = await embedded.signed_up("out@example.com")
    _, ta = await embedded.signed_up("ta@example.com")
    response = await embedded.client.post(
        f"/api/v1/courses/{course['id']}/enrollments",
        json={"email": "ta@example.com", "role": "teaching_assistant"},
        headers=staff,
    )
    assert response.status_code == 201, response.text
    by_instructor = await post(embedded, course, staff, "From the instructor")
    by_ta = await post(embedded, course, ta, "From the assistant")
    # then learners and outsiders may not post; outsiders and visitors may not read
    response = await embedded.client.post(
        url(course), json={"title": "Mine", "body": "x"}, headers=learner
    )
    assert problem_of(response) == (403, "/problems/not-course-staff")
    assert problem_of(await embedded.client.get(url(course), headers=outsider)) == (
        403,
        "/problems/not-enrolled",
    )
    assert problem_of(await embedded.client.get(url(course)))[0] == 401
    one = await embedded.client.get(url(course, f"/{by_ta['id']}"), headers=learner)
    assert (one.status_code, one.json()["title"]) == (200, "From the assistant")
    missing = await embedded.client.get(url(course, "/nope"), headers=learner)
    assert problem_of(missing) == (404, "/problems/announcement-not-found")
    outsiders = await embedded.client.get(url(course, f"/{by_ta['id']}"), headers=outsider)
    assert problem_of(outsiders) == (403, "/problems/not-enrolled")
    # the assistant changes their own announcement, not the instructor's
    mine = await embedded.client.patch(
        url(course, f"/{by_ta['id']}"), json={"title": "Corrected"}, headers=ta
    )
    assert (mine.status_code, mine.json()["title"], mine.json()["body"]) == (
        200,
        "Corrected",
        "Hi.",
    )
    theirs = await embedded.client.patch(
        url(course, f"/{by_instructor['id']}"), json={"title": "Mine now"}, headers=ta
    )
    assert problem_of(theirs) == (403, "/problems/not-course-staff")
    # the instructor may delete anyone's; a learner no one's
    response = await embedded.client.delete(url(course, f"/{by_ta['id']}"), headers=learner)
    assert problem_of(response) == (403, "/problems/not-course-staff")
    response = await embedded.client.delete(url(course, f"/{by_ta['id']}"), headers=staff)
    assert response.status_code == 204
    response = await embedded.client.delete(url(course, f"/{by_ta['id']}"), headers=staff)
    assert problem_of(response) == (404, "/problems/announcement-not-found")
    titles = [
        i["title"] for i in (await embedded.client.get(url(course), headers=ta)).json()["items"]
    ]
    assert titles == ["From the instructor"]


async def test_bad_announcements_are_refused_and_leave_nothing(embedded: Stack) -> None:
    course, staff, _ = await published_course_with_items(embedded, kinds=("lesson",))
    for body in (
        {"title": "", "body": "x"},
        {"title": "   ", "body": "x"},
        {"title": "x" * 201, "body": "x"},
        {"title": "Fine", "body": ""},
        {"title": "Fine"},
        {"title": "Fine", "body": "x", "pinned": True},
    ):
        response = await embedded.client.post(url(course), json=body, headers=staff)
        assert problem_of(response) == (422, "/problems/validation-error"), body
    posted = await post(embedded, course, staff, "Kept")
    response = await embedded.client.patch(
        url(course, f"/{posted['id']}"), json={"body": " "}, headers=staff
    )
    assert problem_of(response) == (422, "/problems/validation-error")
    page = (await embedded.client.get(url(course), headers=staff)).json()
    assert [(i["title"], i["body"]) for i in page["items"]] == [("Kept", "Hi.")]
    await embedded.settle()
    assert len(await courses_outbox(embedded, "announcement.posted.v1")) == 1


async def test_the_dashboard_gathers_only_the_members_courses(embedded: Stack) -> None:
    # given two courses; the learner is in the first only, then leaves it
    first, staff, _ = await published_course_with_items(embedded, kinds=("lesson",), title="One")
    second, other_staff, _ = await published_course_with_items(
        embedded, kinds=("lesson",), title="Two"
    )
    _, learner = await embedded.signed_up("ann@example.com")
    joined = await embedded.client.post(
        f"/api/v1/courses/{first['id']}/enrollments", headers=learner
    )
    assert joined.status_code == 201, joined.text
    await post(embedded, first, staff, "In one")
    await post(embedded, second, other_staff, "In two")
    mine = (await embedded.client.get("/api/v1/me/announcements", headers=learner)).json()
    assert [a["title"] for a in mine] == ["In one"]
    response = await embedded.client.delete(
        f"/api/v1/courses/{first['id']}/enrollments/{joined.json()['id']}", headers=learner
    )
    assert response.status_code == 204, response.text
    assert (await embedded.client.get("/api/v1/me/announcements", headers=learner)).json() == []
    assert problem_of(await embedded.client.get("/api/v1/me/announcements"))[0] == 401
