"""Attempts: starting one (questions frozen, timed by the server), saving answers,
submitting, automatic and manual grading, and closing attempts whose time is up.

Reads never write. An attempt past its deadline reads as ``expired``; it is closed (graded
with the answers saved in time, at its deadline, and announced) by the next write that
touches it (start, save, submit, grade) or by the periodic task (``tasks.py``), whichever
comes first; a conditional update makes sure only one of them does. Nothing here commits:
the request or task boundary does."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import QuizSubmitted, SubmissionGraded
from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import Page, encode_cursor
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.errors import NotCourseStaff, NotEnrolled
from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.quizzes import grading, repository
from learnhub.services.courses.quizzes.bank import parse_cursor
from learnhub.services.courses.quizzes.errors import (
    AttemptClosed,
    AttemptNotAwaitingGrading,
    AttemptNotFound,
    InvalidAnswers,
    InvalidGrades,
    NotYourAttempt,
)
from learnhub.services.courses.quizzes.models import QuizAttempt
from learnhub.services.courses.quizzes.outcomes import record_counting_outcome
from learnhub.services.courses.quizzes.schemas import (
    AnswersWrite,
    AttemptGrade,
    AttemptQuestion,
    AttemptRead,
    AttemptResult,
    AttemptSummary,
    QuestionResult,
)
from learnhub.services.courses.quizzes.service import (
    GRACE,
    correct_answers_visible,
    feedback_visible,
    is_overdue,
    overdue_deadline,
    quiz_item,
    quiz_settings,
    start_refusal,
)


def _status(attempt: QuizAttempt, now: datetime) -> str:
    return "expired" if is_overdue(attempt, now) else attempt.status


def _attempt_read(
    attempt: QuizAttempt, access: CourseAccess, settings: dict[str, Any]
) -> AttemptRead:
    now = utcnow()
    result = None
    if attempt.status not in ("in_progress",):
        per_question = None
        if feedback_visible(access, settings, now):
            with_key = correct_answers_visible(access, settings)
            per_question = [
                QuestionResult(
                    question_id=frozen["id"],
                    max_points=frozen["points"],
                    correct_answer=grading.answer_key(frozen) if with_key else None,
                    **attempt.results[frozen["id"]],
                )
                for frozen in attempt.questions
            ]
        result = AttemptResult(
            score=attempt.score,
            max_score=attempt.max_score,
            percent=attempt.percent,
            passed=attempt.passed,
            questions=per_question,
        )
    return AttemptRead(
        id=attempt.id,
        course_id=attempt.course_id,
        quiz_id=attempt.quiz_id,
        user_id=attempt.user_id,
        number=attempt.number,
        status=_status(attempt, now),  # type: ignore[arg-type]
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        graded_at=attempt.graded_at,
        questions=[AttemptQuestion(**grading.present(frozen)) for frozen in attempt.questions],
        answers=attempt.answers,
        unanswered_question_ids=[
            frozen["id"]
            for frozen in attempt.questions
            if not grading.is_answered(frozen, attempt.answers.get(frozen["id"]))
        ],
        result=result,
    )


def _summary(attempt: QuizAttempt, now: datetime) -> AttemptSummary:
    return AttemptSummary(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        user_id=attempt.user_id,
        number=attempt.number,
        status=_status(attempt, now),  # type: ignore[arg-type]
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        score=attempt.score,
        max_score=attempt.max_score,
        percent=attempt.percent,
        passed=attempt.passed,
    )


def _percent(score: float, max_score: float) -> float:
    return round(score * 100 / max_score, 2) if max_score else 0.0


async def _record_counting(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, user_id: str
) -> None:
    """The learner's quiz outcome is the attempt that counts by the quiz's grading method."""
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    await record_counting_outcome(
        session,
        cache,
        course=course,
        item=item,
        user_id=user_id,
        method=settings["grading_method"],
    )


async def _close(
    session: AsyncSession,
    cache: Cache,
    *,
    course: Course,
    item: Item,
    attempt: QuizAttempt,
    answers: dict[str, Any],
    submitted_at: datetime,
) -> bool:
    """Grade an open attempt and close it, announce it, and record the outcome when no
    essay waits for a grader. False when another request closed it first."""
    now = utcnow()
    results = {
        frozen["id"]: grading.grade(frozen, answers.get(frozen["id"]))
        for frozen in attempt.questions
    }
    pending = any(result["status"] == "pending" for result in results.values())
    score = None if pending else round(sum(r["points_awarded"] for r in results.values()), 4)
    percent = None if score is None else _percent(score, attempt.max_score)
    passed = None if percent is None else percent >= attempt.pass_mark
    closed = await repository.close_attempt(
        session,
        attempt.id,
        values={
            "status": "needs_grading" if pending else "graded",
            "answers": answers,
            "results": results,
            "score": score,
            "percent": percent,
            "passed": passed,
            "submitted_at": submitted_at,
            "graded_at": None if pending else now,
            "updated_at": now,
        },
    )
    if not closed:
        return False
    await session.refresh(attempt)
    await record_event(
        session,
        QuizSubmitted(
            course_id=course.id,
            course_title=course.title,
            quiz_id=item.id,
            quiz_title=item.title,
            attempt_id=attempt.id,
            user_id=attempt.user_id,
            attempt_number=attempt.number,
            score=score,
            max_score=attempt.max_score,
            percent=percent,
            passed=passed,
            needs_manual_grading=pending,
            submitted_at=submitted_at,
        ),
        subject=course.id,
    )
    if not pending:
        await _record_counting(session, cache, course=course, item=item, user_id=attempt.user_id)
    return True


async def close_if_overdue(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, attempt: QuizAttempt
) -> bool:
    """Hand in an attempt past its deadline, at its deadline, with the answers saved in
    time. True when this call closed it."""
    deadline = overdue_deadline(attempt, utcnow())
    if deadline is None:
        return False
    closed = await _close(
        session,
        cache,
        course=course,
        item=item,
        attempt=attempt,
        answers=attempt.answers,
        submitted_at=deadline,
    )
    await session.refresh(attempt)
    return closed


async def start_attempt(
    session: AsyncSession, cache: Cache, access: CourseAccess, quiz_id: str
) -> tuple[AttemptRead, bool]:
    """Start an attempt, or give back the one open; True when it is new. An attempt whose
    time is up is closed first and counts. The questions, their order and the deadline are
    fixed now, by the server."""
    course = access.course
    user_id = access.signed_in_user_id
    item = await quiz_item(session, access, quiz_id)
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    for overdue in await repository.expired_attempts(
        session, item.id, user_id=user_id, cutoff=utcnow() - GRACE
    ):
        await close_if_overdue(session, cache, course=course, item=item, attempt=overdue)
    last = await repository.last_attempt(session, item.id, user_id)
    if last is not None and last.status == "in_progress":
        return _attempt_read(last, access, settings), False
    now = utcnow()
    question_ids = await repository.list_quiz_question_ids(session, item.id)
    refusal = start_refusal(
        access,
        settings,
        attempts_used=last.number if last else 0,
        question_count=len(question_ids),
        now=now,
    )
    if refusal is not None:
        raise refusal
    number = (last.number if last else 0) + 1
    questions = await repository.get_questions(session, course.id, question_ids)
    attempt_id = str(uuid.uuid4())
    rng = random.Random(attempt_id)
    if settings["shuffle_questions"]:
        rng.shuffle(question_ids)
    frozen = [
        grading.freeze(
            question_id=question.id,
            type=question.type,
            prompt=question.prompt,
            points=question.points,
            feedback=question.feedback,
            content=question.content,
            rng=rng,
            shuffle_options=settings["shuffle_options"],
        )
        for question in (questions[question_id] for question_id in question_ids)
    ]
    deadline = None
    if settings["time_limit_seconds"] is not None:
        deadline = now + timedelta(seconds=settings["time_limit_seconds"])
    if settings["due_at"] is not None:
        deadline = min(deadline or settings["due_at"], settings["due_at"])
    inserted = await repository.insert_attempt(
        session,
        {
            "id": attempt_id,
            "course_id": course.id,
            "quiz_id": item.id,
            "user_id": user_id,
            "number": number,
            "status": "in_progress",
            "questions": frozen,
            "answers": {},
            "results": {},
            "max_score": round(sum(q["points"] for q in frozen), 4),
            "pass_mark": settings["pass_mark"],
            "started_at": now,
            "deadline": deadline,
            "updated_at": now,
        },
    )
    attempt = await repository.get_attempt_by_number(session, item.id, user_id, number)
    if attempt is None:
        raise RuntimeError(f"attempt {number} of {user_id} was inserted or found, yet is gone")
    return _attempt_read(attempt, access, settings), inserted


async def list_attempts(
    session: AsyncSession,
    access: CourseAccess,
    quiz_id: str,
    *,
    user_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[AttemptSummary]:
    """The caller's attempts; staff see everyone's, or one learner's with ``user_id``."""
    if not access.is_staff:
        if user_id is not None and user_id != access.user_id:
            raise NotCourseStaff("Only the course's staff may see other learners' attempts.")
        if not access.is_learner:
            raise NotEnrolled("Enroll in this course first.")
        user_id = access.user_id
    item = await quiz_item(session, access, quiz_id)
    rows = await repository.list_attempts(
        session, item.id, user_id=user_id, after=parse_cursor(cursor), limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].started_at.isoformat(), rows[-1].id])
    now = utcnow()
    return Page[AttemptSummary](items=[_summary(row, now) for row in rows], next_cursor=next_cursor)


async def _attempt(
    session: AsyncSession, access: CourseAccess, item: Item, attempt_id: str, *, owner_only: bool
) -> QuizAttempt:
    attempt = await repository.get_attempt(session, item.id, attempt_id)
    if attempt is None:
        raise AttemptNotFound(f"There is no attempt {attempt_id} at this quiz.")
    if attempt.user_id != access.user_id and (owner_only or not access.is_staff):
        raise NotYourAttempt("This attempt belongs to another learner.")
    return attempt


async def get_attempt(
    session: AsyncSession, access: CourseAccess, quiz_id: str, attempt_id: str
) -> AttemptRead:
    item = await quiz_item(session, access, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=False)
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)


def _checked_answers(attempt: QuizAttempt, body: AnswersWrite) -> dict[str, Any]:
    """The saved answers updated with the ones sent (null clears one), if they all fit."""
    frozen = {question["id"]: question for question in attempt.questions}
    problems = []
    for question_id, value in body.answers.items():
        if question_id not in frozen:
            code, detail = "not_a_question_of_attempt", "is not a question of this attempt"
        else:
            code, detail = "wrong_answer_shape", grading.answer_problem(frozen[question_id], value)
        if detail:
            problems.append(
                {
                    "field": f"answers.{question_id}",
                    "pointer": f"#/answers/{question_id}",
                    "detail": detail,
                    "code": code,
                }
            )
    if problems:
        raise InvalidAnswers("Correct the answers listed in `errors`.", errors=problems)
    merged = {**attempt.answers, **body.answers}
    return {key: value for key, value in merged.items() if value is not None}


async def save_answers(
    session: AsyncSession,
    cache: Cache,
    access: CourseAccess,
    quiz_id: str,
    attempt_id: str,
    body: AnswersWrite,
) -> AttemptRead:
    """Keep answers while the attempt is open (up to its deadline and the grace period)."""
    item = await quiz_item(session, access, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=True)
    if await close_if_overdue(session, cache, course=access.course, item=item, attempt=attempt):
        raise AttemptClosed("The attempt's time is up; it was submitted.", keep_changes=True)
    if attempt.status != "in_progress":
        raise AttemptClosed("The attempt was already submitted.")
    answers = _checked_answers(attempt, body)
    if not await repository.save_answers(session, attempt.id, answers, now=utcnow()):
        raise AttemptClosed("The attempt was already submitted.")
    await session.refresh(attempt)
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)


async def submit_attempt(
    session: AsyncSession,
    cache: Cache,
    access: CourseAccess,
    quiz_id: str,
    attempt_id: str,
    body: AnswersWrite,
) -> AttemptRead:
    """Hand the attempt in and grade it. After the deadline and the grace period the
    answers sent are ignored: the ones saved in time are graded."""
    item = await quiz_item(session, access, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=True)
    if attempt.status != "in_progress":
        raise AttemptClosed("The attempt was already submitted.")
    now = utcnow()
    deadline = overdue_deadline(attempt, now)
    if deadline is not None:
        answers, submitted_at = attempt.answers, deadline
    else:
        answers, submitted_at = _checked_answers(attempt, body), now
    closed = await _close(
        session,
        cache,
        course=access.course,
        item=item,
        attempt=attempt,
        answers=answers,
        submitted_at=submitted_at,
    )
    if not closed:
        raise AttemptClosed("The attempt was already submitted.")
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)


def _essay_grade_problems(attempt: QuizAttempt, body: AttemptGrade) -> list[dict[str, str]]:
    frozen = {question["id"]: question for question in attempt.questions}
    problems = []
    for index, grade in enumerate(body.grades):
        question = frozen.get(grade.question_id)
        if question is None or question["type"] != "essay":
            code, detail = "not_an_essay", "is not an essay question of this attempt"
        elif grade.points > question["points"]:
            code, detail = "above_question_points", f"must be at most {question['points']:g} points"
        else:
            continue
        problems.append(
            {
                "field": f"grades.{index}",
                "pointer": f"#/grades/{index}",
                "detail": detail,
                "code": code,
            }
        )
    return problems


async def grade_attempt(
    session: AsyncSession,
    cache: Cache,
    access: CourseAccess,
    quiz_id: str,
    attempt_id: str,
    body: AttemptGrade,
) -> AttemptRead:
    """Score essay answers by hand. When none is left ungraded the attempt is graded, the
    grading is announced and the learner's outcome recorded. Grades may be corrected."""
    item = await quiz_item(session, access, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=False)
    await close_if_overdue(session, cache, course=access.course, item=item, attempt=attempt)
    if attempt.status == "in_progress":
        raise AttemptNotAwaitingGrading("The attempt is still in progress.")
    problems = _essay_grade_problems(attempt, body)
    if problems:
        raise InvalidGrades("Correct the grades listed in `errors`.", errors=problems)
    frozen = {question["id"]: question for question in attempt.questions}
    results = {key: dict(value) for key, value in attempt.results.items()}
    for grade in body.grades:
        results[grade.question_id].update(
            status=(
                "correct"
                if grade.points >= frozen[grade.question_id]["points"]
                else "partially_correct"
                if grade.points > 0
                else "incorrect"
            ),
            points_awarded=grade.points,
            grader_feedback=grade.feedback,
        )
    done = all(result["status"] != "pending" for result in results.values())
    now = utcnow()
    score = round(sum(result["points_awarded"] for result in results.values()), 4) if done else None
    percent = None if score is None else _percent(score, attempt.max_score)
    values: dict[str, Any] = {"results": results, "updated_at": now}
    if percent is not None:
        values.update(
            status="graded",
            score=score,
            percent=percent,
            passed=percent >= attempt.pass_mark,
            graded_at=now,
            graded_by=access.user_id,
        )
    if not await repository.finish_grading(
        session, attempt.id, status=attempt.status, values=values
    ):
        raise AttemptNotAwaitingGrading("Another grader changed the attempt; reload it.")
    await session.refresh(attempt)
    if score is not None and percent is not None:
        await record_event(
            session,
            SubmissionGraded(
                course_id=access.course.id,
                course_title=access.course.title,
                item_id=item.id,
                item_title=item.title,
                item_kind="quiz",
                submission_id=attempt.id,
                user_id=attempt.user_id,
                score=score,
                max_score=attempt.max_score,
                percent=percent,
                graded_by=access.user_id or "",
                graded_at=now,
            ),
            subject=access.course.id,
        )
        await _record_counting(
            session, cache, course=access.course, item=item, user_id=attempt.user_id
        )
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)
