"""Where a file export goes: which --out may be written (never the database's files, nor
anything but a new or, with --force, an existing regular file), and putting the finished file
in place."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING

from seminarbot.cli import stopping
from seminarbot.cli.exits import EXIT_CONFIG
from seminarbot.config.data_folder import HEARTBEAT, SYLLABUS_CACHE

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings


class Refused(Exception):
    """The export's --out may not be written after all (it changed while the export ran)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class Destination:
    """A file export on its way to --out (`target`), written to `file` at `written` beside it.
    `check` (before the export is audited as complete): every byte handed to the file (a full
    disk or a size limit shows here, not after an "ok"), and `target` still one that may be
    replaced (it may have changed while the export ran: a file made there meanwhile is kept
    unless `force`). `keep` (once audited): the file put in place, without `force` never over
    one made at the last moment (a hard link fails where a name exists); from then on a stop
    is too late to undo it (stopping.settle)."""

    def __init__(self, file: IO[bytes], written: Path, target: Path, *, force: bool) -> None:
        self.file, self.written, self.target, self.force = file, written, target, force

    def check(self) -> None:
        self.file.flush()
        refused = refusal(self.target, force=self.force)
        if refused is not None:
            raise Refused(*refused)

    def keep(self) -> None:
        if self.force:
            os.replace(self.written, self.target)
        else:
            try:
                os.link(self.written, self.target)
            except FileExistsError:  # said, and audited as not put in place, as any failure
                raise FileExistsError(errno.EEXIST, "something was put there meanwhile; choose "
                                      "a new file or add --force", str(self.target)) from None
            except OSError:  # a file system without hard links: the check above stands
                os.replace(self.written, self.target)
            else:
                self.written.unlink()
        stopping.settle()


def no_folder(target: Path) -> str | None:
    """Why no new file can be made at `target` for want of a folder, as a usage error says it
    (exit 2, for an export and a backup alike: helper-190's 6): the folder does not exist, or
    a part of its path is a file (`/etc/passwd is a regular file, not a folder`)."""
    from seminarbot.storage.access import in_the_way

    if target.parent.is_dir():
        return None
    return in_the_way(target.parent / "x") or f"the folder {target.parent} does not exist"


def refusal(target: Path, *, force: bool) -> tuple[str, int] | None:
    """Why `target` may not be written, if it may not: only a new file, or with --force an
    existing regular file, is ever replaced (never a FIFO, a device, a folder or a link)."""
    from seminarbot.storage.access import kind_of, os_reason

    try:
        info = target.lstat()
    except FileNotFoundError:
        return (folder, EXIT_CONFIG) if (folder := no_folder(target)) else None
    except OSError as error:
        if error.errno == errno.ENOTDIR and (folder := no_folder(target)):
            return folder, EXIT_CONFIG
        return f"cannot reach {target} ({os_reason(error, target)})", 1
    if not stat.S_ISREG(info.st_mode):
        return (f"{target} is {kind_of(info.st_mode)}, not a regular file; seminarbot never "
                "replaces one, even with --force: choose a new file"), 1
    if not force:
        return f"{target} exists; choose a new file or add --force", 1
    if _is_sqlite(target):
        return (f"{target} is an SQLite database; seminarbot never replaces one, even with "
                "--force: choose a new file"), 1
    return None


def _is_sqlite(target: Path) -> bool:
    """Whether `target` is an SQLite database, this one's or any other (a second seminar's, a
    running bot's: helper-140, --force replaced one). The files kept beside a database are
    refused by name (`database_refusal`)."""
    from seminarbot.storage.dbfile import SQLITE_HEADER

    try:
        with target.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


# Files the bot writes beside its database, or in its data directory, whatever is there: a
# backup or an export written there would be replaced, or read as something it is not.
_BESIDE = (".console-posts", ".console-clock")
_IN_DATA_DIR = (HEARTBEAT, SYLLABUS_CACHE)


def database_refusal(target: Path, settings: Settings) -> tuple[str, int] | None:
    """The database, the files SQLite keeps beside it (-wal, -shm, -journal), its lock and the
    other files the bot keeps there are never an export's --out or a backup."""
    from seminarbot.storage.lock import lock_path
    from seminarbot.storage.sidefiles import COMPANIONS, JOURNAL

    # SQLite keeps its files beside the file a link leads to; the console beside the link.
    try:
        bases = {settings.database, settings.database.resolve()}
    except (OSError, RuntimeError):  # a loop of links: no database there to protect
        bases = {settings.database}
    found = [Path(f"{base}{c}") for base in bases for c in ("", *COMPANIONS, JOURNAL, *_BESIDE)]
    for ours in (*found, lock_path(settings.database),
                 *(settings.data_dir / name for name in _IN_DATA_DIR)):
        try:
            same = ours.exists() and target.exists() and target.samefile(ours)
        except OSError:
            same = False
        if same or target.absolute() == ours.absolute():
            return f"{target} is the database or one of its files ({ours}); choose another file", 1
    if _kept_beside(target):  # any database's: SQLite or a bot would take it for theirs
        return (f"{target} is named as a file SQLite or seminarbot keeps beside a database, "
                "which would delete or overwrite it: choose another name"), 1
    return None


def _kept_beside(target: Path) -> bool:
    """Whether `target` is named as a file SQLite or seminarbot keeps beside a database
    (helper-144: an export named `x.db-journal` beside x.db was deleted by the next start)."""
    from seminarbot.storage.lock import LOCK_SUFFIX
    from seminarbot.storage.sidefiles import COMPANIONS, JOURNAL

    return target.name.endswith((*COMPANIONS, JOURNAL, LOCK_SUFFIX, *_BESIDE)) \
        or target.name in _IN_DATA_DIR
