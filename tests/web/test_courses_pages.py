"""The course pages through the whole platform: catalog, course page, enrolling, the lesson
player, a quiz, the dashboard and a certificate, as a browser without scripts uses them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import bearer

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

INSTRUCTOR = ("instructor@example.com", "learnhub-instructor")
LEARNER = ("learner1@example.com", "learnhub-learner")
LEARNER_2 = ("learner2@example.com", "learnhub-learner")


def h1_of(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no <h1>"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


class Author:
    """The demo instructor, building courses through the API on the same platform."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def call(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code == expected, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    async def course(
        self,
        title: str,
        *,
        items: tuple[tuple[str, str], ...] = (("lesson", "Welcome"),),
        publish: bool = True,
        **fields: Any,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A course with one section holding ``items`` ((kind, title) pairs)."""
        course = await self.call("POST", "/api/v1/courses", 201, json={"title": title, **fields})
        section = await self.call(
            "POST", f"/api/v1/courses/{course['id']}/sections", 201, json={"title": "Week 1"}
        )
        created = []
        for kind, item_title in items:
            item = await self.call(
                "POST",
                f"/api/v1/courses/{course['id']}/sections/{section['id']}/items",
                201,
                json={"kind": kind, "title": item_title, "published": True},
            )
            if kind == "lesson":
                await self.call(
                    "PUT",
                    f"/api/v1/courses/{course['id']}/lessons/{item['id']}",
                    200,
                    json={
                        "content_markdown": f"# {item_title}\n\nThe text of *{item_title}*.",
                        "transcript": "Hello and welcome.",
                    },
                )
            created.append(item)
        if publish:
            course = await self.call(
                "PATCH", f"/api/v1/courses/{course['id']}", 200, json={"visibility": "published"}
            )
        return course, created

    async def single_choice_quiz(self, course_id: str, quiz_id: str) -> dict[str, Any]:
        """Give the quiz one single-choice question ("2 + 2?", right answer "4")."""
        question = await self.call(
            "POST",
            f"/api/v1/courses/{course_id}/questions",
            201,
            json={
                "type": "single_choice",
                "prompt": "What is 2 + 2?",
                "options": [
                    {"id": "three", "text": "3"},
                    {"id": "four", "text": "4", "correct": True},
                ],
            },
        )
        await self.call(
            "PUT",
            f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions",
            200,
            json={"question_ids": [question["id"]]},
        )
        return question


@pytest.fixture
async def author(web_client: httpx.AsyncClient) -> Author:
    response = await web_client.post(
        "/api/v1/auth/login", json={"email": INSTRUCTOR[0], "password": INSTRUCTOR[1]}
    )
    assert response.status_code == 200, response.text
    return Author(web_client, bearer(response.json()["access_token"]))


async def test_the_catalog_lists_published_courses_and_filters_them(
    site: Site, author: Author
) -> None:
    # given two published courses and a draft
    await author.course("Chemistry for cooks", level="beginner", category="Science")
    await author.course("Advanced pastry", level="advanced", category="Cooking")
    await author.course("Secret draft", publish=False)

    # when anyone opens the catalog
    page = await site.get("/courses")

    # then both published courses are there, and the draft is not
    assert page.status_code == 200
    assert h1_of(page.text) == "Courses"
    text = site.text(page)
    assert "Chemistry for cooks" in text
    assert "Advanced pastry" in text
    assert "Secret draft" not in text
    assert '<a href="/courses/chemistry-for-cooks">Chemistry for cooks</a>' in page.text
    assert '<option value="Science">Science (1)</option>' in page.text

    # and the filters narrow it down
    advanced = site.text(await site.get("/courses?level=advanced"))
    assert "Advanced pastry" in advanced
    assert "Chemistry for cooks" not in advanced
    searched = site.text(await site.get("/courses?q=chemistry"))
    assert "Chemistry for cooks" in searched
    assert "Advanced pastry" not in searched
    nothing = site.text(await site.get("/courses?q=astronomy"))
    assert "No courses match your search." in nothing


async def test_the_catalog_is_empty_at_first_and_speaks_portuguese(site: Site) -> None:
    page = await site.get("/courses", headers={"Accept-Language": "pt-BR"})

    assert page.status_code == 200
    assert h1_of(page.text) == "Cursos"
    assert "Ainda não há cursos. Volte em breve." in site.text(page)


async def test_the_course_page_offers_the_action_that_fits_the_visitor(
    site: Site, author: Author
) -> None:
    course, _items = await author.course(
        "Knife skills",
        description="Hold the knife **firmly**.",
        level="intermediate",
        estimated_hours=3,
    )
    await author.course("By approval", enrollment_policy="approval")

    # anonymous: log in to enroll, coming back here
    anonymous = await site.get("/courses/knife-skills")
    assert anonymous.status_code == 200
    assert h1_of(anonymous.text) == "Knife skills"
    assert "<strong>firmly</strong>" in anonymous.text
    assert 'href="/login?next=%2Fcourses%2Fknife-skills"' in anonymous.text
    assert "Log in to enroll" in site.text(anonymous)
    assert "Intermediate" in site.text(anonymous)
    assert "3 hours" in site.text(anonymous)
    # the id works as well as the slug
    assert (await site.get(f"/courses/{course['id']}")).status_code == 200

    # a signed-in learner who is not enrolled: the Enroll button
    await site.log_in(*LEARNER)
    learner_view = await site.get("/courses/knife-skills")
    assert 'action="/courses/knife-skills/enroll"' in learner_view.text
    assert ">Enroll</button>" in learner_view.text
    approval = await site.get("/courses/by-approval")
    assert ">Request to join</button>" in approval.text

    # unknown courses are the 404 page
    assert (await site.get("/courses/no-such-course")).status_code == 404


async def test_a_learner_enrolls_reads_a_lesson_and_marks_it_complete(
    site: Site, author: Author
) -> None:
    # given a course of three items
    course, items = await author.course(
        "Bread",
        items=(("lesson", "Flour"), ("lesson", "Water"), ("lesson", "Salt")),
    )
    first, second, _third = items
    await site.log_in(*LEARNER)

    # when the learner enrolls from the course page
    enrolled = await site.submit("/courses/bread/enroll", {}, form_page="/courses/bread")

    # then they land on the first lesson
    assert enrolled.status_code == 303
    assert enrolled.headers["location"] == f"/courses/bread/learn/{first['id']}"
    lesson = await site.get(enrolled.headers["location"])
    assert lesson.status_code == 200
    text = site.text(lesson)
    assert "You are enrolled. Enjoy the course!" in text
    assert h1_of(lesson.text) == "Flour"
    # the lesson's Markdown starts with its title: the page shows that heading once
    assert re.findall(r"<h\d[^>]*>Flour</h\d>", lesson.text) == ['<h1 id="lesson-title">Flour</h1>']
    assert "The text of Flour ." in text
    assert "Hello and welcome." in text  # the transcript
    assert "0 of 3 done" in text
    assert f'href="/courses/bread/learn/{first["id"]}" aria-current="page"' in lesson.text

    # when they mark it complete
    done = await site.submit(
        f"/courses/bread/learn/{first['id']}/complete",
        {},
        form_page=f"/courses/bread/learn/{first['id']}",
    )

    # then they go on to the next lesson, and the first one is ticked
    assert done.status_code == 303
    assert done.headers["location"] == f"/courses/bread/learn/{second['id']}"
    following = await site.get(done.headers["location"])
    assert "Lesson marked as complete." in site.text(following)
    assert "1 of 3 done" in site.text(following)
    assert "Flour (Lesson, done)" in site.text(following)

    # and the course page now says "Continue learning"
    course_page = await site.get("/courses/bread")
    assert "Continue learning" in site.text(course_page)
    assert f'href="/courses/bread/learn/{second["id"]}"' in course_page.text

    # and the dashboard shows the progress in words
    dashboard = await site.get("/learning")
    assert dashboard.status_code == 200
    assert "1 of 3 done" in site.text(dashboard)
    assert "Next: Water" in site.text(dashboard)
    assert course["title"] in site.text(dashboard)


async def test_a_lesson_of_a_course_the_learner_is_not_in_sends_them_to_enroll(
    site: Site, author: Author
) -> None:
    _course, items = await author.course("Soup")
    await site.log_in(*LEARNER)

    response = await site.get(f"/courses/soup/learn/{items[0]['id']}")

    assert response.status_code == 303
    assert response.headers["location"] == "/courses/soup"
    assert "Enroll in this course to open its lessons." in site.text(
        await site.get("/courses/soup")
    )


async def test_a_learner_takes_a_quiz_and_sees_the_result(site: Site, author: Author) -> None:
    course, items = await author.course(
        "Arithmetic", items=(("lesson", "Adding"), ("quiz", "Check yourself"))
    )
    quiz = items[1]
    await author.single_choice_quiz(course["id"], quiz["id"])
    await site.log_in(*LEARNER)
    await site.submit("/courses/arithmetic/enroll", {}, form_page="/courses/arithmetic")
    quiz_path = f"/courses/arithmetic/quizzes/{quiz['id']}"

    # the introduction
    intro = await site.get(quiz_path)
    assert intro.status_code == 200
    assert h1_of(intro.text) == "Check yourself"
    assert "Start the quiz" in site.text(intro)

    # start -> the attempt page with the question
    started = await site.submit(f"{quiz_path}/start", {}, form_page=quiz_path)
    assert started.status_code == 303
    attempt_path = started.headers["location"]
    assert attempt_path.startswith(f"{quiz_path}/attempts/")
    attempt = await site.get(attempt_path)
    assert "What is 2 + 2?" in site.text(attempt)
    assert "(1 point)" in site.text(attempt)  # one point, in the singular
    question_field = re.search(r'name="(q-[^"]+)" value="four"', attempt.text)
    assert question_field

    # saving keeps the answer
    saved = await site.submit(attempt_path, {question_field.group(1): "four", "action": "save"})
    assert saved.status_code == 303
    again = await site.get(attempt_path)
    assert "Your answers have been saved." in site.text(again)
    assert 'value="four" checked' in again.text

    # submitting shows the result
    submitted = await site.submit(
        attempt_path, {question_field.group(1): "four", "action": "submit"}
    )
    assert submitted.status_code == 303
    result = await site.get(attempt_path)
    assert "You scored 1 out of 1 (100%)." in site.text(result)
    assert "You passed." in site.text(result)


async def test_completing_a_course_gives_a_public_certificate(site: Site, author: Author) -> None:
    _course, items = await author.course("Tea", items=(("lesson", "Leaves"),))
    await site.log_in(*LEARNER)
    await site.submit("/courses/tea/enroll", {}, form_page="/courses/tea")
    await site.submit(
        f"/courses/tea/learn/{items[0]['id']}/complete",
        {},
        form_page=f"/courses/tea/learn/{items[0]['id']}",
    )

    dashboard = await site.get("/learning")
    match = re.search(r'href="/certificates/([A-Za-z0-9-]+)"', dashboard.text)
    assert match, site.text(dashboard)
    code = match.group(1)

    # anyone can check it, signed in or not
    await site.submit("/logout", {}, form_page="/learning")
    certificate = await site.get(f"/certificates/{code}")
    assert certificate.status_code == 200
    text = site.text(certificate)
    assert "This certificate is genuine" in text
    assert "Learner One" in text or "learner" in text.lower()
    assert "Tea" in text
    assert code in text
    assert (await site.get("/certificates/LH-NOPE-NOPE")).status_code == 404


async def test_the_dashboard_needs_a_user_and_is_empty_at_first(site: Site) -> None:
    anonymous = await site.get("/learning")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Flearning"

    await site.log_in(*LEARNER_2)
    empty = await site.get("/learning")
    assert empty.status_code == 200
    assert "You are not enrolled in any course yet." in site.text(empty)
    assert 'href="/courses">Find a course' in empty.text


async def test_home_offers_the_courses_in_progress_with_their_next_item(
    site: Site, author: Author
) -> None:
    # given a learner who has done the first of three lessons
    _course, items = await author.course(
        "Cheese", items=(("lesson", "Milk"), ("lesson", "Rennet"), ("lesson", "Ageing"))
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/cheese/enroll", {}, form_page="/courses/cheese")
    await site.submit(
        f"/courses/cheese/learn/{items[0]['id']}/complete",
        {},
        form_page=f"/courses/cheese/learn/{items[0]['id']}",
    )

    # when they open the home page
    home = await site.get("/")

    # then it offers the course, how far they are, and a link to the next lesson
    text = site.text(home)
    assert "Pick up where you left off" in text
    assert "Cheese" in text and "1 of 3 done" in text
    assert "Next: Rennet" in text
    assert f'href="/courses/cheese/learn/{items[1]["id"]}">Rennet</a>' in home.text


async def test_home_sends_a_learner_without_courses_to_the_catalog(site: Site) -> None:
    await site.log_in(*LEARNER_2)
    home = await site.get("/")
    assert "You are not studying a course at the moment." in site.text(home)
    assert 'href="/courses">Find a course' in home.text
    assert "Pick up where you left off" not in site.text(home)


async def test_the_dashboard_speaks_portuguese(site: Site, author: Author) -> None:
    course, _items = await author.course("Pão", items=(("lesson", "Farinha"), ("lesson", "Sal")))
    await site.log_in(*LEARNER)
    await site.submit("/language", {"locale": "pt", "next": "/learning"}, form_page="/learning")
    await site.submit(f"/courses/{course['slug']}/enroll", {}, form_page="/courses")

    dashboard = await site.get("/learning")

    assert h1_of(dashboard.text) == "Minha aprendizagem"
    assert "0 de 2 concluídos" in site.text(dashboard)


async def test_lesson_pages_send_anonymous_visitors_to_log_in(site: Site, author: Author) -> None:
    _course, items = await author.course("Rice")

    response = await site.get(f"/courses/rice/learn/{items[0]['id']}")

    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/login?next=%2Fcourses%2Frice%2Flearn%2F{items[0]['id']}"
    )


async def test_learners_may_not_open_the_teaching_pages(site: Site, author: Author) -> None:
    course, _items = await author.course("Pasta")
    assert (await site.get("/teach")).headers["location"] == "/login?next=%2Fteach"

    await site.log_in(*LEARNER)

    assert (await site.get("/teach")).status_code == 403
    assert (await site.get(f"/teach/{course['id']}")).status_code == 403
    refused = await site.submit(
        f"/teach/{course['id']}/visibility", {"visibility": "draft"}, form_page="/courses"
    )
    assert refused.status_code == 403
    # and the course is still published
    assert "Pasta" in site.text(await site.get("/courses"))


async def test_an_instructor_builds_and_publishes_a_course(site: Site) -> None:
    await site.log_in(*INSTRUCTOR)

    # an empty title is refused in words
    refused = await site.submit("/teach", {"title": " ", "level": "beginner", "language": "en"})
    assert refused.status_code == 422
    assert "Enter a title for the course" in site.text(refused)

    created = await site.submit(
        "/teach",
        {"title": "Pizza at home", "summary": "Dough.", "level": "beginner", "language": "en"},
    )
    assert created.status_code == 303
    builder_path = created.headers["location"]
    course_id = builder_path.rsplit("/", 1)[1]

    await site.submit(f"{builder_path}/sections", {"title": "Dough"}, form_page=builder_path)
    builder = await site.get(builder_path)
    section_id = re.search(r'action="/teach/[^/]+/sections/([^/]+)/items"', builder.text).group(1)
    for title in ("Yeast", "Kneading"):
        await site.submit(
            f"{builder_path}/sections/{section_id}/items",
            {"title": title, "kind": "lesson"},
            form_page=builder_path,
        )
    builder = await site.get(builder_path)
    assert site.text(builder).index("Yeast") < site.text(builder).index("Kneading")

    # move "Kneading" up
    kneading = re.search(r'id="item-([^"]+)" class="builder-item">\s*<span>Kneading', builder.text)
    moved = await site.submit(
        f"{builder_path}/items/{kneading.group(1)}/move",
        {"direction": "up"},
        form_page=builder_path,
    )
    assert moved.status_code == 303
    builder = await site.get(builder_path)
    assert site.text(builder).index("Kneading") < site.text(builder).index("Yeast")

    # edit the lesson and see the preview
    lesson_path = f"{builder_path}/lessons/{kneading.group(1)}"
    saved = await site.submit(lesson_path, {"content_markdown": "Knead for **ten** minutes."})
    assert saved.status_code == 303
    assert "<strong>ten</strong>" in (await site.get(lesson_path)).text

    # the new items are drafts: the course is published only once one of them is
    assert "Kneading \u2013 Lesson Draft" in site.text(builder)
    refused = await site.submit(
        f"{builder_path}/visibility", {"visibility": "published"}, form_page=builder_path
    )
    assert refused.status_code == 303
    after = site.text(await site.get(builder_path))
    assert "Publish at least one item before publishing the course." in after
    item_published = await site.submit(
        f"{builder_path}/items/{kneading.group(1)}/publish",
        {"published": "yes"},
        form_page=builder_path,
    )
    assert item_published.status_code == 303
    after = site.text(await site.get(builder_path))
    assert "The item is published" in after and "Kneading \u2013 Lesson Draft" not in after

    # publish: the catalog lists it
    published = await site.submit(
        f"{builder_path}/visibility", {"visibility": "published"}, form_page=builder_path
    )
    assert published.status_code == 303
    assert "The course is published" in site.text(await site.get(builder_path))
    assert "Pizza at home" in site.text(await site.get("/courses"))
    assert course_id in (await site.get("/teach")).text


async def test_an_instructor_previews_the_course_as_a_learner(site: Site, author: Author) -> None:
    course, items = await author.course("Preview me", items=(("lesson", "Shown"),))
    section_id = items[0]["section_id"]
    await author.call(
        "POST",
        f"/api/v1/courses/{course['id']}/sections/{section_id}/items",
        201,
        json={"kind": "lesson", "title": "Still a draft"},
    )
    await site.log_in(*INSTRUCTOR)
    staff_view = site.text(await site.get("/courses/preview-me"))
    assert "Still a draft" in staff_view and "Preview as a learner" in staff_view
    preview = site.text(await site.get("/courses/preview-me?preview=learner"))
    assert "Preview: the course page as its learners see it" in preview
    assert "Shown" in preview and "Still a draft" not in preview
    assert "Edit this course" not in preview
    await site.submit("/logout", {}, form_page="/learning")
    await site.log_in(*LEARNER)
    # a learner asking for the preview sees the course page as ever, without drafts
    learner_view = site.text(await site.get("/courses/preview-me?preview=learner"))
    assert "Preview:" not in learner_view and "Still a draft" not in learner_view
