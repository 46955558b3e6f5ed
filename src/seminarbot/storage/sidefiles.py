"""The files SQLite keeps beside a database (README: What is stored; SQLite docs, Temporary
Files Used By SQLite): named once, for what opens, protects, copies or removes a database."""

from __future__ import annotations

import contextlib
from pathlib import Path

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
