"""The course page (description, facts, outline, the one action that fits the visitor)
and enrolling from it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Gettext, Session, SignedInSession, page_router
from learnhub.web.pages.course_support import (
    COURSES_API,
    KIND_LABELS,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    build_outline,
    course_path,
    is_staff,
    load_course,
    my_progress,
    next_item_path,
    viewer_role,
)
from learnhub.web.redirects import login_url, see_other
from learnhub.web.rendering import render

router = page_router()


def primary_action(course: dict, *, signed_in: bool, next_path: str | None) -> str:
    """Which one action the course page offers, from the visitor's membership.

    ``login`` (anonymous), ``continue`` (an active member), ``pending`` (waiting for
    approval), ``enroll`` / ``request`` (open / approval courses), ``invite_only`` or
    ``closed`` (not published).
    """
    _role, status = viewer_role(course)
    if not signed_in:
        return "login" if course.get("visibility", "published") == "published" else "closed"
    if status == "active":
        return "continue" if next_path else "empty"
    if status == "pending":
        return "pending"
    if course.get("visibility", "published") != "published":
        return "closed"
    policy = course.get("enrollment_policy") or "open"
    return {"open": "enroll", "approval": "request"}.get(policy, "invite_only")


@router.get("/courses/{ref}", response_class=HTMLResponse)
async def course_page(
    request: Request, ref: str, session: Session, api: Api, _: Gettext
) -> Response:
    """A course: what it is about, its outline and the next step for this visitor."""
    course = await load_course(api, session, ref)
    progress = await my_progress(api, session, course)
    outline = build_outline(course, progress)
    next_path = next_item_path(course, outline, progress)
    role, status = viewer_role(course)
    return render(
        request,
        "courses/course.html",
        active_nav="courses",
        course=course,
        outline=outline,
        progress=progress,
        action=primary_action(course, signed_in=session.is_signed_in, next_path=next_path),
        next_path=next_path,
        login_path=login_url(course_path(course)),
        course_path=course_path(course),
        role_label=_(ROLE_LABELS[role]) if role in ROLE_LABELS and status == "active" else None,
        can_teach=is_staff(course) or bool(session.user and session.user.is_admin),
        level_label=_(LEVEL_LABELS.get(course.get("level") or "", course.get("level") or "")),
        language_label=LANGUAGE_LABELS.get(course.get("language") or "", course.get("language")),
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
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
        elif problem.status == 409:
            session.flash("error", _("This course is not open for enrollment."))
        elif problem.status == 403:
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
    next_path = next_item_path(course, build_outline(course, progress), progress)
    return see_other(next_path or course_path(course))
