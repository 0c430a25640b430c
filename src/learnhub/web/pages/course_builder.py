"""The course builder: publishing, sections and items, moving an item a place at a time,
and the lesson editor, for the course's instructors. Every change is one API call; the
API's refusals are worded next to the field they are about."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.forms import FieldMessage, FormErrors, add_problem_errors
from learnhub.web.pages.authoring_support import editable_course
from learnhub.web.pages.course_support import COURSES_API, KIND_LABELS, course_path
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TextField = Annotated[str, Form()]


@router.get("/{course_id}", response_class=HTMLResponse)
async def builder(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """The course builder."""
    course = await editable_course(api, session, course_id)
    sections = sorted(course.get("sections") or [], key=lambda s: s.get("position", 0))
    return render(
        request,
        "courses/builder.html",
        active_nav="teach",
        course=course,
        sections=sections,
        course_path=course_path(course),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        kind_options=[(value, _(label)) for value, label in KIND_LABELS.items()],
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
    await editable_course(api, session, course_id)
    try:
        await api.call(
            "PATCH",
            f"{COURSES_API}/{course_id}",
            session=session,
            json={"visibility": visibility},
        )
    except ApiProblem as problem:
        if problem.slug == "course-state":
            session.flash("error", _("Add at least one item before publishing the course."))
        elif problem.status in (400, 422):
            session.flash("error", _("Choose to publish, archive or return the course to draft."))
        else:
            raise
    else:
        messages = {
            "published": _("The course is published: learners can find it and enroll."),
            "archived": _("The course is archived: it takes no new enrollments."),
            "draft": _("The course is a draft again: only staff can see it."),
        }
        session.flash("success", messages[visibility])
    return see_other(f"/teach/{course_id}")


def _title_refused(problem: ApiProblem, _: Gettext) -> str:
    """The sentence for a refused section or item title."""
    if any(error.code == "string_too_long" for error in problem.errors):
        return _("Enter a shorter title")
    return _("Enter a title")


async def _add_to_outline(
    api: PlatformApi,
    session: WebSession,
    _: Gettext,
    course_id: str,
    path: str,
    body: dict[str, Any],
    *,
    added: str,
) -> Response:
    """Create a section or an item (``path`` below the course's API), back to the builder
    with ``added`` or with why the title was refused."""
    await editable_course(api, session, course_id)
    try:
        await api.call("POST", f"{COURSES_API}/{course_id}/{path}", session=session, json=body)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        session.flash("error", _title_refused(problem, _))
    else:
        session.flash("success", added)
    return see_other(f"/teach/{course_id}")


@router.post("/{course_id}/sections")
async def add_section(
    course_id: str, session: SignedInSession, api: Api, _: Gettext, title: TextField = ""
) -> Response:
    """Add a section at the end of the outline."""
    return await _add_to_outline(
        api, session, _, course_id, "sections", {"title": title}, added=_("Section added.")
    )


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
    return await _add_to_outline(
        api,
        session,
        _,
        course_id,
        f"sections/{section_id}/items",
        {"kind": kind, "title": title},
        added=_("Item added."),
    )


@router.post("/{course_id}/items/{item_id}/move")
async def move_item(
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    direction: TextField = "",
) -> Response:
    """Move an item one place up or down (across sections at their edges): one API call,
    so a move made at the same time by someone else is kept."""
    await editable_course(api, session, course_id)
    try:
        await api.call(
            "POST",
            f"{COURSES_API}/{course_id}/items/{item_id}/move",
            session=session,
            json={"direction": direction},
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return see_other(f"/teach/{course_id}")
    session.flash("success", _("The order has been saved."))
    return see_other(f"/teach/{course_id}#item-{item_id}")


async def _lesson_page(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    course: dict[str, Any],
    item_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    """The lesson editor, with the saved lesson's preview and ``values`` (default: the
    saved ones) in the form."""
    lesson = await api.call(
        "GET", f"{COURSES_API}/{course['id']}/lessons/{item_id}", session=session
    )
    video = lesson.get("video") or {}
    return render(
        request,
        "courses/lesson_editor.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        lesson=lesson,
        values=values
        or {
            "content_markdown": lesson.get("content_markdown") or "",
            "video_url": video.get("url") or "",
            "transcript": lesson.get("transcript") or "",
            "complete_on_view": lesson.get("complete_on_view", False),
        },
        errors=errors or FormErrors(),
    )


@router.get("/{course_id}/lessons/{item_id}", response_class=HTMLResponse)
async def lesson_editor(
    request: Request, course_id: str, item_id: str, session: SignedInSession, api: Api
) -> Response:
    """The lesson's Markdown, video and transcript, with a preview of the saved version."""
    course = await editable_course(api, session, course_id)
    return await _lesson_page(request, api, session, course, item_id)


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
    course = await editable_course(api, session, course_id)
    values = {
        "content_markdown": content_markdown,
        "video_url": video_url.strip(),
        "transcript": transcript,
        "complete_on_view": complete_on_view == "yes",
    }
    errors = FormErrors()
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
        add_problem_errors(
            errors,
            problem,
            {
                "video_url": FieldMessage(
                    "video_url", _("Enter a web address that starts with https://")
                ),
                "content_markdown": FieldMessage(
                    "content_markdown", _("The lesson text is too long: split it in two")
                ),
                "transcript": FieldMessage("transcript", _("The transcript is too long")),
            },
            fallback_field="content_markdown",
            fallback_message=_("Check the lesson and try again"),
        )
    else:
        session.flash("success", _("The lesson has been saved."))
        return see_other(f"/teach/{course_id}/lessons/{item_id}")
    return await _lesson_page(
        request, api, session, course, item_id, values=values, errors=errors, status_code=422
    )
