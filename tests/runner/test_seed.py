"""`learnhub seed`: generated learners, courses, enrollments and progress, on the all-in-one
SQLite folder and on PostgreSQL with Redis; a second run adds nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from learnhub.kit.config import Settings
from learnhub.kit.events.outbox import outbox_table
from learnhub.runner.cli import main
from learnhub.runner.platform import build_runtimes
from learnhub.runner.registry import SERVICES
from learnhub.runner.seed import SeedPlan, enrollment_plan, lessons_done
from learnhub.services.auth.models import Account
from learnhub.services.courses.models import Course, Enrollment, Person
from learnhub.services.courses.progress.models import ItemProgress
from learnhub.services.users.models import Profile
from tests.conftest import embedded_settings, reset_postgres_schemas, start_stack, stop_stack

LESSONS_PER_COURSE = 4  # in every generated course


def _seed(data_dir: Path, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["seed", *arguments, "--data-dir", str(data_dir)], env=env or {}
    )
    return result.exit_code, result.output


async def _count(settings: Settings) -> dict[str, int]:
    runtimes, caches = build_runtimes(settings, SERVICES, bus=None, verifier=None)  # type: ignore[arg-type]
    by_name = {runtime.name: runtime for runtime in runtimes}
    counts = {}

    async def count(service: str, statement: object) -> int:
        async with by_name[service].db.session() as session:
            return int(await session.scalar(statement) or 0)  # type: ignore[call-overload]

    try:
        seeded = Account.email.like("seed-learner-%")
        counts["seed learners"] = await count("auth", select(func.count()).where(seeded))
        counts["profiles"] = await count(
            "users", select(func.count()).where(Profile.email.like("seed-learner-%"))
        )
        counts["people"] = await count(
            "courses", select(func.count()).where(Person.email.like("seed-learner-%"))
        )
        counts["published courses"] = await count(
            "courses", select(func.count()).where(Course.visibility == "published")
        )
        counts["learner enrollments"] = await count(
            "courses",
            select(func.count()).where(Enrollment.role == "learner", Enrollment.status == "active"),
        )
        counts["completed lessons"] = await count(
            "courses", select(func.count()).select_from(ItemProgress)
        )
        for service in ("auth", "courses"):
            # Each run logs in as the instructor once; everything else counts.
            counts[f"{service} events"] = await count(
                service,
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.type != "user.logged_in.v1"),
            )
            counts[f"{service} events unpublished"] = await count(
                service,
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.published_at.is_(None)),
            )
    finally:
        for runtime in runtimes:
            await runtime.db.dispose()
        for cache in caches:
            await cache.close()
    return counts


async def _first_course(data_dir: Path) -> dict[str, object]:
    """What the API serves of the first seeded course: the shape load tests rely on."""
    stack = await start_stack(embedded_settings(data_dir), "embedded")
    try:
        course = (await stack.client.get("/api/v1/courses/by-slug/seed-course-0001")).json()
        learner = await stack.token("seed-learner-00001@example.org", "learnhub-learner")
        quiz_id = next(
            item["id"]
            for section in course["sections"]
            for item in section["items"]
            if item["kind"] == "quiz"
        )
        quiz = await stack.client.get(
            f"/api/v1/courses/{course['id']}/quizzes/{quiz_id}",
            headers={"Authorization": f"Bearer {learner}"},
        )
        return {
            "visibility": course["visibility"],
            "items": [
                [item["kind"] for item in section["items"]] for section in course["sections"]
            ],
            "quiz": (
                quiz.status_code,
                quiz.json()["question_count"],
                quiz.json()["attempts_allowed"],
            ),
        }
    finally:
        await stop_stack(stack)


def _planned_completions(plan: SeedPlan) -> int:
    return sum(
        lessons_done(plan, learner, course, LESSONS_PER_COURSE)
        for course, learners in enrollment_plan(plan).items()
        for learner in learners
    )


def test_seed_creates_exactly_what_it_was_asked_for(tmp_path: Path) -> None:
    # when
    code, output = _seed(tmp_path, "--courses", "3", "--learners", "20")

    # then
    assert code == 0, output
    for label in ("learners", "courses", "enrollments", "events", "progress"):
        assert label in output
    assert "20 created, 0 already there" in output
    assert "3 created, 0 already there" in output
    assert "60 created, 0 already there" in output
    planned = _planned_completions(SeedPlan(courses=3, learners=20))
    assert f"lesson completions recorded: {planned}" in output
    counts = asyncio.run(_count(Settings(data_dir=tmp_path)))
    assert counts["seed learners"] == counts["profiles"] == counts["people"] == 20
    assert counts["published courses"] == 3
    assert counts["learner enrollments"] == 60
    assert counts["completed lessons"] == planned > 0
    # every event the seed caused was handled before it returned
    assert counts["auth events unpublished"] == counts["courses events unpublished"] == 0
    # and the learners find what load tests expect: lessons, a quiz to retake, a project
    assert asyncio.run(_first_course(tmp_path)) == {
        "visibility": "published",
        "items": [["lesson", "lesson"], ["lesson", "lesson", "quiz", "assignment"]],
        "quiz": (200, 4, None),
    }


def test_a_second_run_adds_nothing(tmp_path: Path) -> None:
    # given
    _seed(tmp_path, "--courses", "2", "--learners", "10", "--enrollments-per-learner", "1")
    before = asyncio.run(_count(Settings(data_dir=tmp_path)))

    # when
    code, output = _seed(
        tmp_path, "--courses", "2", "--learners", "10", "--enrollments-per-learner", "1"
    )

    # then: not a row, not an event more
    assert code == 0, output
    assert "0 created, 10 already there" in output
    assert "0 created, 2 already there" in output
    assert "lesson completions recorded: 0" in output
    assert asyncio.run(_count(Settings(data_dir=tmp_path))) == before


def test_a_larger_plan_adds_only_what_is_missing(tmp_path: Path) -> None:
    # given
    _seed(tmp_path, "--courses", "2", "--learners", "10")

    # when
    code, output = _seed(tmp_path, "--courses", "3", "--learners", "15")

    # then
    assert code == 0, output
    assert "5 created, 10 already there" in output
    assert "1 created, 2 already there" in output
    counts = asyncio.run(_count(Settings(data_dir=tmp_path)))
    assert counts["seed learners"] == counts["people"] == 15
    assert counts["learner enrollments"] == 15 * 3


def test_bad_arguments_are_refused_in_one_sentence(tmp_path: Path) -> None:
    # when
    code, output = _seed(tmp_path, "--courses", "0", "--learners", "20")

    # then
    assert code == 2
    assert "Invalid value for '--courses': 0 is not in the range 1<=x<=100000." in output
    assert "Traceback" not in output
    assert not (tmp_path / "courses.db").exists()


@pytest.mark.postgres
@pytest.mark.redis
def test_seed_on_postgresql_and_redis_twice(
    tmp_path: Path, postgres_database: str, redis_url: str
) -> None:
    # given: the distributed configuration's databases and cache, the seed's bus in process
    asyncio.run(reset_postgres_schemas(postgres_database))
    env = {
        "LEARNHUB_DATABASE_URL": postgres_database,
        "LEARNHUB_CACHE_URL": redis_url,
        "LEARNHUB_BUS_URL": "memory://",
    }
    settings = Settings(data_dir=tmp_path, database_url=postgres_database, cache_url=redis_url)

    # when
    first = _seed(tmp_path, "--courses", "3", "--learners", "20", env=env)
    after_first = asyncio.run(_count(settings))
    second = _seed(tmp_path, "--courses", "3", "--learners", "20", env=env)

    # then
    assert first[0] == 0, first[1]
    assert second[0] == 0, second[1]
    assert "0 created, 20 already there" in second[1]
    assert after_first["seed learners"] == after_first["profiles"] == after_first["people"] == 20
    assert after_first["learner enrollments"] == 60
    assert after_first["completed lessons"] == _planned_completions(SeedPlan(3, 20))
    assert asyncio.run(_count(settings)) == after_first
    assert not (tmp_path / "courses.db").exists()
