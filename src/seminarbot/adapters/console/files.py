"""The console delivers a reply's files by saving them under the data directory's exports/."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from seminarbot.core.replies import Attachment
from seminarbot.domain.filenames import sanitise_filename


def save_attachments(folder: Path, attachments: Sequence[Attachment]) -> list[Path]:
    """Write each file under a sanitised name, never over an existing file, readable by this
    user only (0600, in a folder made 0700)."""
    saved = []
    if attachments and not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
    for attachment in attachments:
        name = sanitise_filename(attachment.filename)
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        target = folder / name
        number = 1
        while True:
            try:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as file:
                    file.write(attachment.data)
                break
            except FileExistsError:
                number += 1
                target = folder / (f"{stem}-{number}.{extension}" if extension
                                   else f"{stem}-{number}")
        saved.append(target)
    return saved
