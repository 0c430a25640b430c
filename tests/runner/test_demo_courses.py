"""The demo courses seeded on the first start of the all-in-one mode."""

from __future__ import annotations

from learnhub.runner.demo import seed_demo_accounts
from learnhub.runner.demo_courses import DEMO_COURSES, seed_demo_courses
from tests.conftest import Stack, bearer


async def _seeded(stack: Stack) -> list[str]:
    await seed_demo_accounts(stack.platform.runtime("auth"))
    await stack.settle()
    created = await seed_demo_courses(stack.client)
    await stack.settle()
    return created


async def test_the_catalog_lists_the_four_demo_courses_in_their_categories(
    embedded: Stack,
) -> None:
    # given / when
    created = await _seeded(embedded)

    # then
    assert created == [spec.slug for spec in DEMO_COURSES]
    listed = (await embedded.client.get("/api/v1/courses", params={"limit": 100})).json()
    assert {(entry["slug"], entry["category"]) for entry in listed["items"]} == {
        ("introduction-to-chemistry", "Science"),
        ("python-for-data-analysis", "Computing"),
        ("academic-writing-in-english", "Languages"),
        ("foundations-of-personal-finance", "Business"),
    }
    for entry in listed["items"]:
        assert entry["item_counts"]["lesson"] >= 3
        assert entry["item_counts"]["quiz"] == 1
        assert entry["item_counts"]["assignment"] == 1


async def test_each_demo_course_has_content_a_quiz_and_an_assignment(embedded: Stack) -> None:
    # given
    await _seeded(embedded)
    instructor = bearer(await embedded.token("instructor@example.com", "learnhub-instructor"))

    for spec in DEMO_COURSES:
        # when
        course = (
            await embedded.client.get(f"/api/v1/courses/by-slug/{spec.slug}", headers=instructor)
        ).json()

        # then
        assert course["visibility"] == "published"
        items = [item for section in course["sections"] for item in section["items"]]
        lesson = next(item for item in items if item["kind"] == "lesson")
        base = f"/api/v1/courses/{course['id']}"
        read = await embedded.client.get(f"{base}/lessons/{lesson['id']}", headers=instructor)
        assert read.status_code == 200
        assert len(read.json()["content_markdown"]) > 400
        quiz = next(item for item in items if item["kind"] == "quiz")
        quiz_read = await embedded.client.get(f"{base}/quizzes/{quiz['id']}", headers=instructor)
        assert quiz_read.json()["question_count"] >= 4
        assignment = next(item for item in items if item["kind"] == "assignment")
        assignment_read = (
            await embedded.client.get(f"{base}/assignments/{assignment['id']}", headers=instructor)
        ).json()
        assert assignment_read["rubric"]
        assert assignment_read["due_at"] is not None


async def test_learner1_has_progress_and_a_passed_quiz(embedded: Stack) -> None:
    # given
    await _seeded(embedded)
    learner1 = bearer(await embedded.token("learner1@example.com", "learnhub-learner"))
    learner2 = bearer(await embedded.token("learner2@example.com", "learnhub-learner"))
    chemistry = (
        await embedded.client.get("/api/v1/courses/by-slug/introduction-to-chemistry")
    ).json()

    # when
    mine = (
        await embedded.client.get(
            f"/api/v1/courses/{chemistry['id']}/progress/me", headers=learner1
        )
    ).json()
    theirs = (
        await embedded.client.get(
            f"/api/v1/courses/{chemistry['id']}/progress/me", headers=learner2
        )
    ).json()

    # then
    done = {(item["kind"], item["status"]) for item in mine["items"]}
    assert ("lesson", "completed") in done
    quiz = next(item for item in mine["items"] if item["kind"] == "quiz")
    assert (quiz["status"], quiz["passed"]) == ("completed", True)
    assert [item["status"] for item in theirs["items"]].count("completed") == 1


async def test_seeding_twice_creates_nothing_more(embedded: Stack) -> None:
    # given
    await _seeded(embedded)

    # when
    again = await seed_demo_courses(embedded.client)

    # then
    assert again == []
    listed = (await embedded.client.get("/api/v1/courses", params={"limit": 100})).json()
    assert len(listed["items"]) == 4
