"""The console delivers a reply's files by saving them under the data directory's exports/."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from seminarbot.core.replies import Attachment
from seminarbot.domain.filenames import sanitise_filename


def save_attachments(folder: Path, attachments: Sequence[Attachment]) -> list[Path]:
    """Write each file under a sanitised name, never over an existing file."""
    saved = []
    if attachments:
        folder.mkdir(parents=True, exist_ok=True)
    for attachment in attachments:
        name = sanitise_filename(attachment.filename)
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        target = folder / name
        number = 1
        while True:
            try:
                with target.open("xb") as file:
                    file.write(attachment.data)
                break
            except FileExistsError:
                number += 1
                target = folder / (f"{stem}-{number}.{extension}" if extension
                                   else f"{stem}-{number}")
        saved.append(target)
    return saved
