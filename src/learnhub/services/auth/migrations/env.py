"""Alembic environment of the auth service."""

from learnhub.kit.migrations import run_migrations_env
from learnhub.services.auth.models import Base

run_migrations_env(Base.metadata)
