"""Closing that a stop cannot cut short: a connection left half closed keeps its thread, and
so the process, alive (seen as a 20 s hang after a Ctrl-C: tests/storage/test_closing.py); and
a transaction's end that a stop cannot turn into another error."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import aiosqlite

T = TypeVar("T")


async def to_the_end(work: Awaitable[T]) -> T:
    """`work`'s result, `work` run to its end even if the caller is cancelled meanwhile (a stop
    signal); the cancellation is raised once it has ended. For closing: a connection left half
    closed keeps its thread, and so the process, alive."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return task.result()


async def roll_back(conn: aiosqlite.Connection) -> None:
    """Roll back what is left of the transaction. Cancelled (a stop) while its COMMIT waited in
    the connection's thread, the COMMIT still ran, and ran first: nothing is left to roll back
    then, and the cancellation is what the caller must see (before, SQLite's "no transaction
    is active" took its place, and a scheduler stopped mid-commit went on for another pass)."""
    try:
        await conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        if conn.in_transaction:
            raise
