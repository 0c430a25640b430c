"""Export and import of an assignment item's settings and rubric, used by the course
archive. Submissions and grades are learners' data and stay out of archives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import utcnow
from learnhub.services.courses.assignments import repository
from learnhub.services.courses.assignments.service import defaults

_FIELDS = (
    "instructions",
    "late_policy",
    "penalty_percent_per_day",
    "penalty_cap_percent",
    "submission_types",
    "allowed_file_types",
    "max_file_bytes",
    "resubmission",
    "rubric",
)


async def export_item(session: AsyncSession, item_id: str) -> dict[str, Any]:
    """The item's settings and rubric as JSON-ready data ({} while it has the defaults)."""
    assignment = await repository.get_assignment(session, item_id)
    if assignment is None:
        return {}
    data: dict[str, Any] = {field: getattr(assignment, field) for field in _FIELDS}
    data["due_at"] = assignment.due_at.isoformat() if assignment.due_at else None
    return data


async def import_item(session: AsyncSession, item_id: str, data: dict[str, Any]) -> None:
    """Recreate the item's settings under a new item id from :func:`export_item`'s data."""
    if not data:
        return
    item = await repository.get_item(session, item_id)
    if item is None:
        raise LookupError(f"there is no item {item_id} to import an assignment into")
    assignment = defaults(item)
    assignment.updated_at = utcnow()
    for field in _FIELDS:
        if field in data:
            setattr(assignment, field, data[field])
    due_at = data.get("due_at")
    assignment.due_at = datetime.fromisoformat(due_at) if due_at else None
    session.add(assignment)
