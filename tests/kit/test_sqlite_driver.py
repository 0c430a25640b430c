"""The inline SQLite driver: statements on the loop's thread, writers queued without blocking it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from learnhub.kit.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}", service="driver")
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE counters (name TEXT PRIMARY KEY, value INT)"))
        await session.execute(text("INSERT INTO counters VALUES ('hits', 0)"))
    yield database
    await database.dispose()


async def _value(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(text("SELECT value FROM counters WHERE name = 'hits'")))


async def test_statements_run_on_the_event_loop_thread(db: Database) -> None:
    # given
    seen: list[int] = []

    def thread_id() -> int:
        seen.append(threading.get_ident())
        return 1

    async with db.session() as session:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        raw.driver_connection.create_function("thread_id", 0, thread_id)
        # when
        await session.execute(text("SELECT thread_id()"))
    # then
    assert seen == [threading.get_ident()]


async def test_concurrent_read_modify_write_transactions_serialise_without_lost_updates(
    db: Database,
) -> None:
    # given: fifty transactions that each read, yield to the loop, then write
    async def increment() -> None:
        async with db.transaction() as session:
            await session.execute(text("UPDATE counters SET value = value WHERE name = 'hits'"))
            current = await session.scalar(text("SELECT value FROM counters WHERE name = 'hits'"))
            await asyncio.sleep(0)
            await session.execute(
                text("UPDATE counters SET value = :value WHERE name = 'hits'"),
                {"value": current + 1},
            )

    # when
    await asyncio.gather(*(increment() for _ in range(50)))
    # then: each saw the previous one's commit
    assert await _value(db) == 50


async def test_reads_go_on_while_a_writer_holds_the_lock(db: Database) -> None:
    # given: a writer that keeps its transaction open
    writing = asyncio.Event()
    finish = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as session:
            await session.execute(text("UPDATE counters SET value = 7 WHERE name = 'hits'"))
            writing.set()
            await finish.wait()

    writer = asyncio.create_task(slow_writer())
    await writing.wait()
    # when: another session reads
    value = await _value(db)
    # then: it sees the last committed value, without waiting for the writer
    assert value == 0
    finish.set()
    await writer
    assert await _value(db) == 7


async def test_a_rolled_back_or_failed_transaction_releases_the_write_lock(db: Database) -> None:
    # given: a transaction that fails on a constraint
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO counters VALUES ('hits', 1)"))
    # when: the next writer comes
    async with db.transaction() as session:
        await session.execute(text("UPDATE counters SET value = 3 WHERE name = 'hits'"))
    # then
    assert await _value(db) == 3


async def test_a_savepoint_as_first_statement_opens_a_write_transaction(db: Database) -> None:
    async with db.transaction() as session:
        async with session.begin_nested():
            await session.execute(text("INSERT INTO counters VALUES ('misses', 1)"))
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await session.execute(text("INSERT INTO counters VALUES ('misses', 2)"))
    async with db.session() as session:
        assert await session.scalar(text("SELECT value FROM counters WHERE name = 'misses'")) == 1


async def test_a_writer_in_another_process_is_waited_for_without_blocking_the_loop(
    db: Database, tmp_path: Path
) -> None:
    # given: another connection (as another process would) holds SQLite's write lock
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE counters SET value = 100 WHERE name = 'hits'")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with db.transaction() as session:
            await session.execute(text("UPDATE counters SET value = value + 1 WHERE name = 'hits'"))

    clock = asyncio.create_task(ticker())
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.2)
    # then: the loop kept running while our writer waited
    assert not writer.done()
    assert ticks > 5
    # when: the other process commits
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writer, 5)
    clock.cancel()
    # then: our write landed after theirs
    assert await _value(db) == 101
