"""A pipe already full: whatever is written to it blocks until someone reads (nobody does)."""

from __future__ import annotations

import os


def filled_pipe() -> tuple[int, int]:
    """(read end, write end) of a pipe whose buffer is full; the caller closes both."""
    unread, full = os.pipe()
    os.set_blocking(full, False)
    try:
        while True:
            os.write(full, b"x" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(full, True)
    return unread, full
