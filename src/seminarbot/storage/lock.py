"""One process per database, and one `run` per data directory.

A process that writes (run, console, db migrate, content ingest) holds two flock(2) locks for
its life: one on the database file itself (made first if missing), so that every name of it
(a symbolic link, a hard link) and a deleted lock file change nothing, and one on
`<database>.lock` beside the file the name resolves to, which records the holder's pid so a
refused process can name it. `seminarbot run` also locks its data directory, whose Matrix store
(login, end-to-end keys, sync token) and heartbeat two bots must not share, whatever database
each uses.

flock locks belong to an open file, so they are released when the holder exits, however it
exits (no stale lock after a crash), and two opens in one process exclude each other too. They
are independent of SQLite's own POSIX locks; the database's descriptor stays open until the
process ends, since closing one would drop those.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from seminarbot.storage.dbfile import DatabaseUnusable, create_if_missing


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""

    def __init__(self, database: Path, pid: int | None) -> None:
        holder = f"another seminarbot (pid {pid})" if pid else "another seminarbot"
        super().__init__(f"{holder} is using {database}; stop it first, or use another "
                         "--db (read-only commands such as `db check`, `cohorts` and `export` "
                         "work beside it)")
        self.pid = pid


class DataDirInUse(DatabaseInUse):
    """Another `seminarbot run` holds the data directory's lock."""

    def __init__(self, data_dir: Path) -> None:
        Exception.__init__(self, f"another `seminarbot run` is using the data directory "
                                 f"{data_dir} (its Matrix store and heartbeat); stop it first, "
                                 "or give each bot its own data_dir")
        self.pid = None


def lock_path(database: Path) -> Path:
    """`<database>.lock` beside the file the name resolves to (through symbolic links)."""
    real = Path(os.path.realpath(database))
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the database's locks while the block runs. Raises DatabaseInUse at once (no wait)
    when another process holds either. An in-memory database needs no lock."""
    if str(database) == ":memory:":
        yield
        return
    record, created = _open_record(database)
    itself: int | None = None
    try:
        try:
            _take(record, database)
            create_if_missing(database)
            itself = _open_existing(database)
            _take(itself, database)
            _write_pid(record, database, created)
        except BaseException:
            if created:  # a refused process leaves nothing behind
                with contextlib.suppress(OSError):
                    lock_path(database).unlink()
            raise
        yield
    finally:
        for descriptor in (itself, record):  # closing releases the lock
            if descriptor is not None:
                os.close(descriptor)


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's lock (for `seminarbot run`). Raises DataDirInUse at once."""
    folder = _open_existing(data_dir)
    try:
        if folder is not None:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DataDirInUse(data_dir) from None
        yield
    finally:
        if folder is not None:
            os.close(folder)


def _open_record(database: Path) -> tuple[int | None, bool]:
    """The pid record's descriptor (None when it cannot be opened: opening the database then
    says what is wrong, in one line) and whether it was created just now."""
    path = lock_path(database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600), True
        except FileExistsError:
            return os.open(path, os.O_RDWR), False
    except OSError:
        return None, False


def _open_existing(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None  # cannot be opened: opening the database says why


def _take(descriptor: int | None, database: Path) -> None:
    if descriptor is None:
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise DatabaseInUse(database, _holder(lock_path(database))) from None


def _write_pid(record: int | None, database: Path, created: bool) -> None:
    """Record this process's pid; a disk too full for it is the database's problem, said as
    such (exclusive removes the empty lock file)."""
    if record is None:
        return
    try:
        os.ftruncate(record, 0)
        os.write(record, f"{os.getpid()}\n".encode())
    except OSError as error:
        raise DatabaseUnusable(database, f"cannot be used: its lock file {lock_path(database)} "
                                         f"cannot be written ({error.strerror})") from None


def _holder(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
