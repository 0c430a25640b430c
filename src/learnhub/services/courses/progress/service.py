"""The rules of progress, completion and certificates. Nothing here commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.services.courses.models import Course, Item


async def record_item_outcome(
    session: AsyncSession,
    cache: Cache,
    *,
    course: Course,
    item: Item,
    user_id: str,
    completed: bool,
    score: float | None = None,
    max_score: float | None = None,
    passed: bool | None = None,
) -> None:
    """Record what a learner achieved on an item (a lesson done, a quiz or assignment
    graded), then update their progress, announce it, and complete the course if its rule
    is now met. Quizzes, assignments and lessons call this; it is the one way in."""
    raise NotImplementedError("progress sub-domain: being written")
