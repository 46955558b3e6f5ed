"""WAL checkpoints in a thread of their own.

SQLite normally checkpoints inside whichever commit pushes the write-ahead log past 1000 pages,
so that commit, and every caller waiting on it, waits for the copy into the database file. The
response writer asks this checkpointer instead, after roughly that much writing, and the copy
runs on a connection and thread of its own beside the writer's next commits.

PASSIVE checkpoints never block a writer, so under sustained writing they may never catch up
with the end of the log, and SQLite only starts the log over once a checkpoint has. The writer
therefore keeps SQLite's own checkpoint as a backstop at SAFETY_PAGES: the log stays bounded.
"""

from __future__ import annotations

import sqlite3
import threading

from seminarbot.storage.db import BUSY_TIMEOUT_MS

PAGE_BYTES = 4096
EVERY_BYTES = 1000 * PAGE_BYTES  # what SQLite's default wal_autocheckpoint amounts to
SAFETY_PAGES = 10_000


class Checkpointer:
    def __init__(self, path: str) -> None:
        self.path = path
        self._pending = 0
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        self.checkpoints = 0

    def wrote(self, approximate_bytes: int) -> None:
        """Called after each commit; starts a checkpoint once enough has been written."""
        self._pending += approximate_bytes
        if self._pending < EVERY_BYTES:
            return
        self._pending = 0
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint",
                                            daemon=True)
            self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = FULL")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.OperationalError:
                    pass  # busy: the next request, or SQLite's own backstop, catches up
        finally:
            conn.close()
