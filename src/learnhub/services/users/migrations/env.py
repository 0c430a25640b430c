"""Alembic environment of the users service."""

from learnhub.kit.migrations import run_migrations_env
from learnhub.services.users.models import Base

run_migrations_env(Base.metadata)
