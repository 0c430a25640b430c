"""All routes of the courses service, one router per sub-domain."""

from __future__ import annotations

from fastapi import APIRouter

from learnhub.kit.http.routing import add_routes
from learnhub.services.courses.announcements.endpoints import router as announcements_router
from learnhub.services.courses.assignments.endpoints import router as assignments_router
from learnhub.services.courses.catalog.endpoints import router as catalog_router
from learnhub.services.courses.enrollment.endpoints import router as enrollment_router
from learnhub.services.courses.gradebook.endpoints import router as gradebook_router
from learnhub.services.courses.progress.endpoints import router as progress_router
from learnhub.services.courses.quizzes.endpoints import router as quizzes_router

router = APIRouter()
add_routes(
    router,
    catalog_router,
    enrollment_router,
    progress_router,
    quizzes_router,
    assignments_router,
    gradebook_router,
    announcements_router,
)
