"""Where the log goes and how it reads: standard error, one line per event, as text or as JSON
lines for a log shipper (`log_format`). seminarbot's own loggers log at `log_level`; the
libraries' (discord.py, matrix-nio, aiohttp …) only their warnings, or everything when
`log_level` is DEBUG (but for those whose DEBUG lines carry secrets or participants' words
wholesale: core.redaction.QUIET_AT_DEBUG); secrets are redacted at every level."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TYPE_CHECKING

from seminarbot.core.redaction import install_redaction

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, and the
    traceback when there is one (read from `exc_text`, as logging's own formatters do, so
    core.redaction.RedactingFormatter hands it over redacted)."""

    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{record.msecs:03.0f}Z",
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if settings.log_format == "json"
                         else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)
    logging.getLogger("seminarbot").setLevel(settings.log_level)
    install_redaction((settings.discord.token, settings.matrix.password,
                       settings.matrix.access_token))
