"""`seminarbot db backup`'s copy: SQLite's online backup API into a new file of this user's
only, carrying no process's stamp (storage.identity), and checked sound."""

from __future__ import annotations

import errno
import os
import secrets
import sqlite3
from pathlib import Path

import aiosqlite

from seminarbot.config.files import partial_prefix, remove_stale_partials
from seminarbot.storage.private import PRIVATE_FILE
from seminarbot.storage.sidefiles import removed


async def copy_to(conn: aiosqlite.Connection, target: Path) -> None:
    """A consistent online copy of the database `conn` is open on. Raises FileExistsError if
    anything is at `target` (a symbolic link too), OSError if it cannot be created,
    sqlite3.Error if the copy fails or is of a damaged database; a failed copy leaves no
    file behind. It is made under a hidden name beside `target` and linked there whole: a
    process ended mid-copy (a stop that could not wait for a slow disk) leaves no half copy
    at `target` for a later backup to be refused by (helper-144)."""
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "a backup never replaces a file", str(target))
    # What a backup here ended before its end left (a stop that could not wait for a slow
    # disk: helper-145, a kill): a copy of the participants' words, removed; not one that
    # another backup to the same name is writing now (helper-150's 8: it failed, "disk I/O").
    remove_stale_partials(target, f"{'[0-9a-f]' * 8}.partial*")
    made = target.with_name(f"{partial_prefix(target)}{secrets.token_hex(4)}.partial")
    os.close(os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    try:
        destination = await aiosqlite.connect(str(made))
        try:
            await conn.backup(destination)
            await _unstamped_and_sound(destination)
        finally:
            await destination.close()
        _put(made, target)
    finally:
        removed(made)


def _put(made: Path, target: Path) -> None:
    """`made` at `target` too, never over a file made there meanwhile (FileExistsError): a hard
    link, or where the file system has none (FAT) a rename after one more look."""
    try:
        os.link(made, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "a backup never replaces a file",
                                  str(target)) from None
        os.rename(made, target)


async def _unstamped_and_sound(copy: aiosqlite.Connection) -> None:
    """A copy carries no process's stamp, and a copy of a damaged database is not a backup:
    raises sqlite3.DatabaseError with what SQLite's quick check found."""
    await copy.execute("PRAGMA user_version = 0")
    found = [row[0] for row in await copy.execute_fetchall("PRAGMA quick_check")]
    if found != ["ok"]:
        raise sqlite3.DatabaseError(f"database disk image is malformed: {'; '.join(found[:3])}")
