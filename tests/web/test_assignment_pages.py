"""The assignment page, a learner's grades and the file downloads, through the whole platform:
courses made by the demo instructor through the API, used as a browser without scripts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from tests.web.test_courses_pages import INSTRUCTOR, LEARNER, LEARNER_2, Author, author, h1_of

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]  # the demo instructor's fixture, shared with the course page tests

RUBRIC = [
    {"title": "Method", "description": "Shows each step.", "points": 6},
    {"title": "Result", "description": "The bread rises.", "points": 4},
]


async def assignment_course(
    author: Author, title: str, **settings: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A published course (a lesson, then an assignment) and the assignment's settings."""
    course, items = await author.course(
        title, items=(("lesson", "Kneading"), ("assignment", "Bake a loaf"))
    )
    body = {
        "instructions": "Bake a loaf and **describe** each step.",
        "points": 10,
        "rubric": RUBRIC,
        **settings,
    }
    assignment = await author.call(
        "PATCH", f"/api/v1/courses/{course['id']}/assignments/{items[1]['id']}", 200, json=body
    )
    return course, items[1], assignment


async def enroll(site: Site, course: dict[str, Any]) -> None:
    path = f"/courses/{course['slug']}"
    response = await site.submit(f"{path}/enroll", {}, form_page=path)
    assert response.status_code == 303, site.text(response)


async def post_work(
    site: Site, path: str, text: str = "", file: tuple[str, bytes, str] | None = None
) -> httpx.Response:
    """Send the assignment form as multipart, the way a browser does."""
    page = await site.get(path)
    return await site.client.post(
        path,
        data={"text": text, "csrf_token": site.csrf_token(page.text)},
        files={"file": file or ("", b"", "application/octet-stream")},
    )


async def test_a_learner_reads_the_assignment_and_hands_in_text_and_a_file(
    site: Site, author: Author
) -> None:
    due = datetime.now(UTC) + timedelta(days=3)
    course, item, _assignment = await assignment_course(
        author,
        "Baking",
        due_at=due.isoformat(),
        late_policy="penalty",
        penalty_percent_per_day=10,
        penalty_cap_percent=50,
        allowed_file_types=[".txt", ".pdf"],
    )
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/baking/assignments/{item['id']}"

    # the lesson player's outline and "next" link lead to the assignment page
    lesson = await site.get("/courses/baking/learn")
    lesson = await site.get(lesson.headers["location"])
    assert f'href="{path}" rel="next"' in lesson.text

    page = await site.get(path)
    assert page.status_code == 200
    assert h1_of(page.text) == "Bake a loaf"
    text = site.text(page)
    assert "Bake a loaf and describe each step." in text
    assert "<strong>describe</strong>" in page.text  # the API's sanitised HTML
    assert "Late work loses 10% of the points for each day it is late, up to 50%." in text, text
    assert "You can send a new version until the due date." in text
    assert "Method Shows each step. 6" in text and "Total 10" in text
    assert "Accepted: .txt, .pdf." in text
    assert f'href="{path}" aria-current="page"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "0 of 2 done" in text

    # nothing sent: the error summary asks for the work, in words
    empty = await post_work(site, path)
    assert empty.status_code == 422
    assert 'class="error-summary"' in empty.text
    assert "Enter your work or choose a file" in site.text(empty)

    # a file of the wrong kind is refused before the API sees it; the text is kept
    wrong = await post_work(site, path, "My loaf", ("loaf.exe", b"MZ", "application/x-dosexec"))
    assert wrong.status_code == 422
    assert "The file must be one of these types: .txt, .pdf" in site.text(wrong)
    assert ">My loaf</textarea>" in wrong.text

    # text and a file: handed in, back on the page with a message and the version
    sent = await post_work(
        site, path, "I kneaded for ten minutes.", ("notes.txt", b"flour, water, salt", "text/plain")
    )
    assert sent.status_code == 303, site.text(sent)
    assert sent.headers["location"] == path
    after = await site.get(path)
    text = site.text(after)
    assert "Your work has been handed in." in text
    assert "Version 1" in text
    assert "I kneaded for ten minutes." in text
    assert "Waiting to be graded" in text
    assert "Send a new version" in text

    # the file comes back through the web UI with the API's type and name
    link = re.search(rf'href="({path}/submissions/[^"]+/file)"', after.text)
    assert link, after.text
    download = await site.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"flour, water, salt"
    assert download.headers["content-type"].startswith("text/plain")
    assert "notes.txt" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

    # another learner may not have it
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*LEARNER_2)
    await enroll(site, course)
    assert (await site.get(link.group(1))).status_code in (403, 404)
    await site.submit("/logout", {}, form_page="/learning")
    anonymous = await site.get(link.group(1))
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")


async def test_markdown_work_reads_as_formatted_text_for_the_learner_and_the_grader(
    site: Site, author: Author
) -> None:
    course, item, _assignment = await assignment_course(author, "Rust")
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/rust/assignments/{item['id']}"
    work = "# My report\n\n**Rusting** needs water. <script>alert(1)</script>"
    sent = await post_work(site, path, work)
    assert sent.status_code == 303, site.text(sent)

    # the learner sees a heading and bold text, not the Markdown signs, and no script
    page = await site.get(path)
    assert "<h3>My report</h3>" in page.text
    assert "<strong>Rusting</strong> needs water." in page.text
    assert "**Rusting**" not in site.text(page)
    assert "<script>alert(1)" not in page.text

    # and so does the instructor grading it
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*INSTRUCTOR)
    queue = await site.get(f"/teach/{course['id']}/grading")
    grade_link = re.search(
        rf'href="(/teach/{course["id"]}/grading/{item["id"]}/[^"]+)"', queue.text
    )
    assert grade_link, queue.text
    grading = await site.get(grade_link.group(1))
    assert grading.status_code == 200, site.text(grading)
    assert "<strong>Rusting</strong> needs water." in grading.text
    assert "<script>alert(1)" not in grading.text


async def test_the_outline_says_handed_in_until_the_work_is_graded(
    site: Site, author: Author
) -> None:
    course, item, assignment = await assignment_course(author, "Pottery")
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/pottery/assignments/{item['id']}"

    before = site.text(await site.get("/courses/pottery"))
    assert "Bake a loaf \u2013 Assignment, not done" in before, before
    sent = await post_work(site, path, "A bowl, fired twice.")
    assert sent.status_code == 303, site.text(sent)

    # handed in: said so on the course page, in the outline and on the assignment
    course_page = await site.get("/courses/pottery")
    assert "Bake a loaf \u2013 Assignment, handed in, waiting to be graded" in site.text(
        course_page
    )
    assignment_page = site.text(await site.get(path))
    assert "Handed in, waiting to be graded" in assignment_page
    assert "(Assignment, handed in, waiting to be graded)" in assignment_page

    # graded by the instructor: graded, and counted as done
    queue = await author.call(
        "GET", f"/api/v1/courses/{course['id']}/grading-queue?assignment_id={item['id']}", 200
    )
    work = queue["items"][0]["submission"]
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/assignments/{item['id']}/submissions/{work['id']}/grade",
        200,
        json={
            "rubric": [
                {"criterion_id": criterion["id"], "points": criterion["points"]}
                for criterion in assignment["rubric"]
            ]
        },
    )
    graded = site.text(await site.get("/courses/pottery"))
    assert "Bake a loaf \u2013 Assignment, graded" in graded, graded
    assert "Graded" in site.text(await site.get(path))


async def test_late_work_that_the_assignment_refuses_is_explained(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    course, item, _assignment = await assignment_course(
        author, "Closed", due_at=past.isoformat(), late_policy="refuse", submission_types=["text"]
    )
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/closed/assignments/{item['id']}"

    page = await site.get(path)
    text = site.text(page)
    assert "Work is not accepted after the due date." in text
    assert "The due date has passed and this assignment does not accept late work." in text
    assert 'enctype="multipart/form-data"' not in page.text

    # a form sent anyway gets the API's 409 in words, with the text kept
    refused = await web_client.post(
        path, data={"text": "Too late?", "csrf_token": site.csrf_token(page.text)}
    )
    assert refused.status_code == 409
    assert 'class="error-summary"' in refused.text
    assert "does not accept late work" in site.text(refused)


async def test_the_assignment_page_needs_an_enrolled_learner(site: Site, author: Author) -> None:
    course, item, _assignment = await assignment_course(author, "Private")
    path = f"/courses/private/assignments/{item['id']}"

    anonymous = await site.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")

    await site.log_in(*LEARNER)
    outsider = await site.get(path)
    assert outsider.status_code == 303
    assert outsider.headers["location"] == "/courses/private"
    assert "Enroll in this course to see its assignments." in site.text(
        await site.get("/courses/private")
    )
    # a lesson id under the assignments address is not found
    await enroll(site, course)
    lesson_id = (await site.get("/courses/private/learn")).headers["location"].rsplit("/", 1)[-1]
    assert (await site.get(f"/courses/private/assignments/{lesson_id}")).status_code == 404


async def test_lesson_files_download_through_the_web_ui(
    site: Site, author: Author, web_client: httpx.AsyncClient
) -> None:
    course, items = await author.course("Files", items=(("lesson", "Recipes"),))
    lesson = items[0]
    attachment = await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}/attachments",
        201,
        files={"file": ("recipe card.pdf", b"%PDF-1.4 bread", "application/pdf")},
    )
    api_answer = await web_client.get(
        f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}/attachments/{attachment['id']}",
        headers=author.headers,
    )
    await site.log_in(*LEARNER)
    link = f"/courses/files/attachments/{lesson['id']}/{attachment['id']}"

    # not enrolled: the API says no, and so does the web UI
    assert (await site.get(link)).status_code == 403

    await enroll(site, course)
    page = await site.get(f"/courses/files/learn/{lesson['id']}")
    assert f'href="{link}" download>recipe card.pdf</a>' in page.text

    download = await site.get(link)
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 bread"
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == api_answer.headers["content-disposition"]
    assert download.headers["cache-control"] == "private, no-store"
    assert (await site.get(f"{link[:-4]}nope")).status_code == 404


async def test_a_learner_sees_their_grades_and_the_page_speaks_portuguese(
    site: Site, author: Author
) -> None:
    course, item, _assignment = await assignment_course(author, "Pão caseiro")
    await site.log_in(*LEARNER)
    await enroll(site, course)
    path = f"/courses/{course['slug']}/assignments/{item['id']}"
    sent = await post_work(site, path, "Amassei por dez minutos.")
    assert sent.status_code == 303
    # the instructor grades it through the API
    queue = await author.call("GET", f"/api/v1/courses/{course['id']}/grading-queue", 200)
    submission = queue["items"][0]["submission"]
    rubric = (
        await author.call("GET", f"/api/v1/courses/{course['id']}/assignments/{item['id']}", 200)
    )["rubric"]
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/assignments/{item['id']}/submissions/"
        f"{submission['id']}/grade",
        200,
        json={
            "score": 7.5,
            "rubric": [
                {"criterion_id": rubric[0]["id"], "points": 4.5},
                {"criterion_id": rubric[1]["id"], "points": 3},
            ],
            "feedback": "Boa crosta.",
        },
    )
    await site.submit("/language", {"locale": "pt", "next": path}, form_page=path)

    page = await site.get(path)
    assert page.status_code == 200
    assert page.headers["content-language"] == "pt"
    text = site.text(page)
    assert "Nota: 7,5 de 10" in text, text
    assert "Boa crosta." in text
    assert "Versão 1" in text

    grades = await site.get(f"/courses/{course['slug']}/grades")
    assert grades.status_code == 200
    text = site.text(grades)
    assert "7,5 de 10" in text
    assert "Boa crosta." in text
    assert '<caption id="grades-caption">' in grades.text
    assert INSTRUCTOR[0] not in text
