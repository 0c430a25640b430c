"""Errors of the quizzes sub-domain."""

from learnhub.kit.errors import BadRequest, Conflict, Forbidden, NotFound, UnprocessableContent


class QuestionNotFound(NotFound):
    title = "Question not found"
    slug = "question-not-found"


class QuestionInUse(Conflict):
    title = "The question is used by a quiz"
    slug = "question-in-use"


class UnknownQuestions(BadRequest):
    title = "Some questions are not in this course's bank"
    slug = "unknown-questions"


class QuestionAlreadyInQuiz(Conflict):
    title = "The quiz already asks this question"
    slug = "question-already-in-quiz"


class QuestionNotInQuiz(NotFound):
    title = "The quiz does not ask this question"
    slug = "question-not-in-quiz"


class QuizNotFound(NotFound):
    title = "Quiz not found"
    slug = "quiz-not-found"


class QuizEmpty(Conflict):
    title = "The quiz has no questions yet"
    slug = "quiz-empty"


class QuizClosed(Conflict):
    title = "The quiz is past its due date"
    slug = "quiz-closed"


class NoAttemptsLeft(Conflict):
    title = "You have used every attempt at this quiz"
    slug = "no-attempts-left"


class AttemptNotFound(NotFound):
    title = "Attempt not found"
    slug = "attempt-not-found"


class NotYourAttempt(Forbidden):
    title = "This attempt is someone else's"
    slug = "not-your-attempt"


class AttemptClosed(Conflict):
    title = "The attempt is no longer open"
    slug = "attempt-closed"


class AttemptNotAwaitingGrading(Conflict):
    title = "The attempt has no answers waiting for a grader"
    slug = "attempt-not-awaiting-grading"


class InvalidAnswers(UnprocessableContent):
    """Answers whose shape does not fit their questions; ``errors`` lists them like a
    validation error does, each with a code (``not_a_question_of_attempt``,
    ``wrong_answer_shape``)."""

    title = "Some answers do not fit their questions"
    slug = "invalid-answers"


class InvalidGrades(UnprocessableContent):
    """``errors`` lists each grade that does not fit, with a code (``not_an_essay``,
    ``above_question_points``)."""

    title = "Some grades do not fit the attempt"
    slug = "invalid-grades"
