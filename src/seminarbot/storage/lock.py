"""One process per database: an exclusive lock on `<database>.lock` beside it, held for the
life of a process that writes (run, console, db migrate, content ingest). The file records the
holder's pid so a refused process can name it.

flock(2) locks belong to an open file, so they are released when the holder exits, however it
exits (no stale lock after a crash), and two opens in one process exclude each other too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""

    def __init__(self, database: Path, pid: int | None) -> None:
        holder = f"another seminarbot (pid {pid})" if pid else "another seminarbot"
        super().__init__(f"{holder} is using {database}; stop it first, or use another "
                         "--db (read-only commands such as `db check`, `cohorts` and `export` "
                         "work beside it)")
        self.pid = pid


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the database's lock while the block runs. Raises DatabaseInUse at once (no wait)
    when another process holds it. An in-memory database needs no lock."""
    if str(database) == ":memory:":
        yield
        return
    path = lock_path(database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        # No lock can be kept where the database would be (a path through a file, a folder
        # that may not be written): opening the database says what is wrong, in one line.
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(database, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None
