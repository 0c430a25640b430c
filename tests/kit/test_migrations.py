"""Every service's migrations build exactly its models, in its own file or schema."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from learnhub.kit.db import Database
from learnhub.kit.events.tables import messaging_metadata
from learnhub.kit.migrations import current_revision, head_revision, upgrade
from learnhub.kit.runtime import ServiceSpec
from learnhub.runner.registry import SERVICES


async def differences(db: Database, spec: ServiceSpec) -> list[Any]:
    """What autogenerate would write for this database: nothing, if the migrations are right."""
    target = [spec.metadata, messaging_metadata]

    def compare(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": target}
        )
        return compare_metadata(context, target)  # type: ignore[arg-type]

    async with db.engine.connect() as connection:
        return await connection.run_sync(compare)


def expected_tables(spec: ServiceSpec) -> list[str]:
    return sorted([*spec.metadata.tables, *messaging_metadata.tables, "alembic_version"])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    if request.param == "sqlite":
        return "sqlite", None
    return "postgresql", request.getfixturevalue("postgres_database")


@pytest.fixture(params=SERVICES, ids=[spec.name for spec in SERVICES])
async def fresh(
    request: pytest.FixtureRequest, backend: tuple[str, str | None], tmp_path: Path
) -> AsyncIterator[tuple[ServiceSpec, Database]]:
    """A service and an empty database for it."""
    spec: ServiceSpec = request.param
    kind, url = backend
    if kind == "sqlite":
        db = Database(
            f"sqlite+aiosqlite:///{(tmp_path / f'{spec.name}.db').as_posix()}", service=spec.name
        )
        yield spec, db
        await db.dispose()
        return
    assert url is not None
    db = Database(url, service=spec.name)
    async with db.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{spec.name}" CASCADE'))
    yield spec, db
    async with db.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{spec.name}" CASCADE'))
    await db.dispose()


async def test_upgrading_to_head_builds_exactly_the_models(
    fresh: tuple[ServiceSpec, Database],
) -> None:
    spec, db = fresh
    await db.create_schema()
    missing = {diff[1].name for diff in await differences(db, spec) if diff[0] == "add_table"}
    assert missing == set(expected_tables(spec)) - {"alembic_version"}

    await upgrade(db, spec.migrations)

    assert await differences(db, spec) == []
    assert await current_revision(db) == head_revision(spec.migrations)
    assert head_revision(spec.migrations) is not None


async def test_upgrading_twice_changes_nothing(
    fresh: tuple[ServiceSpec, Database], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    spec, db = fresh
    await upgrade(db, spec.migrations)
    caplog.set_level(logging.INFO, logger="alembic")
    caplog.clear()

    # when
    await upgrade(db, spec.migrations)

    # then
    assert [
        record.getMessage() for record in caplog.records if "Running upgrade" in record.getMessage()
    ] == []
    assert await current_revision(db) == head_revision(spec.migrations)
    assert await differences(db, spec) == []


@pytest.mark.postgres
@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
async def test_on_postgresql_the_tables_land_in_the_service_schema(
    spec: ServiceSpec, postgres_database: str
) -> None:
    # given
    db = Database(postgres_database, service=spec.name)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{spec.name}" CASCADE'))

        # when
        await upgrade(db, spec.migrations)

        # then
        async with db.engine.connect() as connection:
            in_schema = (
                await connection.scalars(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = :schema ORDER BY table_name"
                    ),
                    {"schema": spec.name},
                )
            ).all()
            in_public = (
                await connection.scalars(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = 'public'"
                    )
                )
            ).all()
        assert list(in_schema) == expected_tables(spec)
        assert set(in_public).isdisjoint(expected_tables(spec))
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{spec.name}" CASCADE'))
        await db.dispose()


def test_every_service_has_a_migration_history() -> None:
    for spec in SERVICES:
        assert (spec.migrations / "env.py").is_file()
        assert head_revision(spec.migrations) is not None


def _shape(
    connection: Any, table: str
) -> tuple[list[tuple[str, str, bool]], list[tuple[str, tuple[str, ...], bool]]]:
    """A table's columns (name, type, nullable) and indexes (name, columns, unique), as the
    database reports them."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    columns = [
        (column["name"], _type_name(column["type"]), bool(column["nullable"]))
        for column in inspector.get_columns(table)
    ]
    indexes = sorted(
        (index["name"] or "", tuple(index["column_names"]), bool(index["unique"]))
        for index in inspector.get_indexes(table)
    )
    return columns, indexes


def _type_name(kind: Any) -> str:
    # Dialects report types their own way (VARCHAR(36) / String(36)); compare the family.
    name = type(kind).__name__.upper().replace("STRING", "CHAR")
    for family in ("CHAR", "TEXT", "INT", "TIME"):
        if family in name:
            return family
    return name


def _declared_shape(
    table: Any,
) -> tuple[list[tuple[str, str, bool]], list[tuple[str, tuple[str, ...], bool]]]:
    columns = [
        (
            column.name,
            _type_name(column.type.dialect_impl(_sqlite_dialect())),
            bool(column.nullable),
        )
        for column in table.columns
    ]
    indexes = sorted(
        (index.name, tuple(column.name for column in index.columns), bool(index.unique))
        for index in table.indexes
    )
    return columns, indexes


def _sqlite_dialect() -> Any:
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


async def test_every_service_has_exactly_the_kits_messaging_tables(
    fresh: tuple[ServiceSpec, Database],
) -> None:
    # given
    spec, db = fresh

    # when
    await upgrade(db, spec.migrations)

    # then: the columns and indexes the kit declares, no more, no fewer
    for table in messaging_metadata.sorted_tables:
        async with db.engine.connect() as connection:
            built = await connection.run_sync(_shape, table.name)
        assert built == _declared_shape(table), (spec.name, table.name)
