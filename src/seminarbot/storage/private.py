"""The bot's files private to its user (README, What is stored: folders 0700, files 0600,
whatever the umask)."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from seminarbot.config.files import owned_as_folder
from seminarbot.storage.sidefiles import COMPANIONS

PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents, each readable by this user only (0700)
    whatever the umask; folders that exist are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        os.chmod(each, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
        owned_as_folder(each, each.parent)


def keep_private(path: Path) -> None:
    """The database and its -wal and -shm files private to their owner again (mode 600), where
    another program left them open to others and this user owns them, or is root: SQLite
    gives the -wal it makes the database file's mode (and, as root, its owner), so a database
    copied in as 644 put every new response in a file anyone could read (README: What is
    stored; helper-158's 3: root on the bot's user's database)."""
    for file in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        with contextlib.suppress(OSError):
            info = file.stat()
            if (info.st_uid == os.getuid() or os.geteuid() == 0) \
                    and stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(file, PRIVATE_FILE)


def companions_writable(path: Path) -> None:
    """The database's -wal and -shm, this user's (or root's), mode 600 again before SQLite
    opens them: a reader of a read-only database in a folder it may write makes them with the
    database's mode, 444, and the writer after it, which SQLite then opened them read-only
    for, failed at its first write as if the file were immutable (helper-190's 2). Only for a
    database known to be seminarbot's (storage.foreign): another program's keeps its modes."""
    for file in (Path(f"{path}{suffix}") for suffix in COMPANIONS):
        with contextlib.suppress(OSError):
            info = os.lstat(file)
            if stat.S_ISREG(info.st_mode) and (info.st_uid == os.getuid() or os.geteuid() == 0) \
                    and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
                os.chmod(file, PRIVATE_FILE)
