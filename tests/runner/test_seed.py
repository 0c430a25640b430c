"""`learnhub seed`: generated learners, courses, enrollments and progress (embedded tier)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from learnhub.kit.config import Settings
from learnhub.runner.cli import main
from learnhub.runner.platform import build_runtimes
from learnhub.runner.registry import SERVICES
from learnhub.services.auth.models import Account
from learnhub.services.courses.models import Course, Enrollment
from learnhub.services.courses.progress.models import ItemProgress


def _seed(data_dir: Path, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["seed", *arguments, "--data-dir", str(data_dir)])
    return result.exit_code, result.output


async def _count(data_dir: Path) -> dict[str, int]:
    settings = Settings(data_dir=data_dir)
    runtimes, _caches = build_runtimes(settings, SERVICES, bus=None, verifier=None)  # type: ignore[arg-type]
    by_name = {runtime.name: runtime for runtime in runtimes}
    counts = {}
    try:
        async with by_name["auth"].db.session() as session:
            counts["seed learners"] = await session.scalar(
                select(func.count()).where(Account.email.like("seed-learner-%"))
            )
        async with by_name["courses"].db.session() as session:
            counts["published courses"] = await session.scalar(
                select(func.count()).where(Course.visibility == "published")
            )
            counts["learner enrollments"] = await session.scalar(
                select(func.count()).where(
                    Enrollment.role == "learner", Enrollment.status == "active"
                )
            )
            counts["completed lessons"] = await session.scalar(
                select(func.count()).select_from(ItemProgress)
            )
    finally:
        for runtime in runtimes:
            await runtime.db.dispose()
    return counts


def test_seed_creates_exactly_what_it_was_asked_for(tmp_path: Path) -> None:
    # when
    code, output = _seed(tmp_path, "--courses", "3", "--learners", "20")

    # then
    assert code == 0, output
    for label in ("learners", "courses", "enrollments", "progress"):
        assert label in output
    assert "20 created, 0 already there" in output
    assert "3 created, 0 already there" in output
    assert "60 created, 0 already there" in output
    counts = asyncio.run(_count(tmp_path))
    assert counts["seed learners"] == 20
    assert counts["published courses"] == 3
    assert counts["learner enrollments"] == 60
    assert counts["completed lessons"] > 0


def test_a_second_run_adds_nothing(tmp_path: Path) -> None:
    # given
    _seed(tmp_path, "--courses", "2", "--learners", "10", "--enrollments-per-learner", "1")
    before = asyncio.run(_count(tmp_path))

    # when
    code, output = _seed(
        tmp_path, "--courses", "2", "--learners", "10", "--enrollments-per-learner", "1"
    )

    # then
    assert code == 0, output
    assert "0 created, 10 already there" in output
    assert "0 created, 2 already there" in output
    assert asyncio.run(_count(tmp_path)) == before


def test_bad_arguments_are_refused_in_one_sentence(tmp_path: Path) -> None:
    # when
    code, output = _seed(tmp_path, "--courses", "0", "--learners", "20")

    # then
    assert code == 2
    assert "Invalid value for '--courses': 0 is not in the range 1<=x<=100000." in output
    assert "Traceback" not in output
    assert not (tmp_path / "courses.db").exists()
