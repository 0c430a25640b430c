"""The rules of the gradebook: which items count, overrides, weights and totals.
Nothing here commits: the request boundary does."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import Database, utcnow
from learnhub.kit.http.pagination import InvalidCursor, decode_cursor, encode_cursor
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.assignments import repository as assignments_repository
from learnhub.services.courses.enrollment import groups
from learnhub.services.courses.errors import ItemNotFound
from learnhub.services.courses.gradebook import repository
from learnhub.services.courses.gradebook.errors import (
    InvalidOverride,
    LearnerNotInCourse,
    NotGradedItem,
    OverrideNotFound,
)
from learnhub.services.courses.gradebook.models import GradebookSettings, GradeOverride
from learnhub.services.courses.gradebook.schemas import (
    UNCATEGORISED,
    Gradebook,
    GradebookSettingsRead,
    GradebookSettingsUpdate,
    GradeCell,
    GradeColumn,
    LearnerGrades,
    MyGrade,
    MyGrades,
    OverrideRead,
    OverrideSet,
)
from learnhub.services.courses.models import Person
from learnhub.services.courses.progress.models import ItemProgress
from learnhub.services.courses.quizzes import repository as quizzes_repository
from learnhub.services.courses.quizzes.service import DEFAULT_SETTINGS

CSV_PAGE_SIZE = 500
"""Learners read per query while the CSV streams."""


async def _columns(session: AsyncSession, course_id: str) -> list[GradeColumn]:
    """The graded items, in outline order: every published quiz (worth its set points, or
    its total marks) and the published assignments with points. Three queries, whatever
    the number of items."""
    items = [
        item for item in await courses_repository.list_items(session, course_id) if item.published
    ]
    quizzes = [item for item in items if item.kind == "quiz"]
    marks = await quizzes_repository.quiz_points(
        session, [quiz.id for quiz in quizzes if quiz.max_points is None]
    )
    methods = await quizzes_repository.grading_methods(session, course_id) if quizzes else {}
    columns = []
    for item in items:
        counts = None
        if item.kind == "quiz":
            points = item.max_points if item.max_points is not None else marks[item.id]
            counts = methods.get(item.id, DEFAULT_SETTINGS["grading_method"])
        elif item.kind == "assignment" and item.max_points is not None:
            points = item.max_points
        else:
            continue
        if points > 0:
            columns.append(
                GradeColumn(
                    item_id=item.id,
                    title=item.title,
                    kind=item.kind,
                    category=item.grade_category or UNCATEGORISED,
                    max_points=points,
                    counts=counts,
                )
            )
    return columns


def _recorded_score(column: GradeColumn, outcome: ItemProgress) -> tuple[float, float]:
    """The recorded score and its maximum as the gradebook counts them: a quiz's attempt
    is scaled to the quiz's points, so changing the points or the questions never leaves
    a learner with more than the column's maximum."""
    if column.kind == "quiz" and outcome.max_score:
        score = outcome.score or 0.0
        return round(score * column.max_points / outcome.max_score, 2), column.max_points
    return outcome.score or 0.0, outcome.max_score or column.max_points


def _in_effect(history: list[GradeOverride]) -> dict[tuple[str, str], GradeOverride]:
    """The override in effect per (user, item): the newest row, if it sets a score."""
    newest: dict[tuple[str, str], GradeOverride] = {}
    for row in history:
        newest[(row.user_id, row.item_id)] = row
    return {key: row for key, row in newest.items() if row.action == "set"}


def _cells(
    user_id: str,
    columns: list[GradeColumn],
    progress: dict[tuple[str, str], ItemProgress],
    overrides: dict[tuple[str, str], GradeOverride],
) -> list[GradeCell]:
    cells = []
    for column in columns:
        override = overrides.get((user_id, column.item_id))
        outcome = progress.get((user_id, column.item_id))
        if override is not None:
            cell = GradeCell(
                item_id=column.item_id,
                score=override.score,
                max_score=column.max_points,
                overridden=True,
            )
        elif outcome is not None and outcome.score is not None:
            score, max_score = _recorded_score(column, outcome)
            cell = GradeCell(
                item_id=column.item_id, score=score, max_score=max_score, overridden=False
            )
        else:
            cell = GradeCell(
                item_id=column.item_id, score=None, max_score=column.max_points, overridden=False
            )
        cells.append(cell)
    return cells


@dataclass(frozen=True)
class Totals:
    category_percents: dict[str, float | None]
    total_percent: float | None


def weighted_totals(
    columns: list[GradeColumn], cells: list[GradeCell], weights: dict[str, float]
) -> Totals:
    """Percent per category over its graded items, and the total: the categories' percents
    weighted (categories without a grade yet, or without a weight, do not count), or all
    points together when no weights are set. Items not graded yet do not count."""
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    categories: list[str] = []
    for column, cell in zip(columns, cells, strict=True):
        if column.category not in categories:
            categories.append(column.category)
        if cell.score is not None and cell.max_score > 0:
            earned[column.category] = earned.get(column.category, 0.0) + cell.score
            possible[column.category] = possible.get(column.category, 0.0) + cell.max_score
    percents: dict[str, float | None] = {
        name: round(earned[name] / possible[name] * 100, 2) if name in possible else None
        for name in categories
    }
    if not weights:
        if not possible:
            return Totals(percents, None)
        total = sum(earned.values()) / sum(possible.values()) * 100
        return Totals(percents, round(total, 2))
    counted = {name: weight for name, weight in weights.items() if weight > 0 and name in possible}
    if not counted:
        return Totals(percents, None)
    total = sum(weight * earned[name] / possible[name] for name, weight in counted.items()) / sum(
        counted.values()
    )
    return Totals(percents, round(total * 100, 2))


async def _weights(session: AsyncSession, course_id: str) -> dict[str, float]:
    settings = await repository.get_settings(session, course_id)
    return dict(settings.category_weights) if settings else {}


def _parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    name, user_id = decode_cursor(cursor, length=2)
    if not isinstance(name, str) or not isinstance(user_id, str):
        raise InvalidCursor("The cursor is not one this API gave out.")
    return name, user_id


async def _learner_rows(
    session: AsyncSession,
    course_id: str,
    columns: list[GradeColumn],
    weights: dict[str, float],
    learners: list[tuple[str, Person | None]],
) -> list[LearnerGrades]:
    """The grades of these learners: two queries for the page, none per learner."""
    user_ids = [user_id for user_id, _person in learners]
    progress = {
        (row.user_id, row.item_id): row
        for row in await repository.list_progress(session, course_id, user_ids)
    }
    overrides = _in_effect(await repository.list_overrides(session, course_id, user_ids=user_ids))
    rows = []
    for user_id, person in learners:
        cells = _cells(user_id, columns, progress, overrides)
        totals = weighted_totals(columns, cells, weights)
        rows.append(
            LearnerGrades(
                user_id=user_id,
                name=person.display_name if person else None,
                email=person.email if person else None,
                cells=cells,
                category_percents=totals.category_percents,
                total_percent=totals.total_percent,
            )
        )
    return rows


async def gradebook(
    session: AsyncSession,
    access: CourseAccess,
    *,
    cursor: str | None,
    limit: int,
    group_id: str | None = None,
) -> Gradebook:
    """A page of the active learners (of one group), by name, with their grades on every
    graded item and their weighted totals."""
    course_id = access.course.id
    if group_id is not None:
        await groups.find_group(session, access, group_id)
    columns = await _columns(session, course_id)
    weights = await _weights(session, course_id)
    learners = await repository.list_learners(
        session, course_id, after=_parse_cursor(cursor), limit=limit + 1, group_id=group_id
    )
    next_cursor = None
    if len(learners) > limit:
        learners = learners[:limit]
        user_id, person = learners[-1]
        next_cursor = encode_cursor([person.display_name if person else "", user_id])
    return Gradebook(
        course_id=course_id,
        columns=columns,
        category_weights=weights,
        learners=await _learner_rows(session, course_id, columns, weights, learners),
        learner_count=await repository.count_learners(session, course_id, group_id),
        next_cursor=next_cursor,
    )


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_cell(value: str | None) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    value = value or ""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _csv_lines(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


async def gradebook_csv(
    db: Database,
    access: CourseAccess,
    *,
    page_size: int = CSV_PAGE_SIZE,
    group_id: str | None = None,
) -> AsyncIterator[str]:
    """The whole gradebook as CSV, streamed a page of learners at a time: learner, e-mail,
    one column per graded item, the total. It reads in its own session, since it runs
    while the response is being sent, after the request's session has ended."""
    course_id = access.course.id
    async with db.session() as session:
        columns = await _columns(session, course_id)
        weights = await _weights(session, course_id)
        yield _csv_lines(
            [["Learner", "E-mail", *[_text_cell(column.title) for column in columns], "Total %"]]
        )
        after: tuple[str, str] | None = None
        while True:
            learners = await repository.list_learners(
                session, course_id, after=after, limit=page_size, group_id=group_id
            )
            rows = await _learner_rows(session, course_id, columns, weights, learners)
            yield _csv_lines(
                [
                    [
                        _text_cell(learner.name),
                        _text_cell(learner.email),
                        *[_number(cell.score) for cell in learner.cells],
                        _number(learner.total_percent),
                    ]
                    for learner in rows
                ]
            )
            if len(learners) < page_size:
                return
            user_id, person = learners[-1]
            after = (person.display_name if person else "", user_id)


async def my_grades(session: AsyncSession, access: CourseAccess) -> MyGrades:
    """The caller's own grades, feedback and weighted total."""
    course_id = access.course.id
    user_id = access.user_id or ""
    columns = await _columns(session, course_id)
    weights = await _weights(session, course_id)
    progress = {
        (row.user_id, row.item_id): row
        for row in await repository.list_progress(session, course_id, [user_id])
    }
    overrides = _in_effect(await repository.list_overrides(session, course_id, user_id=user_id))
    graded = await assignments_repository.latest_graded_feedback(session, course_id, user_id)
    cells = _cells(user_id, columns, progress, overrides)
    totals = weighted_totals(columns, cells, weights)
    grades = []
    for column, cell in zip(columns, cells, strict=True):
        outcome = progress.get((user_id, column.item_id))
        submission = graded.get(column.item_id)
        grades.append(
            MyGrade(
                item_id=column.item_id,
                title=column.title,
                kind=column.kind,
                category=column.category,
                score=cell.score,
                max_score=cell.max_score,
                overridden=cell.overridden,
                counts=column.counts,
                status=outcome.status if outcome else "not_started",
                feedback=submission.feedback if submission else None,
                graded_at=submission.graded_at if submission else None,
            )
        )
    return MyGrades(
        course_id=course_id,
        user_id=user_id,
        grades=grades,
        category_weights=weights,
        category_percents=totals.category_percents,
        total_percent=totals.total_percent,
    )


# ---------------------------------------------------------------- settings and overrides


async def read_settings(session: AsyncSession, access: CourseAccess) -> GradebookSettingsRead:
    settings = await repository.get_settings(session, access.course.id)
    if settings is None:
        return GradebookSettingsRead(category_weights={}, updated_by=None, updated_at=None)
    return GradebookSettingsRead(
        category_weights=settings.category_weights,
        updated_by=settings.updated_by,
        updated_at=settings.updated_at,
    )


async def update_settings(
    session: AsyncSession, access: CourseAccess, changes: GradebookSettingsUpdate
) -> GradebookSettingsRead:
    settings = await repository.get_settings(session, access.course.id)
    if settings is None:
        settings = GradebookSettings(course_id=access.course.id)
        session.add(settings)
    settings.category_weights = changes.category_weights
    settings.updated_by = access.user_id or ""
    settings.updated_at = utcnow()
    return await read_settings(session, access)


async def _graded_column(session: AsyncSession, course_id: str, item_id: str) -> GradeColumn:
    column = next(
        (column for column in await _columns(session, course_id) if column.item_id == item_id),
        None,
    )
    if column is not None:
        return column
    if await courses_repository.get_item(session, course_id, item_id) is None:
        raise ItemNotFound(f"There is no item {item_id} in this course.")
    raise NotGradedItem("Only quizzes and assignments with points have grades.")


async def _learner(session: AsyncSession, course_id: str, user_id: str) -> None:
    membership = await courses_repository.get_membership(session, course_id, user_id)
    if membership is None or membership.role != "learner" or membership.status != "active":
        raise LearnerNotInCourse(f"User {user_id} is not a learner of this course.")


async def set_override(
    session: AsyncSession, access: CourseAccess, body: OverrideSet
) -> OverrideRead:
    """Replace a learner's grade on an item, with the reason; the history keeps every change."""
    column = await _graded_column(session, access.course.id, body.item_id)
    await _learner(session, access.course.id, body.user_id)
    if body.score > column.max_points:
        raise InvalidOverride(f"The score can be at most {column.max_points:g}.")
    row = GradeOverride(
        id=str(uuid.uuid4()),
        course_id=access.course.id,
        item_id=column.item_id,
        user_id=body.user_id,
        action="set",
        score=round(body.score, 2),
        reason=body.reason,
        created_by=access.user_id or "",
        created_at=utcnow(),
    )
    session.add(row)
    return OverrideRead.model_validate(row)


async def remove_override(
    session: AsyncSession, access: CourseAccess, *, user_id: str, item_id: str, reason: str
) -> OverrideRead:
    """End the override in effect: the recorded score counts again."""
    history = await repository.list_overrides(
        session, access.course.id, user_id=user_id, item_id=item_id
    )
    if not _in_effect(history):
        raise OverrideNotFound("This learner's grade on this item is not overridden.")
    row = GradeOverride(
        id=str(uuid.uuid4()),
        course_id=access.course.id,
        item_id=item_id,
        user_id=user_id,
        action="removed",
        score=None,
        reason=reason.strip(),
        created_by=access.user_id or "",
        created_at=utcnow(),
    )
    session.add(row)
    return OverrideRead.model_validate(row)


async def override_history(
    session: AsyncSession, access: CourseAccess, *, user_id: str | None, item_id: str | None
) -> list[OverrideRead]:
    rows = await repository.list_overrides(
        session, access.course.id, user_id=user_id, item_id=item_id
    )
    return [OverrideRead.model_validate(row) for row in rows]
