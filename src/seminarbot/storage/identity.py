"""Is the database still the file that was opened? A file deleted (or replaced by another, a
restored backup say) under a running process takes every later write into a file nobody will
read again; the bot must notice before it says "recorded" (README: What is stored)."""

from __future__ import annotations

import os

from seminarbot.domain.errors import StorageLost


class FileIdentity:
    """The device and inode of a path as it was when opened."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._opened = _identity(path)
        self.lost = False

    def check(self) -> None:
        """Raises StorageLost when the path is gone or is another file; once lost, always."""
        if not self.lost and _identity(self.path) != self._opened:
            self.lost = True
        if self.lost:
            raise StorageLost(self.path)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino
