"""Background work of the quizzes sub-domain: closing attempts whose time is up, so that
they are graded, announced and recorded even when the learner never comes back."""

from __future__ import annotations

from learnhub.kit.db import utcnow
from learnhub.kit.runtime import ServiceRuntime
from learnhub.kit.tasks import PeriodicTask
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.quizzes import repository
from learnhub.services.courses.quizzes.attempts import close_if_overdue
from learnhub.services.courses.quizzes.service import GRACE

BATCH = 100
MAX_BATCHES = 50


async def close_overdue_attempts(runtime: ServiceRuntime) -> int:
    """Close every open attempt past its deadline and the grace period, each in its own
    transaction; the number this run closed. An attempt a request closes at the same time
    is closed once: the conditional update lets only one of them."""
    closed = 0
    for _batch in range(MAX_BATCHES):
        async with runtime.db.session() as session:
            ids = await repository.overdue_attempt_ids(
                session, cutoff=utcnow() - GRACE, limit=BATCH
            )
        for attempt_id in ids:
            async with runtime.db.transaction() as session:
                attempt = await repository.get_attempt_by_id(session, attempt_id)
                if attempt is None:
                    continue
                course = await courses_repository.get_course(session, attempt.course_id)
                item = await courses_repository.get_item(
                    session, attempt.course_id, attempt.quiz_id
                )
                if course is None or item is None:
                    continue
                if await close_if_overdue(
                    session, runtime.cache, course=course, item=item, attempt=attempt
                ):
                    closed += 1
        if len(ids) < BATCH:
            break
    return closed


CLOSE_OVERDUE_ATTEMPTS = PeriodicTask(
    name="close-overdue-quiz-attempts",
    run=close_overdue_attempts,
    interval=lambda runtime: runtime.service_settings.overdue_attempts_interval_seconds,
)
