"""Closing runs to its end even when a stop cancels the task that closes (storage/db.py)."""

import asyncio
from pathlib import Path

import pytest

from seminarbot.storage.closing import to_the_end
from seminarbot.storage.db import Database


async def test_a_cancelled_caller_waits_for_the_work_then_is_cancelled() -> None:
    done: list[str] = []

    async def work() -> str:
        await asyncio.sleep(0.05)
        done.append("closed")
        return "result"

    task = asyncio.create_task(to_the_end(work()))
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()  # a second one changes nothing either
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["closed"]
    assert await to_the_end(work()) == "result"


async def test_a_database_closed_by_a_cancelled_task_is_closed(tmp_path: Path) -> None:
    """Cancelled while the close waits for a query in flight (the lock): closed all the same."""
    db = await Database.open(tmp_path / "x.db")
    await db._lock.acquire()  # a query in flight
    closing = asyncio.create_task(db.close())
    await asyncio.sleep(0.01)
    closing.cancel()
    await asyncio.sleep(0.01)
    db._lock.release()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert not db._conn._running  # aiosqlite's thread has ended: nothing keeps the process


async def test_a_transaction_stopped_while_it_commits_raises_the_stop(tmp_path: Path) -> None:
    """Cancelled while its COMMIT waits in the connection's thread, the COMMIT still runs, and
    first: the ROLLBACK after it finds no transaction. The cancellation is what the caller sees;
    before, SQLite's "cannot rollback - no transaction is active" took its place, and the
    scheduler, stopped in the middle of a pass, took it for a failed pass and went on (a stop
    that waited 20 s, then ended with 130: tests/discord_adapter/test_run.py, once in CI)."""
    db = await Database.open(tmp_path / "x.db")
    conn = db._conn
    real = conn.execute

    async def execute(sql: str, parameters: object = None) -> object:
        if sql != "COMMIT":
            return await real(sql) if parameters is None else await real(sql, parameters)
        work = asyncio.ensure_future(real(sql))
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # the stop arrives while the COMMIT waits in the thread
        return await asyncio.shield(work)

    async def write() -> None:
        async with db.transaction() as inside:
            await inside.execute("INSERT INTO communities (platform, external_id, name, created_at)"
                                 " VALUES ('console', 'stopped', 'x', '2026-01-01T00:00:00Z')")

    conn.execute = execute  # type: ignore[method-assign]
    try:
        with pytest.raises(asyncio.CancelledError):
            await asyncio.create_task(write())
        conn.execute = real  # type: ignore[method-assign]
        assert await db.scalar(
            "SELECT name FROM communities WHERE external_id = 'stopped'") == "x"
        async with db.transaction() as inside:  # and the connection goes on
            await inside.execute("DELETE FROM communities WHERE external_id = 'stopped'")
    finally:
        conn.execute = real  # type: ignore[method-assign]
        await db.close()
