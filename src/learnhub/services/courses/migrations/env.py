"""Alembic environment of the courses service."""

import learnhub.services.courses  # noqa: F401  (registers every sub-domain's tables)
from learnhub.kit.migrations import run_migrations_env
from learnhub.services.courses.models import Base

run_migrations_env(Base.metadata)
