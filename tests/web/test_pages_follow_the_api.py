"""The pages say what the API says: an assignment's hand-in form and the reason it is
closed, a quiz's start button and attempts left, and the course page's action all come from
the API's viewer blocks, so the page and the API cannot disagree (the assignment page used
to recompute the resubmission rule and gave another reason than the API's refusal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from tests.conftest import bearer
from tests.web.test_assignment_pages import assignment_course, enroll, post_work
from tests.web.test_courses_pages import LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]

CLOSED_WORDS = {
    "past-due": "The due date has passed and this assignment does not accept late work.",
    "single-submission-only": "This assignment takes one submission only.",
    "already-graded": "Your work has been graded, so it cannot be replaced.",
    "resubmission-closed": "The due date has passed, so your work can no longer be replaced.",
}


async def _learner_api(web_client: httpx.AsyncClient) -> dict[str, str]:
    response = await web_client.post(
        "/api/v1/auth/login", json={"email": LEARNER[0], "password": LEARNER[1]}
    )
    return bearer(response.json()["access_token"])


async def test_the_assignment_page_gives_the_apis_reason(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    # given one submission of an assignment that takes one only
    course, item, _assignment = await assignment_course(author, "Once", resubmission="never")
    api_path = f"/api/v1/courses/{course['id']}/assignments/{item['id']}"
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/once/assignments/{item['id']}"
    assert (await post_work(site, path, "My only try.")).status_code == 303
    learner = await _learner_api(web_client)

    async def page_and_api_agree(expected: str) -> None:
        page = await site.get(path)
        viewer = (await web_client.get(api_path, headers=learner)).json()["viewer"]
        refused = await web_client.post(
            f"{api_path}/submissions", data={"text": "Again"}, headers=learner
        )
        slug = refused.json()["type"].rsplit("/", 1)[1]
        assert (viewer["can_submit"], viewer["reason_if_not"], slug) == (False, expected, expected)
        assert CLOSED_WORDS[expected] in site.text(page)
        assert 'enctype="multipart/form-data"' not in page.text

    await page_and_api_agree("single-submission-only")
    # when the due date passes and late work is refused, the API's reason is the due date,
    # and so is the page's (it used to say "one submission only")
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    await author.call("PATCH", api_path, 200, json={"due_at": past, "late_policy": "refuse"})
    await page_and_api_agree("past-due")
    # when the due date only closes new versions
    await author.call(
        "PATCH", api_path, 200, json={"late_policy": "accept", "resubmission": "until_due"}
    )
    await page_and_api_agree("resubmission-closed")
    # and when new versions are open until the grade, the page shows the form, with the
    # late penalty the API says a submission now would get
    await author.call(
        "PATCH",
        api_path,
        200,
        json={
            "resubmission": "until_graded",
            "late_policy": "penalty",
            "penalty_percent_per_day": 10,
        },
    )
    page = await site.get(path)
    assert 'enctype="multipart/form-data"' in page.text
    assert "work handed in now is late and loses 10% of its points" in site.text(page)


async def test_the_quiz_page_offers_what_the_api_allows(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    course, items = await author.course("Quizzing", items=(("quiz", "Check"),))
    quiz = items[0]
    await author.single_choice_quiz(course["id"], quiz["id"])
    quiz_api = f"/api/v1/courses/{course['id']}/quizzes/{quiz['id']}"
    await author.call("PATCH", quiz_api, 200, json={"attempts_allowed": 2})
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/quizzing/quizzes/{quiz['id']}"
    learner = await _learner_api(web_client)

    async def viewer() -> dict[str, Any]:
        return (await web_client.get(quiz_api, headers=learner)).json()["viewer"]

    page = site.text(await site.get(path))
    assert (await viewer())["attempts_left"] == 2
    assert "2 attempts left" in page and "Start the quiz" in page and "1 question" in page
    for _attempt in range(2):
        started = await site.submit(f"{path}/start", {}, form_page=path)
        attempt_path = started.headers["location"]
        # nothing answered: the summary asks first, and submitting from it hands it in
        summary = await site.submit(attempt_path, {"action": "submit"}, form_page=attempt_path)
        assert "You have not answered 1 question of 1" in site.text(summary)
        await site.submit(attempt_path, {"confirmed": "yes"}, form_page=attempt_path)
    page = site.text(await site.get(path))
    assert ((await viewer())["attempts_left"], (await viewer())["reason_if_not"]) == (
        0,
        "no-attempts-left",
    )
    assert "0 attempts left" in page
    assert "You have used all your attempts at this quiz." in page
    assert "Try again" not in page


async def test_the_course_page_action_follows_the_viewer_block(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    course, _items = await author.course("Invited", enrollment_policy="invite")
    page = site.text(await site.get("/courses/invited"))
    assert "This course is by invitation only." in page
    assert "Log in to enroll" not in page
    await site.log_in(*LEARNER)
    page = site.text(await site.get("/courses/invited"))
    assert "This course is by invitation only." in page
    learner = await _learner_api(web_client)
    detail = await web_client.get(f"/api/v1/courses/{course['id']}", headers=learner)
    assert detail.json()["viewer"]["enroll_refusal"] == "invite-only"
    assert "1 lesson" in page and "0 learners enrolled" in page
