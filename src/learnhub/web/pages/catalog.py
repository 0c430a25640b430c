"""The course catalog: search, filters and paging over the published courses."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, Session, page_router
from learnhub.web.pages.course_support import (
    COURSES_API,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    as_session,
    course_path,
    items_of,
)
from learnhub.web.rendering import render

router = page_router()

PAGE_SIZE = 12


def _catalog_url(filters: dict[str, str], cursor: str | None = None) -> str:
    query = {key: value for key, value in filters.items() if value}
    if cursor:
        query["cursor"] = cursor
    return "/courses" + (f"?{urlencode(query)}" if query else "")


def _category_options(answer: Any) -> list[tuple[str, str]]:
    options = []
    for entry in items_of(answer):
        if isinstance(entry, str):
            options.append((entry, entry))
        elif isinstance(entry, dict):
            name = entry.get("category") or entry.get("name")
            if name:
                count = entry.get("course_count", entry.get("count"))
                options.append((name, f"{name} ({count})" if count is not None else name))
    return options


def _marks(viewer: Any) -> dict[str, str]:
    """What each listed course is to the signed-in viewer, from the page's viewer block."""
    if not isinstance(viewer, dict):
        return {}
    marks = dict.fromkeys(viewer.get("teaching_course_ids", []), "teaching")
    marks.update(dict.fromkeys(viewer.get("enrolled_course_ids", []), "enrolled"))
    marks.update(dict.fromkeys(viewer.get("completed_course_ids", []), "completed"))
    return marks


@router.get("/courses", response_class=HTMLResponse)
async def catalog(
    request: Request,
    session: Session,
    api: Api,
    _: Gettext,
    q: str = "",
    category: str = "",
    level: str = "",
    language: str = "",
    cursor: str = "",
) -> HTMLResponse:
    """Published courses matching the search and filters, a page at a time."""
    filters = {
        "q": q.strip()[:200],
        "category": category.strip(),
        "level": level if level in LEVEL_LABELS else "",
        "language": language if language in LANGUAGE_LABELS else "",
    }
    params: dict[str, Any] = {"limit": PAGE_SIZE, **{k: v for k, v in filters.items() if v}}
    if cursor:
        params["cursor"] = cursor
    try:
        page = await api.call("GET", COURSES_API, session=as_session(session), params=params)
    except ApiProblem as problem:
        if problem.status not in (400, 422) or not cursor:
            raise
        # A stale or hand-edited cursor: start again from the first page.
        params.pop("cursor")
        cursor = ""
        page = await api.call("GET", COURSES_API, session=as_session(session), params=params)
    categories: Any = []
    with contextlib.suppress(ApiProblem):
        categories = await api.call("GET", f"{COURSES_API}/categories", session=as_session(session))
    marks = _marks(page.get("viewer") if isinstance(page, dict) else None)
    courses = [
        {**course, "href": course_path(course), "mark": marks.get(course.get("id"))}
        for course in items_of(page)
    ]
    next_cursor = page.get("next_cursor") if isinstance(page, dict) else None
    searching = any(filters.values())
    return render(
        request,
        "courses/catalog.html",
        active_nav="courses",
        courses=courses,
        values=filters,
        searching=searching,
        category_options=[("", _("All categories")), *_category_options(categories)],
        level_options=[
            ("", _("All levels")),
            *((value, _(label)) for value, label in LEVEL_LABELS.items()),
        ],
        language_options=[("", _("All languages")), *LANGUAGE_LABELS.items()],
        level_labels={value: _(label) for value, label in LEVEL_LABELS.items()},
        language_labels=LANGUAGE_LABELS,
        cursor=cursor,
        first_page_url=_catalog_url(filters),
        next_page_url=_catalog_url(filters, next_cursor) if next_cursor else None,
    )
