"""The learner's dashboard ("My learning"): courses in progress, what is next, deadlines,
completed courses and their certificates."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.pages.course_support import (
    KIND_LABELS,
    PAGE_PATHS,
    ROLE_LABELS,
    STAFF_ROLES,
    course_path,
    items_of,
)
from learnhub.web.rendering import render

router = page_router()


def dashboard_entry(row: dict[str, Any]) -> dict[str, Any]:
    """One membership of ``/me/courses`` shaped for the page, whatever its nesting."""
    course = row.get("course") if isinstance(row.get("course"), dict) else row
    course_id = course.get("id") or row.get("course_id")
    course = {**course, "id": course_id, "slug": course.get("slug") or row.get("slug")}
    if not course.get("title"):
        course["title"] = row.get("course_title") or row.get("title") or ""
    # ``/me/courses`` gives the percentage, "n of m done" and the certificate of each course.
    progress = row.get("progress") if isinstance(row.get("progress"), dict) else row
    base = course_path(course)
    next_item = row.get("next_item")
    if isinstance(next_item, dict) and next_item.get("id"):
        kind = next_item.get("kind") or "lesson"
        next_item = {
            **next_item,
            "href": f"{base}/{PAGE_PATHS.get(kind, 'learn')}/{next_item['id']}",
        }
    else:
        next_item = None
    due = []
    for deadline in row.get("upcoming_due") or row.get("upcoming_due_dates") or []:
        if isinstance(deadline, dict) and deadline.get("due_at"):
            item_id = deadline.get("item_id") or deadline.get("id")
            kind = deadline.get("kind") or "assignment"
            due.append(
                {
                    **deadline,
                    "href": f"{base}/{PAGE_PATHS.get(kind, 'assignments')}/{item_id}"
                    if item_id
                    else base,
                }
            )
    percent = float(progress.get("percent") or progress.get("progress_percent") or 0)
    return {
        "course": course,
        "href": base,
        "role": row.get("role") or "learner",
        "percent": percent,
        "completed_items": progress.get("completed_items"),
        "total_items": progress.get("total_items"),
        "completed": bool(progress.get("completed") or row.get("completed_at")),
        "certificate_code": row.get("certificate_code") or progress.get("certificate_code"),
        "next_item": next_item,
        "due": due,
    }


def in_progress(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of courses the viewer studies and has not completed."""
    return [e for e in entries if e["role"] not in STAFF_ROLES and not e["completed"]]


@router.get("/learning", response_class=HTMLResponse)
async def dashboard(
    request: Request, session: SignedInSession, api: Api, _: Gettext
) -> HTMLResponse:
    """My courses with their progress, the next step in each and the coming deadlines."""
    rows = items_of(await api.call("GET", "/api/v1/me/courses", session=session))
    entries = [dashboard_entry(row) for row in rows if isinstance(row, dict)]
    learning = in_progress(entries)
    completed = [e for e in entries if e["role"] not in STAFF_ROLES and e["completed"]]
    teaching = [e for e in entries if e["role"] in STAFF_ROLES]
    deadlines = sorted(
        ({**due, "course_title": e["course"]["title"]} for e in learning for due in e["due"]),
        key=lambda due: str(due["due_at"]),
    )
    return render(
        request,
        "courses/dashboard.html",
        active_nav="learning",
        learning=learning,
        completed=completed,
        teaching=teaching,
        deadlines=deadlines,
        role_labels={role: _(label) for role, label in ROLE_LABELS.items()},
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        viewer_time_zone=session.user.time_zone if session.user else None,
    )
