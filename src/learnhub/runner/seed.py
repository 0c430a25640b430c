"""`learnhub seed`: a large, deterministic data set for trying the platform at scale and for
load tests — learner accounts, published courses, enrollments and some progress.

It runs the platform in this process on the configured backends (SQLite by default, or
LEARNHUB_DATABASE_URL / LEARNHUB_CACHE_URL, with the in-process bus unless
LEARNHUB_BUS_URL says otherwise). Courses are built through the courses API (an archive
import each); accounts, enrollments and lesson completions, too many for one call each, go
through the owning services' bulk functions, which apply the same rules and record the same
events. The events are handled while the seed goes on, and waited for before progress and
at the end. Everything is found again by e-mail and slug, so a second run adds nothing."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.auth import Principal
from learnhub.kit.config import Settings
from learnhub.kit.events.deliveries import DeliveryQueue
from learnhub.kit.events.memory import InProcessBus
from learnhub.kit.runtime import ServiceRuntime
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
    built_from_detail,
)
from learnhub.runner.demo import DEMO_ACCOUNTS, seed_demo_accounts
from learnhub.runner.platform import INTERNAL_BASE_URL, Platform, build_all_in_one
from learnhub.services.auth import repository as auth_repository
from learnhub.services.auth.bulk import NewAccount, register_many
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.enrollment.bulk import enroll_many
from learnhub.services.courses.models import Course
from learnhub.services.courses.progress.bulk import complete_lessons

LEARNER_PASSWORD = "learnhub-learner"  # noqa: S105  # demo data, printed in the summary
ACCOUNT_BATCH = 1000  # accounts per transaction
MEMBERSHIP_BATCH = 2000  # learners' enrollments (or progress) per transaction
RELAY_BATCH = 1000  # events a relay takes per round while seeding
SETTLE_SECONDS = 600.0


def learner_email(number: int) -> str:
    return f"seed-learner-{number:05d}@example.org"


def learner_name(number: int) -> str:
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def course_slug(number: int) -> str:
    return f"seed-course-{number:04d}"


class Bar(Protocol):
    def update(self, n_steps: int) -> None: ...


ProgressFactory = Callable[[str, int], AbstractContextManager[Bar]]


@dataclass(frozen=True)
class SeedPlan:
    courses: int
    learners: int
    enrollments_per_learner: int = 3
    seed: int = 1


@dataclass
class SeedSummary:
    learners_created: int = 0
    learners_found: int = 0
    courses_created: int = 0
    courses_found: int = 0
    enrollments_created: int = 0
    enrollments_found: int = 0
    lessons_completed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


# ---------------------------------------------------------------- generated content

FIRST_NAMES = (
    "Amara", "Bruno", "Chen", "Dalia", "Emil", "Farah", "Goran", "Hana", "Ivan", "Jaya",
    "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tomas",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi",
    "Santos", "Tanaka", "Novak", "Weber", "Yilmaz",
)  # fmt: skip
SUBJECTS: dict[str, tuple[str, ...]] = {
    "Science": ("Astronomy", "Cell Biology", "Organic Chemistry", "Geology", "Ecology",
                "Classical Mechanics", "Genetics", "Climate Science"),
    "Computing": ("Web Development", "SQL Databases", "Machine Learning", "Linux Administration",
                  "Algorithms", "Cloud Computing", "Cybersecurity", "Data Visualisation"),
    "Languages": ("Spanish Conversation", "French Grammar", "German Vocabulary",
                  "Business English", "Japanese Kana", "Portuguese Pronunciation"),
    "Business": ("Project Management", "Marketing Strategy", "Accounting Principles",
                 "Negotiation", "Entrepreneurship", "Supply Chain Management"),
    "Arts": ("Drawing Fundamentals", "Music Theory", "Digital Photography", "Art History",
             "Creative Writing", "Film Studies"),
    "Health": ("Nutrition Science", "First Aid", "Exercise Physiology", "Mental Health Basics",
               "Public Health", "Sleep and Wellbeing"),
}  # fmt: skip
PREFIXES = {
    "beginner": ("Introduction to", "Getting Started with", "Foundations of"),
    "intermediate": ("Applied", "Practical", "Working with"),
    "advanced": ("Advanced", "Mastering", "Topics in"),
}
LANGUAGES = ("en", "en", "en", "en", "es", "fr", "de", "pt-BR")


def _lesson(topic: str, part: int, title: str) -> LessonSpec:
    markdown = f"""# {title}

This lesson is part {part} of the course on **{topic.lower()}**. It introduces the key
ideas you need before the exercises, and connects them to what you already know.

Read it once quickly for the big picture, then a second time taking notes. The questions
at the end of the section check that the main points stuck.

## Key points

- What {topic.lower()} studies, and why it matters in practice.
- The vocabulary used throughout the course, with an example for each term.
- A worked example you can reproduce on your own.

| Term | Meaning |
|------|---------|
| concept {part}.1 | the first building block of this lesson |
| concept {part}.2 | how the first block is used in a real case |

## Try it

Write down, in three sentences, how you would explain today's main idea to a friend.
"""
    return LessonSpec(title=title, markdown=markdown)


def _quiz(topic: str, rng: random.Random) -> QuizSpec:
    number = rng.randint(2, 9)
    return QuizSpec(
        title=f"Check your understanding: {topic}",
        attempts_allowed=None,  # load tests take it again and again
        questions=(
            {
                "type": "single_choice",
                "prompt": f"Which statement best describes the aim of {topic}?",
                "options": [
                    {"id": "a", "text": "To explain and apply its core ideas", "correct": True},
                    {"id": "b", "text": "To memorise definitions only"},
                    {"id": "c", "text": "None of the above"},
                ],
            },
            {
                "type": "multiple_choice",
                "prompt": "Which habits help you learn? Choose all that apply.",
                "options": [
                    {"id": "notes", "text": "Taking notes in your own words", "correct": True},
                    {"id": "practice", "text": "Practising regularly", "correct": True},
                    {"id": "cram", "text": "Cramming the night before only"},
                ],
            },
            {
                "type": "true_false",
                "prompt": "Each section of this course ends with a check of understanding.",
                "correct": True,
            },
            {
                "type": "numeric",
                "prompt": f"How much is {number} times {number}?",
                "answer": number * number,
            },
        ),
    )


def course_spec(number: int, seed: int) -> CourseSpec:
    """The generated course number ``number`` (from 1): the same for the same seed."""
    rng = random.Random(seed * 1_000_003 + number)
    category = sorted(SUBJECTS)[(number - 1) % len(SUBJECTS)]
    topic = rng.choice(SUBJECTS[category])
    level = ("beginner", "intermediate", "advanced")[rng.randrange(3)]
    title = f"{rng.choice(PREFIXES[level])} {topic}"
    sections = (
        SectionSpec(
            "Getting oriented",
            lessons=(
                _lesson(topic, 1, f"Why {topic}?"),
                _lesson(topic, 2, f"The language of {topic}"),
            ),
        ),
        SectionSpec(
            "Core ideas in practice",
            lessons=(
                _lesson(topic, 3, "A worked example"),
                _lesson(topic, 4, "Common mistakes and how to avoid them"),
            ),
            quiz=_quiz(topic, rng),
            assignment=AssignmentSpec(
                title=f"Project: apply {topic} to a case of your choice",
                instructions=(
                    f"Choose a real situation where {topic.lower()} helps, and write 500-800 "
                    "words that describe the situation, apply two ideas from the course, and "
                    "say what you would do differently next time."
                ),
                due_in_days=rng.randint(14, 60),
                rubric=(
                    ("Understanding", "Uses the course's ideas correctly.", 4),
                    ("Application", "Applies them to the chosen case convincingly.", 4),
                    ("Clarity", "Well organised and clearly written.", 2),
                ),
            ),
        ),
    )
    return CourseSpec(
        slug=course_slug(number),
        title=title,
        summary=f"{title}: a {level} course in {category.lower()} with lessons, a quiz "
        "and a project.",
        description=f"A generated course about {topic.lower()} for demonstrations and load tests.",
        category=category,
        tags=(category.lower(), topic.lower(), level),
        level=level,
        language=rng.choice(LANGUAGES),
        estimated_hours=float(rng.randint(2, 40)),
        sections=sections,
    )


def enrollment_plan(plan: SeedPlan) -> dict[int, list[int]]:
    """Learner numbers by course number: each learner in ``enrollments_per_learner``
    distinct courses, chosen by the seed."""
    rng = random.Random(plan.seed)
    per_learner = min(plan.enrollments_per_learner, plan.courses)
    by_course: dict[int, list[int]] = {number: [] for number in range(1, plan.courses + 1)}
    for learner in range(1, plan.learners + 1):
        for course in rng.sample(range(1, plan.courses + 1), per_learner):
            by_course[course].append(learner)
    return by_course


def lessons_done(plan: SeedPlan, learner: int, course: int, lesson_count: int) -> int:
    """How many lessons (from the first) a learner has completed in a course: one
    enrollment in five has begun (half of those with one lesson done, a quarter with two,
    a quarter with all); the others have not started."""
    rng = random.Random(f"{plan.seed}:{learner}:{course}")
    if rng.random() >= 0.2:
        return 0
    return min(lesson_count, rng.choice((1, 1, 2, lesson_count)))


# ---------------------------------------------------------------- the phases


@dataclass(frozen=True)
class _Instructor:
    user_id: str
    token: str


async def run_seed(settings: Settings, plan: SeedPlan, progress: ProgressFactory) -> SeedSummary:
    """Seed ``plan`` on the configured backends (already migrated)."""
    platform, app = build_all_in_one(settings, with_web=False)
    for runtime in platform.runtimes:
        runtime.relay.batch_size = RELAY_BATCH
    summary = SeedSummary()
    await platform.start(migrate=False)
    try:
        await seed_demo_accounts(platform.runtime("auth"))
        await platform.settle(SETTLE_SECONDS)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=INTERNAL_BASE_URL
        ) as client:
            api = Api(client)
            instructor = await _instructor(platform, api)
            with _timed(summary, "learners"):
                user_ids = await _learners(platform, plan, summary, progress)
            # The registrations' events are handled meanwhile, by the relays and consumers
            # running in this process.
            with _timed(summary, "courses"):
                courses = await _courses(api, instructor.token, plan, summary, progress)
        by_course = enrollment_plan(plan)
        with _timed(summary, "enrollments"):
            await _enrollments(
                platform, instructor, courses, by_course, user_ids, summary, progress
            )
        with _timed(summary, "events"):
            # A course completed by its last lesson gets a certificate in the learner's
            # name: the courses service must know every learner before progress is written.
            await _events(platform, progress)
        with _timed(summary, "progress"):
            await _progress(platform, plan, courses, by_course, user_ids, summary, progress)
        with _timed(summary, "events"):
            await _events(platform, progress)
    finally:
        await platform.stop()
    return summary


@contextmanager
def _timed(summary: SeedSummary, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        summary.seconds[phase] = summary.seconds.get(phase, 0.0) + time.perf_counter() - started


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _course_groups(by_course: dict[int, list[int]], size: int) -> Iterator[list[int]]:
    """Course numbers in groups of about ``size`` learners, one transaction each."""
    group: list[int] = []
    learners = 0
    for number, members in by_course.items():
        if group and learners + len(members) > size:
            yield group
            group, learners = [], 0
        group.append(number)
        learners += len(members)
    if group:
        yield group


def _learner_count(by_course: dict[int, list[int]]) -> int:
    return sum(len(learners) for learners in by_course.values())


async def _course_by_course(
    runtime: ServiceRuntime, by_course: dict[int, list[int]], bar: Bar
) -> AsyncIterator[tuple[AsyncSession, int]]:
    """Each course number with the session of its group's transaction (see
    :func:`_course_groups`); the bar moves on by a group's learners once it is committed."""
    for group in _course_groups(by_course, MEMBERSHIP_BATCH):
        async with runtime.db.transaction() as session:
            for number in group:
                yield session, number
        bar.update(sum(len(by_course[number]) for number in group))


async def _instructor(platform: Platform, api: Api) -> _Instructor:
    account = next(account for account in DEMO_ACCOUNTS if account.role == "instructor")
    try:
        token = await api.login(account.email, account.password)
    except SeedError as error:
        raise SeedError(
            f"The seeded courses belong to the demo instructor, and {error.args[0]}: "
            f"create it with `learnhub user create --email {account.email} --role "
            f"instructor --password {account.password}`"
        ) from error
    async with platform.runtime("auth").db.session() as session:
        ids = await auth_repository.get_account_ids_by_emails(session, [account.email])
    return _Instructor(user_id=ids[account.email], token=token)


async def _learners(
    platform: Platform, plan: SeedPlan, summary: SeedSummary, progress: ProgressFactory
) -> dict[int, str]:
    auth = platform.runtime("auth")
    password_hash = await auth.state["auth"].passwords.hash(LEARNER_PASSWORD)
    user_ids: dict[int, str] = {}
    with progress("learners   ", plan.learners) as bar:
        for numbers in _chunks(list(range(1, plan.learners + 1)), ACCOUNT_BATCH):
            accounts = [
                NewAccount(learner_email(number), learner_name(number)) for number in numbers
            ]
            async with auth.db.transaction() as session:
                registered = await register_many(session, accounts, password_hash=password_hash)
            summary.learners_created += len(registered.created)
            summary.learners_found += len(registered.existing)
            ids = registered.created | registered.existing
            user_ids.update({number: ids[learner_email(number)] for number in numbers})
            bar.update(len(numbers))
    return user_ids


async def _courses(
    api: Api, token: str, plan: SeedPlan, summary: SeedSummary, progress: ProgressFactory
) -> dict[int, BuiltCourse]:
    courses: dict[int, BuiltCourse] = {}
    with progress("courses    ", plan.courses) as bar:
        for number in range(1, plan.courses + 1):
            existing = await api.course_by_slug(course_slug(number), token)
            if existing is not None:
                courses[number] = built_from_detail(existing)
                summary.courses_found += 1
            else:
                courses[number] = await build_course(api, token, course_spec(number, plan.seed))
                summary.courses_created += 1
            bar.update(1)
    return courses


async def _enrollments(
    platform: Platform,
    instructor: _Instructor,
    courses: dict[int, BuiltCourse],
    by_course: dict[int, list[int]],
    user_ids: dict[int, str],
    summary: SeedSummary,
    progress: ProgressFactory,
) -> None:
    runtime = platform.runtime("courses")
    # The courses' owner enrolls their learners, as with the bulk CSV enrollment.
    principal = Principal(user_id=instructor.user_id, roles=frozenset({"instructor"}))
    with progress("enrollments", _learner_count(by_course)) as bar:
        async for session, number in _course_by_course(runtime, by_course, bar):
            course = await _built_course(session, courses[number].id)
            membership = await courses_repository.get_membership(
                session, course.id, instructor.user_id
            )
            enrolled = await enroll_many(
                session,
                CourseAccess(course, principal, membership),
                [user_ids[learner] for learner in by_course[number]],
            )
            summary.enrollments_created += enrolled.enrolled
            summary.enrollments_found += enrolled.already_enrolled


async def _progress(
    platform: Platform,
    plan: SeedPlan,
    courses: dict[int, BuiltCourse],
    by_course: dict[int, list[int]],
    user_ids: dict[int, str],
    summary: SeedSummary,
    progress: ProgressFactory,
) -> None:
    runtime = platform.runtime("courses")
    with progress("progress   ", _learner_count(by_course)) as bar:
        async for session, number in _course_by_course(runtime, by_course, bar):
            built = courses[number]
            lessons = {
                user_ids[learner]: built.lesson_ids[
                    : lessons_done(plan, learner, number, len(built.lesson_ids))
                ]
                for learner in by_course[number]
            }
            lessons = {user_id: done for user_id, done in lessons.items() if done}
            if not lessons:
                continue
            course = await _built_course(session, built.id)
            recorded = await complete_lessons(session, course=course, lessons_by_learner=lessons)
            summary.lessons_completed += recorded.lessons_completed


async def _built_course(session: AsyncSession, course_id: str) -> Course:
    course = await courses_repository.get_course(session, course_id)
    if course is None:
        raise RuntimeError(f"the course {course_id} was built a moment ago but is gone")
    return course


async def _backlog(platform: Platform) -> int:
    total = 0
    for runtime in platform.runtimes:
        total += await runtime.relay.backlog()
    return total


async def _events(platform: Platform, progress: ProgressFactory) -> None:
    """Wait until every event recorded so far has been handled, showing the backlog."""
    left = await _backlog(platform)
    with progress("events     ", left) as bar:
        settling = asyncio.create_task(platform.settle(SETTLE_SECONDS))
        while not settling.done():
            await asyncio.wait({settling}, timeout=0.5)
            now_left = await _backlog(platform)
            if now_left < left:
                bar.update(left - now_left)
                left = now_left
        try:
            await settling
        except TimeoutError as error:
            raise SeedError(
                f"The platform did not handle the seeded events within {SETTLE_SECONDS:.0f} s "
                "(see the log); run `learnhub seed` again to finish"
            ) from error
        bar.update(left)
    failed = await _services_with_dead_letters(platform)
    if failed:
        raise SeedError(
            f"Some events could not be handled by {', '.join(failed)} (the log says why); the "
            "data set is incomplete until they are: see `learnhub events dlq SERVICE`"
        )


async def _services_with_dead_letters(platform: Platform) -> list[str]:
    """The services whose in-process queue keeps dead letters (RabbitMQ keeps its own)."""
    if not isinstance(platform.bus, InProcessBus):
        return []
    failed = []
    for runtime in platform.runtimes:
        if runtime.spec.handlers and await DeliveryQueue(runtime.db).dead_letters(limit=1):
            failed.append(runtime.name)
    return failed
