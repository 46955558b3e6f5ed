"""Reading a file a person named (a configuration, a copy of a text): a regular file only, so
a FIFO or a device never leaves the command waiting, and never more than a limit. Writing one
of the bot's own small files (its heartbeat, the syllabus cache, Matrix's login): replaced
whole, private to the bot's user."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

MAX_COPY_BYTES = 50_000_000  # a copy of a text: the two texts are some 100 kB each


class NotReadable(OSError):
    """`strerror` says why in words, as OSError's does for the system's reasons."""


def read_regular(path: Path, limit: int) -> bytes:
    """The file's bytes. Raises OSError (NotReadable for one that is not a regular file or is
    larger than `limit` bytes) with a `strerror` fit for a message."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO's open must not wait
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
    (mode 0600). The bytes go to a new partial file beside it, named for this process (two
    processes never share one), which is then renamed over `path` (rename(2) is atomic): a
    reader sees the old file or the new one, never half of either. `durable`: on disk (fsync)
    before the rename, for what a crash must not lose. Raises OSError; the partial file is
    removed then."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.unlink(missing_ok=True)  # one a crash left: O_EXCL then makes it ours, 0600
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
