"""What a first `run` leaves when a platform refuses it before any session began (a token or
password refused, an intent not enabled, a URL that is no platform's): nothing of its own. The
folders made for it (the data folder, the database's), the database and the files `run` makes
beside it (its locks, the syllabus cache, the heartbeat, a Matrix folder that holds no login)
hold nothing of anyone's yet, so they go, and the next start is a first start again. Only
what the run makes, and only what was not there before: a file someone else puts in the data
folder meanwhile stays. A Matrix login that succeeded stays, or each refused start would leave
the account one more device (its keys are in that folder). A run on a database that existed
leaves every file as it was, and takes away only the folders it made that hold nothing
(another program's database refused before anything was made beside it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from seminarbot.config.data_folder import (
    HEARTBEAT,
    MATRIX,
    MATRIX_DEVICE,
    MATRIX_LOGIN,
    SYLLABUS_CACHE,
)
from seminarbot.storage.lock import lock_path
from seminarbot.storage.sidefiles import beside

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Before:
    """What a run will make, as it found it (`look`), to undo what it made. Paths are as the
    system will resolve them once the run has made its folders (`_resolved`)."""

    ours: tuple[Path, ...]  # the files and folders the run may make, the database's first
    existed: frozenset[Path]  # of those, the ones that were there
    made: tuple[Path, ...]  # the folders the run will make, each before its parents
    database: bool  # whether a database was there (a link to nowhere is none: none is made)

    @classmethod
    def look(cls, data_dir: Path, database: Path, *, matrix: bool = False) -> Before:
        """`matrix`: whether the run uses Matrix (else a Matrix folder is none of its own)."""
        folder, made = _resolved(data_dir)
        db_folder, db_made = _resolved(database.parent)
        database = db_folder / database.name
        ours = (database, *beside(database),
                lock_path(database),
                *(folder / name
                  for name in (HEARTBEAT, SYLLABUS_CACHE, *([MATRIX] if matrix else []))))
        return cls(ours, frozenset(p for p in ours if os.path.lexists(p)),
                   tuple(sorted({*made, *db_made}, key=lambda p: -len(p.parts))),
                   os.path.exists(database))

    def whole(self) -> bool:
        """Whether the database is one: there before, or made since and migrated (all a new
        one's migrations commit at once). The lock makes the file before a command's work
        begins, so a stop before its migrations committed leaves an empty one (helper-190's
        1, helper-191's 1 and 2)."""
        from seminarbot.storage.foreign import without_tables

        database = self.ours[0]
        return self.database or (os.path.lexists(database) and not without_tables(database))

    def undo(self) -> None:
        """Remove what the run made since `look`: with a database it found there, only the
        folders it made that are empty (another program's database refused: helper-158's 8);
        each removal that fails is left (a DEBUG line): it is the next start's to reuse."""
        for path in () if self.database else self.ours:
            if path not in self.existed and not (path.name == MATRIX and any(
                    os.path.lexists(path / name) for name in (MATRIX_LOGIN, MATRIX_DEVICE))):
                _remove(path)
        for folder in self.made:  # one that is not empty stays
            with contextlib.suppress(OSError):
                folder.rmdir()


def _resolved(folder: Path) -> tuple[Path, list[Path]]:
    """`folder` as the system will resolve it once its missing folders are made (as mkdir -p
    makes them: `new/../data` makes `new`, then is the `data` beside it), and the folders that
    will be made, each resolved."""
    now = Path(os.path.realpath(Path.cwd() / folder))
    if folder.is_absolute() and ".." not in folder.parts and os.path.lexists(now):
        return now, []
    at, made = Path(folder.absolute().anchor), []
    for part in folder.absolute().parts[1:]:
        if part == "..":
            at = at.parent
        elif part != ".":
            at = at / part
            if os.path.lexists(at):
                at = Path(os.path.realpath(at))
            else:
                made.append(at)
    return at, made


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass  # never made
    except OSError as error:
        log.debug("left %s (%s)", path, error.strerror)
