"""The one SQLite connection: PRAGMAs, serialised transactions, and small query helpers."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from seminarbot.domain.errors import Busy, FileDamaged, StorageLost, WriteFailed
from seminarbot.storage.closing import roll_back, to_the_end
from seminarbot.storage.damage import rows_read, sql_functions
from seminarbot.storage.dbfile import (
    BUSY_TIMEOUT_MS,
    DatabaseUnusable,
    ProbeDone,
    connected,
    describe,
    immutable_uri,
    is_damage,
    made_here,
    ours_kept_private,
    pragmas,
    sqlite_said,
    unavailable,
    unreadable_here,
)
from seminarbot.storage.foreign import checked_as_ours
from seminarbot.storage.identity import FileIdentity, hold_off_checkpoint, set_log_aside
from seminarbot.storage.scrub import Erasures, truncate_log
from seminarbot.storage.sidefiles import removed

Row = aiosqlite.Row
# Set while the current task holds the connection, so nested calls do not wait on themselves.
_holding: contextvars.ContextVar[bool] = contextvars.ContextVar("seminarbot_db", default=False)


class Database:
    """All access goes through one connection, one task at a time. `transaction()` is BEGIN
    IMMEDIATE … COMMIT, rolled back on any exception, so a command that fails half-way leaves
    nothing behind. Reads outside a transaction take the same lock so they never observe
    another task's uncommitted writes."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self.identity = None if path == ":memory:" else FileIdentity(path)
        self.erasures = Erasures()  # of words, to be kept out of the log (storage.scrub)
        self.new = False  # made by this process, and migrated from no table by this open

    def check_identity(self) -> None:
        """Raises StorageLost when the file was deleted or replaced since it was opened."""
        if self.identity is not None:
            self.identity.check()

    async def check(self) -> None:
        """check_identity; a log found deleted (storage.identity) is first copied into the file,
        still this one, through the connection: a crash would lose what it holds."""
        try:
            self.check_identity()
        except StorageLost:
            if self.identity is not None and self.identity.log_lost:
                with contextlib.suppress(sqlite3.Error, Busy, WriteFailed, FileDamaged):
                    async with self._hold() as conn:
                        await conn.execute("PRAGMA wal_checkpoint(FULL)")
            raise

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True, create: bool = True,
                   write: bool = True) -> Database:
        """Open (with `create`, make if missing: folders 0700, the file 0600) and, with
        `migrate`, bring the schema up to date. `write=False` is for commands that only read:
        nothing is created, migrated or converted, and the file may be read-only.

        Raises DatabaseUnusable (one line naming the file and what is wrong) for a missing,
        empty, foreign, damaged, read-only (when writing) or newer database. The connection is
        closed on every error path, so no connection thread outlives a failed open."""
        location = str(path)
        if location != ":memory:":
            checked_as_ours(Path(location), create=create and write, write=write)
        try:
            return await cls._connect(location, location, write=write, migrate=migrate)
        except DatabaseUnusable as refused:
            if write or not unreadable_here(refused, location):
                raise
        # A folder this user may not write, and no log beside the file: SQLite cannot make
        # the -shm it wants, but the file alone is the whole database, read as it is.
        return await cls._connect(location, immutable_uri(location), write=False,
                                  migrate=False)

    @classmethod
    async def _connect(cls, location: str, target: str, *, write: bool, migrate: bool
                       ) -> Database:
        opening = asyncio.ensure_future(connected(target, uri=target != location))
        try:
            conn = await asyncio.shield(opening)
        except sqlite3.Error as error:
            raise DatabaseUnusable(location, describe(error, location)) from error
        except asyncio.CancelledError:
            # Stopped while SQLite opens the file: close it first, or its thread would answer
            # a loop already closed (a traceback from the thread as the process ends).
            with contextlib.suppress(Exception):
                await (await opening).close()
            raise
        db = cls(conn, location)
        try:
            await db._setup(write=write, migrate=migrate)
        except BaseException as error:
            await conn.close()
            if db.new and location != ":memory:":  # half built: it would pass for one later
                removed(Path(location))  # (a full disk, a stop: helper-146's 5, 152's 7)
            cause = error.__cause__ if isinstance(error, WriteFailed | FileDamaged) else error
            if isinstance(cause, sqlite3.Error):
                raise DatabaseUnusable(location, describe(cause, location)) from error
            raise
        return db

    async def _setup(self, *, write: bool, migrate: bool) -> None:
        self._conn.row_factory = aiosqlite.Row
        await sql_functions(self._conn)
        timeout, *statements = pragmas(read_only=not write)
        try:
            with sqlite_said():
                await self._conn.execute(timeout)  # before anything reads
                tables = {row[0] for row in await self._conn.execute_fetchall(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                self.new = write and migrate and not tables and made_here(self.path)
                ours_kept_private(self.path, tables, write=write)  # before WAL changes it
                for statement in statements:
                    await self._conn.execute(statement)
        except sqlite3.DatabaseError as error:
            if write or not is_damage(error):
                raise
            tables = set()  # damaged: a command that reads (db check) says what it can
        if write:
            await self._probe_write()
        if migrate:
            from seminarbot.storage.migrate import migrate as run_migrations

            await run_migrations(self)

    async def _probe_write(self) -> None:
        """Fail now, not at the first command, when the file cannot be written: rewrite the
        header's user_version with its own value and roll back. Another process writing just
        now shows the file is writable; the probe does not wait for it."""
        version = int(await self.scalar("PRAGMA user_version"))
        await self.execute("PRAGMA busy_timeout = 0")
        try:
            async with self.transaction() as conn:
                await conn.execute(f"PRAGMA user_version = {version}")
                raise ProbeDone()
        except (ProbeDone, Busy):
            pass
        finally:
            await self.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    async def claim(self) -> None:
        """Stamp the file as this process's (storage.identity): only the process that owns the
        database (run, console) does, so that a file copied over it is noticed."""
        if self.identity is None:
            return
        before = int(await self.scalar("PRAGMA user_version"))
        stamp = secrets.randbelow(2**31 - 1) + 1
        await self.execute(f"PRAGMA user_version = {stamp}")
        await self.execute("PRAGMA wal_checkpoint(FULL)")  # the stamp into the file itself
        self.identity.claim(stamp, before)
        self.erasures.committed += 1  # what a crash left in the log, erased words among it
        await self.scrub()

    async def close(self) -> None:
        """Close once no task holds it (one cancelled mid-query ends it first), to the end even
        if stopped meanwhile (storage.closing); an overwritten file's log is set aside."""
        await to_the_end(self._close())

    async def _close(self) -> None:
        free: AbstractAsyncContextManager[Any] = (contextlib.nullcontext() if _holding.get()
                                                  else self._lock)
        async with free:
            if self.identity is None or not self.identity.overwritten:
                await self._conn.close()
            else:
                reader = hold_off_checkpoint(self.path)
                try:
                    await self._conn.close()
                finally:
                    if reader is not None:
                        reader.close()
                        set_log_aside(self.path)
        if self.identity is not None:
            self.identity.release()

    @asynccontextmanager
    async def _hold(self) -> AsyncIterator[aiosqlite.Connection]:
        if _holding.get():
            yield self._conn
            return
        async with self._lock:
            token = _holding.set(True)
            try:
                with sqlite_said():
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
        await self.check()
        async with self._hold() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                self.erasures.ended(committed=False)
                if conn.in_transaction:
                    await roll_back(conn)
                raise
        self.erasures.ended(committed=True)
        await self.check()  # before anyone is told it is saved
        await self.scrub()

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement; outside a transaction it commits on its own."""
        alone = not _holding.get()
        if alone:
            await self.check()
        async with self._hold() as conn:
            cursor = await conn.execute(sql, params)
        if alone:
            self.erasures.ended(committed=True)
        if alone and cursor.rowcount > 0:
            await self.check()
            await self.scrub()
        return cursor

    def erased(self) -> None:
        """Words are erased by what is under way: once committed, the log keeps no copy."""
        self.erasures.erasing = True

    async def scrub(self) -> None:
        """Truncate the log if an erasure was committed since it last was (storage.scrub)."""
        if self.erasures.due:
            upto = self.erasures.committed
            async with self._hold() as conn:
                if await truncate_log(conn):
                    self.erasures.scrubbed = max(self.erasures.scrubbed, upto)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        alone = not _holding.get()
        if alone:
            await self.check()
        async with self._hold() as conn:
            await conn.executemany(sql, rows)
        if alone:
            await self.check()

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self._read(sql, params, many=False)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._read(sql, params)

    async def fetch_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, in one trip to the connection's thread: the large paged reads
        of exports and statistics."""
        return await self._read(sql, params, factory=None)

    async def _read(self, sql: str, params: Sequence[Any], *, many: bool = True,
                    factory: Any = aiosqlite.Row) -> list[Any]:
        """The rows (the first only unless `many`), damaged text as U+FFFD (damage.rows_read)."""
        async with self._hold() as conn:
            return await rows_read(conn, sql, params, many=many, factory=factory)

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: str | Path) -> None:
        """A consistent online copy at `target` (storage.backup.copy_to says what it raises)."""
        from seminarbot.storage.backup import copy_to

        async with self._hold() as conn:
            await copy_to(conn, Path(target))
