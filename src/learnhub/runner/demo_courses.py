"""The demo courses: four published courses by the demo instructor, with real lessons, a
quiz and an assignment each, created through the courses API on the first start of `up`.

Their text is data, in ``demo_content/`` next to this module: ``courses.toml`` lists the
courses in order, each course's folder (named by its slug) holds a ``course.toml`` (the
course's fields and sections), one Markdown file per lesson and per assignment (TOML front
matter between ``+++`` lines, then the text) and a ``quiz.toml`` per quiz;
``hand_ins.toml`` holds the work the demo learners hand in. This module loads those files,
refuses a wrong one with a sentence naming the file and the field, and creates the courses.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from learnhub.runner.course_builder import (
    Api,
    AssignmentSpec,
    BuiltCourse,
    CourseSpec,
    LessonSpec,
    QuizSpec,
    SectionSpec,
    SeedError,
    build_course,
    pass_quiz,
)
from learnhub.runner.demo import DEMO_ACCOUNTS
from learnhub.runner.platform import INTERNAL_BASE_URL
from learnhub.services.courses.quizzes.schemas import QuestionWrite

DEMO_CONTENT = Path(__file__).with_name("demo_content")
FRONT_MATTER = "+++"


class DemoContentError(SeedError):
    """A demo course file that is missing or wrong: the message names the file and field."""


# ---------------------------------------------------------------- the files' shapes


class _File(BaseModel):
    # A misspelt key is an error, not a silently ignored line.
    model_config = ConfigDict(extra="forbid")


class _Index(_File):
    courses: list[str] = Field(min_length=1)


class _Section(_File):
    title: str
    lessons: list[str] = Field(default_factory=list)
    quiz: str | None = None
    assignment: str | None = None


class _Course(_File):
    title: str
    summary: str
    description: str = ""
    category: str
    tags: list[str] = Field(default_factory=list)
    level: str
    language: str = "en"
    estimated_hours: float | None = None
    sections: list[_Section] = Field(min_length=1)


class _Lesson(_File):
    title: str
    video_url: str | None = None
    transcript: str = ""


class _Quiz(_File):
    title: str
    pass_mark: float = 60.0
    attempts_allowed: int = 3
    questions: list[dict[str, Any]] = Field(min_length=1)


class _Criterion(_File):
    title: str
    description: str = ""
    points: float


class _Assignment(_File):
    title: str
    due_in_days: int = Field(ge=1)
    rubric: list[_Criterion] = Field(min_length=1)


class _HandIn(_File):
    course: str
    learner: int = Field(ge=1, le=2)
    text: str = Field(min_length=1)


class _HandIns(_File):
    hand_ins: list[_HandIn] = Field(default_factory=list)


@dataclass(frozen=True)
class HandIn:
    """Work a demo learner hands in: to the first assignment of the course ``slug``."""

    slug: str
    learner: int
    text: str


# A question is checked by the quizzes service's own schema, so a wrong one is reported
# with its file here rather than by the import later.
_QUESTIONS = TypeAdapter(list[QuestionWrite])
_Shape = TypeVar("_Shape", bound=BaseModel)


# ---------------------------------------------------------------- loading


def load_demo_courses(folder: Path = DEMO_CONTENT) -> tuple[CourseSpec, ...]:
    """The demo courses described by the files in ``folder``, in their listed order."""
    index = _checked(_Index, _toml(folder, "courses.toml"), "courses.toml")
    return tuple(_course(folder, slug) for slug in index.courses)


def load_demo_hand_ins(
    courses: Sequence[CourseSpec], folder: Path = DEMO_CONTENT
) -> tuple[HandIn, ...]:
    """The work the demo learners hand in (``hand_ins.toml``), each naming one of
    ``courses`` that has an assignment."""
    name = "hand_ins.toml"
    listed = {spec.slug: spec for spec in courses}
    hand_ins = _checked(_HandIns, _toml(folder, name), name).hand_ins
    for number, hand_in in enumerate(hand_ins, 1):
        spec = listed.get(hand_in.course)
        if spec is None or not any(section.assignment for section in spec.sections):
            raise DemoContentError(
                f"The demo course file {name} is not valid: hand_ins #{number}, course: "
                f"{hand_in.course!r} is not a listed course with an assignment"
            )
    return tuple(HandIn(entry.course, entry.learner, entry.text.strip()) for entry in hand_ins)


def _course(folder: Path, slug: str) -> CourseSpec:
    name = f"{slug}/course.toml"
    course = _checked(_Course, _toml(folder, name), name)
    sections = []
    for number, section in enumerate(course.sections, 1):
        where = f"{name} (sections #{number})"
        lessons = []
        for file in section.lessons:
            meta, text = _front_matter(folder, f"{slug}/{file}", named_in=where)
            lesson = _checked(_Lesson, meta, f"{slug}/{file}")
            lessons.append(LessonSpec(lesson.title, text, lesson.video_url, lesson.transcript))
        quiz = None
        if section.quiz is not None:
            quiz = _quiz(folder, f"{slug}/{section.quiz}", named_in=where)
        assignment = None
        if section.assignment is not None:
            file = f"{slug}/{section.assignment}"
            meta, text = _front_matter(folder, file, named_in=where)
            checked = _checked(_Assignment, meta, file)
            assignment = AssignmentSpec(
                checked.title,
                text,
                due_in_days=checked.due_in_days,
                rubric=tuple((row.title, row.description, row.points) for row in checked.rubric),
            )
        sections.append(SectionSpec(section.title, tuple(lessons), quiz, assignment))
    return CourseSpec(
        slug=slug,
        title=course.title,
        summary=course.summary,
        description=course.description,
        category=course.category,
        tags=tuple(course.tags),
        level=course.level,
        sections=tuple(sections),
        language=course.language,
        estimated_hours=course.estimated_hours,
    )


def _quiz(folder: Path, name: str, *, named_in: str) -> QuizSpec:
    quiz = _checked(_Quiz, _toml(folder, name, named_in=named_in), name)
    try:
        _QUESTIONS.validate_python(quiz.questions)
    except ValidationError as error:
        raise _invalid(name, error, prefix=("questions",)) from error
    return QuizSpec(
        quiz.title,
        tuple(quiz.questions),
        pass_mark=quiz.pass_mark,
        attempts_allowed=quiz.attempts_allowed,
    )


def _read(folder: Path, name: str, *, named_in: str | None) -> str:
    try:
        return (folder / name).read_text(encoding="utf-8").replace("\r\n", "\n")
    except FileNotFoundError as error:
        listed = f", which {named_in} lists," if named_in else ""
        raise DemoContentError(f"The demo course file {name}{listed} does not exist") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DemoContentError(f"The demo course file {name} cannot be read: {error}") from error


def _toml(folder: Path, name: str, *, named_in: str | None = None) -> dict[str, Any]:
    try:
        return tomllib.loads(_read(folder, name, named_in=named_in))
    except tomllib.TOMLDecodeError as error:
        raise DemoContentError(f"The demo course file {name} is not valid TOML: {error}") from error


def _front_matter(folder: Path, name: str, *, named_in: str) -> tuple[dict[str, Any], str]:
    """The TOML between the first two ``+++`` lines, and the Markdown text after them."""
    lines = _read(folder, name, named_in=named_in).split("\n")
    if lines[0].strip() != FRONT_MATTER:
        raise DemoContentError(
            f"The demo course file {name} must start with a {FRONT_MATTER} line, then its "
            f"fields (title...) in TOML, then another {FRONT_MATTER} line before the text"
        )
    try:
        end = next(n for n, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER)
    except StopIteration as error:
        raise DemoContentError(
            f"The demo course file {name} has no {FRONT_MATTER} line closing its fields"
        ) from error
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise DemoContentError(
            f"The fields at the top of the demo course file {name} are not valid TOML: {error}"
        ) from error
    return meta, "\n".join(lines[end + 1 :]).strip()


def _checked(shape: type[_Shape], data: dict[str, Any], name: str) -> _Shape:
    try:
        return shape.model_validate(data)
    except ValidationError as error:
        raise _invalid(name, error) from error


def _invalid(
    name: str, error: ValidationError, *, prefix: tuple[str, ...] = ()
) -> DemoContentError:
    first = error.errors()[0]
    parts: list[str] = []
    for part in (*prefix, *first["loc"]):
        if isinstance(part, int) and parts:
            parts[-1] += f" #{part + 1}"
        else:
            parts.append(str(part))
    where = ", ".join(parts) or "the file"
    return DemoContentError(f"The demo course file {name} is not valid: {where}: {first['msg']}")


# ---------------------------------------------------------------- seeding


def _demo(role: str, number: int = 0) -> tuple[str, str]:
    accounts = [account for account in DEMO_ACCOUNTS if account.role == role]
    return accounts[number].email, accounts[number].password


async def seed_demo_courses(client: httpx.AsyncClient, *, folder: Path = DEMO_CONTENT) -> list[str]:
    """Create the demo courses that do not exist yet (found by slug) and enroll the demo
    learners in the new ones with some progress; returns the slugs created.

    ``client`` reaches the gateway: in process (``httpx.ASGITransport``) or over HTTP. The
    files are all read and checked before anything is created."""
    specs = load_demo_courses(folder)
    hand_ins = load_demo_hand_ins(specs, folder)
    api = Api(client)
    instructor = await api.login(*_demo("instructor"))
    learner1 = await api.login(*_demo("learner", 0))
    learner2 = await api.login(*_demo("learner", 1))
    created: list[tuple[CourseSpec, BuiltCourse]] = []
    for spec in specs:
        if await api.course_by_slug(spec.slug, instructor) is None:
            created.append((spec, await build_course(api, instructor, spec)))
    for spec, course in created:
        base = f"/api/v1/courses/{course.id}"
        for token in (learner1, learner2):
            await api.call("POST", f"{base}/enrollments", token=token, expect=(201, 409))
        # learner1 studies the first two courses and passes the first quiz;
        # learner2 has just begun the first one.
        if spec in specs[:2]:
            for lesson_id in course.lesson_ids:
                await api.call("POST", f"{base}/items/{lesson_id}/complete", token=learner1)
        if spec is specs[0]:
            quiz = next(section.quiz for section in spec.sections if section.quiz)
            await pass_quiz(api, learner1, course.id, course.quiz_ids[0], quiz)
            await api.call("POST", f"{base}/items/{course.lesson_ids[0]}/complete", token=learner2)
        for hand_in in (entry for entry in hand_ins if entry.slug == spec.slug):
            await api.call(
                "POST",
                f"{base}/assignments/{course.assignment_ids[0]}/submissions",
                token=(learner1, learner2)[hand_in.learner - 1],
                data={"text": hand_in.text},
                expect=(201,),
            )
    return [course.slug for _, course in created]


async def seed_demo_courses_in_process(app: Any) -> list[str]:
    """``seed_demo_courses`` against the all-in-one gateway app, without a socket."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=INTERNAL_BASE_URL
    ) as client:
        return await seed_demo_courses(client)


async def seed_demo_courses_at(url: str) -> list[str]:
    """``seed_demo_courses`` against a running gateway (the distributed mode's nginx)."""
    async with httpx.AsyncClient(base_url=url) as client:
        return await seed_demo_courses(client)
