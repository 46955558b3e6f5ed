"""One process per database: an exclusive lock on `<database>.lock` beside it, held for the
life of a process that writes (run, console, db migrate, content ingest). The file records the
holder's pid and host name (in a container the pid is 1 and the host name its id) so a refused
process can name it.

flock(2) locks belong to an open file, so they are released when the holder exits, however it
exits (no stale lock after a crash), and two opens in one process exclude each other too.
The lock is never skipped: a lock file that cannot be made, opened or locked refuses the start
(LockUnavailable), since two bots on one database would post every session twice.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from seminarbot.storage.access import permission_fix


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""

    def __init__(self, database: Path, holder: str | None) -> None:
        who = f"another seminarbot ({holder})" if holder else "another seminarbot"
        super().__init__(f"{who} is using {database}; stop it first, or use another "
                         "--db (read-only commands such as `db check`, `cohorts` and `export` "
                         "work beside it)")
        self.holder = holder


class LockUnavailable(Exception):
    """The lock file cannot be made, opened or locked: one line naming it, why, and the fix."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the database's lock while the block runs. Raises DatabaseInUse at once (no wait)
    when another process holds it, LockUnavailable when it cannot be taken at all. An in-memory
    database needs no lock."""
    if str(database) == ":memory:":
        yield
        return
    path = lock_path(database)
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise LockUnavailable(_unopenable(path, database, error)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(database, _holder(fd)) from None
        except OSError as error:  # ENOLCK, EOPNOTSUPP: a file system without locks
            raise LockUnavailable(
                f"the lock {path} cannot be taken ({error.strerror or error}): this file "
                "system does not support locks; keep the database on a local disk") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _unopenable(path: Path, database: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = "a part of the path is a file, not a folder"
        return (f"the lock {path} for {database} cannot be made ({reason}); check --db, "
                "SEMINARBOT_DB or data_dir")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        existing = path.exists()
        fix = permission_fix(path if existing else path.parent, error)
        if existing:
            fix += ", or remove the lock file while no seminarbot runs"
        return (f"the lock {path} for {database} cannot be opened ({reason}), and without it "
                f"a second seminarbot could use the same database; {fix}")
    return f"the lock {path} for {database} cannot be opened ({reason})"


def _holder(fd: int) -> str | None:
    """`pid N on HOST` as the holder wrote it (an older one wrote the pid alone)."""
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if text.isdigit():
        return f"pid {text}"
    return text if text.startswith("pid ") and text.isprintable() else None
