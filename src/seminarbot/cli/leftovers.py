"""What a first `run` leaves when a platform refuses it before any session began (a token or
password refused, an intent not enabled, a URL that is no platform's): nothing. The data folder
(and its parents) made for it, the database and whatever else it made there (the locks, the
syllabus cache, the heartbeat, a Matrix store) hold nothing of anyone's yet, so they go, and the
next start is a first start again. A run on a database that existed leaves all as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
# Beside the database file: SQLite's write-ahead log and shared memory, a rollback journal,
# and the database's lock (storage/lock.py).
_SIDE_FILES = ("-wal", "-shm", "-journal", ".lock")


@dataclass(frozen=True)
class Before:
    """The data folder and the database as a run found them (`look`), to undo what it made."""

    data_dir: Path
    database: Path
    made: tuple[Path, ...]  # folders the run will make, the data folder's first, then parents
    names: frozenset[str]  # what the data folder held, if it existed
    had_database: bool

    @classmethod
    def look(cls, data_dir: Path, database: Path) -> Before:
        made = []
        folder = data_dir
        while not folder.exists() and folder.parent != folder:
            made.append(folder)
            folder = folder.parent
        names = frozenset(os.listdir(data_dir)) if not made and data_dir.is_dir() else frozenset()
        return cls(data_dir, database, tuple(made), names,
                   database.exists() or database.is_symlink())

    def undo(self) -> None:
        """Remove what the run made since `look`, if it found no database; each removal that
        fails is left (a DEBUG line): it is the next start's to reuse."""
        if self.had_database:
            return
        for path in [self.database, *(Path(f"{self.database}{side}") for side in _SIDE_FILES)]:
            if path.parent != self.data_dir:  # the data folder's own go below
                _remove(path)
        if self.data_dir.is_dir():
            for name in sorted(set(os.listdir(self.data_dir)) - self.names):
                _remove(self.data_dir / name)
        for folder in self.made:  # the innermost first; one that is not empty stays
            try:
                folder.rmdir()
            except OSError:
                break


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as error:
            log.debug("left %s (%s)", path, error.strerror)
