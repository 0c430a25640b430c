"""Which attempt counts: a learner's quiz outcome (the score in their progress and in the
gradebook) from their graded attempts, by the quiz's grading method. Nothing here
commits: the request or task boundary does."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.progress.service import record_item_outcome
from learnhub.services.courses.quizzes import repository
from learnhub.services.courses.quizzes.models import QuizAttempt

GRADING_METHODS = ("best", "last", "first", "average")


@dataclass(frozen=True)
class Counted:
    """The outcome that counts: ``attempt_number`` is None for an average."""

    score: float
    max_score: float
    percent: float
    passed: bool
    attempt_number: int | None


def _percent(attempt: QuizAttempt) -> float:
    return attempt.percent or 0.0


def _share(attempt: QuizAttempt) -> float:
    return (attempt.score or 0.0) / attempt.max_score if attempt.max_score else 0.0


def counting_outcome(graded: list[QuizAttempt], method: str) -> Counted | None:
    """The outcome of ``graded`` (fully graded attempts, in the order they began) that
    counts by ``method``: the best (the earliest among equals), the last, the first, or the
    average of all of them."""
    if not graded:
        return None
    if method == "average":
        share = sum(_share(attempt) for attempt in graded) / len(graded)
        max_score = graded[-1].max_score
        return Counted(
            score=round(share * max_score, 4),
            max_score=max_score,
            percent=round(share * 100, 2),
            passed=share * 100 >= graded[-1].pass_mark,
            attempt_number=None,
        )
    if method == "last":
        chosen = graded[-1]
    elif method == "first":
        chosen = graded[0]
    else:
        chosen = max(graded, key=lambda attempt: (_percent(attempt), -attempt.number))
    return Counted(
        score=chosen.score or 0.0,
        max_score=chosen.max_score,
        percent=_percent(chosen),
        passed=bool(chosen.passed),
        attempt_number=chosen.number,
    )


async def record_counting_outcome(
    session: AsyncSession,
    cache: Cache,
    *,
    course: Course,
    item: Item,
    user_id: str,
    method: str,
) -> None:
    """Record the learner's outcome on the quiz from the attempt that counts now."""
    graded = await repository.graded_attempts(session, item.id, user_id)
    counted = counting_outcome(graded, method)
    if counted is None:
        return
    await record_item_outcome(
        session,
        cache,
        course=course,
        item=item,
        user_id=user_id,
        completed=True,
        score=counted.score,
        max_score=counted.max_score,
        passed=counted.passed,
    )


async def rerecord_outcomes(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, method: str
) -> int:
    """Record every learner's outcome again after the grading method changed; how many."""
    user_ids = await repository.users_with_graded_attempts(session, item.id)
    for user_id in user_ids:
        await record_counting_outcome(
            session, cache, course=course, item=item, user_id=user_id, method=method
        )
    return len(user_ids)
