"""The one SQLite connection: PRAGMAs, serialised transactions, and small query helpers."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from seminarbot.domain.errors import Busy

BUSY_TIMEOUT_MS = 5000
Row = aiosqlite.Row

# Set while the current task holds the connection, so nested calls do not wait on themselves.
_holding: contextvars.ContextVar[bool] = contextvars.ContextVar("seminarbot_db", default=False)


def pragmas(busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[str, ...]:
    """What every connection to the database runs first: WAL (kept in the file, so repeating
    it is free), a busy timeout, full fsync at commit, foreign keys enforced, and deleted
    content overwritten with zeros (a deleted response's text does not linger in free space)."""
    return (f"PRAGMA busy_timeout = {busy_timeout_ms}", "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            "PRAGMA secure_delete = ON")


def is_lock_error(error: sqlite3.OperationalError) -> bool:
    """SQLite gave up waiting for another connection's lock (the busy timeout ran out)."""
    return "locked" in str(error) or "busy" in str(error)


class Database:
    """All access goes through one connection, one task at a time.

    `transaction()` is BEGIN IMMEDIATE … COMMIT, rolled back on any exception, so a command that
    fails half-way leaves nothing behind. Reads outside a transaction take the same lock so they
    never observe another task's uncommitted writes.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        location = str(path)
        if location != ":memory:":
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(location, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        for statement in pragmas():
            await conn.execute(statement)
        db = cls(conn, location)
        if migrate:
            from seminarbot.storage.migrate import migrate as run_migrations

            try:
                await run_migrations(db)
            except BaseException:
                await conn.close()
                raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    @asynccontextmanager
    async def _hold(self) -> AsyncIterator[aiosqlite.Connection]:
        if _holding.get():
            yield self._conn
            return
        async with self._lock:
            token = _holding.set(True)
            try:
                yield self._conn
            except sqlite3.OperationalError as error:
                if is_lock_error(error):
                    raise Busy() from error
                raise
            finally:
                _holding.reset(token)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if _holding.get():
            raise RuntimeError("nested transaction")
        async with self._hold() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement; outside a transaction it commits on its own."""
        async with self._hold() as conn:
            return await conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._hold() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._hold() as conn, conn.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._hold() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetch_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, in one trip to the connection's thread: the large paged reads
        of exports and statistics."""
        async with self._hold() as conn:
            conn.row_factory = None  # no other task uses the connection while we hold it
            try:
                return list(await conn.execute_fetchall(sql, params))  # type: ignore[arg-type]
            finally:
                conn.row_factory = aiosqlite.Row

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: str | Path) -> None:
        """A consistent online copy through SQLite's backup API."""
        async with self._hold() as conn:
            destination = await aiosqlite.connect(str(target))
            try:
                await conn.backup(destination)
            finally:
                await destination.close()
