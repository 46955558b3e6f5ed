"""Which of the bot's files other users of the machine may read (README, What is stored: the
data directory 0700, every file in it 0600, whatever the umask), as `db check` warns of them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from seminarbot.storage.sidefiles import COMPANIONS

MOST_SAID = 10  # of the files in the data directory; the rest are counted


def loose_modes(database: Path, data_dir: Path | None = None) -> list[str]:
    """Warnings for the database, its -wal and -shm files, its folder, the data directory and
    whatever is inside it (the exports, the Matrix folder, backups: helper-147's 4) when other
    users may read them."""
    found = []
    ours = (database, *(Path(f"{database}{suffix}") for suffix in COMPANIONS))
    for path in ours:
        mode = _mode(path)
        if mode is not None and mode & 0o077:
            found.append(f"{path} is mode {mode:04o}, readable by others: chmod 600 {path}")
    if data_dir is not None:  # its exports and Matrix store, wherever the database is
        mode = _mode(data_dir)
        if mode is not None and mode & 0o077:
            found.append(f"{data_dir} is mode {mode:04o}, open to others: chmod 700 {data_dir}")
    mode = _mode(database.parent)  # a folder of the operator's choosing: others' writes only
    if database.parent != data_dir and mode is not None and mode & 0o022:
        found.append(f"{database.parent} is mode {mode:04o}, others may replace files in it: "
                     f"chmod go-w {database.parent}")
    if data_dir is not None:
        found += _inside(data_dir, set(ours))
    return found


def _inside(data_dir: Path, said: set[Path]) -> list[str]:
    """The files and folders in the data directory others may read (not through links)."""
    loose = []
    for folder, folders, files in os.walk(data_dir):
        for name in (*folders, *files):
            path = Path(folder) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if path not in said and not stat.S_ISLNK(info.st_mode) \
                    and stat.S_IMODE(info.st_mode) & 0o077:
                loose.append((path, stat.S_IMODE(info.st_mode), stat.S_ISDIR(info.st_mode)))
    lines = [f"{path} is mode {mode:04o}, open to others: chmod {'700' if folder else '600'} "
             f"{path}" for path, mode, folder in sorted(loose)[:MOST_SAID]]
    if len(loose) > MOST_SAID:
        lines.append(f"… and {len(loose) - MOST_SAID} more in {data_dir}: "
                     f"chmod -R go-rwx {data_dir}")
    return lines


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
