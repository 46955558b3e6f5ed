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
        found += _above(data_dir) + _inside(data_dir, set(ours))
    return found


def _above(data_dir: Path) -> list[str]:
    """The data directory's own folder, when others may rename or replace what is in it (no
    sticky bit, as /tmp has): the data directory itself (helper-187's 11)."""
    parent = Path(os.path.abspath(data_dir)).parent
    mode = _mode(parent)
    if mode is None or not mode & 0o022 or mode & stat.S_ISVTX:
        return []
    return [f"{parent} is mode {mode:04o}: others may rename or replace the data directory "
            f"{data_dir} in it: chmod go-w {parent}"]


def _inside(data_dir: Path, said: set[Path]) -> list[str]:
    """The files and folders in the data directory others may read; for a symbolic link, what
    it leads to (an `exports` linked to a folder others may write: helper-184's 1)."""
    loose = []
    for folder, folders, files in os.walk(data_dir):
        for name in (*folders, *files):
            path = Path(folder) / name
            try:
                info = path.stat()  # through a link: the bot writes there
            except OSError:
                continue
            if path.is_symlink() and path.resolve().is_relative_to(data_dir.resolve()):
                continue  # its target is walked, and said, itself
            if path not in said and stat.S_IMODE(info.st_mode) & 0o077:
                loose.append((path, info))
    lines = [_line(path, info) for path, info in sorted(loose)[:MOST_SAID]]
    if len(loose) > MOST_SAID:
        lines.append(f"… and {len(loose) - MOST_SAID} more in {data_dir}: "
                     f"chmod -R go-rwx {data_dir}")
    return lines


def _line(path: Path, info: os.stat_result) -> str:
    """What is open, and the fix: its mode's, or, for another user's (root's, after `docker
    exec -u 0`), its owner's first; a link to another user's is pointed elsewhere (the chmod
    offered would have left that user its writes: helper-187's 11)."""
    mode, target = stat.S_IMODE(info.st_mode), path.resolve()
    chmod = f"chmod {'700' if stat.S_ISDIR(info.st_mode) else '600'} {target}"
    said = f"{_named(path)} is mode {mode:04o}"
    if info.st_uid == os.getuid():
        return f"{said}, open to others: {chmod}"
    if path.is_symlink():
        return (f"{said} and another user's (uid {info.st_uid}), open to them and others: "
                f"point {path} at a folder of this user's")
    return (f"{said} and another user's (uid {info.st_uid}), open to others: chown "
            f"{os.getuid()}:{os.getgid()} {target} && {chmod} (as root)")


def _named(path: Path) -> str:
    """The path, and where it leads when it is a symbolic link."""
    return f"{path} (a link to {path.resolve()})" if path.is_symlink() else str(path)


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
