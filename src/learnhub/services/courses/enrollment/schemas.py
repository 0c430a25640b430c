"""Request and response bodies of the enrollment API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

CourseRole = Literal["learner", "teaching_assistant", "instructor"]
EnrollmentStatus = Literal["active", "pending", "removed"]


class EnrollSomeone(BaseModel):
    """Staff enrolling a person by e-mail; no body (or no e-mail) enrolls yourself."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = Field(
        None, description="The person's e-mail; they must have an account. Omit to enroll yourself."
    )
    role: CourseRole = Field(
        "learner", description="Staff roles may be given by instructors and administrators only."
    )


class EnrollmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    user_id: str
    role: CourseRole
    status: EnrollmentStatus
    enrolled_by: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class MemberRead(EnrollmentRead):
    """A membership with the person's name and e-mail, for the course's staff."""

    display_name: str | None
    email: str | None


BulkOutcome = Literal["enrolled", "already_enrolled", "unknown_email", "invalid"]


class BulkRow(BaseModel):
    row: int = Field(description="Line number in the file (the header is line 1).")
    email: str
    outcome: BulkOutcome
    detail: str


class BulkReport(BaseModel):
    """What happened to every row of a bulk enrollment; all valid rows are applied."""

    enrolled: int
    already_enrolled: int
    unknown_email: int
    invalid: int
    rows: list[BulkRow]
