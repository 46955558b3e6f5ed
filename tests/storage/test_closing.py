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
