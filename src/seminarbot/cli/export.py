"""`seminarbot export` and `seminarbot cohorts`: exports on the server, for any size.

The file is written beside its destination under a temporary name and renamed when complete,
so a failed export leaves nothing behind; an existing file is kept unless --force.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import getpass
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from seminarbot.cli import stopping
from seminarbot.cli.boundary import say, tell
from seminarbot.cli.exits import EXIT_CONFIG
from seminarbot.cli.export_target import Destination, Refused, database_refusal, refusal
from seminarbot.config.files import partial_prefix, remove_stale_partials, write_all
from seminarbot.config.settings import user_path
from seminarbot.core.hints import choice_hint
from seminarbot.core.redaction import quoted
from seminarbot.domain.display import one_line_safe, terminal_safe
from seminarbot.domain.textfold import as_word
from seminarbot.storage.access import os_reason

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

FORMAT_CHOICES = ("csv", "jsonl", "markdown", "html")  # domain.exports.FORMATS (kept import-free)



def _cohort_id(raw: str) -> int:
    """A cohort id as SQLite can hold it; anything else is a usage error (exit 2)."""
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a cohort id, a whole number from 1 (got "
                                         f"{quoted(raw, 40)}); `seminarbot cohorts` lists them")
    return value


def _format(raw: str) -> str:
    """An export format, in any case (`CSV`), as the console's `/seminar export` takes it."""
    value = as_word(raw)
    if value not in FORMAT_CHOICES:
        hint = choice_hint(value, FORMAT_CHOICES)
        raise argparse.ArgumentTypeError(f"expected {', '.join(FORMAT_CHOICES[:-1])} or "
                                         f"{FORMAT_CHOICES[-1]} (got {quoted(raw, 40)})"
                                         + (f". {hint}" if hint else ""))
    return value


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="export a cohort's discussion to a file (seminarbot cohorts lists them)")
    export.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")
    export.add_argument("--cohort", type=_cohort_id, required=True, metavar="ID",
                        help="the cohort's id, from `seminarbot cohorts`")
    export.add_argument("--format", required=True, type=_format,
                        metavar="{" + ",".join(FORMAT_CHOICES) + "}")
    export.add_argument("--out", required=True, metavar="PATH",
                        help="the file to write, or - for standard output")
    export.add_argument("--session", metavar="SESSION", help="only this session (number or id)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="only responses from this day on")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="only responses up to this day")
    export.add_argument("--participant", metavar="WHO", help="only this participant (name or id)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    cohorts = commands.add_parser("cohorts", help="list the cohorts, with their ids")
    cohorts.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")


def main(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "cohorts":
        return stopping.run(_list_cohorts(settings))
    if args.out == "-":
        return _to_standard_output(settings, args)
    target = user_path(args.out, "--out")
    refused = database_refusal(target, settings) or refusal(target, force=args.force)
    if refused is not None:
        message, status = refused
        say(f"{message}")
        return status
    remove_stale_partials(target)  # a killed export's (participants' words, for good)
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=partial_prefix(target),
                                            suffix=".partial")  # mode 0600
    except OSError as error:  # a folder there that takes no file (/proc) is said as backup says it
        why = "it takes no new files" if error.errno == errno.ENOENT and target.parent.is_dir() \
            else os_reason(error, target.parent)
        say(f"cannot write in {target.parent} ({why}); nothing was exported")
        return 1
    partial = Path(name)
    status = 1
    try:
        with os.fdopen(descriptor, "wb", buffering=0) as file:  # what it took, counted
            destination = Destination(file, partial, target, force=args.force)
            status, summary = _complete(settings, args, _writer(file), destination.check,
                                        destination.keep)
        if status == 0:
            tell(one_line_safe(summary))  # said once it is true: the file is there
    except Refused as late:
        say(late.message)
        return late.status
    except OSError as error:  # a full disk, a quota, a file-size limit
        say(f"writing {target} failed ({error.strerror or error}); nothing was "
              "exported and the partial file was removed")
        return 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return status


def _to_standard_output(settings: Settings, args: argparse.Namespace) -> int:
    """A full disk or a reader that went away is one line and exit 1 (the export is audited
    as failed)."""
    if sys.stdout is None:  # started with it closed (`>&-`)
        say("standard output is closed; nothing was exported (use --out FILE)")
        return 1
    to_terminal = sys.stdout.isatty()
    sys.stdout.flush()
    # A pipe or a file is written unbuffered: what its reader took before going away is what
    # the audit counts.
    write = _ForTerminal(sys.stdout.buffer) if to_terminal else _writer(
        getattr(sys.stdout.buffer, "raw", sys.stdout.buffer))

    def check() -> None:  # all of it shown (a terminal's last line is held until the end)
        if isinstance(write, _ForTerminal):
            write.finish()

    try:
        done, summary = _complete(settings, args, write, check, stopping.settle)
        if done == 0:
            tell(one_line_safe(summary))
        return done
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            reason = "standard output was closed before the export finished"
        else:
            reason = f"writing to standard output failed ({error.strerror or error})"
        with contextlib.suppress(OSError):  # no second error from the interpreter's exit flush
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        say(f"{reason}; the export is incomplete")
        return 1


class _ForTerminal:
    """Standard output that is a terminal: the export as text, every control character but
    tab, newline and a CR LF line end shown as a symbol (domain/display.py `terminal_safe`), so
    text stored before the normalisation cannot send an escape sequence to the operator's
    terminal. A pipe or a file gets the export byte for byte."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.held = ""  # a CR at the end of one piece: its LF may begin the next

    def __call__(self, data: bytes) -> None:
        self._show(self.held + self.decoder.decode(data))

    def finish(self) -> None:
        self._show(self.held + self.decoder.decode(b"", final=True), final=True)

    def _show(self, text: str, *, final: bool = False) -> None:
        self.held = "\r" if text.endswith("\r") and not final else ""
        text = text[: len(text) - len(self.held)]
        write_all(self.file, "\r\n".join(map(terminal_safe, text.split("\r\n"))).encode())
        self.file.flush()


def _writer(file: IO[bytes]) -> Callable[[bytes], None]:
    def write(data: bytes) -> None:
        write_all(file, data)

    return write


def _complete(settings: Settings, args: argparse.Namespace, write: Callable[[bytes], None],
              check: Callable[[], None], keep: Callable[[], None]) -> tuple[int, str]:
    """The export's status and summary. A stop that comes once the export is complete and
    audited as such is too late to undo it: the export stands, as its audit row says."""
    finished: list[str] = []
    try:
        return stopping.run(_export(settings, args, write, check, keep, finished))
    except stopping.Stopped:
        if not finished:
            raise
        return 0, finished[0]


async def _export(settings: Settings, args: argparse.Namespace, write: Callable[[bytes], None],
                  check: Callable[[], None], keep: Callable[[], None],
                  finished: list[str]) -> tuple[int, str]:
    from seminarbot.cli.export_services import open_export_services
    from seminarbot.clock import SystemClock
    from seminarbot.core.invocation import Actor
    from seminarbot.domain.errors import UserError
    from seminarbot.features.exports import build_request
    from seminarbot.services.exporting import export_cohort
    from seminarbot.storage.recorded import COMMAND_LINE

    app = await open_export_services(settings, SystemClock())
    try:
        try:
            cohort = await app.cohorts.get(args.cohort)
        except KeyError:
            say(f"there is no cohort {args.cohort}; `seminarbot cohorts --db "
                  f"{settings.database}` lists them")
            return EXIT_CONFIG, ""
        declared, today = app.declared(), app.clock.now().date()

        def typed(name: str) -> Any:  # as the chat command declares it: same types and bounds
            raw = getattr(args, name)
            return None if raw is None else declared.param(name).type.parse(raw, f"--{name}",
                                                                             today)

        try:
            request = await build_request(
                app, cohort, args.format, session=typed("session"), since=typed("since"),
                until=typed("until"), participant=typed("participant"))
        except UserError as error:  # each parameter named as the command line takes it
            message = error.message
            for param in declared.params:
                message = message.replace(f"`{param.name}`", f"`--{param.name}`")
            say(message)
            return EXIT_CONFIG, ""
        user = _os_user()
        where = "standard output" if args.out == "-" else args.out
        result = await export_cohort(app, cohort, request, write,
                                     Actor(COMMAND_LINE, user, user, is_moderator=True),
                                     readers=app.readers, check=check, keep=keep,
                                     written_to=where)
        counted = f"{result.responses} response{'' if result.responses == 1 else 's'}"
        finished.append(f"exported {counted} ({request.label}) of cohort {cohort.id} as "
                        f"{args.format} to {where}, {result.size:,} bytes")
        return 0, finished[0]
    finally:
        await app.close()


def _shown(name: str | None, limit: int = 40) -> str:
    """A name a platform gave (a server's, a channel's) as one safe cell: no control
    characters or escape sequences reach the operator's terminal, and it stays short."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in (name or ""))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


async def _list_cohorts(settings: Settings) -> int:
    from seminarbot.storage.cohorts import CohortRepository
    from seminarbot.storage.db import Database
    from seminarbot.storage.migrate import require_current

    db = await Database.open(settings.database, create=False, write=False, migrate=False)
    try:
        await require_current(db)
        rows = await CohortRepository(db).overview()
    finally:
        await db.close()
    if not rows:
        print(one_line_safe(f"{settings.database}: no cohorts yet"))
        return 0
    table = [("id", "platform", "community", "channel", "state", "responses", "retention")]
    for row in rows:
        retention = f"{row.retention_days} days" if row.retention_days else "none"
        table.append((str(row.id), row.platform, _shown(row.community), _shown(row.channel),
                      row.state, str(row.responses), retention))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
              .rstrip())
    return 0
