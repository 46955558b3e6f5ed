"""`seminarbot db backup`'s copy: SQLite's online backup API into a new file of this user's
only, carrying no process's stamp (storage.identity), and checked sound."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import aiosqlite

from seminarbot.storage.dbfile import PRIVATE_FILE
from seminarbot.storage.sidefiles import removed


async def copy_to(conn: aiosqlite.Connection, target: Path) -> None:
    """A consistent online copy of the database `conn` is open on. Raises FileExistsError if
    anything is at `target` (a symbolic link too), OSError if it cannot be created,
    sqlite3.Error if the copy fails or is of a damaged database; a failed copy leaves no
    file behind."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    try:
        destination = await aiosqlite.connect(str(target))
        try:
            await conn.backup(destination)
            await _unstamped_and_sound(destination)
        finally:
            await destination.close()
    except BaseException:
        removed(target)
        raise


async def _unstamped_and_sound(copy: aiosqlite.Connection) -> None:
    """A copy carries no process's stamp, and a copy of a damaged database is not a backup:
    raises sqlite3.DatabaseError with what SQLite's quick check found."""
    await copy.execute("PRAGMA user_version = 0")
    found = [row[0] for row in await copy.execute_fetchall("PRAGMA quick_check")]
    if found != ["ok"]:
        raise sqlite3.DatabaseError(f"database disk image is malformed: {'; '.join(found[:3])}")
