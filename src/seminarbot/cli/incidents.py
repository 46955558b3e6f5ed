"""Incident files: a traceback kept in a private file (`incident-ID.log` in the data directory,
or the system's temporary folder), where a person at a terminal is shown one line saying where
it is (README, Command line). Tracebacks are redacted as the log is (core.redaction)."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import uuid
from pathlib import Path

from seminarbot.config.files import owned_as_folder
from seminarbot.core.redaction import redact


def keep(traceback: str, data_dir: Path | None) -> tuple[str, str, bool]:
    """(incident id, where the traceback went as a phrase, whether it was written). The file
    is in `data_dir` if it exists and may be written (it is never created for this)."""
    ident = uuid.uuid4().hex[:12]
    where = _file(ident, data_dir)
    try:
        descriptor = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        owned_as_folder(descriptor, where.parent)
        # backslashreplace: a command line or traceback may hold bytes that are not UTF-8
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as file:
            file.write(f"seminarbot incident {ident}\n{redact(' '.join(sys.argv))}\n\n"
                       f"{redact(traceback)}")
    except OSError as failure:
        return ident, f"the traceback could not be written to {where} ({failure.strerror})", False
    return ident, f"the traceback is in {where}", True


def _file(ident: str, data_dir: Path | None) -> Path:
    try:  # a data folder this user cannot reach, or whose name is too long, raises
        usable = data_dir is not None and data_dir.is_dir() and os.access(data_dir, os.W_OK)
    except OSError:
        usable = False
    if usable and data_dir is not None:
        return data_dir / f"incident-{ident}.log"
    return Path(tempfile.gettempdir()) / f"seminarbot-incident-{ident}.log"


def from_the_log(data_dir: Path) -> None:
    """Every traceback the log would show goes to an incident file instead (ToFiles)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(ToFiles(data_dir))


class ToFiles(logging.Filter):
    """On a terminal a person reads (the console), a log line's traceback goes to an incident
    file and the line says where: one line, as every error the command line shows is. One
    that cannot be written is left on the line."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        # A fault met again (a scheduler pass fails the same way every pass) names the same
        # file rather than filling the folder with copies.
        self.kept: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.exc_text
        if record.exc_info and not text:
            text = logging.Formatter().formatException(record.exc_info)
        if text:
            kept = self.kept.get(text)
            written = kept is not None
            if kept is None:
                _, kept, written = keep(text, self.data_dir)
                if written and len(self.kept) < 1000:
                    self.kept[text] = kept
            if written:
                record.msg, record.args = f"{record.getMessage()} ({kept})", None
                record.exc_info, record.exc_text = None, None
        return True
