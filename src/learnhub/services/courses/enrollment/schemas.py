"""Request and response bodies of the enrollment API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from pydantic_core import PydanticCustomError

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
    group_id: str | None = Field(description="The learner's group in the course, if any.")
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


class GroupWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise PydanticCustomError("blank", "must not be blank")
        return value


class GroupRead(BaseModel):
    id: str
    course_id: str
    name: str
    learner_count: int = Field(description="Active learners in the group.")


class GroupMembersAdd(BaseModel):
    """Learners to put in the group; a learner in another group moves to this one."""

    model_config = ConfigDict(extra="forbid")

    user_ids: list[Annotated[str, Field(max_length=36)]] = Field(min_length=1, max_length=500)
