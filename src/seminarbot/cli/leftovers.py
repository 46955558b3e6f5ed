"""What a first `run` leaves when a platform refuses it before any session began (a token or
password refused, an intent not enabled, a URL that is no platform's): nothing of its own. The
folders made for it (the data folder, the database's), the database and the files `run` makes
beside it (its locks, the syllabus cache, the heartbeat, a Matrix folder that holds no login)
hold nothing of anyone's yet, so they go, and the next start is a first start again. Only
what the run makes, and only what was not there before: a file someone else puts in the data
folder meanwhile stays. A Matrix login that succeeded stays, or each refused start would leave
the account one more device (its keys are in that folder). A run on a database that existed
leaves all as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from seminarbot.storage.lock import lock_path

log = logging.getLogger(__name__)
# Beside the database file: SQLite's write-ahead log and shared memory, a rollback journal.
_SIDE_FILES = ("-wal", "-shm", "-journal")
# In the data folder: cli/heartbeat.py's file, syllabus/cache.py's, the Matrix adapter's folder
# (adapters/matrix/files.py) and, in it, the file that says a device was made.
HEARTBEAT, CACHE, MATRIX, MATRIX_LOGIN = "heartbeat", "syllabus.cache", "matrix", "login.json"


@dataclass(frozen=True)
class Before:
    """What a run will make, as it found it (`look`), to undo what it made."""

    ours: tuple[Path, ...]  # the files and folders the run may make, the database's first
    existed: frozenset[Path]  # of those, the ones that were there
    made: tuple[Path, ...]  # the folders the run will make, each before its parents

    @classmethod
    def look(cls, data_dir: Path, database: Path) -> Before:
        ours = (database, *(Path(f"{database}{side}") for side in _SIDE_FILES),
                lock_path(database), *(data_dir / name for name in (HEARTBEAT, CACHE, MATRIX)))
        made: list[Path] = []
        for folder in (data_dir, lock_path(database).parent):
            while not folder.exists() and folder.parent != folder and folder not in made:
                made.append(folder)
                folder = folder.parent
        return cls(ours, frozenset(p for p in ours if os.path.lexists(p)),
                   tuple(sorted(made, key=lambda p: -len(p.parts))))

    def had(self, path: Path) -> bool:
        return path in self.existed

    def undo(self) -> None:
        """Remove what the run made since `look`, if it found no database; each removal that
        fails is left (a DEBUG line): it is the next start's to reuse."""
        if self.had(self.ours[0]):
            return
        for path in self.ours:
            if not self.had(path) and not (path.name == MATRIX
                                           and os.path.lexists(path / MATRIX_LOGIN)):
                _remove(path)
        for folder in self.made:  # one that is not empty stays
            with contextlib.suppress(OSError):
                folder.rmdir()


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as error:
            log.debug("left %s (%s)", path, error.strerror)
