"""The rules of quizzes: the question bank, quiz settings, timed attempts, automatic and
manual grading. Nothing here commits: the request boundary does."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import QuizSubmitted, SubmissionGraded
from learnhub.kit.cache import Cache
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.errors import NotCourseStaff, NotEnrolled
from learnhub.services.courses.models import Course, Item
from learnhub.services.courses.progress.service import record_item_outcome
from learnhub.services.courses.quizzes import grading, repository
from learnhub.services.courses.quizzes.errors import (
    AttemptClosed,
    AttemptNotAwaitingGrading,
    AttemptNotFound,
    InvalidAnswers,
    InvalidGrades,
    NoAttemptsLeft,
    NotYourAttempt,
    QuestionInUse,
    QuestionNotFound,
    QuizClosed,
    QuizEmpty,
    QuizNotFound,
    UnknownQuestions,
)
from learnhub.services.courses.quizzes.models import Question, Quiz, QuizAttempt
from learnhub.services.courses.quizzes.schemas import (
    AnswersWrite,
    AttemptGrade,
    AttemptQuestion,
    AttemptRead,
    AttemptResult,
    AttemptSummary,
    QuestionRead,
    QuestionResult,
    QuestionWrite,
    QuizQuestionsUpdate,
    QuizRead,
    QuizUpdate,
)
from learnhub.services.courses.rendering import render_markdown

GRACE = timedelta(seconds=30)
"""How long after its deadline an attempt still takes answers (network and clock skew)."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "time_limit_seconds": None,
    "attempts_allowed": None,
    "pass_mark": 60.0,
    "shuffle_questions": False,
    "shuffle_options": False,
    "feedback": "after_submit",
    "due_at": None,
}


def _parse_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    moment, key = decode_cursor(cursor, length=2)
    try:
        after = (datetime.fromisoformat(moment), str(key))
    except (TypeError, ValueError) as error:
        raise InvalidCursor("The cursor is not one this API gave out.") from error
    if after[0].tzinfo is None:
        raise InvalidCursor("The cursor is not one this API gave out.")
    return after


# ------------------------------------------------------------------ the question bank


def _question_read(question: Question, used_in: list[str]) -> QuestionRead:
    return QuestionRead(
        id=question.id,
        course_id=question.course_id,
        type=question.type,  # type: ignore[arg-type]
        prompt=question.prompt,
        prompt_html=render_markdown(question.prompt),
        points=question.points,
        feedback=question.feedback,
        used_in_quizzes=used_in,
        created_at=question.created_at,
        updated_at=question.updated_at,
        **question.content,
    )


def question_as_written(question: Question) -> dict[str, Any]:
    """The question in the shape it is written in (for export)."""
    return {
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "feedback": question.feedback,
        **question.content,
    }


def new_question(course_id: str, body: QuestionWrite) -> Question:
    now = utcnow()
    return Question(
        id=str(uuid.uuid4()),
        course_id=course_id,
        type=body.type,
        prompt=body.prompt,
        points=body.points,
        feedback=body.feedback,
        content=grading.content_of(body),
        created_at=now,
        updated_at=now,
    )


async def _get_question(session: AsyncSession, course_id: str, question_id: str) -> Question:
    question = await repository.get_question(session, course_id, question_id)
    if question is None:
        raise QuestionNotFound(f"There is no question {question_id} in this course's bank.")
    return question


async def create_question(
    session: AsyncSession, access: CourseAccess, body: QuestionWrite
) -> QuestionRead:
    question = new_question(access.course.id, body)
    session.add(question)
    await session.flush()
    return _question_read(question, [])


async def list_questions(
    session: AsyncSession,
    access: CourseAccess,
    *,
    type: str | None,
    cursor: str | None,
    limit: int,
) -> Page[QuestionRead]:
    rows = await repository.list_questions(
        session, access.course.id, type=type, after=_parse_cursor(cursor), limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    used = await repository.quizzes_using(session, [row.id for row in rows])
    return Page[QuestionRead](
        items=[_question_read(row, used[row.id]) for row in rows], next_cursor=next_cursor
    )


async def get_question(
    session: AsyncSession, access: CourseAccess, question_id: str
) -> QuestionRead:
    question = await _get_question(session, access.course.id, question_id)
    used = await repository.quizzes_using(session, [question.id])
    return _question_read(question, used[question.id])


async def replace_question(
    session: AsyncSession, access: CourseAccess, question_id: str, body: QuestionWrite
) -> QuestionRead:
    """Rewrite a question. Attempts already started keep the version they froze."""
    question = await _get_question(session, access.course.id, question_id)
    question.type = body.type
    question.prompt = body.prompt
    question.points = body.points
    question.feedback = body.feedback
    question.content = grading.content_of(body)
    question.updated_at = utcnow()
    await session.flush()
    used = await repository.quizzes_using(session, [question.id])
    return _question_read(question, used[question.id])


async def delete_question(session: AsyncSession, access: CourseAccess, question_id: str) -> None:
    question = await _get_question(session, access.course.id, question_id)
    used = (await repository.quizzes_using(session, [question.id]))[question.id]
    if used:
        raise QuestionInUse("Take the question out of its quizzes first.", quiz_ids=used)
    await repository.delete_question(session, question)


# ------------------------------------------------------------------ quizzes


async def quiz_item(session: AsyncSession, course_id: str, quiz_id: str) -> Item:
    item = await courses_repository.get_item(session, course_id, quiz_id)
    if item is None or item.kind != "quiz":
        raise QuizNotFound(f"There is no quiz {quiz_id} in this course.")
    return item


def quiz_settings(quiz: Quiz | None) -> dict[str, Any]:
    if quiz is None:
        return dict(DEFAULT_SETTINGS)
    return {field: getattr(quiz, field) for field in DEFAULT_SETTINGS}


async def ensure_quiz(session: AsyncSession, item: Item) -> Quiz:
    """The quiz's settings row, created with the defaults on the first write."""
    quiz = await repository.get_quiz(session, item.id)
    if quiz is None:
        quiz = Quiz(
            item_id=item.id, course_id=item.course_id, updated_at=utcnow(), **DEFAULT_SETTINGS
        )
        session.add(quiz)
        await session.flush()
    return quiz


def apply_settings(quiz: Quiz, body: QuizUpdate) -> None:
    """Set the fields sent."""
    for field, value in body.model_dump(exclude_unset=True).items():
        if field == "due_at" and value is not None:
            value = value.astimezone(UTC)
        setattr(quiz, field, value)
    quiz.updated_at = utcnow()


async def _quiz_read(session: AsyncSession, access: CourseAccess, item: Item) -> QuizRead:
    quiz = await repository.get_quiz(session, item.id)
    question_ids = await repository.list_quiz_question_ids(session, item.id)
    return QuizRead(
        quiz_id=item.id,
        course_id=item.course_id,
        title=item.title,
        question_count=len(question_ids),
        max_score=await repository.quiz_max_score(session, item.id),
        question_ids=question_ids if access.is_staff else None,
        **quiz_settings(quiz),
    )


async def get_quiz(session: AsyncSession, access: CourseAccess, quiz_id: str) -> QuizRead:
    item = await quiz_item(session, access.course.id, quiz_id)
    return await _quiz_read(session, access, item)


async def update_quiz(
    session: AsyncSession, access: CourseAccess, quiz_id: str, body: QuizUpdate
) -> QuizRead:
    item = await quiz_item(session, access.course.id, quiz_id)
    quiz = await ensure_quiz(session, item)
    apply_settings(quiz, body)
    await session.flush()
    return await _quiz_read(session, access, item)


async def set_quiz_questions(
    session: AsyncSession, access: CourseAccess, quiz_id: str, body: QuizQuestionsUpdate
) -> QuizRead:
    """Choose the quiz's questions from the bank, in order. Attempts already started keep
    the questions they froze."""
    item = await quiz_item(session, access.course.id, quiz_id)
    found = await repository.get_questions(session, access.course.id, body.question_ids)
    missing = [question_id for question_id in body.question_ids if question_id not in found]
    if missing:
        raise UnknownQuestions(
            "Add the questions to this course's bank first.", question_ids=missing
        )
    quiz = await ensure_quiz(session, item)
    quiz.updated_at = utcnow()
    await repository.replace_quiz_questions(session, item.id, body.question_ids)
    return await _quiz_read(session, access, item)


# ------------------------------------------------------------------ attempts


def _feedback_visible(access: CourseAccess, settings: dict[str, Any], now: datetime) -> bool:
    if access.is_staff:
        return True
    if settings["feedback"] == "after_submit":
        return True
    due_at = settings["due_at"]
    return settings["feedback"] == "after_due" and due_at is not None and now >= due_at


def _attempt_read(
    attempt: QuizAttempt, access: CourseAccess, settings: dict[str, Any]
) -> AttemptRead:
    result = None
    if attempt.status != "in_progress":
        per_question = None
        if _feedback_visible(access, settings, utcnow()):
            per_question = [
                QuestionResult(
                    question_id=frozen["id"],
                    max_points=frozen["points"],
                    correct_answer=grading.answer_key(frozen),
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
        status=attempt.status,  # type: ignore[arg-type]
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        graded_at=attempt.graded_at,
        questions=[AttemptQuestion(**grading.present(frozen)) for frozen in attempt.questions],
        answers=attempt.answers,
        result=result,
    )


def _summary(attempt: QuizAttempt) -> AttemptSummary:
    return AttemptSummary(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        user_id=attempt.user_id,
        number=attempt.number,
        status=attempt.status,  # type: ignore[arg-type]
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


def _overdue(attempt: QuizAttempt, now: datetime) -> bool:
    return (
        attempt.status == "in_progress"
        and attempt.deadline is not None
        and now > attempt.deadline + GRACE
    )


async def _record_best(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, user_id: str
) -> None:
    """The learner's quiz outcome is their best graded attempt."""
    best = await repository.best_graded_attempt(session, item.id, user_id)
    if best is None:
        return
    await record_item_outcome(
        session,
        cache,
        course=course,
        item=item,
        user_id=user_id,
        completed=True,
        score=best.score,
        max_score=best.max_score,
        passed=best.passed,
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
        subject=attempt.id,
    )
    if not pending:
        await _record_best(session, cache, course=course, item=item, user_id=attempt.user_id)
    return True


async def _close_if_overdue(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, attempt: QuizAttempt
) -> None:
    """An attempt past its deadline counts as submitted, at its deadline, with the answers
    saved in time."""
    if _overdue(attempt, utcnow()):
        assert attempt.deadline is not None
        closed = await _close(
            session,
            cache,
            course=course,
            item=item,
            attempt=attempt,
            answers=attempt.answers,
            submitted_at=attempt.deadline,
        )
        if not closed:
            await session.refresh(attempt)


async def _close_overdue(
    session: AsyncSession, cache: Cache, *, course: Course, item: Item, user_id: str | None
) -> None:
    overdue = await repository.expired_attempts(
        session, item.id, user_id=user_id, cutoff=utcnow() - GRACE
    )
    for attempt in overdue:
        await _close_if_overdue(session, cache, course=course, item=item, attempt=attempt)


async def start_attempt(
    session: AsyncSession, cache: Cache, access: CourseAccess, quiz_id: str
) -> tuple[AttemptRead, bool]:
    """Start an attempt, or give back the one in progress; True when it is new. The
    questions, their order and the deadline are fixed now, by the server."""
    course = access.course
    user_id = access.user_id
    assert user_id is not None
    item = await quiz_item(session, course.id, quiz_id)
    quiz = await repository.get_quiz(session, item.id)
    settings = quiz_settings(quiz)
    await _close_overdue(session, cache, course=course, item=item, user_id=user_id)
    last = await repository.last_attempt(session, item.id, user_id)
    if last is not None and last.status == "in_progress":
        return _attempt_read(last, access, settings), False
    now = utcnow()
    if settings["due_at"] is not None and now >= settings["due_at"]:
        raise QuizClosed("The quiz's due date has passed.")
    number = (last.number if last else 0) + 1
    allowed = settings["attempts_allowed"]
    if allowed is not None and number > allowed:
        raise NoAttemptsLeft(f"This quiz allows {allowed} attempt(s).", attempts_allowed=allowed)
    question_ids = await repository.list_quiz_question_ids(session, item.id)
    if not question_ids:
        raise QuizEmpty("The quiz has no questions yet.")
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
    assert attempt is not None
    return _attempt_read(attempt, access, settings), inserted


async def list_attempts(
    session: AsyncSession,
    cache: Cache,
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
    item = await quiz_item(session, access.course.id, quiz_id)
    await _close_overdue(session, cache, course=access.course, item=item, user_id=user_id)
    rows = await repository.list_attempts(
        session, item.id, user_id=user_id, after=_parse_cursor(cursor), limit=limit + 1
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].started_at.isoformat(), rows[-1].id])
    return Page[AttemptSummary](items=[_summary(row) for row in rows], next_cursor=next_cursor)


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
    session: AsyncSession, cache: Cache, access: CourseAccess, quiz_id: str, attempt_id: str
) -> AttemptRead:
    item = await quiz_item(session, access.course.id, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=False)
    await _close_if_overdue(session, cache, course=access.course, item=item, attempt=attempt)
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)


def _checked_answers(attempt: QuizAttempt, body: AnswersWrite) -> dict[str, Any]:
    """The saved answers updated with the ones sent (null clears one), if they all fit."""
    frozen = {question["id"]: question for question in attempt.questions}
    problems = []
    for question_id, value in body.answers.items():
        if question_id not in frozen:
            detail = "is not a question of this attempt"
        else:
            detail = grading.answer_problem(frozen[question_id], value)
        if detail:
            problems.append(
                {
                    "field": f"answers.{question_id}",
                    "pointer": f"#/answers/{question_id}",
                    "detail": detail,
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
    item = await quiz_item(session, access.course.id, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=True)
    if _overdue(attempt, utcnow()):
        await _close_if_overdue(session, cache, course=access.course, item=item, attempt=attempt)
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
    item = await quiz_item(session, access.course.id, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=True)
    if attempt.status != "in_progress":
        raise AttemptClosed("The attempt was already submitted.")
    now = utcnow()
    if _overdue(attempt, now):
        assert attempt.deadline is not None
        answers, submitted_at = attempt.answers, attempt.deadline
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
    item = await quiz_item(session, access.course.id, quiz_id)
    attempt = await _attempt(session, access, item, attempt_id, owner_only=False)
    await _close_if_overdue(session, cache, course=access.course, item=item, attempt=attempt)
    if attempt.status == "in_progress":
        raise AttemptNotAwaitingGrading("The attempt is still in progress.")
    frozen = {question["id"]: question for question in attempt.questions}
    problems = []
    for index, grade in enumerate(body.grades):
        question = frozen.get(grade.question_id)
        if question is None or question["type"] != "essay":
            detail = "is not an essay question of this attempt"
        elif grade.points > question["points"]:
            detail = f"must be at most {question['points']:g} points"
        else:
            continue
        problems.append(
            {"field": f"grades.{index}", "pointer": f"#/grades/{index}", "detail": detail}
        )
    if problems:
        raise InvalidGrades("Correct the grades listed in `errors`.", errors=problems)
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
    values: dict[str, Any] = {"results": results, "updated_at": now}
    if done:
        score = round(sum(result["points_awarded"] for result in results.values()), 4)
        percent = _percent(score, attempt.max_score)
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
    if done:
        assert attempt.score is not None and attempt.percent is not None
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
                score=attempt.score,
                max_score=attempt.max_score,
                percent=attempt.percent,
                graded_by=access.user_id or "",
                graded_at=now,
            ),
            subject=attempt.id,
        )
        await _record_best(session, cache, course=access.course, item=item, user_id=attempt.user_id)
    settings = quiz_settings(await repository.get_quiz(session, item.id))
    return _attempt_read(attempt, access, settings)
