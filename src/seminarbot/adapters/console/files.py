"""The console delivers a reply's files by saving them under the data directory's exports/."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Sequence
from pathlib import Path

from seminarbot.config.files import owned_as_folder
from seminarbot.core.replies import Attachment
from seminarbot.domain.filenames import sanitise_filename


def save_attachments(folder: Path, attachments: Sequence[Attachment]) -> list[Path]:
    """Write each file under a sanitised name, never over an existing file, readable by this
    user only (0600, in a folder made 0700). All or nothing: raises OSError (a full disk, a
    folder it may not write) having removed what it wrote of them, the partial file too."""
    saved: list[Path] = []
    if attachments and not folder.is_dir():
        if folder.exists() or folder.is_symlink():  # mkdir would say only "File exists"
            raise NotADirectoryError(errno.ENOTDIR, "it is there, and is no folder", str(folder))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
        owned_as_folder(folder, folder.parent)
    try:
        for attachment in attachments:
            saved.append(_save(folder, attachment))
    except OSError:
        for path in saved:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return saved


def _save(folder: Path, attachment: Attachment) -> Path:
    """One new file, or none: a write that fails removes the file it made."""
    name = sanitise_filename(attachment.filename)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    target, number = folder / name, 1
    while True:
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            number += 1
            target = folder / (f"{stem}-{number}.{extension}" if extension
                               else f"{stem}-{number}")
    try:
        owned_as_folder(descriptor, folder)
        with os.fdopen(descriptor, "wb") as file:
            file.write(attachment.data)
    except OSError:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    return target
