"""The course's quiz grading queue: attempts whose essays wait for a grader, the longest
waiting first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.http.pagination import Page, decode_keyset, encode_cursor
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment import groups
from learnhub.services.courses.quizzes import repository
from learnhub.services.courses.quizzes.schemas import AwaitingGrading


async def awaiting_grading(
    session: AsyncSession,
    access: CourseAccess,
    *,
    cursor: str | None,
    limit: int,
    group_id: str | None = None,
) -> Page[AwaitingGrading]:
    if group_id is not None:
        await groups.find_group(session, access, group_id)
    after = decode_keyset(cursor, datetime, str)
    rows = await repository.list_awaiting_grading(
        session,
        access.course.id,
        after=(after[0], after[1]) if after else None,
        limit=limit + 1,
        group_id=group_id,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([last.submitted_at, last.id])
    return Page[AwaitingGrading](
        items=[
            AwaitingGrading(
                attempt_id=attempt.id,
                quiz_id=attempt.quiz_id,
                quiz_title=title,
                user_id=attempt.user_id,
                learner_name=person.display_name if person else None,
                learner_email=person.email if person else None,
                number=attempt.number,
                submitted_at=attempt.submitted_at,
            )
            for attempt, title, person in rows
        ],
        next_cursor=next_cursor,
    )
