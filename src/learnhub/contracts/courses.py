"""Events published by the courses service. Each carries what a consumer needs without
calling back: ids, titles, the learner, scores, percentages, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from learnhub.contracts.base import EventPayload, contract

ItemKind = Literal["lesson", "quiz", "assignment"]


@contract("course.created.v1", producer="courses")
class CourseCreated(EventPayload):
    course_id: str
    slug: str
    title: str
    owner_id: str
    category: str | None
    language: str
    level: str
    created_at: datetime


@contract("course.published.v1", producer="courses")
class CoursePublished(EventPayload):
    course_id: str
    slug: str
    title: str
    summary: str
    category: str | None
    tags: list[str]
    language: str
    level: str
    owner_id: str
    published_at: datetime


@contract("enrollment.created.v1", producer="courses")
class EnrollmentCreated(EventPayload):
    enrollment_id: str
    course_id: str
    course_title: str
    user_id: str
    role: Literal["instructor", "teaching_assistant", "learner"]
    enrolled_by: str | None
    enrolled_at: datetime


@contract("enrollment.removed.v1", producer="courses")
class EnrollmentRemoved(EventPayload):
    enrollment_id: str
    course_id: str
    course_title: str
    user_id: str
    removed_by: str | None
    removed_at: datetime


@contract("lesson.completed.v1", producer="courses")
class LessonCompleted(EventPayload):
    course_id: str
    course_title: str
    item_id: str
    item_title: str
    user_id: str
    completed_at: datetime


@contract("progress.updated.v1", producer="courses")
class ProgressUpdated(EventPayload):
    course_id: str
    course_title: str
    user_id: str
    completed_items: int
    total_items: int
    percent: float
    updated_at: datetime


@contract("quiz.submitted.v1", producer="courses")
class QuizSubmitted(EventPayload):
    course_id: str
    course_title: str
    quiz_id: str
    quiz_title: str
    attempt_id: str
    user_id: str
    attempt_number: int
    score: float | None
    max_score: float
    percent: float | None
    passed: bool | None
    needs_manual_grading: bool
    submitted_at: datetime


@contract("submission.graded.v1", producer="courses")
class SubmissionGraded(EventPayload):
    course_id: str
    course_title: str
    item_id: str
    item_title: str
    item_kind: ItemKind
    submission_id: str
    user_id: str
    score: float
    max_score: float
    percent: float
    graded_by: str
    graded_at: datetime


@contract("course.completed.v1", producer="courses")
class CourseCompleted(EventPayload):
    course_id: str
    course_title: str
    user_id: str
    final_percent: float | None
    completed_at: datetime


@contract("certificate.issued.v1", producer="courses")
class CertificateIssued(EventPayload):
    certificate_id: str
    code: str
    course_id: str
    course_title: str
    user_id: str
    learner_name: str
    verification_url: str
    issued_at: datetime


@contract("announcement.posted.v1", producer="courses")
class AnnouncementPosted(EventPayload):
    announcement_id: str
    course_id: str
    course_title: str
    title: str
    body: str
    posted_by: str
    author_name: str | None
    posted_at: datetime
