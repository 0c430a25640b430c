"""Certificates: issued once when a learner completes a course, verifiable by anyone by code."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.courses import CertificateIssued
from learnhub.kit.cache import Cache
from learnhub.kit.config import Settings
from learnhub.kit.db import Database
from learnhub.kit.events import record_event
from learnhub.kit.readcache import View, read_through
from learnhub.services.courses import repository as courses_repository
from learnhub.services.courses.access import CourseAccess
from learnhub.services.courses.models import Course
from learnhub.services.courses.progress import repository
from learnhub.services.courses.progress.errors import CertificateNotFound
from learnhub.services.courses.progress.models import Certificate
from learnhub.services.courses.progress.schemas import CertificateRead, CertificateVerification
from learnhub.services.courses.readmodels import cache_ttl

# Unambiguous when read aloud or typed from paper: no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# A certificate never changes once issued, so its cached verification has a stamp that is
# never renewed.
_ISSUED = "stamp:certificates"


def verification_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/certificates/{code}"


def _public_url(session: AsyncSession) -> str:
    settings: Settings = session.info["settings"]
    return settings.public_url.rstrip("/")


def new_certificate_code() -> str:
    """``LH-XXXX-XXXX``: 40 random bits, unguessable and easy to type."""
    characters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"LH-{characters[:4]}-{characters[4:]}"


async def issue_certificate(
    session: AsyncSession, course: Course, user_id: str, now: datetime
) -> Certificate:
    code = new_certificate_code()
    while await repository.code_taken(session, code):
        code = new_certificate_code()
    person = await courses_repository.get_person(session, user_id)
    certificate = Certificate(
        id=str(uuid.uuid4()),
        code=code,
        course_id=course.id,
        user_id=user_id,
        learner_name=person.display_name if person else user_id,
        course_title=course.title,
        issued_at=now,
    )
    await repository.add_certificate(session, certificate)
    await record_event(
        session,
        CertificateIssued(
            certificate_id=certificate.id,
            code=certificate.code,
            course_id=course.id,
            course_title=course.title,
            user_id=user_id,
            learner_name=certificate.learner_name,
            verification_url=verification_url(_public_url(session), certificate.code),
            issued_at=now,
        ),
        subject=course.id,
    )
    return certificate


async def my_certificate(session: AsyncSession, access: CourseAccess) -> CertificateRead:
    certificate = await repository.get_certificate(
        session, access.course.id, access.signed_in_user_id
    )
    if certificate is None:
        raise CertificateNotFound("You have no certificate for this course yet: complete it first.")
    return CertificateRead(
        code=certificate.code,
        course_id=certificate.course_id,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_at=certificate.issued_at,
        verification_url=verification_url(_public_url(session), certificate.code),
    )


async def verify_certificate(db: Database, cache: Cache, code: str) -> str:
    """The certificate with this code as JSON (from the cache once verified), or 404."""
    code = code.strip().upper()

    async def build() -> str:
        async with db.session() as session:
            certificate = await repository.get_certificate_by_code(session, code)
        if certificate is None:
            raise CertificateNotFound(f"No certificate has the code {code}.")
        return CertificateVerification(
            code=certificate.code,
            learner_name=certificate.learner_name,
            course_title=certificate.course_title,
            issued_at=certificate.issued_at,
            valid=True,
        ).model_dump_json()

    view = View(f"certificate:{code}", (_ISSUED,))
    return await read_through(cache, view, build, ttl=cache_ttl(db))
