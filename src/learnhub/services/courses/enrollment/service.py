"""The rules of enrollment: who may join a course, who may add or remove whom. Nothing here
commits.

A membership is one row per course and person; leaving marks it ``removed`` and joining
again reactivates it, so a returning learner keeps their progress.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import EnrollmentCreated, EnrollmentRemoved
from learnhub.kit.db import utcnow
from learnhub.kit.errors import AppError, Unauthorized
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import Page, decode_keyset, page_of
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import COURSE_ROLES, CourseAccess
from learnhub.services.courses.enrollment import repository
from learnhub.services.courses.enrollment.errors import (
    AlreadyEnrolled,
    EnrollmentNotFound,
    EnrollmentStateConflict,
    InvalidCsv,
    InviteOnly,
    OwnerMembership,
)
from learnhub.services.courses.enrollment.schemas import (
    BulkReport,
    BulkRow,
    EnrollmentRead,
    MemberRead,
)
from learnhub.services.courses.errors import (
    CourseStateConflict,
    NotCourseStaff,
    PersonNotFound,
)
from learnhub.services.courses.models import Course, Enrollment

MAX_BULK_ROWS = 5000
STAFF_ROLES = ("instructor", "teaching_assistant")


def enrollment_created(course: Course, enrollment: Enrollment) -> EnrollmentCreated:
    """The event that announces a membership becoming active."""
    return EnrollmentCreated(
        enrollment_id=enrollment.id,
        course_id=course.id,
        course_title=course.title,
        user_id=enrollment.user_id,
        role=enrollment.role,  # type: ignore[arg-type]
        enrolled_by=enrollment.enrolled_by,
        enrolled_at=enrollment.updated_at,
    )


async def _announce(session: AsyncSession, course: Course, enrollment: Enrollment) -> None:
    await record_event(session, enrollment_created(course, enrollment), subject=course.id)


def _closed_for(course: Course, role: str) -> CourseStateConflict | None:
    """Learners join published courses only; staff may be added while it is a draft."""
    if course.visibility == "archived":
        return CourseStateConflict("This course is archived: nobody can join it any more.")
    if course.visibility != "published" and role == "learner":
        return CourseStateConflict("This course is not published yet: learners cannot join it.")
    return None


def check_open_for(course: Course, role: str) -> None:
    """Refuse when nobody may join the course with ``role`` now (see :func:`_closed_for`)."""
    closed = _closed_for(course, role)
    if closed is not None:
        raise closed


def self_enrollment_refusal(access: CourseAccess) -> AppError | None:
    """Why the caller may not join the course as a learner now, as the error joining gets;
    None when they may. The one rule behind both joining and the course's viewer block."""
    membership = access.membership
    if membership is not None and membership.status == "active":
        return AlreadyEnrolled(f"You are already a member of this course ({membership.role}).")
    if membership is not None and membership.status == "pending":
        return AlreadyEnrolled("Your request to join this course is waiting for approval.")
    closed = _closed_for(access.course, "learner")
    if closed is not None:
        return closed
    if access.course.enrollment_policy == "invite":
        return InviteOnly("This course is by invitation only: ask its instructor to enroll you.")
    if access.principal is None:
        return Unauthorized("Log in to join this course.")
    return None


def _owner_stays(course: Course, enrollment: Enrollment) -> OwnerMembership | None:
    if enrollment.user_id == course.owner_id:
        return OwnerMembership("The course's owner cannot leave or be removed from it.")
    return None


def self_unenrollment_refusal(access: CourseAccess) -> AppError | None:
    """Why the caller may not leave the course (or withdraw their request) now; None when
    they may: the rule :func:`unenroll` applies to a member removing themself."""
    membership = access.membership
    if membership is None or membership.status == "removed":
        return EnrollmentNotFound("You are not a member of this course.")
    return _owner_stays(access.course, membership)


async def join_course(
    session: AsyncSession,
    course: Course,
    *,
    user_id: str,
    role: str,
    status: str,
    enrolled_by: str | None,
    existing: Enrollment | None,
    now: datetime,
) -> Enrollment | None:
    """Create or reactivate a membership; None when the person is already a member (or
    their request is already waiting)."""
    if existing is not None and existing.status != "removed":
        if not (existing.status == "pending" and status == "active"):
            return None
        existing.role, existing.status = role, status
        existing.enrolled_by, existing.updated_at = enrolled_by, now
    elif existing is not None:
        existing.role, existing.status = role, status
        existing.enrolled_by, existing.updated_at = enrolled_by, now
    else:
        existing = Enrollment(
            id=str(uuid.uuid4()),
            course_id=course.id,
            user_id=user_id,
            role=role,
            status=status,
            enrolled_by=enrolled_by,
            group_id=None,
            created_at=now,
            updated_at=now,
            completed_at=None,
        )
        if not await repository.add_enrollment(session, existing):
            return None
    await session.flush()
    if status == "active":
        await _announce(session, course, existing)
    return existing


async def enroll_self(session: AsyncSession, access: CourseAccess) -> Enrollment:
    """Join as a learner: at once in an open course, as a request in an approval course."""
    user_id = access.signed_in_user_id
    course = access.course
    refusal = self_enrollment_refusal(access)
    if refusal is not None:
        raise refusal
    # The access check may have read a cached membership: change the row itself.
    membership = await courses_repository.get_membership(session, course.id, user_id)
    status = "pending" if course.enrollment_policy == "approval" else "active"
    enrollment = await join_course(
        session,
        course,
        user_id=user_id,
        role="learner",
        status=status,
        enrolled_by=None,
        existing=membership,
        now=utcnow(),
    )
    if enrollment is None:
        raise AlreadyEnrolled("You are already enrolled in this course.")
    return enrollment


def check_may_add(access: CourseAccess, role: str) -> None:
    """Refuse unless the caller may enroll others with ``role``: staff add learners, only
    instructors (or an administrator) add staff."""
    if not access.is_staff:
        raise NotCourseStaff(
            "Only the course's instructors and teaching assistants may enroll others."
        )
    if role in STAFF_ROLES and not access.can_edit:
        raise NotCourseStaff(
            "Only the course's instructors (or an administrator) may add instructors or "
            "teaching assistants."
        )


async def enroll_person(
    session: AsyncSession, access: CourseAccess, *, email: str, role: str
) -> Enrollment:
    """Staff enroll someone by e-mail; a waiting request is approved by it."""
    check_may_add(access, role)
    check_open_for(access.course, role)
    person = await courses_repository.get_person_by_email(session, email)
    if person is None:
        raise PersonNotFound(
            f"Nobody has an account with the e-mail {email}: ask them to sign up first."
        )
    existing = await courses_repository.get_membership(session, access.course.id, person.id)
    enrollment = await join_course(
        session,
        access.course,
        user_id=person.id,
        role=role,
        status="active",
        enrolled_by=access.user_id,
        existing=existing,
        now=utcnow(),
    )
    if enrollment is None:
        raise AlreadyEnrolled(f"{person.email} is already a member of this course.")
    return enrollment


async def _pending(session: AsyncSession, access: CourseAccess, enrollment_id: str) -> Enrollment:
    enrollment = await repository.get_enrollment(session, access.course.id, enrollment_id)
    if enrollment is None:
        raise EnrollmentNotFound(f"There is no enrollment {enrollment_id} in this course.")
    if enrollment.status != "pending":
        raise EnrollmentStateConflict(
            f"This enrollment is {enrollment.status}: only waiting requests can be decided."
        )
    return enrollment


async def approve(session: AsyncSession, access: CourseAccess, enrollment_id: str) -> Enrollment:
    enrollment = await _pending(session, access, enrollment_id)
    check_open_for(access.course, enrollment.role)
    enrollment.status = "active"
    enrollment.enrolled_by = access.user_id
    enrollment.updated_at = utcnow()
    await session.flush()
    await _announce(session, access.course, enrollment)
    return enrollment


async def reject(session: AsyncSession, access: CourseAccess, enrollment_id: str) -> Enrollment:
    enrollment = await _pending(session, access, enrollment_id)
    enrollment.status = "removed"
    enrollment.updated_at = utcnow()
    await session.flush()
    return enrollment


async def unenroll(session: AsyncSession, access: CourseAccess, enrollment_id: str) -> None:
    """Leave a course (the member themself) or remove someone (staff; staff roles only by
    instructors). The owner stays. Removing a removed membership changes nothing."""
    enrollment = await repository.get_enrollment(session, access.course.id, enrollment_id)
    if enrollment is None:
        raise EnrollmentNotFound(f"There is no enrollment {enrollment_id} in this course.")
    own = enrollment.user_id == access.user_id
    if not own:
        if not access.is_staff:
            raise NotCourseStaff("Only the course's staff may remove other members.")
        if enrollment.role in STAFF_ROLES and not access.can_edit:
            raise NotCourseStaff(
                "Only the course's instructors (or an administrator) may remove staff."
            )
    owner = _owner_stays(access.course, enrollment)
    if owner is not None:
        raise owner
    if enrollment.status == "removed":
        return
    was_active = enrollment.status == "active"
    enrollment.status = "removed"
    enrollment.updated_at = utcnow()
    await session.flush()
    if was_active:
        await record_event(
            session,
            EnrollmentRemoved(
                enrollment_id=enrollment.id,
                course_id=access.course.id,
                course_title=access.course.title,
                user_id=enrollment.user_id,
                removed_by=access.user_id,
                removed_at=enrollment.updated_at,
            ),
            subject=access.course.id,
        )


def _read_csv(data: bytes) -> list[tuple[int, str, str]]:
    """(line, e-mail, role) for every data row; the header names the columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidCsv("The file is not UTF-8 text: save it as CSV (UTF-8).") from error
    reader = csv.reader(io.StringIO(text))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration as error:
        raise InvalidCsv("The file is empty: it needs a header line `email[,role]`.") from error
    except csv.Error as error:
        raise InvalidCsv(f"The file is not valid CSV: {error}.") from error
    if "email" not in header or any(column not in ("email", "role") for column in header):
        raise InvalidCsv("The header line must be `email` or `email,role`.")
    email_at, role_at = header.index("email"), header.index("role") if "role" in header else None
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_BULK_ROWS:
                raise InvalidCsv(f"The file has more than {MAX_BULK_ROWS} rows: split it.")

            def column(at: int | None, values: list[str] = values) -> str:
                return values[at].strip() if at is not None and at < len(values) else ""

            rows.append((reader.line_num, column(email_at), column(role_at).lower() or "learner"))
    except csv.Error as error:
        raise InvalidCsv(f"The file is not valid CSV (line {reader.line_num}): {error}.") from error
    return rows


async def bulk_enroll(session: AsyncSession, access: CourseAccess, data: bytes) -> BulkReport:
    """Enroll everyone listed in a CSV file; report every row's outcome."""
    if not access.is_staff:
        raise NotCourseStaff(
            "Only the course's instructors and teaching assistants may enroll others."
        )
    rows = _read_csv(data)
    report: list[BulkRow] = []
    valid: list[tuple[int, str, str]] = []
    for line, raw_email, role in rows:
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            report.append(BulkRow(row=line, email=raw_email, outcome="invalid", detail=str(error)))
            continue
        if role not in COURSE_ROLES:
            detail = f"Unknown role {role!r}: use learner, teaching_assistant or instructor."
            report.append(BulkRow(row=line, email=email, outcome="invalid", detail=detail))
            continue
        if role in STAFF_ROLES and not access.can_edit:
            detail = "Only instructors (or administrators) may add staff roles."
            report.append(BulkRow(row=line, email=email, outcome="invalid", detail=detail))
            continue
        if access.course.visibility != "published" and role == "learner":
            detail = "Learners can join only when the course is published."
            report.append(BulkRow(row=line, email=email, outcome="invalid", detail=detail))
            continue
        valid.append((line, email, role))
    if access.course.visibility == "archived" and valid:
        raise CourseStateConflict("This course is archived: nobody can join it any more.")

    people = await repository.get_people_by_emails(
        session, sorted({email for _, email, _ in valid})
    )
    memberships = await repository.get_memberships(
        session, access.course.id, [person.id for person in people.values()]
    )
    now = utcnow()
    for line, email, role in valid:
        person = people.get(email)
        if person is None:
            detail = "Nobody has an account with this e-mail."
            report.append(BulkRow(row=line, email=email, outcome="unknown_email", detail=detail))
            continue
        enrollment = await join_course(
            session,
            access.course,
            user_id=person.id,
            role=role,
            status="active",
            enrolled_by=access.user_id,
            existing=memberships.get(person.id),
            now=now,
        )
        if enrollment is None:
            current = memberships.get(person.id) or await courses_repository.get_membership(
                session, access.course.id, person.id
            )
            detail = f"Already a member ({current.role})." if current else "Already a member."
            report.append(BulkRow(row=line, email=email, outcome="already_enrolled", detail=detail))
            continue
        memberships[person.id] = enrollment
        report.append(
            BulkRow(row=line, email=email, outcome="enrolled", detail=f"Enrolled as {role}.")
        )
    report.sort(key=lambda row: row.row)
    return BulkReport(
        enrolled=sum(row.outcome == "enrolled" for row in report),
        already_enrolled=sum(row.outcome == "already_enrolled" for row in report),
        unknown_email=sum(row.outcome == "unknown_email" for row in report),
        invalid=sum(row.outcome == "invalid" for row in report),
        rows=report,
    )


async def list_members(
    session: AsyncSession,
    course: Course,
    *,
    status: str | None,
    role: str | None,
    cursor: str | None,
    limit: int,
) -> Page[MemberRead]:
    rows = await repository.list_members(
        session,
        course.id,
        status=status,
        role=role,
        after=decode_keyset(cursor, datetime, str),
        limit=limit + 1,
    )
    return page_of(
        rows,
        limit=limit,
        keyset=lambda row: (row[0].created_at, row[0].id),
        item=lambda row: MemberRead(
            **EnrollmentRead.model_validate(row[0]).model_dump(),
            display_name=row[1].display_name if row[1] else None,
            email=row[1].email if row[1] else None,
        ),
    )
