"""The lesson player: the outline beside the lesson, previous / next, mark as complete."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, SignedInSession, page_router
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    build_outline,
    check_item_kind,
    course_path,
    course_viewer,
    load_course,
    my_progress,
)
from learnhub.web.redirects import see_other
from learnhub.web.rendering import render

router = page_router()


async def _lesson(api, session, course: dict, item_id: str) -> dict:
    try:
        return await api.call(
            "GET", f"{COURSES_API}/{course['id']}/lessons/{item_id}", session=session
        )
    except ApiProblem as problem:
        if problem.slug == "not-enrolled":
            raise _NotEnrolled() from problem
        raise


class _NotEnrolled(Exception):
    pass


def _video(lesson: dict) -> dict | None:
    """How to show the lesson's video: an embed (YouTube, Vimeo) or a plain link."""
    video = lesson.get("video")
    if isinstance(video, dict):
        embed = video.get("embed_url")
        url = video.get("url") or embed
    else:
        embed = lesson.get("video_embed_url") or lesson.get("embed_url")
        url = lesson.get("video_url") or embed
    if not (embed or url):
        return None
    return {"embed_url": embed, "url": url}


@router.get("/courses/{ref}/learn/{item_id}", response_class=HTMLResponse)
async def lesson_page(
    request: Request, ref: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """One lesson with the course outline, progress and the way on."""
    course = await load_course(api, session, ref)
    try:
        lesson = await _lesson(api, session, course, item_id)
    except _NotEnrolled:
        session.flash("info", _("Enroll in this course to open its lessons."))
        return see_other(course_path(course))
    if lesson.get("complete_on_view"):
        # The API decides what opening the lesson does (it completes it for a learner);
        # progress is read after it.
        await api.call(
            "POST", f"{COURSES_API}/{course['id']}/items/{item_id}/view", session=session
        )
    progress = await my_progress(api, session, course)
    outline = build_outline(course, progress)
    item = check_item_kind(outline, item_id, "lesson")
    previous_item, next_item = outline.neighbours(item_id)
    return render(
        request,
        "courses/lesson.html",
        active_nav="learning",
        course=course,
        course_path=course_path(course),
        lesson=lesson,
        item=item,
        video=_video(lesson),
        outline=outline,
        progress=progress,
        previous_item=previous_item,
        next_item=next_item,
        can_complete=course_viewer(course).is_learner
        and not item.done
        and not lesson.get("complete_on_view"),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
    )


@router.post("/courses/{ref}/learn/{item_id}/complete")
async def complete_lesson(
    ref: str, item_id: str, session: SignedInSession, api: Api, _: Gettext
) -> Response:
    """Mark the lesson done, then go on to the next item (or back to the course page)."""
    course = await load_course(api, session, ref)
    outline = build_outline(course, None)
    check_item_kind(outline, item_id, "lesson")
    try:
        await api.call(
            "POST", f"{COURSES_API}/{course['id']}/items/{item_id}/complete", session=session
        )
    except ApiProblem as problem:
        if problem.status == 403:
            session.flash("error", _("Enroll in this course to record your progress."))
            return see_other(course_path(course))
        if problem.status != 409:
            raise
    session.flash("success", _("Lesson marked as complete."))
    _previous, next_item = outline.neighbours(item_id)
    return see_other(next_item.href if next_item else course_path(course))
