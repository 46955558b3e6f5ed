"""Where the log goes and how it reads: standard error, one line per event, as text or as JSON
lines for a log shipper (`log_format`), written by a thread of their own (cli.standard_error).
seminarbot's own loggers log at `log_level`; the libraries' (discord.py, matrix-nio, aiohttp …)
only their warnings, or everything when `log_level` is DEBUG (but for those whose DEBUG lines
carry secrets or participants' words wholesale: core.redaction.QUIET_AT_DEBUG); secrets are
redacted at every level."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import TYPE_CHECKING

from seminarbot.cli.standard_error import ThreadedLog
from seminarbot.core.redaction import install_redaction
from seminarbot.domain.display import one_line_safe

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_json_lines = [False]  # whether log_format is json: the commands' own lines follow it too
# Libraries whose warnings echo a failure seminarbot logs itself, in its own line, at each try
# (matrix-nio's "Timed out, sleeping for 0s" and its complaint about a non-Matrix answer):
# shown only at DEBUG, so a retry is one line (README: Running on Matrix).
ECHOES = ("nio.client.async_client", "nio.responses")


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
        # Where standard error cannot hold every character (PYTHONIOENCODING=ascii), \u
        # escapes keep each line JSON; its own backslash escapes would not (helper-152's 4).
        from seminarbot.cli.standard_error import holds_every_character

        return json.dumps(entry, ensure_ascii=not holds_every_character())


class TextLines(logging.Formatter):
    """TEXT_FORMAT, each message on a line of its own: its control characters (a line break in
    a path, an escape sequence in a server's answer) shown as symbols, so no value can begin a
    line that reads like the log's own (domain.display.one_line_safe). A traceback follows on
    lines of its own, as always."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line_safe(record.message)
        return super().formatMessage(record)


class OneLineRetry(logging.Filter):
    """discord.py logs each try to reconnect at ERROR with the traceback of what failed
    (`Client.connect`: "Attempting a reconnect in 1.91s"): one WARNING line with the reason
    instead, as seminarbot's own retries read (README: one log line per try). At DEBUG the
    traceback stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            error = record.exc_info[1]
            why = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            record.msg, record.args = f"{record.getMessage()} ({why})", None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class FirstLineOfInvalid(logging.Filter):
    """matrix-nio logs an event that does not match its schema as "Error validating event: "
    and jsonschema's whole error, which quotes the event's content (a person's caption, a
    file's name: helper-192's 1, some 3 KB a file), first of all the value that failed, in
    any of jsonschema's wordings (helper-195's 9, helper-196's 5). What stays is the line
    that names the rule and where in nio's schema it is (`Failed validating 'required' in
    schema['properties']['content']`): nio's, none of the event's."""

    FIRST_LINE = 200
    RULE = re.compile(r"^Failed validating .*?(?=:?$)", re.MULTILINE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Error validating event"):
            rule = self.RULE.search(message)
            said = rule.group(0)[:self.FIRST_LINE] if rule else "its content not shown"
            record.msg, record.args = f"Error validating event: {said}", None
        return True


def command_line(message: str, *, level: int = logging.ERROR, prefix: str = "seminarbot: ",
                 traceback: str | None = None) -> str:
    """A line a command writes to standard error outside the log (its one-line error, a
    check's problem, a summary), newline included: `prefix` and `message` after the
    traceback, if any; or with `log_format: json` one JSON object like the log's, at `level`,
    the traceback in its field, so a shipper parses every line."""
    if not _json_lines[0]:
        return f"{traceback or ''}{prefix}{message}\n"
    record = logging.LogRecord("seminarbot", level, "", 0, message, None, None)
    record.exc_text = traceback.rstrip("\n") if traceback else None
    return JsonLines().format(record) + "\n"


def errors_as(log_format: str) -> None:
    """The commands' own lines (`command_line`) in `log_format`, before logging is set up."""
    _json_lines[0] = log_format == "json"


def configure(settings: Settings) -> None:
    errors_as(settings.log_format)
    handler = ThreadedLog()
    handler.setFormatter(JsonLines() if settings.log_format == "json" else TextLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)
    logging.getLogger("seminarbot").setLevel(settings.log_level)
    invalid = logging.getLogger("nio.events.misc")
    invalid.filters[:] = [f for f in invalid.filters if not isinstance(f, FirstLineOfInvalid)]
    invalid.addFilter(FirstLineOfInvalid())
    retries = logging.getLogger("discord.client")
    retries.filters[:] = [f for f in retries.filters if not isinstance(f, OneLineRetry)]
    if settings.log_level != "DEBUG":
        for library in ECHOES:
            logging.getLogger(library).setLevel(logging.ERROR)
        retries.addFilter(OneLineRetry())
    install_redaction((settings.discord.token, settings.matrix.password,
                       settings.matrix.access_token))
    threading.excepthook = thread_failed
    logging.captureWarnings(True)  # Python's warnings too: formatted, redacted, never blocking


def thread_failed(failure: threading.ExceptHookArgs) -> None:
    """An error that ended a thread (a library's own, discord.py's keep-alive say) as one log
    line through the log's formatter and redaction, where Python would print a traceback on
    standard error; the traceback at DEBUG."""
    if failure.exc_type is SystemExit:
        return
    name = failure.thread.name if failure.thread is not None else "a thread"
    log = logging.getLogger("seminarbot")
    log.error("%s stopped: %s: %s", name, failure.exc_type.__name__, failure.exc_value,
              exc_info=failure.exc_value if log.isEnabledFor(logging.DEBUG) else None)
