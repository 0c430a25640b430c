"""The staff's grading pages through the whole platform: the grading queue, grading one
submission, the gradebook with its CSV, weights and overrides, and who may open them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from tests.web.test_assignment_pages import assignment_course, enroll, post_work
from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, LEARNER_2, Author, author, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]  # the demo instructor's fixture, shared with the course page tests


async def handed_in(site: Site, author: Author, title: str, **settings: Any) -> dict[str, Any]:
    """A course whose assignment the first demo learner has handed in; its parts by name."""
    course, item, assignment = await assignment_course(author, title, **settings)
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/{course['slug']}/assignments/{item['id']}"
    sent = await post_work(
        site, path, "Kneaded, proved, baked.", ("loaf.txt", b"crumb photo", "text/plain")
    )
    assert sent.status_code == 303, site.text(sent)
    await site.submit("/logout", {}, form_page="/learning")
    return {"course": course, "item": item, "assignment": assignment, "path": path}


async def test_an_instructor_grades_work_from_the_queue(site: Site, author: Author) -> None:
    given = await handed_in(site, author, "Grading bread")
    course, item, assignment = given["course"], given["item"], given["assignment"]
    await site.log_in(*INSTRUCTOR)

    # the builder leads to the queue, which lists the work waiting
    builder = await site.get(f"/teach/{course['id']}")
    assert f'href="/teach/{course["id"]}/grading"' in builder.text
    assert f'href="/teach/{course["id"]}/gradebook"' in builder.text
    queue = await site.get(f"/teach/{course['id']}/grading")
    assert queue.status_code == 200
    assert h1_of(queue.text) == "Grading queue"
    text = site.text(queue)
    assert "Learner One" in text or LEARNER[0] in text
    assert "Bake a loaf" in text and "On time" in text and "Waiting to be graded" in text
    assert '<th scope="col">' in queue.text and "<caption" in queue.text
    link = re.search(rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)"', queue.text)
    assert link, queue.text

    # the grade page: the text, the file, one input per criterion
    grade_page = await site.get(link.group(1))
    assert grade_page.status_code == 200
    text = site.text(grade_page)
    assert "Kneaded, proved, baked." in text
    assert "Download loaf.txt" in text
    file_link = re.search(r'href="([^"]+/file)" download', grade_page.text)
    assert file_link
    file = await site.get(file_link.group(1))
    assert (file.status_code, file.content) == (200, b"crumb photo")
    method, result = assignment["rubric"]
    assert f'id="rubric-{method["id"]}"' in grade_page.text

    # points out of range are refused in words, the typed values kept
    refused = await site.submit(
        link.group(1),
        {f"rubric-{method['id']}": "9", f"rubric-{result['id']}": "3", "feedback": "Nice"},
    )
    assert refused.status_code == 422
    assert "Enter at most 6 points for Method" in site.text(refused)
    assert 'value="9"' in refused.text and ">Nice</textarea>" in refused.text

    # a good grade goes back to the queue with a message
    graded = await site.submit(
        link.group(1),
        {f"rubric-{method['id']}": "4,5", f"rubric-{result['id']}": "3", "feedback": "Good crust."},
    )
    assert graded.status_code == 303, site.text(graded)
    assert graded.headers["location"] == f"/teach/{course['id']}/grading?assignment={item['id']}"
    back = await site.get(graded.headers["location"])
    assert "Grade saved: 7.5 out of 10." in site.text(back)
    assert "Nothing is waiting to be graded." in site.text(back)
    done = await site.get(f"/teach/{course['id']}/grading?status=graded")
    assert "Graded: 7.5 of 10" in site.text(done)

    # the learner sees the grade and the feedback
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*LEARNER)
    mine = site.text(await site.get(given["path"]))
    assert "Grade: 7.5 out of 10" in mine and "Good crust." in mine


async def test_a_score_without_a_rubric_and_the_gradebook(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    given = await handed_in(site, author, "Scores", rubric=[])
    course, item = given["course"], given["item"]
    await site.log_in(*INSTRUCTOR)
    queue = await site.get(f"/teach/{course['id']}/grading?assignment={item['id']}&status=all")
    link = re.search(rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)"', queue.text)
    assert link
    too_much = await site.submit(link.group(1), {"score": "11"})
    assert too_much.status_code == 422
    assert "Enter a score of at most 10" in site.text(too_much)
    not_a_number = await site.submit(link.group(1), {"score": "abc"})
    assert not_a_number.status_code == 422
    assert "Enter a number, like 12 or 3.5" in site.text(not_a_number)
    empty = await site.submit(link.group(1), {"score": ""})
    assert "Enter the score" in site.text(empty)
    assert (await site.submit(link.group(1), {"score": "8"})).status_code == 303

    # the gradebook: learners x items, the total, a caption and header scopes
    book_path = f"/teach/{course['id']}/gradebook"
    book = await site.get(book_path)
    assert book.status_code == 200
    assert h1_of(book.text) == "Gradebook"
    assert "<caption" in book.text and '<th scope="row">' in book.text
    assert 'class="table-scroll" role="region"' in book.text
    text = site.text(book)
    assert "Bake a loaf" in text and "8 " in text and "80%" in text

    # the CSV comes through the web UI with the API's bytes and file name
    csv = await site.get(f"{book_path}.csv")
    api_csv = await web_client.get(
        f"/api/v1/courses/{course['id']}/gradebook.csv", headers=author.headers
    )
    assert csv.status_code == 200
    assert csv.content == api_csv.content
    assert csv.headers["content-type"].startswith("text/csv")
    assert (
        csv.headers["content-disposition"] == f'attachment; filename="gradebook-{course["id"]}.csv"'
    )
    assert f'href="{book_path}.csv"' in book.text

    # weights that do not add up to 100 are refused; then saved
    bad = await site.submit(
        f"{book_path}/weights",
        {"category-0": "Uncategorised", "weight-0": "50"},
        form_page=book_path,
    )
    assert bad.status_code == 422
    assert "The weights must add up to 100" in site.text(bad)
    categories = re.findall(r'name="(category-\d+)" value="([^"]*)"', book.text)
    assert categories
    weights = {f"weight-{index}": "0" for index in range(len(categories))}
    good = await site.submit(
        f"{book_path}/weights",
        {**dict(categories), **weights, "weight-0": "100"},
        form_page=book_path,
    )
    assert good.status_code == 303, site.text(good)
    assert "The weights have been saved." in site.text(await site.get(book_path))

    # an override needs a reason, then shows as changed
    learner_id = re.search(r'<option value="([0-9a-f-]{36})">', book.text)
    assert learner_id
    fields = {
        "override-user": learner_id.group(1),
        "override-item": item["id"],
        "override-score": "9",
        "override-reason": "",
    }
    no_reason = await site.submit(f"{book_path}/overrides", fields, form_page=book_path)
    assert no_reason.status_code == 422
    assert "Give the reason for the change" in site.text(no_reason)
    overridden = await site.submit(
        f"{book_path}/overrides",
        {**fields, "override-reason": "Marked twice by mistake."},
        form_page=book_path,
    )
    assert overridden.status_code == 303, site.text(overridden)
    after = await site.get(book_path)
    assert "The grade has been changed." in site.text(after)
    assert "9 changed" in site.text(after)


async def test_learners_and_visitors_may_not_open_the_grading_pages(
    site: Site, author: Author
) -> None:
    given = await handed_in(site, author, "Locked")
    course, item = given["course"], given["item"]
    pages = [
        f"/teach/{course['id']}/grading",
        f"/teach/{course['id']}/gradebook",
        f"/teach/{course['id']}/gradebook.csv",
        f"/teach/{course['id']}/grading/{item['id']}/00000000-0000-0000-0000-000000000000",
    ]
    for path in pages:
        anonymous = await site.get(path)
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/login?next="), path

    await site.log_in(*LEARNER)
    for path in pages:
        assert (await site.get(path)).status_code == 403, path
    refused = await site.submit(
        f"/teach/{course['id']}/gradebook/overrides",
        {"override-user": "x", "override-item": item["id"], "override-score": "1"},
        form_page="/learning",
    )
    assert refused.status_code == 403
    # and the learner's own grades page is theirs
    assert (await site.get(f"/courses/{course['slug']}/grades")).status_code == 200

    # another learner of the course cannot open the first learner's file
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*LEARNER_2)
    await enroll(site, course)
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*INSTRUCTOR)
    queue = await site.get(f"/teach/{course['id']}/grading")
    submission = re.search(rf'/grading/{item["id"]}/([0-9a-f-]{{36}})"', queue.text)
    assert submission
    # an unknown submission is the 404 page for staff
    assert (
        await site.get(
            f"/teach/{course['id']}/grading/{item['id']}/{'0' * 8}-0000-0000-0000-{'0' * 12}"
        )
    ).status_code == 404
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*LEARNER_2)
    other = await site.get(f"{given['path']}/submissions/{submission.group(1)}/file")
    assert other.status_code in (403, 404)


async def test_staff_open_every_version_and_grade_an_older_one(site: Site, author: Author) -> None:
    # given a learner who handed in twice
    given = await handed_in(site, author, "Versions", rubric=[])
    course, item = given["course"], given["item"]
    await site.log_in(*LEARNER)
    again = await post_work(site, given["path"], "Second try.")
    assert again.status_code == 303, site.text(again)
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*INSTRUCTOR)
    # the queue leads to the latest version, which lists both
    queue = await site.get(f"/teach/{course['id']}/grading?assignment={item['id']}")
    latest = re.search(rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)"', queue.text)
    assert latest
    page = await site.get(latest.group(1))
    text = site.text(page)
    assert "Second try." in text
    assert "The learner has handed in 2 versions." in text
    first = re.search(
        rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)">Version 1<', page.text
    )
    assert first, page.text
    # when the older version is opened and graded
    older = await site.get(first.group(1))
    assert "Kneaded, proved, baked." in site.text(older)
    assert "the learner has sent up to version 2" in site.text(older)
    graded = await site.submit(first.group(1), {"score": "6", "feedback": "The first was better."})
    assert graded.status_code == 303, site.text(graded)
    # then it is the grade that counts for the learner
    grades = await author.call("GET", f"/api/v1/courses/{course['id']}/gradebook", 200)
    assert grades["learners"][0]["cells"][0]["score"] == 6
