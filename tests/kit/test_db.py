"""The kit's database helpers on SQLite and PostgreSQL: actions run after the outermost
commit (and never after a rollback), and inserts that skip rows already there."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Integer, String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from learnhub.kit.db import Database, add_if_absent, insert_ignore, on_commit


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database(
            f"sqlite+aiosqlite:///{(tmp_path / 'kit.db').as_posix()}", service="kit"
        )
    else:
        schema = f"kit_{uuid.uuid4().hex[:8]}"
        database = Database(request.getfixturevalue("postgres_database"), service=schema)
    await database.create_schema()
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield database
    if database.dialect == "postgresql":
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{database.service}" CASCADE'))
    await database.dispose()


class Journal:
    """Actions that write down that they ran; ``check`` reads the table from another
    session at the moment the action runs."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.entries: list[str] = []
        self.seen_committed: list[bool] = []

    def note(self, entry: str) -> None:
        self.entries.append(entry)

    async def note_later(self, entry: str) -> None:
        await asyncio.sleep(0)
        self.entries.append(entry)

    async def check(self, name: str) -> None:
        async with self.db.session() as other:
            self.seen_committed.append(await other.get(Tag, name) is not None)


async def test_actions_run_after_the_commit_in_order_before_commit_returns(
    db: Database,
) -> None:
    # given
    journal = Journal(db)

    # when
    async with db.session() as session:
        session.add(Tag(name="a"))
        on_commit(session, lambda: journal.note("sync"))
        on_commit(session, lambda: journal.note_later("async"))
        on_commit(session, lambda: journal.check("a"))
        await session.flush()
        assert journal.entries == []
        await session.commit()

        # then: done by the time commit() returned, and the row was visible to them
        assert journal.entries == ["sync", "async"]
        assert journal.seen_committed == [True]


async def test_a_rollback_drops_the_actions(db: Database) -> None:
    journal = Journal(db)

    async with db.session() as session:
        session.add(Tag(name="a"))
        on_commit(session, lambda: journal.note("dropped"))
        await session.flush()
        await session.rollback()
        # The next transaction of the same session starts with nothing pending.
        session.add(Tag(name="b"))
        on_commit(session, lambda: journal.note("kept"))
        await session.commit()

    assert journal.entries == ["kept"]


async def test_a_failed_transaction_block_drops_the_actions(db: Database) -> None:
    journal = Journal(db)

    with pytest.raises(RuntimeError, match="changed my mind"):
        async with db.transaction() as session:
            on_commit(session, lambda: journal.note("dropped"))
            raise RuntimeError("changed my mind")
    async with db.transaction() as session:
        on_commit(session, lambda: journal.note("kept"))

    assert journal.entries == ["kept"]


async def test_a_rolled_back_savepoint_drops_only_its_own_actions(db: Database) -> None:
    journal = Journal(db)

    async with db.transaction() as session:
        on_commit(session, lambda: journal.note("outer"))
        savepoint = await session.begin_nested()
        on_commit(session, lambda: journal.note("inside the rolled-back savepoint"))
        async with session.begin_nested():
            on_commit(session, lambda: journal.note("nested in the rolled-back savepoint"))
        await savepoint.rollback()
        async with session.begin_nested():
            on_commit(session, lambda: journal.note("inside a released savepoint"))
        assert journal.entries == []

    assert journal.entries == ["outer", "inside a released savepoint"]


async def test_a_later_action_with_the_same_key_replaces_the_earlier(db: Database) -> None:
    journal = Journal(db)

    async with db.transaction() as session:
        on_commit(session, lambda: journal.note("first"), key="cache:a")
        on_commit(session, lambda: journal.note("other"))
        on_commit(session, lambda: journal.note("second"), key="cache:a")
        savepoint = await session.begin_nested()
        on_commit(session, lambda: journal.note("third, rolled back"), key="cache:a")
        await savepoint.rollback()

    assert journal.entries == ["other", "second"]


async def test_a_failing_action_is_logged_and_the_others_still_run(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(db)

    async def broken() -> None:
        raise OSError("storage is down")

    async with db.session() as session:
        session.add(Tag(name="a"))
        on_commit(session, broken, key="delete files")
        on_commit(session, lambda: journal.note("after"))
        await session.commit()

    assert journal.entries == ["after"]
    [record] = [r for r in caplog.records if r.name == "learnhub.kit.db"]
    assert record.levelno == logging.ERROR
    assert "'delete files'" in record.getMessage()
    async with db.session() as session:
        assert await session.get(Tag, "a") is not None


async def test_a_commit_that_fails_runs_no_action(db: Database) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    journal = Journal(db)

    def refuse(_session: Session) -> None:
        raise RuntimeError("the database refused the commit")

    async with db.session() as session:
        session.add(Tag(name="a"))
        on_commit(session, lambda: journal.note("dropped"))
        event.listen(session.sync_session, "before_commit", refuse)
        with pytest.raises(RuntimeError, match="refused"):
            await session.commit()
        await session.rollback()
        event.remove(session.sync_session, "before_commit", refuse)
        await session.commit()

    assert journal.entries == []


async def test_insert_ignore_inserts_the_new_rows_and_skips_the_others(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Tag(name="kept", uses=7))

    async with db.transaction() as session:
        inserted = await insert_ignore(
            session, Tag, [{"name": "kept", "uses": 1}, {"name": "new", "uses": 2}]
        )
        assert inserted == 1
        assert await insert_ignore(session, Tag, {"name": "new", "uses": 3}) == 0
        assert (
            await insert_ignore(
                session, Tag.__table__, {"name": "third"}, conflict_columns=["name"]
            )
            == 1
        )
        assert await insert_ignore(session, Tag, []) == 0

    async with db.session() as session:
        rows = (await session.execute(select(Tag.name, Tag.uses).order_by(Tag.name))).all()
    assert [tuple(row) for row in rows] == [("kept", 7), ("new", 2), ("third", 0)]


async def test_add_if_absent_adds_a_new_object_once(db: Database) -> None:
    # given
    async with db.transaction() as session:
        session.add(Tag(name="taken", uses=7))

    # when
    async with db.transaction() as session:
        fresh = Tag(name="fresh")
        assert await add_if_absent(session, fresh) is True
        assert await add_if_absent(session, Tag(name="taken", uses=1)) is False
        fresh.uses = 3  # the added object is in the session: its changes are saved

    # then
    async with db.session() as session:
        rows = (await session.execute(select(Tag.name, Tag.uses).order_by(Tag.name))).all()
    assert [tuple(row) for row in rows] == [("fresh", 3), ("taken", 7)]
