"""Routes of the quizzes sub-domain: the question bank, quiz settings and attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from learnhub.kit.http.deps import SessionDep
from learnhub.kit.http.pagination import Page
from learnhub.kit.http.problems import problem_responses
from learnhub.services.courses.deps import (
    CacheDep,
    CoursesSettingsDep,
    EditableCourse,
    GroupFilter,
    LearnerCourse,
    MemberCourse,
    StaffCourse,
    ViewableCourse,
)
from learnhub.services.courses.quizzes import attempts, bank, queue, service
from learnhub.services.courses.quizzes.schemas import (
    AnswersWrite,
    AttemptGrade,
    AttemptRead,
    AttemptSummary,
    AwaitingGrading,
    QuestionRead,
    QuestionType,
    QuestionWrite,
    QuizQuestionAdd,
    QuizQuestionMove,
    QuizQuestionsUpdate,
    QuizRead,
    QuizUpdate,
)

router = APIRouter(tags=["courses: quizzes"])

COURSE = "/api/v1/courses/{course_id}"
QUESTIONS = COURSE + "/questions"
QUIZ = COURSE + "/quizzes/{quiz_id}"
ATTEMPTS = QUIZ + "/attempts"
ATTEMPT = ATTEMPTS + "/{attempt_id}"

Id = Annotated[str, Path(max_length=36)]
Cursor = Annotated[str | None, Query(max_length=500)]
Limit = Annotated[int | None, Query(ge=1, le=100)]


@router.post(
    QUESTIONS,
    status_code=201,
    response_model=QuestionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def create_question(
    body: Annotated[QuestionWrite, Body()], access: EditableCourse, session: SessionDep
) -> QuestionRead:
    """Add a question to the course's bank (instructors)."""
    return await bank.create_question(session, access, body)


@router.get(
    QUESTIONS, response_model=Page[QuestionRead], responses=problem_responses(400, 401, 403, 404)
)
async def list_questions(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    type: QuestionType | None = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[QuestionRead]:
    """The course's question bank with answers, oldest first (staff)."""
    return await bank.list_questions(
        session,
        access,
        type=type,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.get(
    QUESTIONS + "/{question_id}",
    response_model=QuestionRead,
    responses=problem_responses(401, 403, 404),
)
async def read_question(question_id: Id, access: StaffCourse, session: SessionDep) -> QuestionRead:
    """One bank question with its answers (staff)."""
    return await bank.get_question(session, access, question_id)


@router.put(
    QUESTIONS + "/{question_id}",
    response_model=QuestionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def replace_question(
    question_id: Id,
    body: Annotated[QuestionWrite, Body()],
    access: EditableCourse,
    session: SessionDep,
) -> QuestionRead:
    """Rewrite a bank question; attempts already started keep their copy (instructors)."""
    return await bank.replace_question(session, access, question_id, body)


@router.delete(
    QUESTIONS + "/{question_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_question(question_id: Id, access: EditableCourse, session: SessionDep) -> None:
    """Remove a question no quiz uses from the bank (instructors)."""
    await bank.delete_question(session, access, question_id)


@router.get(QUIZ, response_model=QuizRead, responses=problem_responses(404))
async def read_quiz(quiz_id: Id, access: ViewableCourse, session: SessionDep) -> QuizRead:
    """A quiz's settings and what the caller may do; staff also see its question ids."""
    return await service.get_quiz(session, access, quiz_id)


@router.patch(QUIZ, response_model=QuizRead, responses=problem_responses(401, 403, 404, 422))
async def update_quiz(
    quiz_id: Id, body: QuizUpdate, access: EditableCourse, session: SessionDep, cache: CacheDep
) -> QuizRead:
    """Change a quiz's settings: time limit, attempts, pass mark, shuffling, feedback, right
    answers shown, the attempt that counts, gradebook points and category, due date."""
    return await service.update_quiz(session, cache, access, quiz_id, body)


@router.put(
    QUIZ + "/questions",
    response_model=QuizRead,
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def set_quiz_questions(
    quiz_id: Id, body: QuizQuestionsUpdate, access: EditableCourse, session: SessionDep
) -> QuizRead:
    """Replace all of the quiz's questions with bank questions, in order (instructors)."""
    return await service.set_quiz_questions(session, access, quiz_id, body)


@router.post(
    QUIZ + "/questions",
    status_code=201,
    response_model=QuizRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_quiz_question(
    quiz_id: Id, body: QuizQuestionAdd, access: EditableCourse, session: SessionDep
) -> QuizRead:
    """Add one question, from the bank or written into it now, at a position (instructors)."""
    return await service.add_quiz_question(session, access, quiz_id, body)


@router.patch(
    QUIZ + "/questions/{question_id}",
    response_model=QuizRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def move_quiz_question(
    quiz_id: Id,
    question_id: Id,
    body: QuizQuestionMove,
    access: EditableCourse,
    session: SessionDep,
) -> QuizRead:
    """Move one of the quiz's questions to a position (instructors)."""
    return await service.move_quiz_question(session, access, quiz_id, question_id, body)


@router.delete(
    QUIZ + "/questions/{question_id}",
    response_model=QuizRead,
    responses=problem_responses(401, 403, 404),
)
async def remove_quiz_question(
    quiz_id: Id, question_id: Id, access: EditableCourse, session: SessionDep
) -> QuizRead:
    """Take one question out of the quiz; it stays in the bank (instructors)."""
    return await service.remove_quiz_question(session, access, quiz_id, question_id)


@router.post(
    ATTEMPTS,
    status_code=201,
    response_model=AttemptRead,
    responses={200: {"model": AttemptRead, "description": "The attempt already in progress."}}
    | problem_responses(401, 403, 404, 409),
)
async def start_attempt(
    quiz_id: Id,
    access: LearnerCourse,
    session: SessionDep,
    cache: CacheDep,
    response: Response,
) -> AttemptRead:
    """Start an attempt (enrolled learners); the attempt in progress comes back with 200."""
    attempt, created = await attempts.start_attempt(session, cache, access, quiz_id)
    if not created:
        response.status_code = 200
    return attempt


@router.get(
    COURSE + "/quiz-grading-queue",
    response_model=Page[AwaitingGrading],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def quiz_grading_queue(
    access: StaffCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    cursor: Cursor = None,
    limit: Limit = None,
    group_id: GroupFilter = None,
) -> Page[AwaitingGrading]:
    """Attempts whose essays wait for a grader, the longest waiting first (staff)."""
    return await queue.awaiting_grading(
        session,
        access,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
        group_id=group_id,
    )


@router.get(
    ATTEMPTS,
    response_model=Page[AttemptSummary],
    responses=problem_responses(400, 401, 403, 404),
)
async def list_attempts(
    quiz_id: Id,
    access: MemberCourse,
    session: SessionDep,
    settings: CoursesSettingsDep,
    user_id: Annotated[str | None, Query(max_length=36)] = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[AttemptSummary]:
    """The caller's attempts; staff see everyone's, or one learner's with `user_id`."""
    return await attempts.list_attempts(
        session,
        access,
        quiz_id,
        user_id=user_id,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.get(ATTEMPT, response_model=AttemptRead, responses=problem_responses(401, 403, 404))
async def read_attempt(
    quiz_id: Id, attempt_id: Id, access: MemberCourse, session: SessionDep
) -> AttemptRead:
    """One attempt (its learner or staff); no answer keys while it is open."""
    return await attempts.get_attempt(session, access, quiz_id, attempt_id)


@router.put(
    ATTEMPT + "/answers",
    response_model=AttemptRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def save_answers(
    quiz_id: Id,
    attempt_id: Id,
    body: AnswersWrite,
    access: MemberCourse,
    session: SessionDep,
    cache: CacheDep,
) -> AttemptRead:
    """Save answers of an attempt in progress (its learner), before the deadline."""
    return await attempts.save_answers(session, cache, access, quiz_id, attempt_id, body)


@router.post(
    ATTEMPT + "/submit",
    response_model=AttemptRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_attempt(
    quiz_id: Id,
    attempt_id: Id,
    access: MemberCourse,
    session: SessionDep,
    cache: CacheDep,
    body: AnswersWrite | None = None,
) -> AttemptRead:
    """Hand an attempt in and grade it (its learner); essays wait for a grader."""
    return await attempts.submit_attempt(
        session, cache, access, quiz_id, attempt_id, body or AnswersWrite()
    )


@router.post(
    ATTEMPT + "/grade",
    response_model=AttemptRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def grade_attempt(
    quiz_id: Id,
    attempt_id: Id,
    body: AttemptGrade,
    access: StaffCourse,
    session: SessionDep,
    cache: CacheDep,
) -> AttemptRead:
    """Score an attempt's essay answers (instructors and teaching assistants)."""
    return await attempts.grade_attempt(session, cache, access, quiz_id, attempt_id, body)
