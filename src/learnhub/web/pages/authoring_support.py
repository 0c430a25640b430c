"""What the authoring pages share (the course builder, the quiz editor, the assignment
editor): the course when the caller may edit it, and moments, numbers and lines as people
type them. Nothing here checks a value: the API does, and the pages word its refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from learnhub.web.api import PlatformApi
from learnhub.web.errors import Forbidden
from learnhub.web.forms import FieldMessage
from learnhub.web.forms import Gettext as GettextFunction
from learnhub.web.pages.course_support import (
    build_outline,
    check_item_kind,
    course_viewer,
    load_course,
)
from learnhub.web.session import WebSession


async def editable_course(
    api: PlatformApi,
    session: WebSession,
    course_id: str,
    *,
    item_id: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """The course, when the API says the caller may edit it (else the 403 page), and, if
    asked, checking that ``item_id`` is one of its items of ``kind`` (else the 404 page)."""
    course = await load_course(api, session, course_id)
    if not course_viewer(course).can_edit:
        raise Forbidden()
    if item_id is not None and kind is not None:
        check_item_kind(build_outline(course, None), item_id, kind)
    return course


def item_title(course: dict[str, Any], item_id: str) -> str:
    item = build_outline(course, None).find(item_id)
    return item.title if item else ""


def plain(value: float | int | None) -> str:
    """A number as a person would write it: 2 rather than 2.0."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def user_zone(session: WebSession) -> ZoneInfo:
    name = session.user.time_zone if session.user else None
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def date_time_values(value: str | None, zone: ZoneInfo) -> tuple[str, str]:
    """The API's moment as the date and time inputs' values in the user's time zone."""
    if not value:
        return "", ""
    try:
        moment = datetime.fromisoformat(value).astimezone(zone)
    except ValueError:
        return "", ""
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M")


def typed_moment(
    date_text: str, time_text: str, zone: ZoneInfo, *, missing_time: str = "23:59"
) -> str | None:
    """The moment typed into the date and time inputs, in the user's time zone, for the
    API; None when both are empty (no date). A missing time is ``missing_time`` (the end of
    the day for a due date). Text that is not a date is passed on as it is, for the API to
    refuse."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text and not time_text:
        return None
    try:
        moment = datetime.strptime(f"{date_text} {time_text or missing_time}", "%Y-%m-%d %H:%M")
    except ValueError:
        return f"{date_text}T{time_text}"
    return moment.replace(tzinfo=zone).isoformat()


def due_date_message(_: GettextFunction) -> FieldMessage:
    return FieldMessage(
        "due_date",
        _("Enter a real date and time, like 2027-03-31 and 17:00, or leave both empty"),
    )
