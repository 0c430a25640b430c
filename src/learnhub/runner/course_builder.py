"""Builds whole courses through the courses service's public API: the demo courses and the
generated data set of `learnhub seed` share it, so both go through the same rules as an
instructor moving a course between installations.

A course's outline, lessons and quizzes travel in one course archive (the format the
courses service exports and imports), its assignments' settings and rubrics are set through
the assignments API, and the course gets its slug and is published last: four calls per
course instead of one per section, item, question and setting."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from learnhub.runner.preflight import PreflightError


class SeedError(PreflightError):
    """A seeding step the platform refused; its message is one sentence for the user."""


@dataclass(frozen=True)
class LessonSpec:
    title: str
    markdown: str
    video_url: str | None = None
    transcript: str = ""


@dataclass(frozen=True)
class QuizSpec:
    """A graded quiz; ``questions`` are question-bank bodies as the API takes them."""

    title: str
    questions: tuple[dict[str, Any], ...]
    pass_mark: float = 60.0
    attempts_allowed: int | None = 3


@dataclass(frozen=True)
class AssignmentSpec:
    title: str
    instructions: str
    due_in_days: int
    rubric: tuple[tuple[str, str, float], ...]  # (title, description, points)


@dataclass(frozen=True)
class SectionSpec:
    title: str
    lessons: tuple[LessonSpec, ...] = ()
    quiz: QuizSpec | None = None
    assignment: AssignmentSpec | None = None


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    description: str
    category: str
    tags: tuple[str, ...]
    level: str
    sections: tuple[SectionSpec, ...]
    language: str = "en"
    estimated_hours: float | None = None


@dataclass
class BuiltCourse:
    """Ids of what a course holds, for enrolling learners and recording progress."""

    id: str
    slug: str
    lesson_ids: list[str] = field(default_factory=list)
    quiz_ids: list[str] = field(default_factory=list)
    assignment_ids: list[str] = field(default_factory=list)
    created: bool = True


class Api:
    """A thin client of the gateway (in-process or over HTTP) that turns refusals into
    ``SeedError`` sentences."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        expect: Iterable[int] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.request(method, path, headers=headers, timeout=60, **kwargs)
        if response.status_code not in tuple(expect):
            raise SeedError(
                f"The platform refused {method} {path} with {response.status_code} "
                f"({_problem_text(response)})"
            )
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def login(self, email: str, password: str) -> str:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}, timeout=60
        )
        if response.status_code != 200:
            raise SeedError(
                f"{email} cannot log in with its demo password ({_problem_text(response)})"
            )
        return str(response.json()["access_token"])

    async def course_by_slug(self, slug: str, token: str) -> dict[str, Any] | None:
        response = await self.client.get(
            f"/api/v1/courses/by-slug/{slug}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SeedError(
                f"The platform refused to look up the course {slug!r} ({_problem_text(response)})"
            )
        return dict(response.json())


def _problem_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "no detail"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:300].rstrip(".")
    return str(body)[:300]


def built_from_detail(detail: dict[str, Any]) -> BuiltCourse:
    """The ids of a course that already exists, from its course page."""
    built = BuiltCourse(id=detail["id"], slug=detail["slug"], created=False)
    by_kind = {
        "lesson": built.lesson_ids,
        "quiz": built.quiz_ids,
        "assignment": built.assignment_ids,
    }
    for section in detail["sections"]:
        for item in section["items"]:
            by_kind[item["kind"]].append(item["id"])
    return built


ARCHIVE_FORMAT = {"format": "learnhub-course", "version": 1}


def course_archive(spec: CourseSpec, *, now: datetime) -> bytes:
    """The course as an archive the courses service imports: outline, lessons and quizzes
    (assignments come without settings; :func:`build_course` sets them through their API,
    which gives each rubric criterion its id)."""
    sections = []
    for section_number, section in enumerate(spec.sections, 1):
        items: list[dict[str, Any]] = [
            {
                "id": f"s{section_number}-lesson-{number}",
                "kind": "lesson",
                "title": lesson.title,
                "lesson": {
                    "content_markdown": lesson.markdown,
                    "video_url": lesson.video_url,
                    "transcript": lesson.transcript,
                },
            }
            for number, lesson in enumerate(section.lessons, 1)
        ]
        if section.quiz is not None:
            items.append(
                {
                    "id": f"s{section_number}-quiz",
                    "kind": "quiz",
                    "title": section.quiz.title,
                    "grade_category": "Quizzes",
                    "content": {
                        "settings": {
                            "pass_mark": section.quiz.pass_mark,
                            "attempts_allowed": section.quiz.attempts_allowed,
                            "feedback": "after_submit",
                        },
                        "questions": list(section.quiz.questions),
                    },
                }
            )
        if section.assignment is not None:
            items.append(
                {
                    "id": f"s{section_number}-assignment",
                    "kind": "assignment",
                    "title": section.assignment.title,
                    "grade_category": "Assignments",
                }
            )
        sections.append({"title": section.title, "items": items})
    document = {
        **ARCHIVE_FORMAT,
        "exported_at": now.isoformat(),
        "course": {
            "title": spec.title,
            "slug": spec.slug,
            "summary": spec.summary,
            "description": spec.description,
            "category": spec.category,
            "tags": list(spec.tags),
            "language": spec.language,
            "level": spec.level,
            "estimated_hours": spec.estimated_hours,
            "enrollment_policy": "open",
        },
        "sections": sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.json", json.dumps(document, ensure_ascii=False))
    return buffer.getvalue()


def _assignment_settings(assignment: AssignmentSpec, now: datetime) -> dict[str, Any]:
    return {
        "instructions": assignment.instructions,
        "due_at": (now + timedelta(days=assignment.due_in_days)).isoformat(),
        "late_policy": "penalty",
        "penalty_percent_per_day": 10,
        "penalty_cap_percent": 50,
        "submission_types": ["text", "file"],
        "allowed_file_types": [".pdf", ".docx", ".md", ".txt"],
        "resubmission": "until_due",
        "points": sum(points for _, _, points in assignment.rubric),
        "rubric": [
            {"title": title, "description": description, "points": points}
            for title, description, points in assignment.rubric
        ],
    }


async def build_course(
    api: Api, token: str, spec: CourseSpec, *, now: datetime | None = None
) -> BuiltCourse:
    """Create the course with its content, set up its assignments, then give it its slug
    and publish it (a course found by its slug is therefore always complete)."""
    now = now or datetime.now(UTC)
    imported = await api.call(
        "POST",
        "/api/v1/courses/import",
        token=token,
        files={"file": (f"{spec.slug}.zip", course_archive(spec, now=now), "application/zip")},
    )
    base = f"/api/v1/courses/{imported['id']}"
    built = built_from_detail(await api.call("GET", base, token=token))
    assignments = [section.assignment for section in spec.sections if section.assignment]
    for item_id, assignment in zip(built.assignment_ids, assignments, strict=True):
        await api.call(
            "PATCH",
            f"{base}/assignments/{item_id}",
            token=token,
            json=_assignment_settings(assignment, now),
        )
    published = await api.call(
        "PATCH", base, token=token, json={"slug": spec.slug, "visibility": "published"}
    )
    built.slug = published["slug"]
    built.created = True
    return built


def right_answer(question: dict[str, Any]) -> Any:
    """The answer that earns full marks, in the shape an attempt takes it."""
    kind = question["type"]
    if kind == "single_choice":
        return next(option["id"] for option in question["options"] if option.get("correct"))
    if kind == "multiple_choice":
        return [option["id"] for option in question["options"] if option.get("correct")]
    if kind == "true_false":
        return question["correct"]
    if kind == "short_answer":
        return question["accepted_answers"][0]
    if kind == "numeric":
        return question["answer"]
    raise ValueError(f"no automatic answer for a {kind} question")


async def pass_quiz(
    api: Api, token: str, course_id: str, quiz_id: str, spec: QuizSpec
) -> dict[str, Any]:
    """Take the quiz as the token's learner, answering every question right."""
    path = f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/attempts"
    attempt = await api.call("POST", path, token=token)
    by_prompt = {question["prompt"]: question for question in spec.questions}
    answers = {
        question["id"]: right_answer(by_prompt[question["prompt"]])
        for question in attempt["questions"]
    }
    return dict(
        await api.call(
            "POST", f"{path}/{attempt['id']}/submit", token=token, json={"answers": answers}
        )
    )
