"""Request and response bodies of the assignments API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

LatePolicy = Literal["accept", "penalty", "refuse"]
SubmissionType = Literal["text", "file"]
Resubmission = Literal["never", "until_due", "until_graded"]

_FILE_TYPE = re.compile(r"^\.[a-z0-9][a-z0-9.+-]{0,19}$")


class RubricCriterion(BaseModel):
    id: str = Field(description="Stable id; grade with it.")
    title: str
    description: str
    points: float


class RubricCriterionWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        None, max_length=36, description="Keep an existing criterion's id; omit for a new one."
    )
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    points: float = Field(gt=0, le=10_000)


class RubricCriterionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    points: float = Field(gt=0, le=10_000)


class RubricCriterionUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    points: float | None = Field(None, gt=0, le=10_000)

    @model_validator(mode="after")
    def _no_nulls(self) -> RubricCriterionUpdate:
        for field in sorted(self.model_fields_set):
            if getattr(self, field) is None:
                raise PydanticCustomError(
                    "null_not_allowed", "{field} cannot be null", {"field": field}
                )
        return self


SubmissionRefusal = Literal[
    "unauthorized",
    "not-enrolled",
    "past-due",
    "single-submission-only",
    "already-graded",
    "resubmission-closed",
]


class AssignmentViewer(BaseModel):
    """What the caller may do with the assignment now, by the same rules the actions apply."""

    can_edit: bool = Field(description="Change the settings and the rubric.")
    can_grade: bool = Field(description="See every learner's work and grade it.")
    can_submit: bool = Field(description="Handing in now would be accepted.")
    can_resubmit: bool = Field(
        description="The caller has handed in already and may send a new version now."
    )
    reason_if_not: SubmissionRefusal | None = Field(
        description="Without `can_submit`: the problem type a submission would get."
    )
    submitted_versions: int = Field(description="How many versions the caller has handed in.")
    late_now: bool = Field(description="Work handed in now would be late.")
    penalty_percent_now: float = Field(
        description="The late penalty work handed in now would get, in percent."
    )


class AssignmentRead(BaseModel):
    id: str = Field(description="The assignment's item id.")
    course_id: str
    title: str
    points: float | None = Field(description="The item's `max_points`.")
    due_at: datetime | None
    instructions: str = Field(description="Markdown source.")
    instructions_html: str = Field(description="The instructions rendered and sanitised.")
    late_policy: LatePolicy
    penalty_percent_per_day: float
    penalty_cap_percent: float
    submission_types: list[SubmissionType]
    allowed_file_types: list[str]
    max_file_bytes: int
    resubmission: Resubmission
    rubric: list[RubricCriterion]
    viewer: AssignmentViewer


class AssignmentUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    instructions: str | None = Field(None, max_length=20_000, description="Markdown.")
    due_at: AwareDatetime | None = Field(None, description="With a time zone; null: no due date.")
    late_policy: LatePolicy | None = Field(
        None,
        description="After the due date: `accept`, `penalty` (percent per started day, "
        "capped) or `refuse`.",
    )
    penalty_percent_per_day: float | None = Field(None, ge=0, le=100)
    penalty_cap_percent: float | None = Field(None, ge=0, le=100)
    submission_types: list[SubmissionType] | None = Field(
        None, min_length=1, max_length=2, description="`text`, `file`, or both."
    )
    allowed_file_types: list[str] | None = Field(
        None, max_length=50, description="File name extensions like `.pdf`; empty: any."
    )
    max_file_bytes: int | None = Field(None, ge=1)
    resubmission: Resubmission | None = Field(
        None, description="`never`, `until_due` (the due date) or `until_graded`."
    )
    points: float | None = Field(None, gt=0, le=10_000, description="Sets the item's max_points.")
    rubric: list[RubricCriterionWrite] | None = Field(
        None,
        max_length=50,
        description="Criteria whose points add up to the points; [] removes it.",
    )

    @field_validator("submission_types")
    @classmethod
    def _distinct_types(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise PydanticCustomError("repeated_value", "must not repeat a type")
        return value

    @field_validator("allowed_file_types")
    @classmethod
    def _file_types(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = []
        for entry in value:
            entry = entry.strip().lower()
            entry = entry if entry.startswith(".") else f".{entry}"
            if not _FILE_TYPE.match(entry):
                raise PydanticCustomError(
                    "not_a_file_extension",
                    "'{entry}' is not a file name extension like .pdf",
                    {"entry": entry},
                )
            if entry not in cleaned:
                cleaned.append(entry)
        return cleaned

    @model_validator(mode="after")
    def _no_nulls(self) -> AssignmentUpdate:
        for field in sorted(self.model_fields_set - {"due_at", "max_file_bytes"}):
            if getattr(self, field) is None:
                raise PydanticCustomError(
                    "null_not_allowed", "{field} cannot be null", {"field": field}
                )
        return self

    @field_validator("rubric")
    @classmethod
    def _distinct_criteria(
        cls, value: list[RubricCriterionWrite] | None
    ) -> list[RubricCriterionWrite] | None:
        if value is None:
            return None
        ids = [criterion.id for criterion in value if criterion.id]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("repeated_value", "criterion ids must be distinct")
        return value


class SubmittedFile(BaseModel):
    name: str
    content_type: str
    size: int
    download_url: str


class RubricScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion_id: str = Field(max_length=36)
    points: float = Field(ge=0)


class GradeRead(BaseModel):
    score: float = Field(description="Before any late penalty.")
    rubric: list[RubricScore] | None
    penalty_percent: float
    final_score: float = Field(description="After the late penalty; this is the grade.")
    max_score: float
    feedback: str
    feedback_html: str = Field(description="The feedback's Markdown as sanitised HTML.")
    graded_by: str
    graded_at: datetime


class SubmissionRead(BaseModel):
    id: str
    course_id: str
    assignment_id: str
    user_id: str
    version: int
    text: str | None
    text_html: str | None = Field(
        description=(
            "The text's Markdown as sanitised HTML (no script, no inline handlers); its "
            "headings start at `h3`, as it is shown inside a page."
        )
    )
    file: SubmittedFile | None
    submitted_at: datetime
    late: bool
    late_by_seconds: int
    status: Literal["submitted", "graded"]
    grade: GradeRead | None
    returned: bool = Field(description="The grader asked for a new version of this work.")


class QueueEntry(BaseModel):
    submission: SubmissionRead
    assignment_title: str
    learner_name: str | None
    learner_email: str | None


class SubmissionDetail(QueueEntry):
    """One version of a learner's work for the course's staff, with every version the
    learner handed in (newest first, this one included)."""

    is_latest: bool
    versions: list[SubmissionRead]


class GradeSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float | None = Field(
        None, ge=0, description="Required without a rubric; with one it must equal the sum."
    )
    feedback: str = Field("", max_length=20_000)
    rubric: list[RubricScore] | None = Field(
        None, max_length=50, description="Points for every criterion of the rubric."
    )
    return_for_resubmission: bool = Field(
        False,
        description=(
            "Hand the work back for a new version: the learner may submit again whatever the "
            "resubmission rule and the due date, and the item is to do again until graded."
        ),
    )
