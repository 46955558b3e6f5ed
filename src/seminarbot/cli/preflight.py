"""Before a long-running command starts (run, console): can this user write the data
directory? A host folder mounted on /data that the image's user may not write is the usual
cause, and it deserves one line naming the folder, the user and the fix (README: Docker). A
data directory others may write is said too (a WARNING): they could delete, rename or plant
files in it, private as each file is."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

from seminarbot.storage.access import chosen_folder_fix, in_the_way

log = logging.getLogger(__name__)


class DataDirUnwritable(Exception):
    """The data directory cannot be written (or made) by this process's user."""


def check_data_dir(path: Path) -> None:
    """Raises DataDirUnwritable unless a file can be made in `path` (or, if it does not exist
    yet, in the nearest folder above it, where it would be made)."""
    blocked = in_the_way(path / "x")
    if blocked is not None:
        raise DataDirUnwritable(f"the data directory {path} cannot be used ({blocked}); "
                                "set data_dir or SEMINARBOT_DATA_DIR to a folder")
    where = path = Path(os.path.abspath(path))  # said as the operator can find it
    while not where.exists() and where.parent != where:
        where = where.parent
    try:
        descriptor, probe = tempfile.mkstemp(prefix=".seminarbot-probe-", dir=where)
    except OSError as error:
        made = "written" if where == path else "made"
        raise DataDirUnwritable(
            f"the data directory {path} cannot be {made} ({error.strerror or error}); "
            f"{chosen_folder_fix(path, error)}; or set data_dir or "
            "SEMINARBOT_DATA_DIR to a folder it may write") from None
    os.close(descriptor)
    os.unlink(probe)
    warn_if_open(path, "the data directory")


def warn_if_open(path: Path, what: str) -> None:
    """A WARNING when users other than this one may write the folder `path` (`what` names it
    in the line): they may delete, rename or add files in it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return  # made private when the run makes it (storage.private.make_private_dirs)
    if mode & 0o022:
        may = "add files in it" if mode & stat.S_ISVTX else "delete, rename or add files in it"
        log.warning("%s %s is mode %04o: other users may %s (its files are private to this "
                    "user); chmod 700 %s", what, path, mode, may, path)



def closed_stream(command: str | None) -> str | None:
    """Why a command cannot work with a standard stream the shell closed (`>&-`, `<&-`), said
    before anything is done (helper-140: the console failed as an internal error after making
    its database, and other commands' answers vanished, exit 0): every command but `run`
    answers on standard output (an export to it says so itself: cli.export); the console reads
    standard input. None when nothing stops it."""
    import sys

    if command == "console" and sys.stdin is None:
        return "standard input is closed, and the console reads its commands there: nothing " \
               "was done"
    if sys.stdout is None and command not in ("run", "export"):
        return "standard output is closed, and this command answers there: nothing was done"
    return None
