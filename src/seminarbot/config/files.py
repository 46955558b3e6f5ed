"""Reading a file a person named (a configuration, a copy of a text): a regular file only, so
a FIFO or a device never leaves the command waiting, and never more than a limit. Writing the
bot's own small files (its heartbeat, the syllabus cache, the Matrix adapter's files, the
console's clock and journal): replaced whole or appended to, private to the bot's user, never
through a link. Writing a stream whole (`write_all`)."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import IO

MAX_COPY_BYTES = 50_000_000  # a copy of a text: the two texts are some 100 kB each
PARTIAL = ".partial"
# A write takes milliseconds: a partial file this old was left by a writer that died.
STALE_PARTIAL_SECONDS = 60.0
NAME_KEPT = 200  # bytes of a file's name kept in its partial file's name
_swept: set[Path] = set()  # files whose dead writers' partial files this process removed


class NotReadable(OSError):
    """`strerror` says why in words, as OSError's does for the system's reasons."""


def owned_as_folder(made: int | Path, folder: Path) -> None:
    """As root, a file or folder the bot made (`made`: its descriptor, or its path) in a folder
    another user owns is given to that user and group; otherwise nothing changes. The bot's
    user goes on using what `docker exec -u 0` made beside its database (its lock, the
    console's clock and journal), as SQLite gives the -wal, -shm and -journal it makes as root
    to the database's owner (SQLite's os_unix.c, robustFchown). A failure is let pass: the
    file stays root's, as before, and whoever uses it next says so."""
    if os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        owner = os.stat(folder)
        if owner.st_uid != 0:
            if isinstance(made, int):
                os.fchown(made, owner.st_uid, owner.st_gid)
            else:
                os.chown(made, owner.st_uid, owner.st_gid, follow_symlinks=False)


def read_regular(path: Path, limit: int, *, own: bool = False) -> bytes:
    """The file's bytes. Raises OSError (NotReadable for one that is not a regular file or is
    larger than `limit` bytes) with a `strerror` fit for a message. A file the bot keeps itself
    (`own`: the console's clock and journal) is never read through a symbolic link, which
    someone else could point at another file (helper-182's 3)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (os.O_NOFOLLOW if own else 0)  # a FIFO must not wait
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if own and error.errno == errno.ELOOP:
            raise NotReadable(0, "it is a symbolic link, where the bot keeps a file of its "
                                 "own") from None
        raise
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise NotReadable(0, "it is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(0, "it is not a regular file (a FIFO, a device or a socket)")
        if info.st_size > limit:
            raise NotReadable(0, f"it is larger than {limit:,} bytes")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise NotReadable(0, f"it is larger than {limit:,} bytes")
    return data


def replace_private(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace the file at `path` with `data`, readable and writable by the bot's user only
    (mode 0600). The bytes go to a new partial file beside it (`.<name>.<random>.partial`,
    made by tempfile.mkstemp: never an existing file or link), which is then renamed over
    `path` (rename(2) is atomic): a reader sees the old file or the new one, never half of
    either. `durable`: on disk (fsync) before the rename, for what a crash must not lose.
    Partial files of `path` older than STALE_PARTIAL_SECONDS (their writer died) are removed
    by this process's first write of it. Raises OSError naming the file it failed on; this
    write's partial file is removed then."""
    if path not in _swept:  # not at every write: Matrix writes its sync token at every sync
        _swept.add(path)
        remove_stale_partials(path)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=partial_prefix(path),
                                        suffix=PARTIAL)
    partial = Path(name)
    try:
        owned_as_folder(descriptor, path.parent)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def partial_prefix(path: Path) -> str:
    """`.<name>.`, the name cut short: a partial file's name must fit the 255 bytes a name may
    have (NAME_MAX), with the dot, 8 random characters and the suffix."""
    return f".{path.name.encode()[:NAME_KEPT].decode(errors='ignore')}."


def remove_stale_partials(path: Path, pattern: str = f"*{PARTIAL}") -> None:
    """The partial files of `path` (`.<name>.` then `pattern`) that no writer has touched for
    STALE_PARTIAL_SECONDS, removed: their writer died (a kill, a power cut), and they may
    hold participants' words. A live writer's file is fresh, so never removed under it."""
    stale = time.time() - STALE_PARTIAL_SECONDS
    with contextlib.suppress(OSError):
        for partial in path.parent.glob(f"{glob.escape(partial_prefix(path))}{pattern}"):
            with contextlib.suppress(OSError):
                if partial.lstat().st_mtime < stale:
                    partial.unlink()


def open_own(path: Path, flags: int) -> int:
    """A descriptor of the bot's own file at `path` (made with mode 0600 where `flags` has
    O_CREAT), never opened through a link, symbolic or hard (a write would reach the file it
    names or shares: helper-179's 4, helper-182's 3), and only if it is a regular file (a FIFO
    would hold the write). Raises OSError: ELOOP for a symbolic link, EMLINK for a hard one,
    EINVAL for no regular file."""
    descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    found = os.fstat(descriptor)
    if stat.S_ISREG(found.st_mode) and found.st_nlink == 1:
        return descriptor
    os.close(descriptor)
    if stat.S_ISREG(found.st_mode):
        raise OSError(errno.EMLINK, "it is a hard link to another file")
    raise OSError(errno.EINVAL, "it is not a regular file")


def append_private(path: Path, text: str) -> None:
    """Append `text` to the bot's own file at `path` (`open_own`): whole or not at all (a
    write cut short by a full disk is taken back). Raises OSError."""
    data = text.encode()
    descriptor = open_own(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        size = os.fstat(descriptor).st_size
        if size == 0:  # made just now, or empty: root's would stay root's
            owned_as_folder(descriptor, path.parent)
        if os.write(descriptor, data) != len(data):  # a failure that wrote nothing raises
            os.ftruncate(descriptor, size)
            raise OSError(errno.ENOSPC, f"{path} took only part of the entry; taken back")
    finally:
        os.close(descriptor)


def write_all(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data` to a binary stream. Python's buffered writer answers a write that a
    full disk cut short with the count it took, raising nothing (standard output redirected
    to a file, a chunk larger than its buffer): the rest is written again until all is taken
    or the error shows. Raises OSError, its `characters_written` (Python's attribute for a
    short write, io.BlockingIOError's) the count of `data`'s bytes the stream took before."""
    view = memoryview(data)
    try:
        while view:
            taken = stream.write(view)
            if not taken:  # None (it would block) or 0: nothing more goes
                raise OSError(errno.EIO, "the output took only part of what was written")
            view = view[taken:]
    except OSError as error:
        error.characters_written = len(data) - len(view) + getattr(  # type: ignore[attr-defined]
            error, "characters_written", 0)
        raise
