"""The gradebook API on each tier: the staff's gradebook and its CSV, category weights,
overrides with their history, and each learner's own grades."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.progress.service import record_item_outcome
from tests.conftest import Stack
from tests.services.courses.assignments_support import (
    LEARNER_1,
    LEARNER_2,
    demo_learner,
    enroll_self,
)
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    publish,
)

PROBLEM = "application/problem+json"
ESSAY = 'Essay "final", part 1'


@dataclass
class Book:
    course_id: str
    quiz_id: str
    essay_id: str
    extra_id: str
    lesson_id: str
    staff: dict[str, str]
    learner1_id: str
    learner1: dict[str, str]
    learner2_id: str
    learner2: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/courses/{self.course_id}/gradebook"


async def record_quiz_score(stack: Stack, book: Book, user_id: str, score: float) -> None:
    # Set up outside the API on purpose: quiz attempts belong to the quizzes sub-domain,
    # and the gradebook reads only the outcome they record.
    runtime = stack.platform.runtime("courses")
    async with runtime.db.transaction() as session:
        course = await session.get(Course, book.course_id)
        item = await session.get(Item, book.quiz_id)
        assert course is not None and item is not None
        await record_item_outcome(
            session,
            runtime.cache,
            course=course,
            item=item,
            user_id=user_id,
            completed=True,
            score=score,
            max_score=10,
            passed=score >= 6,
        )


async def grade_essay(stack: Stack, book: Book, learner: dict[str, str], score: float) -> None:
    url = f"/api/v1/courses/{book.course_id}/assignments/{book.essay_id}"
    work = await stack.client.post(f"{url}/submissions", data={"text": "Essay"}, headers=learner)
    assert work.status_code == 201, work.text
    response = await stack.client.post(
        f"{url}/submissions/{work.json()['id']}/grade",
        json={"score": score, "feedback": "Nice"},
        headers=book.staff,
    )
    assert response.status_code == 200, response.text


async def gradebook_course(stack: Stack) -> Book:
    """A course with a lesson, a quiz (10 points, "Quizzes"), an essay (20 points,
    "Assignments") and an uncategorised quiz (5 points); both demo learners enrolled."""
    staff = await instructor(stack)
    course = await create_course(stack, staff, title="Graded Course")
    section = await add_section(stack, staff, course["id"], "Week 1")

    async def item(kind: str, title: str, **fields: Any) -> str:
        created = await add_item(stack, staff, course["id"], section["id"], kind, title, **fields)
        return created["id"]

    lesson_id = await item("lesson", "Lesson 1")
    quiz_id = await item("quiz", "Quiz 1", grade_category="Quizzes", max_points=10)
    essay_id = await item("assignment", ESSAY, grade_category="Assignments", max_points=20)
    extra_id = await item("quiz", "=Bonus", max_points=5)
    await publish(stack, staff, course["id"])
    learner1_id, learner1 = await demo_learner(stack, LEARNER_1)
    learner2_id, learner2 = await demo_learner(stack, LEARNER_2)
    await enroll_self(stack, course["id"], learner1)
    await enroll_self(stack, course["id"], learner2)
    return Book(
        course["id"],
        quiz_id,
        essay_id,
        extra_id,
        lesson_id,
        staff,
        learner1_id,
        learner1,
        learner2_id,
        learner2,
    )


def cells(learner: dict[str, Any]) -> list[tuple[float | None, float, bool]]:
    return [(cell["score"], cell["max_score"], cell["overridden"]) for cell in learner["cells"]]


async def test_gradebook_weights_overrides_and_csv(stack: Stack) -> None:
    # given grades: Leo 8/10 on the quiz and 15/20 on the essay, Lia 5/10 on the quiz
    book = await gradebook_course(stack)
    await record_quiz_score(stack, book, book.learner1_id, 8)
    await record_quiz_score(stack, book, book.learner2_id, 5)
    await grade_essay(stack, book, book.learner1, 15)

    # when staff read the gradebook without weights: the total is by points
    response = await stack.client.get(book.url, headers=book.staff)
    assert response.status_code == 200
    gradebook = response.json()
    assert gradebook["columns"] == [
        {
            "item_id": book.quiz_id,
            "title": "Quiz 1",
            "kind": "quiz",
            "category": "Quizzes",
            "max_points": 10.0,
            "counts": "best",
        },
        {
            "item_id": book.essay_id,
            "title": ESSAY,
            "kind": "assignment",
            "category": "Assignments",
            "max_points": 20.0,
            "counts": None,
        },
        {
            "item_id": book.extra_id,
            "title": "=Bonus",
            "kind": "quiz",
            "category": "Uncategorised",
            "max_points": 5.0,
            "counts": "best",
        },
    ]
    leo, lia = gradebook["learners"]
    assert (leo["user_id"], leo["name"], leo["email"]) == (
        book.learner1_id,
        "Leo Learner",
        "learner1@example.com",
    )
    assert cells(leo) == [(8.0, 10.0, False), (15.0, 20.0, False), (None, 5.0, False)]
    assert leo["category_percents"] == {"Quizzes": 80.0, "Assignments": 75.0, "Uncategorised": None}
    assert (leo["total_percent"], lia["total_percent"]) == (76.67, 50.0)

    # when the instructor weighs quizzes 40 and assignments 60, and overrides Lia's essay
    response = await stack.client.put(
        f"{book.url}/settings",
        json={"category_weights": {"Quizzes": 40, "Assignments": 60}},
        headers=book.staff,
    )
    assert response.status_code == 200
    assert response.json()["category_weights"] == {"Quizzes": 40.0, "Assignments": 60.0}
    response = await stack.client.put(
        f"{book.url}/overrides",
        json={
            "user_id": book.learner2_id,
            "item_id": book.essay_id,
            "score": 16,
            "reason": "Paper copy handed in",
        },
        headers=book.staff,
    )
    assert response.status_code == 200, response.text

    # then the totals are weighted and the override shows
    gradebook = (await stack.client.get(book.url, headers=book.staff)).json()
    leo, lia = gradebook["learners"]
    assert gradebook["category_weights"] == {"Quizzes": 40.0, "Assignments": 60.0}
    assert cells(lia) == [(5.0, 10.0, False), (16.0, 20.0, True), (None, 5.0, False)]
    assert (leo["total_percent"], lia["total_percent"]) == (77.0, 68.0)

    # and the CSV has the same, quoted, formulas defused, in UTF-8
    response = await stack.client.get(f"{book.url}.csv", headers=book.staff)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="gradebook-{book.course_id}.csv"'
    )
    assert response.content.decode("utf-8") == (
        'Learner,E-mail,Quiz 1,"Essay ""final"", part 1",\'=Bonus,Total %\r\n'
        "Leo Learner,learner1@example.com,8,15,,77\r\n"
        "Lia Learner,learner2@example.com,5,16,,68\r\n"
    )

    # and each learner sees only their own grades, with feedback and the total
    mine = (
        await stack.client.get(f"/api/v1/courses/{book.course_id}/grades/me", headers=book.learner1)
    ).json()
    assert mine["user_id"] == book.learner1_id
    assert [
        (g["title"], g["score"], g["max_score"], g["overridden"], g["status"], g["feedback"])
        for g in mine["grades"]
    ] == [
        ("Quiz 1", 8.0, 10.0, False, "completed", None),
        (ESSAY, 15.0, 20.0, False, "completed", "Nice"),
        ("=Bonus", None, 5.0, False, "not_started", None),
    ]
    assert (mine["category_weights"], mine["total_percent"]) == (
        {"Quizzes": 40.0, "Assignments": 60.0},
        77.0,
    )
    theirs = (
        await stack.client.get(f"/api/v1/courses/{book.course_id}/grades/me", headers=book.learner2)
    ).json()
    assert [(g["score"], g["overridden"]) for g in theirs["grades"]] == [
        (5.0, False),
        (16.0, True),
        (None, False),
    ]
    assert theirs["total_percent"] == 68.0


async def test_overrides_need_a_reason_and_keep_their_history(stack: Stack) -> None:
    book = await gradebook_course(stack)
    await record_quiz_score(stack, book, book.learner1_id, 4)
    overrides = f"{book.url}/overrides"
    base = {"user_id": book.learner1_id, "item_id": book.quiz_id, "score": 9}
    _, stranger = await stack.signed_up("stranger@example.com")
    stranger_id = (await stack.client.get("/api/v1/users/me", headers=stranger)).json()["id"]
    # refused: no reason, a blank one, too many points, an ungraded item, a non-learner
    for body, status, problem in (
        (base, 422, "/problems/validation-error"),
        ({**base, "reason": "   "}, 422, "/problems/validation-error"),
        ({**base, "score": 11, "reason": "x"}, 400, "/problems/invalid-override"),
        ({**base, "item_id": book.lesson_id, "reason": "x"}, 400, "/problems/not-graded-item"),
        ({**base, "item_id": "nope", "reason": "x"}, 404, "/problems/item-not-found"),
        ({**base, "user_id": stranger_id, "reason": "x"}, 404, "/problems/learner-not-in-course"),
    ):
        response = await stack.client.put(overrides, json=body, headers=book.staff)
        assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
        assert response.json()["type"] == problem
    assert (await stack.client.get(overrides, headers=book.staff)).json() == []

    # set, change, then remove: the recorded score counts again, and every step is kept
    await stack.client.put(
        overrides, json={**base, "reason": "Regraded on paper"}, headers=book.staff
    )
    await stack.client.put(
        overrides, json={**base, "score": 7, "reason": "Recounted"}, headers=book.staff
    )
    gradebook = (await stack.client.get(book.url, headers=book.staff)).json()
    assert cells(gradebook["learners"][0])[0] == (7.0, 10.0, True)
    query = f"?user_id={book.learner1_id}&item_id={book.quiz_id}"
    response = await stack.client.delete(f"{overrides}{query}&reason=Mistake", headers=book.staff)
    assert response.status_code == 200
    gradebook = (await stack.client.get(book.url, headers=book.staff)).json()
    assert cells(gradebook["learners"][0])[0] == (4.0, 10.0, False)
    history = (await stack.client.get(f"{overrides}{query}", headers=book.staff)).json()
    staff_id = history[0]["created_by"]
    assert [(row["action"], row["score"], row["reason"], row["created_by"]) for row in history] == [
        ("set", 9.0, "Regraded on paper", staff_id),
        ("set", 7.0, "Recounted", staff_id),
        ("removed", None, "Mistake", staff_id),
    ]
    assert history[0]["created_at"] < history[1]["created_at"] < history[2]["created_at"]
    response = await stack.client.delete(f"{overrides}{query}", headers=book.staff)
    assert (response.status_code, response.json()["type"]) == (404, "/problems/override-not-found")


async def test_only_this_courses_staff_see_the_gradebook(stack: Stack) -> None:
    # given a course with a teaching assistant, and an assistant of another course
    book = await gradebook_course(stack)
    await record_quiz_score(stack, book, book.learner1_id, 8)
    _, ta = await stack.signed_up("ta@example.com", display_name="Tara Assistant")
    _, other_ta = await stack.signed_up("other-ta@example.com")
    other = await create_course(stack, book.staff, title="Other")
    for course_id, email in (
        (book.course_id, "ta@example.com"),
        (other["id"], "other-ta@example.com"),
    ):
        response = await stack.client.post(
            f"/api/v1/courses/{course_id}/enrollments",
            json={"email": email, "role": "teaching_assistant"},
            headers=book.staff,
        )
        assert response.status_code == 201, response.text
    _, stranger = await stack.signed_up("stranger@example.com")
    body = {"user_id": book.learner1_id, "item_id": book.quiz_id, "score": 1, "reason": "x"}
    query = f"?user_id={book.learner1_id}&item_id={book.quiz_id}"
    # then learners, strangers and the other course's assistant are refused everywhere
    for headers in (book.learner1, stranger, other_ta):
        for method, url, payload in (
            ("GET", book.url, None),
            ("GET", f"{book.url}.csv", None),
            ("GET", f"{book.url}/settings", None),
            ("PUT", f"{book.url}/settings", {"category_weights": {"Quizzes": 100}}),
            ("GET", f"{book.url}/overrides", None),
            ("PUT", f"{book.url}/overrides", body),
            ("DELETE", f"{book.url}/overrides{query}", None),
        ):
            response = await stack.client.request(method, url, json=payload, headers=headers)
            assert (response.status_code, response.json()["type"]) == (
                403,
                "/problems/not-course-staff",
            ), (method, url)
    # and this course's assistant reads the gradebook but cannot change the weights
    assert (await stack.client.get(book.url, headers=ta)).status_code == 200
    response = await stack.client.put(
        f"{book.url}/settings", json={"category_weights": {"Quizzes": 100}}, headers=ta
    )
    assert response.status_code == 403
    # and grades/me is for enrolled learners only
    for headers in (stranger, ta):
        response = await stack.client.get(
            f"/api/v1/courses/{book.course_id}/grades/me", headers=headers
        )
        assert (response.status_code, response.json()["type"]) == (403, "/problems/not-enrolled")
    # and nothing changed
    settings = (await stack.client.get(f"{book.url}/settings", headers=book.staff)).json()
    assert settings == {"category_weights": {}, "updated_by": None, "updated_at": None}
    assert (await stack.client.get(f"{book.url}/overrides", headers=book.staff)).json() == []


async def test_weights_must_add_up_to_100(embedded: Stack) -> None:
    staff = await instructor(embedded)
    course = await create_course(embedded, staff)
    url = f"/api/v1/courses/{course['id']}/gradebook/settings"
    for weights in (
        {"Quizzes": 50, "Assignments": 40},
        {"Quizzes": 110, "Assignments": -10},
        {"": 100},
        {"Quizzes": 50, " Quizzes ": 50},
    ):
        response = await embedded.client.put(url, json={"category_weights": weights}, headers=staff)
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
        assert [error["field"] for error in response.json()["errors"]] == ["category_weights"]
    assert (await embedded.client.get(url, headers=staff)).json()["category_weights"] == {}
    cleared = await embedded.client.put(url, json={"category_weights": {}}, headers=staff)
    assert (cleared.status_code, cleared.json()["category_weights"]) == (200, {})
