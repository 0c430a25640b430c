"""The course builder: publishing, archiving and deleting the course (asked once), copying
it, sections and items, moving an item a place at a time, and the lesson editor, for the
course's instructors. Every change is one API call; the API's refusals are worded next to
the field they are about."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage, FormErrors, add_problem_errors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.authoring_support import editable_course
from learnhub.web.pages.course_support import COURSES_API, KIND_LABELS, course_path
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render
from learnhub.web.session import WebSession

router = page_router(prefix="/teach")

TextField = Annotated[str, Form()]


def builder_page(
    request: Request,
    course: dict[str, Any],
    _: GettextFunction,
    *,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The builder of ``course``; ``errors`` and ``values`` of a refused new section or item
    (keyed by its field's id) are shown in its form."""
    sections = sorted(course.get("sections") or [], key=lambda s: s.get("position", 0))
    return render(
        request,
        "courses/builder.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        sections=sections,
        course_path=course_path(course),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        kind_options=[(value, _(label)) for value, label in KIND_LABELS.items()],
        errors=errors or FormErrors(),
        values=values or {},
    )


@router.get("/{course_id}", response_class=HTMLResponse)
async def builder(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """The course builder."""
    return builder_page(request, await editable_course(api, session, course_id), _)


def _builder_crumbs(course: dict[str, Any], _: GettextFunction) -> list[tuple[str | None, str]]:
    return [("/", _("Home")), ("/teach", _("Teach")), (f"/teach/{course['id']}", course["title"])]


@router.get("/{course_id}/archive", response_class=HTMLResponse)
async def confirm_archive(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Ask before archiving the course."""
    course = await editable_course(api, session, course_id)
    return confirmation_page(
        request,
        question=_("Archive %(title)s?") % {"title": course["title"]},
        consequences=[
            _("The course leaves the catalog and takes no new enrollments."),
            _(
                "Its learners keep their progress, grades and certificates, and can still "
                "read it. You can return it to draft later."
            ),
        ],
        action=f"/teach/{course_id}/visibility",
        hidden={"visibility": "archived", "confirmed": "yes"},
        confirm_label=_("Archive the course"),
        cancel_path=f"/teach/{course_id}",
        crumbs=[*_builder_crumbs(course, _), (None, _("Archive"))],
        active_nav="teach",
    )


@router.post("/{course_id}/visibility")
async def change_visibility(
    course_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    visibility: TextField = "",
    confirmed: TextField = "",
) -> Response:
    """Publish, archive (once confirmed) or return the course to draft."""
    await editable_course(api, session, course_id)
    if visibility == "archived" and confirmed != "yes":
        return see_other(f"/teach/{course_id}/archive")
    try:
        await api.call(
            "PATCH",
            f"{COURSES_API}/{course_id}",
            session=session,
            json={"visibility": visibility},
        )
    except ApiProblem as problem:
        if problem.slug == "course-state":
            session.flash("error", _("Publish at least one item before publishing the course."))
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


@router.get("/{course_id}/delete", response_class=HTMLResponse)
async def confirm_delete_course(
    request: Request, course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Ask before deleting the course."""
    course = await editable_course(api, session, course_id)
    return confirmation_page(
        request,
        question=_("Delete %(title)s?") % {"title": course["title"]},
        consequences=[
            _(
                "Every section, lesson, quiz, assignment, file and question of the course is "
                "deleted, with its learners' enrollments, progress, attempts, hand-ins and "
                "grades."
            ),
            _("This cannot be undone. Only a draft or an archived course can be deleted."),
        ],
        action=f"/teach/{course_id}/delete",
        confirm_label=_("Delete the course"),
        cancel_path=f"/teach/{course_id}",
        crumbs=[*_builder_crumbs(course, _), (None, _("Delete"))],
        active_nav="teach",
    )


@router.post("/{course_id}/delete")
async def delete_course(course_id: str, session: SignedInSession, api: Api, _: Gettext) -> Response:
    """Delete the course (the confirmation page's form), then back to my courses."""
    course = await editable_course(api, session, course_id)
    try:
        await api.call("DELETE", f"{COURSES_API}/{course_id}", session=session)
    except ApiProblem as problem:
        if problem.slug != "course-state":
            raise
        session.flash("error", _("Archive the course before deleting it: learners may use it."))
        return see_other(f"/teach/{course_id}")
    session.flash("success", _("%(title)s has been deleted.") % {"title": course["title"]})
    return see_other("/teach")


@router.post("/{course_id}/duplicate")
async def duplicate_course(
    course_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Copy the course into a new draft of mine, then open the copy in the builder."""
    await editable_course(api, session, course_id)
    try:
        copy = await api.call("POST", f"{COURSES_API}/{course_id}/duplicate", session=session)
    except ApiProblem as problem:
        if problem.status == 403:
            raise Forbidden() from problem
        raise
    session.flash(
        "success",
        _("This is your copy, %(title)s: a draft, without learners.") % {"title": copy["title"]},
    )
    return see_other(f"/teach/{copy['id']}")


def title_refused(problem: ApiProblem, _: GettextFunction) -> str:
    """The sentence for a refused section or item title."""
    if any(error.code == "string_too_long" for error in problem.errors):
        return _("Enter a shorter title")
    return _("Enter a title")


async def _add_to_outline(
    request: Request,
    api: PlatformApi,
    session: WebSession,
    _: GettextFunction,
    course_id: str,
    path: str,
    body: dict[str, Any],
    *,
    field_id: str,
    added: str,
) -> Response:
    """Create a section or an item (``path`` below the course's API), back to the builder
    with ``added``; when the title is refused, the builder again with the error next to the
    field ``field_id`` and what was typed kept."""
    course = await editable_course(api, session, course_id)
    try:
        await api.call("POST", f"{COURSES_API}/{course_id}/{path}", session=session, json=body)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        errors = FormErrors()
        errors.add(field_id, title_refused(problem, _))
        values = {field_id: body["title"], "kind": body.get("kind", "")}
        return builder_page(request, course, _, errors=errors, values=values, status_code=422)
    session.flash("success", added)
    return see_other(f"/teach/{course_id}")


@router.post("/{course_id}/sections", response_class=HTMLResponse)
async def add_section(
    request: Request,
    course_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
) -> Response:
    """Add a section at the end of the outline."""
    return await _add_to_outline(
        request,
        api,
        session,
        _,
        course_id,
        "sections",
        {"title": title},
        field_id="section-title",
        added=_("Section added."),
    )


@router.post("/{course_id}/sections/{section_id}/items", response_class=HTMLResponse)
async def add_item(
    request: Request,
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
        request,
        api,
        session,
        _,
        course_id,
        f"sections/{section_id}/items",
        {"kind": kind, "title": title},
        field_id=f"item-title-{section_id}",
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


@router.post("/{course_id}/items/{item_id}/publish")
async def publish_item(
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    published: TextField = "",
) -> Response:
    """Publish a draft item (learners then see it and it counts), or take it back to draft."""
    await editable_course(api, session, course_id)
    wanted = published == "yes"
    try:
        await api.call(
            "PATCH",
            f"{COURSES_API}/{course_id}/items/{item_id}",
            session=session,
            json={"published": wanted},
        )
    except ApiProblem as problem:
        if problem.slug != "course-state":
            raise
        session.flash(
            "error",
            _("A published course keeps at least one published item: publish another first."),
        )
    else:
        session.flash(
            "success",
            _("The item is published: learners see it and it counts in their progress.")
            if wanted
            else _("The item is a draft again: learners no longer see it."),
        )
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
