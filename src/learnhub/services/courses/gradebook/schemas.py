"""Request and response bodies of the gradebook API."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from learnhub.services.courses.quizzes.schemas import GradingMethod

UNCATEGORISED = "Uncategorised"


class GradebookSettingsRead(BaseModel):
    category_weights: dict[str, float] = Field(
        description="Percent per grade category; empty: the total is by points."
    )
    updated_by: str | None
    updated_at: datetime | None


class GradebookSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_weights: dict[str, float] = Field(
        max_length=50,
        description=f"Percent per grade category, adding up to 100 (items without a category "
        f"are in “{UNCATEGORISED}”); {{}}: weigh by points.",
    )

    @field_validator("category_weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        cleaned: dict[str, float] = {}
        for name, weight in value.items():
            name = " ".join(name.split())
            if not 1 <= len(name) <= 100:
                raise PydanticCustomError(
                    "category_name_length", "category names must have 1 to 100 characters"
                )
            if name in cleaned:
                raise PydanticCustomError(
                    "repeated_category", "category '{name}' is given twice", {"name": name}
                )
            if not 0 <= weight <= 100:
                raise PydanticCustomError(
                    "weight_out_of_range",
                    "the weight of '{name}' must be between 0 and 100",
                    {"name": name},
                )
            cleaned[name] = weight
        if cleaned and not math.isclose(sum(cleaned.values()), 100, abs_tol=1e-6):
            raise PydanticCustomError(
                "weights_not_100",
                "weights must add up to 100, not {total}",
                {"total": f"{sum(cleaned.values()):g}"},
            )
        return cleaned


class GradeColumn(BaseModel):
    item_id: str
    title: str
    kind: Literal["quiz", "assignment"]
    category: str
    max_points: float = Field(
        description="What the item is worth; a quiz's attempt is scaled to it from its percent."
    )
    counts: GradingMethod | None = Field(
        description="A quiz's attempt that counts: best, last, first or average; else null."
    )


class GradeCell(BaseModel):
    item_id: str
    score: float | None = Field(description="null: not graded yet.")
    max_score: float
    overridden: bool


class LearnerGrades(BaseModel):
    user_id: str
    name: str | None
    email: str | None
    cells: list[GradeCell] = Field(description="One per column, in column order.")
    category_percents: dict[str, float | None]
    total_percent: float | None = Field(description="Weighted over graded items; null: none yet.")


class Gradebook(BaseModel):
    """One page of the gradebook: every column, and a page of learners by name."""

    course_id: str
    columns: list[GradeColumn]
    category_weights: dict[str, float]
    learners: list[LearnerGrades]
    learner_count: int = Field(description="Active learners in the course, on every page.")
    next_cursor: str | None = Field(
        description="Cursor of the next page of learners; null on the last page."
    )


class MyGrade(BaseModel):
    item_id: str
    title: str
    kind: Literal["quiz", "assignment"]
    category: str
    score: float | None
    max_score: float
    overridden: bool
    counts: GradingMethod | None = Field(
        description="A quiz's attempt that counts: best, last, first or average; else null."
    )
    status: Literal["not_started", "in_progress", "submitted", "returned", "completed"]
    feedback: str | None = Field(description="The grader's feedback on an assignment.")
    graded_at: datetime | None


class MyGrades(BaseModel):
    course_id: str
    user_id: str
    grades: list[MyGrade]
    category_weights: dict[str, float]
    category_percents: dict[str, float | None]
    total_percent: float | None


class WaitingToGrade(BaseModel):
    """One course the caller teaches, with the work waiting for a grader."""

    course_id: str
    course_slug: str
    course_title: str
    hand_ins: int = Field(description="Learners' latest assignment hand-ins not graded yet.")
    quiz_attempts: int = Field(description="Quiz attempts whose essays wait for a grader.")


class OverrideSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(max_length=36)
    item_id: str = Field(max_length=36)
    score: float = Field(ge=0)
    reason: str = Field(max_length=1000, description="Why the grade is changed; required.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("reason_required", "give the reason for the override")
        return value


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    item_id: str
    action: Literal["set", "removed"]
    score: float | None
    reason: str
    created_by: str
    created_at: datetime
