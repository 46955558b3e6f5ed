"""Erased words kept out of SQLite's write-ahead log.

`secure_delete` zeroes the space a deletion frees, but in WAL mode the zeroed pages are appended
to the log (`<database>-wal`) after the frames that still hold the words, and SQLite neither
truncates the log nor overwrites those frames until it happens to reuse that part of the file:
after a forget-me the person's words stayed readable in the log for as long as the bot ran.
So after a commit that erased someone's words (storage.db `Database.erased`), the log is
checkpointed into the file, whose pages now hold the zeroed versions, and truncated to zero
bytes (`PRAGMA wal_checkpoint(TRUNCATE)`, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint).
"""

from __future__ import annotations

import logging
import sqlite3

import aiosqlite

from seminarbot.storage.dbfile import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)
# How long the truncation waits for another connection (the response writer's, an export's
# reader) to finish with the log; it is tried again after the next commit if that is not enough.
WAIT_MS = 250


async def truncate_log(conn: aiosqlite.Connection) -> bool:
    """Checkpoint the whole log into the file and truncate it: True when done (or the database
    keeps no log); False, said at WARNING, when another connection still used it or SQLite
    failed (a full disk): the caller tries again later."""
    try:
        await conn.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
        try:
            rows = list(await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        finally:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.Error as error:
        log.warning("the write-ahead log still holds erased text (%s); truncating it again "
                    "after the next change", error)
        return False
    if rows and rows[0][0]:
        log.warning("the write-ahead log still holds erased text (another connection is "
                    "using it); truncating it again after the next change")
        return False
    return True
