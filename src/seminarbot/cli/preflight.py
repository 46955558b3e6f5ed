"""Before a long-running command starts (run, console): can this user write the data
directory? A host folder mounted on /data that the image's user may not write is the usual
cause, and it deserves one line naming the folder, the user and the fix (README: Docker)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from seminarbot.storage.access import read_only_mount


class DataDirUnwritable(Exception):
    """The data directory cannot be written (or made) by this process's user."""


def check_data_dir(path: Path) -> None:
    """Raises DataDirUnwritable unless a file can be made in `path` (or, if it does not exist
    yet, in the nearest folder above it, where it would be made)."""
    where = path
    while not where.exists() and where.parent != where:
        where = where.parent
    if where.exists() and not where.is_dir():
        raise DataDirUnwritable(f"the data directory {path} is not a folder ({where} is a file); "
                                "set data_dir or SEMINARBOT_DATA_DIR to a folder")
    try:
        descriptor, probe = tempfile.mkstemp(prefix=".seminarbot-probe-", dir=where)
    except OSError as error:
        uid, gid = os.getuid(), os.getgid()
        made = "written" if where == path else f"made (in {where})"
        if error.errno == errno.EROFS or read_only_mount(where):
            fix = f"{where} is on a read-only mount: mount it read-write"
        elif _owner_may_not_write(where, uid):  # ours already: its mode refuses
            fix = f"let its owner write in it (`chmod u+rwx {where}`)"
        else:
            fix = (f"give the folder to that user (`chown {uid}:{gid} {where}`; for a folder "
                   "mounted from the host, on the host's folder)")
        raise DataDirUnwritable(
            f"the data directory {path} cannot be {made} by this user (uid {uid}, gid {gid}: "
            f"{error.strerror or error}); {fix}, or set data_dir or SEMINARBOT_DATA_DIR to a "
            "folder it may write") from None
    os.close(descriptor)
    os.unlink(probe)


def _owner_may_not_write(path: Path, uid: int) -> bool:
    """The folder is this user's, and its mode lacks the owner's write or search bit."""
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == uid and info.st_mode & 0o300 != 0o300
