"""Many learners at once for the gradebook's paging tests: written straight into the
courses service's tables (people and enrollments), as its event handlers and enrollment
would leave them, because registering thousands through the API is slow."""

from __future__ import annotations

import uuid

from sqlalchemy import insert

from learnhub.kit.db import utcnow
from learnhub.services.courses.models import Enrollment, Person
from tests.conftest import Stack


async def add_learners(
    stack: Stack, course_id: str, count: int, *, named: bool = True
) -> list[str]:
    """``count`` active learners of the course named "Learner 0000" ... (or unnamed: no
    person row yet); their user ids in name order."""
    now = utcnow()
    user_ids = [str(uuid.uuid4()) for _ in range(count)]
    people = [
        {
            "id": user_id,
            "email": f"learner{n:04d}-{user_id[:8]}@example.org",
            "display_name": f"Learner {n:04d}",
            "updated_at": now,
        }
        for n, user_id in enumerate(user_ids)
    ]
    enrollments = [
        {
            "id": str(uuid.uuid4()),
            "course_id": course_id,
            "user_id": user_id,
            "role": "learner",
            "status": "active",
            "enrolled_by": None,
            "created_at": now,
            "updated_at": now,
            "completed_at": None,
        }
        for user_id in user_ids
    ]
    async with stack.platform.runtime("courses").db.transaction() as session:
        if named:
            await session.execute(insert(Person), people)
        await session.execute(insert(Enrollment), enrollments)
    return user_ids
