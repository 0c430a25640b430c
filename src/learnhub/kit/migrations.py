"""Alembic migrations per service, run programmatically on the service's own engine.

Each service keeps its history in its ``migrations/`` folder; its ``env.py`` calls
:func:`run_migrations_env`. The migration runs on a connection whose ``search_path`` is
the service's schema (PostgreSQL) or on the service's own file (SQLite), so the version
table lives beside the service's tables. Every service's first revision creates the kit's
messaging tables with :func:`create_messaging_tables` rather than a copy of their DDL; a
change to those tables is a new kit function and a new revision in every service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from learnhub.kit.db import Database
from learnhub.kit.events.tables import messaging_metadata


def alembic_config(migrations: Path, connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["connection"] = connection
    return config


def create_messaging_tables() -> None:
    """Create the kit's ``outbox``, ``inbox`` and ``deliveries`` tables, with their indexes,
    exactly as :mod:`learnhub.kit.events.tables` declares them; call it from the
    ``upgrade()`` of a service's first revision."""
    from alembic import op

    messaging_metadata.create_all(op.get_bind(), checkfirst=False)


def drop_messaging_tables() -> None:
    """Drop what :func:`create_messaging_tables` created; call it from the ``downgrade()``
    of a service's first revision."""
    from alembic import op

    messaging_metadata.drop_all(op.get_bind(), checkfirst=False)


def run_migrations_env(metadata: MetaData) -> None:
    """The body of every service's ``env.py``: the service's tables plus the messaging ones."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through `learnhub migrate`, which provides the connection"
        )
    context.configure(
        connection=connection,
        target_metadata=[metadata, messaging_metadata],
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def upgrade(db: Database, migrations: Path, revision: str = "head") -> None:
    """Bring a service's database up to ``revision``."""
    await db.create_schema()
    async with db.engine.begin() as connection:
        await connection.run_sync(
            lambda sync_connection: command.upgrade(
                alembic_config(migrations, sync_connection), revision
            )
        )


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync_connection: MigrationContext.configure(
                sync_connection
            ).get_current_revision()
        )


def head_revision(migrations: Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(migrations)).get_current_head()


async def autogenerate(db: Database, migrations: Path, message: str) -> None:
    """Write a new revision from the difference between the models and the database (developers)."""
    async with db.engine.begin() as connection:
        await connection.run_sync(
            lambda sync_connection: command.revision(
                alembic_config(migrations, sync_connection), message=message, autogenerate=True
            )
        )
