"""Request and response bodies of the quizzes API."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

QuestionType = Literal[
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "numeric",
    "matching",
    "ordering",
    "essay",
]
FeedbackPolicy = Literal["after_submit", "after_due", "never"]
GradingMethod = Literal["best", "last", "first", "average"]
AttemptStatus = Literal["in_progress", "expired", "needs_grading", "graded"]
StartRefusal = Literal[
    "unauthorized", "not-enrolled", "quiz-closed", "no-attempts-left", "quiz-empty"
]
ResultStatus = Literal["correct", "partially_correct", "incorrect", "pending"]

PartId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_-]+$")]


def _unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise PydanticCustomError("repeated_value", "{what} must be unique", {"what": what})


class _QuestionBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=20000, description="Markdown.")
    points: float = Field(1.0, gt=0, le=1000, description="What a fully right answer earns.")
    feedback: str = Field(
        "", max_length=5000, description="Shown with the result when the quiz shows feedback."
    )

    @field_validator("prompt")
    @classmethod
    def _prompt_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "must not be blank")
        return value


class ChoiceOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PartId | None = Field(None, description="Kept when given; made up when not.")
    text: str = Field(min_length=1, max_length=1000)
    correct: bool = False


class _ChoiceQuestion(_QuestionBase):
    options: list[ChoiceOption] = Field(min_length=2, max_length=20)

    @field_validator("options")
    @classmethod
    def _option_ids(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        _unique([option.id for option in options if option.id], "option ids")
        return options


class SingleChoiceQuestion(_ChoiceQuestion):
    """Exactly one option is right."""

    type: Literal["single_choice"]

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        if sum(option.correct for option in options) != 1:
            raise PydanticCustomError("one_correct_option", "exactly one option must be correct")
        return options


class MultipleChoiceQuestion(_ChoiceQuestion):
    """One or more options are right. ``all_or_nothing`` scores only the exact set;
    ``partial`` scores (right picks - wrong picks) / right options, never below zero."""

    type: Literal["multiple_choice"]
    scoring: Literal["all_or_nothing", "partial"] = "all_or_nothing"

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        if not any(option.correct for option in options):
            raise PydanticCustomError("no_correct_option", "at least one option must be correct")
        return options


class TrueFalseQuestion(_QuestionBase):
    type: Literal["true_false"]
    correct: bool


class ShortAnswerQuestion(_QuestionBase):
    """Right when the answer equals an accepted one after trimming and collapsing spaces,
    ignoring case unless ``case_sensitive``."""

    type: Literal["short_answer"]
    accepted_answers: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        min_length=1, max_length=50
    )
    case_sensitive: bool = False

    @field_validator("accepted_answers")
    @classmethod
    def _not_blank(cls, answers: list[str]) -> list[str]:
        if any(not answer.strip() for answer in answers):
            raise PydanticCustomError("blank", "must not be blank")
        return [" ".join(answer.split()) for answer in answers]


class NumericQuestion(_QuestionBase):
    """Right when |given - answer| <= tolerance (both bounds included)."""

    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(0.0, ge=0)

    @field_validator("answer", "tolerance")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "must be a finite number")
        return value


class MatchingPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    left_id: PartId | None = None
    left: str = Field(min_length=1, max_length=500)
    right_id: PartId | None = None
    right: str = Field(min_length=1, max_length=500)


class MatchingQuestion(_QuestionBase):
    """Match each left entry with its right entry; each right pair earns its share."""

    type: Literal["matching"]
    pairs: list[MatchingPair] = Field(min_length=2, max_length=20)

    @field_validator("pairs")
    @classmethod
    def _distinct(cls, pairs: list[MatchingPair]) -> list[MatchingPair]:
        _unique([pair.left for pair in pairs], "left entries")
        _unique([pair.right for pair in pairs], "right entries")
        ids = [pair.left_id for pair in pairs if pair.left_id]
        ids += [pair.right_id for pair in pairs if pair.right_id]
        _unique(ids, "pair ids")
        return pairs


class OrderingEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PartId | None = None
    text: str = Field(min_length=1, max_length=500)


class OrderingQuestion(_QuestionBase):
    """Put the entries in order (given here in the right order); all or nothing."""

    type: Literal["ordering"]
    items: list[OrderingEntry] = Field(min_length=2, max_length=20)

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: list[OrderingEntry]) -> list[OrderingEntry]:
        _unique([item.id for item in items if item.id], "entry ids")
        return items


class EssayQuestion(_QuestionBase):
    """A written answer, graded by hand."""

    type: Literal["essay"]
    max_words: int | None = Field(None, ge=1, le=20000)
    grading_notes: str = Field("", max_length=5000, description="For graders only.")


QuestionWrite = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | NumericQuestion
    | MatchingQuestion
    | OrderingQuestion
    | EssayQuestion,
    Field(discriminator="type"),
]


class QuestionRead(BaseModel):
    """A bank question for staff: the common fields plus its type's fields as written
    (with the ids of options, pairs and entries filled in)."""

    model_config = ConfigDict(extra="allow")

    id: str
    course_id: str
    type: QuestionType
    prompt: str
    prompt_html: str
    points: float
    feedback: str
    used_in_quizzes: list[str]
    created_at: datetime
    updated_at: datetime


class QuizUpdate(BaseModel):
    """Only the fields sent are changed; null clears a limit."""

    model_config = ConfigDict(extra="forbid")

    time_limit_seconds: int | None = Field(
        None, ge=30, le=7 * 24 * 3600, description="Seconds from the start; null: no limit."
    )
    attempts_allowed: int | None = Field(None, ge=1, le=100, description="Null: unlimited.")
    pass_mark: float | None = Field(None, ge=0, le=100, description="Percent needed to pass.")
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    feedback: FeedbackPolicy | None = Field(
        None,
        description=(
            "When learners see per-question results and feedback: `after_submit`, "
            "`after_due` (never if the quiz has no due date) or `never`."
        ),
    )
    show_correct_answers: bool | None = Field(
        None, description="Learners see the right answers with their results (when shown)."
    )
    grading_method: GradingMethod | None = Field(
        None,
        description=(
            "The attempt that counts in progress and the gradebook: `best`, `last`, `first` "
            "or `average` (of the graded attempts). Changing it recounts every learner."
        ),
    )
    points: float | None = Field(
        None,
        gt=0,
        le=100_000,
        description="What the quiz is worth in the gradebook; null: its total marks.",
    )
    grade_category: str | None = Field(
        None, max_length=100, description="The gradebook category; null: uncategorised."
    )
    due_at: AwareDatetime | None = Field(None, description="No attempt starts after it.")

    _category = field_validator("grade_category")(
        classmethod(lambda _cls, v: (v or "").strip() or None)
    )

    @model_validator(mode="after")
    def _not_null(self) -> QuizUpdate:
        for field in (
            "pass_mark",
            "shuffle_questions",
            "shuffle_options",
            "feedback",
            "show_correct_answers",
            "grading_method",
        ):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise PydanticCustomError(
                    "null_not_allowed", "{field} cannot be null", {"field": field}
                )
        return self


class CountingOutcome(BaseModel):
    score: float
    max_score: float
    percent: float
    passed: bool
    attempt_number: int | None = Field(description="Null when the average counts.")
    graded_attempts: int = Field(description="How many attempts are graded.")


class QuizViewer(BaseModel):
    """What the caller may do with the quiz now, by the same rules the actions apply."""

    can_edit: bool = Field(description="Change the settings and the questions.")
    can_grade: bool = Field(description="See everyone's attempts and grade essays.")
    can_start: bool = Field(description="Starting an attempt now would begin a new one.")
    can_resume: bool = Field(description="The caller has an attempt open now.")
    open_attempt_id: str | None = Field(description="The attempt to resume.")
    attempts_used: int = Field(description="The caller's attempts so far, open ones included.")
    attempts_left: int | None = Field(description="Null: as many as they like.")
    reason_if_not: StartRefusal | None = Field(
        description="Without `can_start` or `can_resume`: the problem type a start would get."
    )
    can_see_answers: bool = Field(
        description="Results per question and feedback are shown to the caller now."
    )
    can_see_correct_answers: bool = Field(
        description="With the results, the right answers are shown to the caller too."
    )
    counting: CountingOutcome | None = Field(
        description="The caller's outcome that counts now, by the grading method; null: none."
    )


class QuizRead(BaseModel):
    quiz_id: str
    course_id: str
    title: str
    time_limit_seconds: int | None
    attempts_allowed: int | None
    pass_mark: float
    shuffle_questions: bool
    shuffle_options: bool
    feedback: FeedbackPolicy
    show_correct_answers: bool
    grading_method: GradingMethod
    due_at: datetime | None
    question_count: int
    max_score: float = Field(description="The quiz's total marks: its questions' points.")
    points: float | None = Field(description="Set gradebook points; null: the total marks.")
    gradebook_points: float = Field(description="What the quiz is worth in the gradebook.")
    grade_category: str | None
    question_ids: list[str] | None = Field(description="The chosen questions; staff only.")
    viewer: QuizViewer


class QuizQuestionAdd(BaseModel):
    """A question for the quiz: one of the bank's (``question_id``), or a new one written
    to the bank and added in the same step (``question``)."""

    model_config = ConfigDict(extra="forbid")

    question_id: str | None = Field(None, max_length=36)
    question: QuestionWrite | None = None
    position: int | None = Field(
        None, ge=1, le=200, description="Where it goes, 1 for first; default: at the end."
    )

    @model_validator(mode="after")
    def _one_question(self) -> QuizQuestionAdd:
        if (self.question_id is None) == (self.question is None):
            raise PydanticCustomError(
                "question_or_question_id", "send either question_id or question"
            )
        return self


class QuizQuestionMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=1, le=200, description="Where it goes, 1 for first.")


class QuizQuestionsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_ids: list[Annotated[str, Field(max_length=36)]] = Field(
        max_length=200, description="Bank questions in the order the quiz asks them."
    )

    @field_validator("question_ids")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        _unique(ids, "question ids")
        return ids


class Choice(BaseModel):
    id: str
    text: str


class AttemptQuestion(BaseModel):
    """A question as the learner sees it: no answers. Choice questions have ``options``,
    matching has ``prompts`` and ``choices``, ordering has ``items`` (shuffled)."""

    id: str
    type: QuestionType
    prompt: str
    prompt_html: str
    points: float
    options: list[Choice] | None = None
    prompts: list[Choice] | None = None
    choices: list[Choice] | None = None
    items: list[Choice] | None = None
    max_words: int | None = None


class QuestionResult(BaseModel):
    question_id: str
    status: ResultStatus
    points_awarded: float | None
    max_points: float
    feedback: str = Field(description="The question's feedback text.")
    grader_feedback: str | None = Field(None, description="What the grader wrote (essays).")
    correct_answer: Any = Field(None, description="The answer key in the shape of an answer.")


class AttemptResult(BaseModel):
    score: float | None
    max_score: float
    percent: float | None
    passed: bool | None
    questions: list[QuestionResult] | None = Field(
        description="Per-question results; null while the quiz's feedback is not shown."
    )


class AttemptRead(BaseModel):
    id: str
    course_id: str
    quiz_id: str
    user_id: str
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    graded_at: datetime | None
    questions: list[AttemptQuestion]
    answers: dict[str, Any]
    unanswered_question_ids: list[str] = Field(
        description="Questions without a (complete) answer, in the attempt's order."
    )
    result: AttemptResult | None


class AttemptSummary(BaseModel):
    id: str
    quiz_id: str
    user_id: str
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    score: float | None
    max_score: float
    percent: float | None
    passed: bool | None


class AwaitingGrading(BaseModel):
    """An attempt whose essays wait for a grader, in the course's quiz grading queue."""

    attempt_id: str
    quiz_id: str
    quiz_title: str
    user_id: str
    learner_name: str | None
    learner_email: str | None
    number: int
    submitted_at: datetime | None


class AnswersWrite(BaseModel):
    """Answers by question id: an option id (single choice), option ids (multiple choice),
    true/false, text (short answer, essay), a number, {left id: right id} (matching), or
    entry ids in order (ordering). Null clears an answer."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Annotated[str, Field(max_length=36)], Any] = Field(
        default_factory=dict, max_length=200
    )


class EssayGrade(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(max_length=36)
    points: float = Field(ge=0)
    feedback: str = Field("", max_length=5000)


class AttemptGrade(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grades: list[EssayGrade] = Field(min_length=1, max_length=200)

    @field_validator("grades")
    @classmethod
    def _distinct(cls, grades: list[EssayGrade]) -> list[EssayGrade]:
        _unique([grade.question_id for grade in grades], "question ids")
        return grades
