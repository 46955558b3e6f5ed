"""Reading a file a person named (a configuration, a copy of a text): a regular file only, so
a FIFO or a device never leaves the command waiting, and never more than a limit."""

from __future__ import annotations

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
