"""The course page (description, facts, outline, the one action that fits the visitor)
and enrolling from it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, Session, SignedInSession, page_router
from learnhub.web.pages.announcements import announcements_api
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    CourseViewer,
    build_outline,
    course_path,
    course_viewer,
    load_course,
    my_progress,
    next_item_path,
)
from learnhub.web.redirects import login_url, see_other
from learnhub.web.rendering import render

router = page_router()

# The newest announcements on the course page; the rest are a link away.
COURSE_PAGE_ANNOUNCEMENTS = 3


def primary_action(viewer: CourseViewer, *, next_path: str | None) -> str:
    """Which one action the course page offers, from what the API says the visitor may do.

    ``continue`` (they may study it), ``pending`` (waiting for approval), ``enroll`` /
    ``request`` (joining is accepted, at once or after approval), ``login`` (joining needs
    an account), ``invite_only`` or ``closed``.
    """
    if viewer.can_study:
        return "continue" if next_path else "empty"
    if viewer.status == "pending":
        return "pending"
    if viewer.can_enroll:
        return "request" if viewer.enroll_needs_approval else "enroll"
    return {"unauthorized": "login", "invite-only": "invite_only"}.get(
        viewer.enroll_refusal or "", "closed"
    )


@router.get("/courses/{ref}", response_class=HTMLResponse)
async def course_page(
    request: Request, ref: str, session: Session, api: Api, _: Gettext, preview: str = ""
) -> Response:
    """A course: what it is about, its outline and the next step for this visitor. Its
    staff may preview it as learners see it (``?preview=learner``): no drafts, no staff
    links."""
    course = await load_course(api, session, ref, as_learner=preview == "learner")
    progress = await my_progress(api, session, course)
    outline = build_outline(course, progress)
    next_path = next_item_path(outline, progress)
    viewer = course_viewer(course)
    previewing = preview == "learner" and viewer.is_staff
    news = None
    if viewer.can_study:
        news = await api.call(
            "GET",
            announcements_api(course),
            session=session,
            params={"limit": COURSE_PAGE_ANNOUNCEMENTS},
        )
    return render(
        request,
        "courses/course.html",
        active_nav="courses",
        course=course,
        outline=outline,
        progress=progress,
        action=primary_action(viewer, next_path=next_path),
        viewer=viewer,
        next_path=next_path,
        login_path=login_url(course_path(course)),
        course_path=course_path(course),
        role_label=_(ROLE_LABELS[viewer.role])
        if viewer.role in ROLE_LABELS and viewer.status == "active"
        else None,
        level_label=_(LEVEL_LABELS.get(course.get("level") or "", course.get("level") or "")),
        language_label=LANGUAGE_LABELS.get(course.get("language") or "", course.get("language")),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        news=news,
        previewing=previewing,
        viewer_time_zone=session.user.time_zone if session.user else None,
    )


@router.post("/courses/{ref}/enroll")
async def enroll(ref: str, session: SignedInSession, api: Api, _: Gettext) -> Response:
    """Enroll the signed-in user (or ask to join); then the first lesson or the course page."""
    course = await load_course(api, session, ref)
    back = course_path(course)
    try:
        enrollment = await api.call(
            "POST", f"{COURSES_API}/{course['id']}/enrollments", session=session
        )
    except ApiProblem as problem:
        if problem.slug == "already-enrolled":
            session.flash("info", _("You are already enrolled in this course."))
        elif problem.slug == "course-state":
            session.flash("error", _("This course is not open for enrollment."))
        elif problem.slug == "invite-only":
            session.flash("error", _("This course is by invitation only."))
        else:
            raise
        return see_other(back)
    if (enrollment or {}).get("status") == "pending":
        session.flash(
            "success",
            _("Your request to join has been sent. You will be able to start once it is approved."),
        )
        return see_other(back)
    session.flash("success", _("You are enrolled. Enjoy the course!"))
    fresh = await load_course(api, session, course["id"])
    outline = build_outline(fresh, None)
    first = outline.first
    return see_other(first.href if first else back)


@router.get("/courses/{ref}/learn", response_class=HTMLResponse)
async def resume(ref: str, session: SignedInSession, api: Api) -> Response:
    """ "Continue learning": the learner's next item."""
    course = await load_course(api, session, ref)
    progress = await my_progress(api, session, course)
    next_path = next_item_path(build_outline(course, progress), progress)
    return see_other(next_path or course_path(course))
