"""Queries on the core tables shared by the sub-domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import insert_ignore
from learnhub.services.courses.models import Course, Enrollment, Item, Person, Section


async def get_course(session: AsyncSession, course_id: str) -> Course | None:
    return await session.get(Course, course_id)


async def get_courses(session: AsyncSession, course_ids: list[str]) -> dict[str, Course]:
    if not course_ids:
        return {}
    rows = await session.scalars(select(Course).where(Course.id.in_(course_ids)))
    return {course.id: course for course in rows}


async def get_membership(session: AsyncSession, course_id: str, user_id: str) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
    )


async def get_item(session: AsyncSession, course_id: str, item_id: str) -> Item | None:
    item = await session.get(Item, item_id)
    return item if item is not None and item.course_id == course_id else None


async def list_sections(session: AsyncSession, course_id: str) -> list[Section]:
    return list(
        (
            await session.scalars(
                select(Section).where(Section.course_id == course_id).order_by(Section.position)
            )
        ).all()
    )


async def list_items(session: AsyncSession, course_id: str) -> list[Item]:
    """Items in outline order (by section position, then item position)."""
    statement = (
        select(Item)
        .join(Section, Section.id == Item.section_id)
        .where(Item.course_id == course_id)
        .order_by(Section.position, Item.position)
    )
    return list((await session.scalars(statement)).all())


async def list_items_of_courses(session: AsyncSession, course_ids: list[str]) -> list[Item]:
    """The items of several courses, each course's in outline order."""
    if not course_ids:
        return []
    statement = (
        select(Item)
        .join(Section, Section.id == Item.section_id)
        .where(Item.course_id.in_(course_ids))
        .order_by(Item.course_id, Section.position, Item.position)
    )
    return list((await session.scalars(statement)).all())


async def get_person(session: AsyncSession, user_id: str) -> Person | None:
    return await session.get(Person, user_id)


async def add_person(
    session: AsyncSession,
    *,
    user_id: str,
    email: str | None,
    display_name: str,
    updated_at: datetime,
) -> bool:
    """Insert a person unless one with this id exists; True when inserted."""
    return bool(
        await insert_ignore(
            session,
            Person,
            {
                "id": user_id,
                "email": email,
                "display_name": display_name,
                "updated_at": updated_at,
            },
            conflict_columns=["id"],
        )
    )


async def add_people(session: AsyncSession, people: list[Person]) -> int:
    """:func:`add_person` for several new people in one statement; returns how many were
    inserted (fewer when some ids exist already)."""
    return await insert_ignore(
        session,
        Person,
        [
            {
                "id": person.id,
                "email": person.email,
                "display_name": person.display_name,
                "updated_at": person.updated_at,
            }
            for person in people
        ],
        conflict_columns=["id"],
    )


async def get_person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.email == email.strip().lower()))


async def get_people(session: AsyncSession, user_ids: list[str]) -> dict[str, Person]:
    if not user_ids:
        return {}
    rows = (await session.scalars(select(Person).where(Person.id.in_(user_ids)))).all()
    return {person.id: person for person in rows}
