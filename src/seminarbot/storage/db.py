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

from seminarbot.domain.errors import Busy, Unavailable, WriteFailed
from seminarbot.storage.identity import FileIdentity

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


# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
_BUSY, _LOCKED = 5, 6
_CANNOT_WRITE = {3: "permission denied", 8: "the file is read-only", 10: "a disk I/O error",
                 13: "the disk is full", 14: "the file cannot be opened"}


def unavailable(error: sqlite3.Error) -> Unavailable | None:
    """What a SQLite error means to the people waiting on it: Busy (another connection's lock
    outlasted the busy timeout), WriteFailed (disk full, I/O error, read-only), or None for an
    error that is ours (a bug: let it be raised as it is)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return Busy()
    if code in _CANNOT_WRITE:
        return WriteFailed(_CANNOT_WRITE[code])
    return None


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
        self.identity = None if path == ":memory:" else FileIdentity(path)

    def check_identity(self) -> None:
        """Raises StorageLost when the file was deleted or replaced since it was opened."""
        if self.identity is not None:
            self.identity.check()

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
            except sqlite3.Error as error:
                mapped = unavailable(error)
                if mapped is not None:
                    raise mapped from error
                raise
            finally:
                _holding.reset(token)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if _holding.get():
            raise RuntimeError("nested transaction")
        self.check_identity()
        async with self._hold() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise
        self.check_identity()  # before anyone is told it is saved

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement; outside a transaction it commits on its own."""
        alone = not _holding.get()
        if alone:
            self.check_identity()
        async with self._hold() as conn:
            cursor = await conn.execute(sql, params)
        if alone and cursor.rowcount > 0:
            self.check_identity()
        return cursor

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        alone = not _holding.get()
        if alone:
            self.check_identity()
        async with self._hold() as conn:
            await conn.executemany(sql, rows)
        if alone:
            self.check_identity()

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
