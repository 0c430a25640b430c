"""What the course pages share: finding a course by slug or id, its outline, the learner's
progress, and the addresses of its items.

The courses API is the source of truth; these helpers only shape its answers for templates
and read optional fields with a default, so a page still renders when a field is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from learnhub.web.api import ApiProblem, PlatformApi
from learnhub.web.errors import Forbidden
from learnhub.web.i18n import N_
from learnhub.web.session import WebSession

COURSES_API = "/api/v1/courses"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

LEVEL_LABELS = {
    "beginner": N_("Beginner"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
}
LANGUAGE_LABELS = {"en": "English", "pt": "Português", "es": "Español", "fr": "Français"}
KIND_LABELS = {"lesson": N_("Lesson"), "quiz": N_("Quiz"), "assignment": N_("Assignment")}
ROLE_LABELS = {
    "instructor": N_("Instructor"),
    "teaching_assistant": N_("Teaching assistant"),
    "learner": N_("Learner"),
}
# How /me/courses rows are grouped on the dashboard (teaching or learning); what each role
# may do is the API's to say, in each course's viewer block.
STAFF_ROLES = ("instructor", "teaching_assistant")
PAGE_PATHS = {"lesson": "learn", "quiz": "quizzes", "assignment": "assignments"}


def format_number(value: float | int | None, locale: str) -> str:
    """A score or a size in the reader's locale: ``7.5`` or ``7,5``; empty for None."""
    if value is None:
        return ""
    return format_decimal(round(float(value), 2), format="#,##0.##", locale=locale)


def as_session(session: WebSession) -> WebSession | None:
    """The session to call the API with: anonymous visitors call it without one."""
    return session if session.is_signed_in else None


def items_of(page: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, whether it is a bare list or ``{items: [...]}``."""
    if isinstance(page, list):
        return page
    if isinstance(page, dict):
        return list(page.get("items") or [])
    return []


async def load_course(
    api: PlatformApi, session: WebSession, ref: str, *, as_learner: bool = False
) -> dict[str, Any]:
    """The course a page address names, by id or by slug (a missing one is the 404 page);
    ``as_learner``: its outline as learners see it, without drafts."""
    path = f"{COURSES_API}/{ref}" if _UUID.match(ref) else f"{COURSES_API}/by-slug/{ref}"
    params = {"as_learner": "true"} if as_learner else None
    return await api.call("GET", path, session=as_session(session), params=params)


def course_path(course: dict[str, Any]) -> str:
    """The course page's address: by slug when it has one."""
    return f"/courses/{course.get('slug') or course['id']}"


def item_path(course: dict[str, Any], item: dict[str, Any]) -> str:
    """The page of an item of the course: the lesson player, the quiz or the assignment."""
    return f"{course_path(course)}/{PAGE_PATHS.get(item.get('kind', ''), 'learn')}/{item['id']}"


@dataclass(frozen=True)
class CourseViewer:
    """The course's ``viewer`` block: what the API says the caller may do in the course.
    Pages decide what to show from it and never from roles."""

    role: str | None = None
    status: str | None = None
    enrollment_id: str | None = None
    can_edit: bool = False
    is_staff: bool = False
    is_learner: bool = False
    can_grade: bool = False
    can_study: bool = False
    can_announce: bool = False
    can_enroll: bool = False
    enroll_needs_approval: bool = False
    enroll_refusal: str | None = None


def course_viewer(course: dict[str, Any]) -> CourseViewer:
    block = course.get("viewer") or {}
    known = CourseViewer.__dataclass_fields__
    return CourseViewer(**{key: value for key, value in block.items() if key in known})


async def my_progress(
    api: PlatformApi, session: WebSession, course: dict[str, Any]
) -> dict[str, Any] | None:
    """The signed-in learner's progress in the course; None for anyone else."""
    if not session.is_signed_in or not course_viewer(course).is_learner:
        return None
    try:
        return await api.call("GET", f"{COURSES_API}/{course['id']}/progress/me", session=session)
    except ApiProblem as problem:
        if problem.status in (403, 404):
            return None
        raise


@dataclass
class OutlineItem:
    id: str
    kind: str
    title: str
    href: str
    required: bool
    status: str = "not_started"
    score: float | None = None
    max_score: float | None = None

    @property
    def done(self) -> bool:
        return self.status == "completed"

    @property
    def handed_in(self) -> bool:
        """Work handed in and waiting for its grade (the API's ``submitted``)."""
        return self.status == "submitted"

    @property
    def returned(self) -> bool:
        """Graded and handed back for a new version."""
        return self.status == "returned"


@dataclass
class OutlineSection:
    id: str
    title: str
    items: list[OutlineItem] = field(default_factory=list)


@dataclass
class Outline:
    """The course's sections and items in order, each item with the learner's state."""

    sections: list[OutlineSection]
    completed: int = 0
    total: int = 0
    percent: float = 0.0
    has_progress: bool = False

    @property
    def items(self) -> list[OutlineItem]:
        return [item for section in self.sections for item in section.items]

    def find(self, item_id: str) -> OutlineItem | None:
        return next((item for item in self.items if item.id == item_id), None)

    def neighbours(self, item_id: str) -> tuple[OutlineItem | None, OutlineItem | None]:
        """The items before and after ``item_id`` in outline order."""
        items = self.items
        for index, item in enumerate(items):
            if item.id == item_id:
                before = items[index - 1] if index > 0 else None
                after = items[index + 1] if index + 1 < len(items) else None
                return before, after
        return None, None

    @property
    def first(self) -> OutlineItem | None:
        items = self.items
        return items[0] if items else None


def build_outline(course: dict[str, Any], progress: dict[str, Any] | None) -> Outline:
    """The outline of ``course`` with the states from ``progress`` (when there is one)."""
    states = {
        str(entry.get("item_id")): entry
        for entry in (progress or {}).get("items") or []
        if isinstance(entry, dict)
    }
    sections = []
    for section in sorted(course.get("sections") or [], key=lambda s: s.get("position", 0)):
        outline_section = OutlineSection(id=str(section["id"]), title=section.get("title", ""))
        for item in sorted(section.get("items") or [], key=lambda i: i.get("position", 0)):
            state = states.get(str(item["id"]), {})
            outline_section.items.append(
                OutlineItem(
                    id=str(item["id"]),
                    kind=item.get("kind", "lesson"),
                    title=item.get("title", ""),
                    href=item_path(course, item),
                    required=bool(item.get("required", True)),
                    status=state.get("status") or "not_started",
                    score=state.get("score"),
                    max_score=state.get("max_score"),
                )
            )
        sections.append(outline_section)
    outline = Outline(sections=sections)
    if progress is not None:
        outline.has_progress = True
        outline.completed = int(progress.get("completed_items") or 0)
        outline.total = int(progress.get("total_items") or len(outline.items))
        outline.percent = float(progress.get("percent") or 0)
    return outline


def next_item_path(outline: Outline, progress: dict[str, Any] | None) -> str | None:
    """Where "Continue learning" goes: the API's next item, else the first not done."""
    next_id = (progress or {}).get("next_item_id")
    item = outline.find(str(next_id)) if next_id else None
    if item is None:
        item = next((entry for entry in outline.items if not entry.done), outline.first)
    return item.href if item else None


def check_item_kind(outline: Outline, item_id: str, kind: str) -> OutlineItem:
    """The outline item a page is about; a wrong id or kind is the 404 page."""
    item = outline.find(item_id)
    if item is None or item.kind != kind:
        raise ApiProblem(status=404, title="Item not found")
    return item


def forbid_on_403(problem: ApiProblem) -> None:
    """A 403 from the API is the 403 page; anything else propagates."""
    if problem.status == 403:
        raise Forbidden() from problem
    raise problem
