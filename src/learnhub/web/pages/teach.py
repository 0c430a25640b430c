"""Teaching: an instructor's courses, creating one, and the course builder (details,
sections and items, their order, lesson content, publishing)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FormErrors, add_api_field_errors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    STAFF_ROLES,
    course_path,
    items_of,
    load_course,
    viewer_role,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TextField = Annotated[str, Form()]
TEACHING_ROLES = ("instructor", "admin")


def _require_teacher(session: WebSession) -> None:
    """Only platform instructors and administrators teach; the API checks it again."""
    if not session.user or not any(role in TEACHING_ROLES for role in session.user.roles):
        raise Forbidden()


async def _editable_course(api: PlatformApi, session: WebSession, course_id: str) -> dict:
    _require_teacher(session)
    course = await load_course(api, session, course_id)
    role, status = viewer_role(course)
    if not (session.user and session.user.is_admin) and not (
        role == "instructor" and status == "active"
    ):
        raise Forbidden()
    return course


def _choices(_: GettextFunction) -> dict[str, Any]:
    return {
        "level_options": [(value, _(label)) for value, label in LEVEL_LABELS.items()],
        "language_options": list(LANGUAGE_LABELS.items()),
        "kind_options": [(value, _(label)) for value, label in KIND_LABELS.items()],
    }


@router.get("", response_class=HTMLResponse)
async def my_courses(request: Request, session: SignedInSession, api: Api, _: Gettext) -> Response:
    """The courses I teach, and the form to create one."""
    _require_teacher(session)
    rows = items_of(await api.call("GET", "/api/v1/me/courses", session=session))
    teaching = [
        {**row["course"], "role": row.get("role")}
        for row in rows
        if isinstance(row, dict) and row.get("role") in STAFF_ROLES and row.get("course")
    ]
    return render(
        request,
        "courses/teach.html",
        active_nav="teach",
        teaching=teaching,
        values={"level": "beginner", "language": "en"},
        role_labels={role: _(label) for role, label in ROLE_LABELS.items()},
        **_choices(_),
    )


@router.post("", response_class=HTMLResponse)
async def create_course(
    request: Request,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
    summary: TextField = "",
    level: TextField = "beginner",
    language: TextField = "en",
) -> Response:
    """Create a draft course, then open it in the builder."""
    _require_teacher(session)
    values = {
        "title": title.strip(),
        "summary": summary.strip(),
        "level": level,
        "language": language,
    }
    errors = FormErrors()
    if not values["title"]:
        errors.add("title", _("Enter a title for the course"))
    elif len(values["title"]) > 200:
        errors.add("title", _("The title must be 200 characters or fewer"))
    if len(values["summary"]) > 500:
        errors.add("summary", _("The summary must be 500 characters or fewer"))
    if not errors:
        try:
            course = await api.call(
                "POST",
                COURSES_API,
                session=session,
                json={
                    "title": values["title"],
                    "summary": values["summary"],
                    "level": level if level in LEVEL_LABELS else "beginner",
                    "language": language if language in LANGUAGE_LABELS else "en",
                },
            )
        except ApiProblem as problem:
            if problem.status == 403:
                raise Forbidden() from problem
            if problem.status not in (400, 409, 422):
                raise
            add_api_field_errors(
                errors,
                problem,
                {"title": _("Enter a title for the course")},
                fallback_field="title",
                fallback_message=_("Check the details and try again"),
            )
        else:
            session.flash("success", _("Your course has been created as a draft."))
            return see_other(f"/teach/{course['id']}")
    return render(
        request,
        "courses/teach.html",
        status_code=422,
        active_nav="teach",
        teaching=[],
        values=values,
        errors=errors,
        role_labels={},
        **_choices(_),
    )


@router.get("/{course_id}", response_class=HTMLResponse)
async def builder(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """The course builder."""
    course = await _editable_course(api, session, course_id)
    sections = sorted(course.get("sections") or [], key=lambda s: s.get("position", 0))
    return render(
        request,
        "courses/builder.html",
        active_nav="teach",
        course=course,
        sections=sections,
        course_path=course_path(course),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        **_choices(_),
    )


@router.post("/{course_id}/visibility")
async def change_visibility(
    course_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    visibility: TextField = "",
) -> Response:
    """Publish, archive or return the course to draft."""
    await _editable_course(api, session, course_id)
    if visibility not in ("draft", "published", "archived"):
        return see_other(f"/teach/{course_id}")
    try:
        await api.call(
            "PATCH",
            f"{COURSES_API}/{course_id}",
            session=session,
            json={"visibility": visibility},
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        session.flash("error", _("Add at least one item before publishing the course."))
    else:
        messages = {
            "published": _("The course is published: learners can find it and enroll."),
            "archived": _("The course is archived: it takes no new enrollments."),
            "draft": _("The course is a draft again: only staff can see it."),
        }
        session.flash("success", messages[visibility])
    return see_other(f"/teach/{course_id}")


@router.post("/{course_id}/sections")
async def add_section(
    course_id: str, session: SignedInSession, api: Api, _: Gettext, title: TextField = ""
) -> Response:
    """Add a section at the end of the outline."""
    await _editable_course(api, session, course_id)
    if not title.strip():
        session.flash("error", _("Enter a title for the section"))
        return see_other(f"/teach/{course_id}")
    await api.call(
        "POST",
        f"{COURSES_API}/{course_id}/sections",
        session=session,
        json={"title": title.strip()[:200]},
    )
    session.flash("success", _("Section added."))
    return see_other(f"/teach/{course_id}")


@router.post("/{course_id}/sections/{section_id}/items")
async def add_item(
    course_id: str,
    section_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
    kind: TextField = "lesson",
) -> Response:
    """Add a lesson, quiz or assignment at the end of a section."""
    await _editable_course(api, session, course_id)
    if not title.strip() or kind not in KIND_LABELS:
        session.flash("error", _("Enter a title for the item"))
        return see_other(f"/teach/{course_id}")
    await api.call(
        "POST",
        f"{COURSES_API}/{course_id}/sections/{section_id}/items",
        session=session,
        json={"kind": kind, "title": title.strip()[:200]},
    )
    session.flash("success", _("Item added."))
    return see_other(f"/teach/{course_id}")


@router.post("/{course_id}/items/{item_id}/move")
async def move_item(
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    direction: TextField = "",
) -> Response:
    """Move an item one place up or down (across sections at their edges)."""
    course = await _editable_course(api, session, course_id)
    sections = [
        {
            "id": s["id"],
            "item_ids": [
                i["id"] for i in sorted(s.get("items") or [], key=lambda i: i.get("position", 0))
            ],
        }
        for s in sorted(course.get("sections") or [], key=lambda s: s.get("position", 0))
    ]
    flat = [(index, item) for index, s in enumerate(sections) for item in s["item_ids"]]
    position = next((n for n, (_s, item) in enumerate(flat) if item == item_id), None)
    step = -1 if direction == "up" else 1
    if position is None or not 0 <= position + step < len(flat):
        return see_other(f"/teach/{course_id}")
    section_index = flat[position][0]
    items = sections[section_index]["item_ids"]
    index = items.index(item_id)
    if 0 <= index + step < len(items):
        items[index], items[index + step] = items[index + step], items[index]
    else:
        # At the edge of its section: it moves into the neighbouring section.
        items.remove(item_id)
        target = sections[section_index + step]["item_ids"]
        if step < 0:
            target.append(item_id)
        else:
            target.insert(0, item_id)
    await api.call(
        "PUT", f"{COURSES_API}/{course_id}/outline", session=session, json={"sections": sections}
    )
    session.flash("success", _("The order has been saved."))
    return see_other(f"/teach/{course_id}#item-{item_id}")


@router.get("/{course_id}/lessons/{item_id}", response_class=HTMLResponse)
async def lesson_editor(
    request: Request, course_id: str, item_id: str, session: SignedInSession, api: Api
) -> Response:
    """The lesson's Markdown, video and transcript, with a preview of the saved version."""
    course = await _editable_course(api, session, course_id)
    lesson = await api.call("GET", f"{COURSES_API}/{course_id}/lessons/{item_id}", session=session)
    video = lesson.get("video") or {}
    return render(
        request,
        "courses/lesson_editor.html",
        active_nav="teach",
        course=course,
        lesson=lesson,
        values={
            "content_markdown": lesson.get("content_markdown") or "",
            "video_url": video.get("url") or "",
            "transcript": lesson.get("transcript") or "",
            "complete_on_view": lesson.get("complete_on_view", False),
        },
    )


@router.post("/{course_id}/lessons/{item_id}", response_class=HTMLResponse)
async def save_lesson(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    content_markdown: TextField = "",
    video_url: TextField = "",
    transcript: TextField = "",
    complete_on_view: TextField = "",
) -> Response:
    """Save the lesson; the preview shows the platform's rendering of it."""
    course = await _editable_course(api, session, course_id)
    values = {
        "content_markdown": content_markdown,
        "video_url": video_url.strip(),
        "transcript": transcript,
        "complete_on_view": complete_on_view == "yes",
    }
    errors = FormErrors()
    if values["video_url"] and not values["video_url"].startswith(("https://", "http://")):
        errors.add("video_url", _("Enter a web address that starts with https://"))
    if not errors:
        try:
            await api.call(
                "PUT",
                f"{COURSES_API}/{course_id}/lessons/{item_id}",
                session=session,
                json={**values, "video_url": values["video_url"] or None},
            )
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            add_api_field_errors(
                errors,
                problem,
                {"video_url": _("Enter a web address that starts with https://")},
                fallback_field="content_markdown",
                fallback_message=_("Check the lesson and try again"),
            )
        else:
            session.flash("success", _("The lesson has been saved."))
            return see_other(f"/teach/{course_id}/lessons/{item_id}")
    lesson = await api.call("GET", f"{COURSES_API}/{course_id}/lessons/{item_id}", session=session)
    return render(
        request,
        "courses/lesson_editor.html",
        status_code=422,
        active_nav="teach",
        course=course,
        lesson=lesson,
        values=values,
        errors=errors,
    )
