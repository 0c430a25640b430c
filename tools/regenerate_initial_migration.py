"""Rewrite a service's initial migration from its models (developers only).

    .venv/bin/python tools/regenerate_initial_migration.py courses

Only for a service whose first migration has not been released yet: it deletes
``migrations/versions/0001_initial_tables.py`` and generates it again from the models, with
the fixed revision id ``0001``, so concurrent edits of the models converge on one file.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command

from learnhub.kit.db import Database
from learnhub.kit.migrations import alembic_config
from learnhub.runner.registry import get_service


async def regenerate(name: str) -> Path:
    spec = get_service(name)
    versions = spec.migrations / "versions"
    versions.mkdir(exist_ok=True)
    target = versions / "0001_initial_tables.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/{name}.db", service=name)
        async with db.engine.begin() as connection:
            await connection.run_sync(
                lambda sync_connection: command.revision(
                    alembic_config(spec.migrations, sync_connection),
                    message="initial tables",
                    autogenerate=True,
                    rev_id="0001",
                )
            )
        await db.dispose()
    generated = next(versions.glob("0001_*.py"))
    if generated != target:
        generated.rename(target)
    return target


if __name__ == "__main__":
    print(asyncio.run(regenerate(sys.argv[1])))
