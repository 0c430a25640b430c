"""Response bodies of the progress, completion and certificate APIs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ProgressSummary(BaseModel):
    """Where a learner stands in a course; this part is cached."""

    percent: float = Field(description="Completed required items / required items, in %.")
    completed_items: int = Field(description="Required items completed.")
    total_items: int = Field(description="Required items; optional items are not counted.")
    completed: bool = Field(description="The course's completion rule is met.")
    completed_at: datetime | None
    certificate_code: str | None
    next_item_id: str | None = Field(
        description="The first item in outline order not completed yet (null when all are)."
    )


class ItemState(BaseModel):
    item_id: str
    kind: str
    title: str
    required: bool
    status: str = Field(
        description=(
            "not_started, in_progress, submitted (work handed in, waiting for its grade), "
            "returned (graded and handed back for a new version) "
            "or completed."
        )
    )
    score: float | None
    max_score: float | None
    passed: bool | None
    completed_at: datetime | None


class MyProgress(ProgressSummary):
    items: list[ItemState] = Field(description="Every item of the course in outline order.")


class LearnerProgress(BaseModel):
    """One learner's progress, for the course's staff."""

    enrollment_id: str
    user_id: str
    display_name: str | None
    email: str | None
    percent: float
    completed_items: int
    total_items: int
    completed_at: datetime | None
    items: list[ItemState]


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    course_id: str
    learner_name: str
    course_title: str
    issued_at: datetime
    verification_url: str


class CertificateVerification(BaseModel):
    """What anyone holding a certificate's code may check."""

    code: str
    learner_name: str
    course_title: str
    issued_at: datetime
    valid: bool = Field(description="Always true: unknown codes are 404.")


class CourseCard(BaseModel):
    id: str
    slug: str
    title: str
    summary: str
    cover_image_url: str | None
    visibility: str


class NextItem(BaseModel):
    id: str
    title: str
    kind: str


class DueItem(BaseModel):
    item_id: str
    title: str
    kind: str
    due_at: datetime


class DashboardEntry(BaseModel):
    """One of the caller's courses on their dashboard."""

    course: CourseCard
    role: str = Field(description="learner, teaching_assistant or instructor.")
    state: str = Field(
        description="in_progress, not_started or completed for learners; teaching for staff."
    )
    percent: float | None = Field(description="Progress in % (learners only).")
    completed_items: int | None = Field(
        None, description="Required items completed (learners only)."
    )
    total_items: int | None = Field(
        None, description="Required items; optional items are not counted (learners only)."
    )
    completed: bool
    certificate_code: str | None = Field(
        None, description="The learner's certificate for the course, once they have one."
    )
    completed_at: datetime | None
    next_item: NextItem | None
    upcoming_due: list[DueItem] = Field(
        description="Assignments not completed yet that are due in the next 30 days, soonest first."
    )
