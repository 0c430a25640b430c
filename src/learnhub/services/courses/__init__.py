"""The courses service: courses, structure, lessons, quizzes, assignments, enrollments,
progress, completion, certificates and grades."""

from __future__ import annotations

from pathlib import Path

from learnhub.contracts.courses import (
    AnnouncementPosted,
    CertificateIssued,
    CourseCompleted,
    CourseCreated,
    CoursePublished,
    EnrollmentCreated,
    EnrollmentRemoved,
    LessonCompleted,
    ProgressUpdated,
    QuizSubmitted,
    SubmissionGraded,
)
from learnhub.kit.runtime import ServiceRuntime, ServiceSpec
from learnhub.services.courses.announcements import models as _announcement_tables  # noqa: F401
from learnhub.services.courses.assignments import models as _assignment_tables  # noqa: F401
from learnhub.services.courses.catalog import models as _catalog_tables  # noqa: F401
from learnhub.services.courses.config import CoursesSettings
from learnhub.services.courses.endpoints import router
from learnhub.services.courses.enrollment import models as _enrollment_tables  # noqa: F401
from learnhub.services.courses.gradebook import models as _gradebook_tables  # noqa: F401
from learnhub.services.courses.handlers import EVENT_BATCH_HANDLERS, EVENT_HANDLERS
from learnhub.services.courses.models import Base
from learnhub.services.courses.progress import models as _progress_tables  # noqa: F401
from learnhub.services.courses.quizzes import models as _quiz_tables  # noqa: F401
from learnhub.services.courses.quizzes.tasks import CLOSE_OVERDUE_ATTEMPTS
from learnhub.services.courses.storage import store_from_settings


async def _start(runtime: ServiceRuntime) -> None:
    store = store_from_settings(runtime.service_settings, runtime.settings.data_dir)
    await store.ping()
    runtime.state["store"] = store


spec = ServiceSpec(
    name="courses",
    title="courses",
    description=(
        "Courses and their structure, lessons, quizzes, assignments, enrollments, progress, "
        "completion, certificates and grades."
    ),
    router=router,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    route_prefixes=(
        "/api/v1/courses",
        "/api/v1/me/courses",
        "/api/v1/me/announcements",
        "/api/v1/me/grading",
        "/api/v1/certificates",
    ),
    default_port=8103,
    publishes=(
        AnnouncementPosted,
        CourseCreated,
        CoursePublished,
        EnrollmentCreated,
        EnrollmentRemoved,
        LessonCompleted,
        ProgressUpdated,
        QuizSubmitted,
        SubmissionGraded,
        CourseCompleted,
        CertificateIssued,
    ),
    handlers=EVENT_HANDLERS,
    batch_handlers=EVENT_BATCH_HANDLERS,
    settings_class=CoursesSettings,
    on_start=_start,
    tasks=(CLOSE_OVERDUE_ATTEMPTS,),
)

__all__ = ["spec"]
