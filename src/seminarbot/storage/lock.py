"""One process per database, and one `run` per data directory.

A process that writes (run, console, db migrate, content ingest) holds two flock(2) locks for
its life: one on the database file itself (made first if missing), so that every name of it
(a symbolic link, a hard link) and a deleted lock file change nothing, and one on
`<database>.lock` beside the file the name resolves to, which records the holder's pid and host
name (in a container the pid is 1 and the host name its id) so a refused process can name it.
`seminarbot run` also locks its data directory, whose Matrix store (login, end-to-end keys, sync
token) and heartbeat two bots must not share, whatever database each uses.

flock locks belong to an open file, so they are released when the holder exits, however it
exits (no stale lock after a crash), and two opens in one process exclude each other too. They
are independent of SQLite's own POSIX locks; the database's descriptor stays open until the
process ends, since closing one would drop those. The lock is never skipped: a lock file that
cannot be made, opened or locked refuses the start (LockUnavailable), since two bots on one
database would post every session twice.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from seminarbot.config.files import open_own, owned_as_folder
from seminarbot.storage.access import chosen_folder_fix, in_the_way, permission_fix
from seminarbot.storage.dbfile import DatabaseUnusable, create_if_missing, prepare
from seminarbot.storage.foreign import not_foreign
from seminarbot.storage.private import make_private_dirs


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""

    def __init__(self, database: Path, holder: str | None) -> None:
        who = f"another seminarbot ({holder})" if holder else "another seminarbot"
        super().__init__(f"{who} is using {database}; stop it first, or use another "
                         "--db (read-only commands such as `db check`, `cohorts` and `export` "
                         "work beside it)")
        self.holder = holder


class DataDirInUse(DatabaseInUse):
    """Another `seminarbot run` holds the data directory's lock."""

    def __init__(self, data_dir: Path) -> None:
        Exception.__init__(self, f"another `seminarbot run` is using the data directory "
                                 f"{data_dir} (its Matrix store and heartbeat); stop it first, "
                                 "or give each bot its own data_dir")
        self.holder = None


class LockUnavailable(Exception):
    """The lock file cannot be made, opened or locked: one line naming it, why, and the fix."""


HOLDER_BYTES = 300  # `pid N on HOST`: a host name is at most 255 bytes (POSIX HOST_NAME_MAX)


LOCK_SUFFIX = ".lock"


def lock_path(database: Path) -> Path:
    """`<database>.lock` beside the file the name resolves to (through symbolic links)."""
    real = Path(os.path.realpath(database))
    return real.with_name(real.name + LOCK_SUFFIX)


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the database's locks while the block runs. Raises DatabaseInUse at once (no wait)
    when another process holds either, LockUnavailable when the lock file cannot be taken at
    all. An in-memory database needs no lock."""
    if str(database) == ":memory:":
        yield
        return
    if database.is_symlink() and not database.exists():  # its lock would be made where it
        # leads, folders and all (helper-103); no database is made through a link either.
        # prepare says which: it leads nowhere, or in a loop.
        prepare(database, create=False)
    if os.path.exists(database):  # another program's is refused before its folder gets our
        not_foreign(database, made=prepare(database, create=False))  # lock (helper-160's 4)
    record, created = _open_record(database)
    itself: int | None = None
    try:
        try:
            _take(record, database, required=True)
            create_if_missing(database)
            itself = _open_existing(database)
            # Held by another while the record was free: the record is not its (a file was
            # moved over it), so its words name no one (helper-129's 15).
            _take(itself, database, required=False, named=False)
            _write_pid(record, database)
        except BaseException:
            if created:  # a refused process leaves nothing behind
                with contextlib.suppress(OSError):
                    lock_path(database).unlink()
            raise
        try:
            yield
        except DatabaseUnusable:  # refused once opened (damaged, not seminarbot's): the same
            if created:
                with contextlib.suppress(OSError):
                    lock_path(database).unlink()
            raise
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


def _open_record(database: Path) -> tuple[int, bool]:
    """The pid record's descriptor and whether it was created just now. Raises
    LockUnavailable, naming the file, why and the fix, when it cannot be made or opened."""
    path = lock_path(database)
    try:
        if not path.parent.is_dir():
            make_private_dirs(path.parent)
        try:
            made = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            owned_as_folder(made, path.parent)
            return made, True
        except FileExistsError:
            # Written over: never through a link, into the file it names (helper-179's 4).
            return open_own(path, os.O_RDWR), False
    except OSError as error:
        raise LockUnavailable(_unopenable(path, database, error)) from None


def _open_existing(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None  # cannot be opened: opening the database says why


def _take(descriptor: int | None, database: Path, *, required: bool, named: bool = True
          ) -> None:
    if descriptor is None:
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise DatabaseInUse(database, _holder(lock_path(database)) if named else None) from None
    except OSError as error:  # ENOLCK, EOPNOTSUPP: a file system without locks
        if required:
            raise LockUnavailable(
                f"the lock {lock_path(database)} cannot be taken ({error.strerror or error}): "
                "this file system does not support locks; keep the database on a local "
                "disk") from None


def _write_pid(record: int, database: Path) -> None:
    """Record this process's pid and host; a disk too full for it is the database's problem,
    said as such (exclusive removes the empty lock file)."""
    try:
        os.ftruncate(record, 0)
        os.write(record, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
    except OSError as error:
        raise DatabaseUnusable(database, f"cannot be used: its lock file {lock_path(database)} "
                                         f"cannot be written ({error.strerror})") from None


def _unopenable(path: Path, database: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.errno in (errno.ELOOP, errno.EINVAL, errno.EISDIR, errno.ENXIO, errno.EMLINK):
        kind = {errno.ELOOP: "a symbolic link", errno.EMLINK: "a hard link to another file"
                }.get(error.errno or 0, "not a regular file")
        return (f"the lock {path} for {database} cannot be used (it is {kind}); remove it "
                "while no seminarbot runs")
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = in_the_way(path) or "a part of the path is a file, not a folder"
        return (f"the lock {path} for {database} cannot be made ({reason}); check --db, "
                "SEMINARBOT_DB or data_dir")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        existing = path.exists()
        fix = permission_fix(path, error) if existing else chosen_folder_fix(
            path.parent, error, ours=(database.name,))
        if existing:
            fix += ", or remove the lock file while no seminarbot runs"
        return (f"the lock {path} for {database} cannot be opened ({reason}), and without it "
                f"a second seminarbot could use the same database; {fix}")
    return f"the lock {path} for {database} cannot be opened ({reason})"


def _holder(path: Path) -> str | None:
    """`pid N on HOST` as the holder wrote it (an older one wrote the pid alone); None for
    anything else (read no further than HOLDER_BYTES: any file may have been moved there)."""
    try:
        with path.open("rb") as record:
            text = record.read(HOLDER_BYTES).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if text.isdigit():
        return f"pid {text}"
    return text if text.startswith("pid ") and text.isprintable() else None
