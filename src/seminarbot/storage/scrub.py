"""Erased words kept out of SQLite's write-ahead log.

`secure_delete` zeroes the space a deletion frees, but in WAL mode the zeroed pages are appended
to the log (`<database>-wal`) after the frames that still hold the words, and SQLite neither
truncates the log nor overwrites those frames until it happens to reuse that part of the file:
after a forget-me the person's words stayed readable in the log for as long as the bot ran.
So after a commit that erased someone's words (storage.db `Database.erased`), the log is
checkpointed into the file, whose pages now hold the zeroed versions, and truncated to zero
bytes (`PRAGMA wal_checkpoint(TRUNCATE)`, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint).
Where another connection still reads from the log, that waits for the next commit on either of
the bot's connections (the response writer's too), and a start truncates what a crash left.
"""

from __future__ import annotations

import logging
import sqlite3

import aiosqlite

from seminarbot.storage.dbfile import BUSY_TIMEOUT_MS, sqlite_said

log = logging.getLogger(__name__)
# How long the truncation waits for another connection (the response writer's, an export's
# reader) to finish with the log; it is tried again after the next commit if that is not enough.
WAIT_MS = 250


class Erasures:
    """Commits that erased words, and how many of them the log was truncated after. Counts, not
    a flag: a truncation that began before an erasure was committed does not clear it (the
    response writer's commits ask for one from another thread of control)."""

    def __init__(self) -> None:
        self.committed = 0
        self.scrubbed = 0
        self.erasing = False  # the transaction under way erases words

    @property
    def due(self) -> bool:
        return self.committed > self.scrubbed

    def ended(self, *, committed: bool) -> None:
        """The transaction (or lone statement) under way ended."""
        self.committed += committed and self.erasing
        self.erasing = False


async def truncate_log(conn: aiosqlite.Connection) -> bool:
    """Checkpoint the whole log into the file and truncate it: True when done (or the database
    keeps no log); False, said at WARNING, when another connection still used it or SQLite
    failed (a full disk): the caller tries again later."""
    try:
        with sqlite_said():
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
