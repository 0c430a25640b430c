"""Renaming and deleting the sections and items of a course, for its instructors: a page
for each (the title's form, and a link to delete), and a confirmation page before a delete
that says what the delete loses, as the API defines it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.confirmation import confirmation_page
from learnhub.web.deps import Api, Gettext, Ngettext, SignedInSession, page_router
from learnhub.web.forms import FormErrors
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.authoring_support import editable_course
from learnhub.web.pages.course_builder import title_refused
from learnhub.web.pages.course_support import COURSES_API, KIND_LABELS
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render

router = page_router(prefix="/teach")

TextField = Annotated[str, Form()]


def _section(course: dict[str, Any], section_id: str) -> dict[str, Any]:
    for section in course.get("sections") or []:
        if section.get("id") == section_id:
            return section
    raise ApiProblem(status=404, title="Not found")


def _item(course: dict[str, Any], item_id: str) -> dict[str, Any]:
    for section in course.get("sections") or []:
        for item in section.get("items") or []:
            if item.get("id") == item_id:
                return item
    raise ApiProblem(status=404, title="Not found")


def _crumbs(
    course: dict[str, Any], _: GettextFunction, *rest: tuple[str | None, str]
) -> list[tuple[str | None, str]]:
    return [
        ("/", _("Home")),
        ("/teach", _("Teach")),
        (f"/teach/{course['id']}", course["title"]),
        *rest,
    ]


def _what_an_item_delete_loses(kind: str, _: GettextFunction) -> str:
    """What the API deletes with an item of ``kind``: its content, files and learners'
    results."""
    if kind == "quiz":
        return _(
            "Its settings are deleted, with the learners' attempts, scores and progress on "
            "it. Its questions stay in the course's question bank."
        )
    if kind == "assignment":
        return _(
            "Its instructions and rubric are deleted, with the learners' hand-ins, files, "
            "grades and feedback."
        )
    return _(
        "Its text, video and files are deleted, with the learners' progress on it. Their "
        "course progress is counted again without it."
    )


def _outline_page(
    request: Request,
    course: dict[str, Any],
    _: GettextFunction,
    *,
    heading: str,
    action: str,
    delete_path: str,
    delete_label: str,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "courses/outline_part.html",
        status_code=status_code,
        active_nav="teach",
        course=course,
        heading=heading,
        action=action,
        delete_path=delete_path,
        delete_label=delete_label,
        values=values,
        errors=errors or FormErrors(),
        crumbs=_crumbs(course, _, (None, heading)),
    )


async def _rename(
    request: Request,
    api: Api,
    session: SignedInSession,
    _: GettextFunction,
    course: dict[str, Any],
    *,
    path: str,
    title: str,
    page: dict[str, str],
    renamed: str,
) -> Response:
    """PATCH the new title to ``path``; the builder with ``renamed``, or the page again with
    the title's error."""
    try:
        await api.call("PATCH", path, session=session, json={"title": title})
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        errors = FormErrors()
        errors.add("title", title_refused(problem, _))
        return _outline_page(
            request, course, _, values={"title": title}, errors=errors, status_code=422, **page
        )
    session.flash("success", renamed)
    return see_other(f"/teach/{course['id']}")


async def _delete(
    api: Api, session: SignedInSession, _: GettextFunction, course_id: str, path: str, done: str
) -> Response:
    try:
        await api.call("DELETE", path, session=session)
    except ApiProblem as problem:
        if problem.slug != "course-state":
            raise
        session.flash(
            "error",
            _("A published course keeps at least one item: add another, or archive the course."),
        )
    else:
        session.flash("success", done)
    return see_other(f"/teach/{course_id}")


# --- sections -------------------------------------------------------------------------------


def _section_page(
    course: dict[str, Any], section: dict[str, Any], _: GettextFunction
) -> dict[str, str]:
    base = f"/teach/{course['id']}/sections/{section['id']}"
    return {
        "heading": _("Section: %(title)s") % {"title": section["title"]},
        "action": base,
        "delete_path": f"{base}/delete",
        "delete_label": _("Delete the section"),
    }


@router.get("/{course_id}/sections/{section_id}", response_class=HTMLResponse)
async def section_page(
    request: Request,
    course_id: str,
    section_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Rename the section, or go on to delete it."""
    course = await editable_course(api, session, course_id)
    section = _section(course, section_id)
    return _outline_page(
        request, course, _, values={"title": section["title"]}, **_section_page(course, section, _)
    )


@router.post("/{course_id}/sections/{section_id}", response_class=HTMLResponse)
async def rename_section(
    request: Request,
    course_id: str,
    section_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
) -> Response:
    """Save the section's new title."""
    course = await editable_course(api, session, course_id)
    section = _section(course, section_id)
    return await _rename(
        request,
        api,
        session,
        _,
        course,
        path=f"{COURSES_API}/{course_id}/sections/{section_id}",
        title=title,
        page=_section_page(course, section, _),
        renamed=_("The section has been renamed."),
    )


@router.get("/{course_id}/sections/{section_id}/delete", response_class=HTMLResponse)
async def confirm_delete_section(
    request: Request,
    course_id: str,
    section_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    ngettext: Ngettext,
) -> Response:
    """Ask before deleting the section and what it holds."""
    course = await editable_course(api, session, course_id)
    section = _section(course, section_id)
    count = len(section.get("items") or [])
    holds = (
        ngettext(
            "It holds %(count)d item: its content, files and the learners' results on it "
            "(progress, attempts, hand-ins and grades) are deleted with it.",
            "It holds %(count)d items: their content, files and the learners' results on "
            "them (progress, attempts, hand-ins and grades) are deleted with it.",
            count,
        )
        % {"count": count}
        if count
        else _("It holds no items.")
    )
    base = f"/teach/{course_id}/sections/{section_id}"
    return confirmation_page(
        request,
        question=_("Delete the section %(title)s?") % {"title": section["title"]},
        consequences=[holds, _("This cannot be undone.")],
        action=f"{base}/delete",
        confirm_label=_("Delete the section"),
        cancel_path=base,
        crumbs=_crumbs(course, _, (base, section["title"]), (None, _("Delete"))),
        active_nav="teach",
    )


@router.post("/{course_id}/sections/{section_id}/delete")
async def delete_section(
    course_id: str, section_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Delete the section with its items (the confirmation page's form)."""
    course = await editable_course(api, session, course_id)
    section = _section(course, section_id)
    return await _delete(
        api,
        session,
        _,
        course_id,
        f"{COURSES_API}/{course_id}/sections/{section_id}",
        _("The section %(title)s has been deleted.") % {"title": section["title"]},
    )


# --- items ----------------------------------------------------------------------------------


def _item_page(course: dict[str, Any], item: dict[str, Any], _: GettextFunction) -> dict[str, str]:
    base = f"/teach/{course['id']}/items/{item['id']}"
    kind = _(KIND_LABELS.get(item.get("kind", ""), KIND_LABELS["lesson"]))
    return {
        "heading": _("%(kind)s: %(title)s") % {"kind": kind, "title": item["title"]},
        "action": base,
        "delete_path": f"{base}/delete",
        "delete_label": _("Delete the item"),
    }


@router.get("/{course_id}/items/{item_id}", response_class=HTMLResponse)
async def item_page(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Rename the item, or go on to delete it."""
    course = await editable_course(api, session, course_id)
    item = _item(course, item_id)
    return _outline_page(
        request, course, _, values={"title": item["title"]}, **_item_page(course, item, _)
    )


@router.post("/{course_id}/items/{item_id}", response_class=HTMLResponse)
async def rename_item(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
    title: TextField = "",
) -> Response:
    """Save the item's new title."""
    course = await editable_course(api, session, course_id)
    item = _item(course, item_id)
    return await _rename(
        request,
        api,
        session,
        _,
        course,
        path=f"{COURSES_API}/{course_id}/items/{item_id}",
        title=title,
        page=_item_page(course, item, _),
        renamed=_("The item has been renamed."),
    )


@router.get("/{course_id}/items/{item_id}/delete", response_class=HTMLResponse)
async def confirm_delete_item(
    request: Request,
    course_id: str,
    item_id: str,
    session: SignedInSession,
    api: Api,
    _: Gettext,
) -> Response:
    """Ask before deleting the item, saying what it loses."""
    course = await editable_course(api, session, course_id)
    item = _item(course, item_id)
    base = f"/teach/{course_id}/items/{item_id}"
    return confirmation_page(
        request,
        question=_("Delete %(title)s?") % {"title": item["title"]},
        consequences=[
            _what_an_item_delete_loses(item.get("kind", ""), _),
            _("This cannot be undone."),
        ],
        action=f"{base}/delete",
        confirm_label=_("Delete the item"),
        cancel_path=base,
        crumbs=_crumbs(course, _, (base, item["title"]), (None, _("Delete"))),
        active_nav="teach",
    )


@router.post("/{course_id}/items/{item_id}/delete")
async def delete_item(
    course_id: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Delete the item with its content and learners' results (the confirmation's form)."""
    course = await editable_course(api, session, course_id)
    item = _item(course, item_id)
    return await _delete(
        api,
        session,
        _,
        course_id,
        f"{COURSES_API}/{course_id}/items/{item_id}",
        _("%(title)s has been deleted.") % {"title": item["title"]},
    )
