"""The files SQLite keeps beside a database (README: What is stored; SQLite docs, Temporary
Files Used By SQLite): named once, for what opens, protects, copies or removes a database, and
what must not be there when a new one is made."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from seminarbot.storage.access import kind_of

WAL, SHM = "-wal", "-shm"  # in WAL mode: the write-ahead log and its shared-memory index
COMPANIONS = (WAL, SHM)
JOURNAL = "-journal"  # the rollback journal, in any other journal mode


def beside(database: Path) -> tuple[Path, ...]:
    """The files SQLite may keep beside the database: its -wal, -shm and -journal."""
    return tuple(Path(f"{database}{side}") for side in (*COMPANIONS, JOURNAL))


def removed(database: Path) -> None:
    """The database and the files SQLite keeps beside it removed, those that are there."""
    for path in (database, *beside(database)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def not_a_file(database: Path) -> str | None:
    """What is wrong beside an existing `database`, or None: a -wal, -shm or -journal that is
    no regular file (a folder, a FIFO, a device, a symbolic link) or a hard link. SQLite opens
    them by name and follows a link: a FIFO held every command on open for ever, a folder or a
    link gave a wrong reason (a full disk, a folder this user may not write). They are beside
    the file a symbolic link to the database leads to, where SQLite keeps them."""
    for side in beside(Path(os.path.realpath(database))):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            found = os.lstat(side)
            # A hard link too: SQLite would write into the file it shares (helper-182's 2).
            kind = kind_of(found.st_mode) if not stat.S_ISREG(found.st_mode) else \
                "a hard link to another file" if found.st_nlink > 1 else None
            if kind is not None:
                return (f"{side.name} beside it is {kind}, where SQLite keeps a file of its "
                        f"own: with no seminarbot running on it, move {side.name} away")
    return None


def in_the_way_of_a_new(database: Path) -> str | None:
    """Why no database may be made at `database` (which is not there), or None. A write-ahead
    log or a rollback journal there is a database's that was moved or deleted: SQLite would
    take it into the new one, or delete it (SQLite docs, Atomic Commit: hot journals). A -shm
    that is no regular file (a link, a folder) SQLite would open as its shared memory, or fail
    to, once it has made the database (a stray regular one it rebuilds)."""
    for side in (WAL, JOURNAL):
        orphan = Path(f"{database}{side}")
        if os.path.lexists(orphan):
            return (f"is not there, but {orphan.name} is: it belongs to a database that was "
                    "moved or deleted, and a new one would take it in. Put the database back, "
                    f"or move {orphan.name} away; nothing was created")
    shm = Path(f"{database}{SHM}")
    with contextlib.suppress(OSError):  # none there, or no folder to hold one: said later
        mode = os.lstat(shm).st_mode
        if not stat.S_ISREG(mode):
            return (f"is not there, and {shm.name} beside it is {kind_of(mode)}, where a new "
                    f"database keeps a file of its own: move {shm.name} away; nothing was "
                    "created")
    return None
