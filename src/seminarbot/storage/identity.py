"""Is the database still the file that was opened? A file deleted, replaced by another (a
rename over it) or overwritten in place (`cp backup.db seminar.db` keeps the inode) under a
running process takes every later write into a file nobody will read again, or mixes this
process's write-ahead log into another file's pages; the bot must notice before it says
"recorded" (README: What is stored).

A deletion or a rename shows in the path's device and inode. An overwrite does not, so the
process that owns the database (`run`, `console`) stamps it: a random number in the header's
user_version field (bytes 60–63, https://www.sqlite.org/fileformat.html#user_version_number),
checkpointed into the file at once. Every later checkpoint copies page 1 with the same stamp,
so the file on disk shows this process's stamp until something else is written over it. A
backup made with `seminarbot db backup` carries no stamp (0), so copying even a fresh one
over the running database is noticed.

The write-ahead log (`<database>-wal`) holds what was committed since the last checkpoint:
deleted under the running process, what it holds is in a file nobody will read again (a crash
loses it; a checkpoint or SQLite's own close still copies it in), and so is every later write.
Its shared-memory index (`-shm`) deleted, another process (an export) makes a new one and its
writes go where this process's next ones overwrite them. So the device and inode of both are
noted when the owner stamps the file, and checked as the file's are (`log_lost` says it was
one of them); SQLite deletes neither while this connection is open
(https://www.sqlite.org/wal.html).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3

from seminarbot.domain.errors import StorageLost
from seminarbot.storage.dbfile import sqlite_said

_USER_VERSION = 60  # the header's offset of user_version, a big-endian signed 32-bit integer


class FileIdentity:
    """The device and inode of a path as it was when opened, and the stamp this process
    wrote into it (`claim`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._opened = _identity(path)
        self._stamp: int | None = None
        self._before: int | None = None
        self._seen = False  # the stamp has reached the file on disk
        self._descriptor: int | None = None
        self._side: dict[str, tuple[int, int] | None] = {}  # the -wal's and -shm's, claimed
        self.lost = False
        self.lost_path = path
        self.overwritten = False

    def claim(self, stamp: int, before: int) -> None:
        """From now on the file must carry `stamp` (or, until a checkpoint copies it there,
        `before`, the value it had when this process opened it). The file stays open until
        `release`: closing any descriptor of it would drop SQLite's POSIX locks on it."""
        self._stamp, self._before = stamp, before
        self._descriptor = os.open(self.path, os.O_RDONLY)
        self._side = {path: _identity(path) for path in (f"{self.path}-wal", f"{self.path}-shm")}

    def release(self) -> None:
        """Close the file kept open by `claim`; only after SQLite's connection is closed."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def check(self) -> None:
        """Raises StorageLost when the path is gone, is another file, or was overwritten;
        once lost, always."""
        if not self.lost:
            self.lost = self._changed()
        if self.lost:
            raise StorageLost(self.lost_path)

    @property
    def log_lost(self) -> bool:
        """The -wal or -shm, not the file, was deleted or replaced: what the log holds is
        still this file's, copied in by a checkpoint through the open connection."""
        return self.lost and self.lost_path != self.path

    def _changed(self) -> bool:
        if _identity(self.path) != self._opened:
            return True
        for path, noted in self._side.items():
            if noted is not None and _identity(path) != noted:
                self.lost_path = path
                return True
        if self._descriptor is None:
            return False
        try:
            field = os.pread(self._descriptor, 4, _USER_VERSION)
        except OSError:
            return True
        found = int.from_bytes(field, "big", signed=True) if len(field) == 4 else None
        if found == self._stamp:
            self._seen = True
            return False
        self.overwritten = self._seen or found != self._before
        return self.overwritten


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def hold_off_checkpoint(path: str) -> sqlite3.Connection | None:
    """A read-only connection holding a read lock on an overwritten database, so that closing
    this process's own connection does not checkpoint its log into the other file's pages (a
    read-only connection never checkpoints). None when the file cannot be read at all."""
    try:
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        with sqlite_said():
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.Error:
        reader.close()
        return None
    return reader


def set_log_aside(path: str) -> None:
    """After an overwrite: keep this process's write-ahead log as `<db>-wal.orphaned` (it
    belongs to the file that was overwritten; replayed onto the new one it would damage it)
    and drop the shared-memory index."""
    with contextlib.suppress(OSError):
        os.replace(f"{path}-wal", f"{path}-wal.orphaned")
    with contextlib.suppress(OSError):
        os.unlink(f"{path}-shm")
