"""What waits to be graded in the courses a member of staff teaches: hand-ins not graded
yet and quiz attempts whose essays wait, per course, for their home page. Four queries
whatever the number of courses."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.services.courses.assignments import repository as assignments_repository
from learnhub.services.courses.gradebook import repository
from learnhub.services.courses.gradebook.schemas import WaitingToGrade
from learnhub.services.courses.quizzes import repository as quizzes_repository


async def waiting_to_grade(session: AsyncSession, user_id: str) -> list[WaitingToGrade]:
    """The courses the user is active staff of with something to grade, the most first."""
    courses = await repository.taught_courses(session, user_id)
    course_ids = [course.id for course in courses]
    hand_ins = await assignments_repository.count_waiting(session, course_ids)
    attempts = await quizzes_repository.count_awaiting_grading(session, course_ids)
    waiting = [
        WaitingToGrade(
            course_id=course.id,
            course_slug=course.slug,
            course_title=course.title,
            hand_ins=hand_ins.get(course.id, 0),
            quiz_attempts=attempts.get(course.id, 0),
        )
        for course in courses
        if hand_ins.get(course.id) or attempts.get(course.id)
    ]
    return sorted(
        waiting, key=lambda entry: (-(entry.hand_ins + entry.quiz_attempts), entry.course_title)
    )
