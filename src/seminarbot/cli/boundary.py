"""The one error boundary of the command line: whatever a subcommand raises becomes one line on
standard error and an exit code (README, Command line).

- a configuration error: the file, the key and what was expected; exit 2; likewise a data
  directory this user cannot write (the folder, the user and the fix);
- a database that cannot be used (another seminarbot holding it included), or an SQLite error
  later on: the file and what is wrong; 1;
- a file or standard output that failed (a full disk, a closed pipe, a folder we may not
  write): which and why; 1;
- anything else is a bug: one line with an incident id and the log file holding the traceback;
  exit 70 (EX_SOFTWARE). `--debug` prints the traceback on the terminal too.
"""

from __future__ import annotations

import codecs
import errno
import io
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from seminarbot.cli.exits import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    exit_status,
)
from seminarbot.domain.display import one_line_safe

if TYPE_CHECKING:
    import argparse

    from _typeshed import SupportsWrite

# Writes that fail for reasons outside the program: said plainly, not treated as a bug.
_WRITE_ERRORS = {errno.ENOSPC, errno.EPIPE, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS,
                 errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
                 errno.ENAMETOOLONG, errno.ELOOP, errno.EBADF}


SECRET_VARIABLES = ("DISCORD_TOKEN", "MATRIX_PASSWORD", "MATRIX_ACCESS_TOKEN")


def say(message: str, *, final: bool = True, prefix: str = "seminarbot: ",
        traceback: str | None = None) -> None:
    """One line on standard error, whatever state standard output is in, after `traceback` if
    given; `final` (the command ends with it, its exit status decided) unless told otherwise:
    a stop signal then changes nothing (cli.stopping.settle). It may quote what a platform or
    a file said: no control character reaches the terminal raw, nor a line break (a path
    holding one). With `log_format: json`, a JSON line like the log's, level ERROR, the
    traceback in its field (cli.logs.command_line). Secrets are redacted as in the log
    (core.redaction), those given in the environment included: a configuration refused
    before logging is set up may quote one (a token pasted into the wrong key), and in a
    container standard error is the log."""
    if final:  # the command ends with this line: a stop signal now changes no exit status
        from seminarbot.cli import stopping

        stopping.settle()
    _write([message], logging.ERROR, prefix, traceback)


def tell(message: str) -> None:
    """Lines on standard error that are no failure (a summary, the console's intro): as they
    read, or with `log_format: json` a JSON line each at level INFO."""
    _write(message.splitlines(), logging.INFO, "", None)


def _write(lines: list[str], level: int, prefix: str, traceback: str | None) -> None:
    from seminarbot.cli import standard_error
    from seminarbot.cli.logs import command_line
    from seminarbot.core.redaction import redact, remember_secret

    for name in SECRET_VARIABLES:
        remember_secret(os.environ.get(name), anywhere=True)
    # One write, after the log's lines (cli.standard_error): a Ctrl-C between a line and its
    # end would put the next line (the interruption's) on it.
    standard_error.write("".join(
        command_line(one_line_safe(redact(line)), level=level, prefix=prefix,
                     traceback=traceback if at == 0 else None)
        for at, line in enumerate(lines)))


def standard_output(file: SupportsWrite[str] | None) -> SupportsWrite[str]:
    """`file`, else standard output; closed (`>&-`), a failed write, said as one (helper-144:
    print() dropped the version, and help's write was an internal error)."""
    if file is None and sys.stdout is None:
        raise OSError(errno.EBADF, "standard output is closed")
    return file or sys.stdout


_ACTIONS = ("db_command", "content_command", "discord_command")  # where argparse puts them


def tolerant_output() -> None:
    """Standard output in an encoding that cannot hold every character (PYTHONIOENCODING=ascii,
    a Latin-1 terminal, the C locale without UTF-8 mode) writes what it cannot hold as an
    escape (\\u2014), where a reply's dash was an internal error (helper-150's 6); standard
    error already does (Python's default there)."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "surrogateescape") \
            and codecs.lookup(stream.encoding).name != "utf-8":
        stream.reconfigure(errors="backslashreplace")


def said_stopped(args: argparse.Namespace, signum: int) -> int:
    """The exit status of the command `args` name stopped by the signal `signum`
    (cli.exits.exit_status); a command stopped before its end says so, by its whole name
    (`db check`: helper-151's 5, helper-152's 15), where `run` and the console end so
    normally, and their log says so."""
    if args.command not in ("run", "console"):
        action = next((getattr(args, name) for name in _ACTIONS if getattr(args, name, None)),
                      None)
        named = f"{args.command} {action}" if action else args.command
        say(f"{named} stopped by {signal.Signals(signum).name} before its end; what it had "
            "not finished was not done")
    return exit_status(args.command, signum)


def guarded(action: Callable[[], int], *, database: Callable[[], Path | None],
            data_dir: Callable[[], Path | None], debug: bool,
            stopped: Callable[[int], int] = lambda signum: EXIT_INTERRUPTED) -> int:
    """Run `action` and turn any exception into one line and an exit code. `database` and
    `data_dir` name the files in messages and where an incident's log goes, once known;
    `stopped` gives the exit code for a stop signal (SIGINT included)."""
    from seminarbot.cli.stopping import Stopped, pending, settled

    try:
        status = action()
        if sys.stdout is not None:  # started with it closed (`>&-`)
            sys.stdout.flush()
        came = pending()
        # A stop whose exception was dropped on the way, unless the outcome was settled
        # (a backup in place, said so: helper-140)
        if came is not None and not settled():
            return stopped(came)
        return status
    except KeyboardInterrupt:
        return stopped(signal.SIGINT)
    except Stopped as stop:
        return stopped(stop.signum)
    except Exception as error:  # the boundary itself: every kind is sorted below
        came = pending()
        if came is not None:  # the stop, wrapped (RuntimeError from a __set_name__)
            return stopped(came)
        try:
            known = explain(error, database())
        except Exception:  # explaining must never be what fails (helper-140's 1)
            known = None
        if known is not None:
            message, status = known
            say(message)
            _silence_stdout_if_broken(error)
            return status
        return incident(error, data_dir(), debug=debug)


def explain(error: Exception, database: Path | None) -> tuple[str, int] | None:
    """The line and exit code for an error a person can act on; None for a bug."""
    import sqlite3

    from seminarbot.cli.preflight import DataDirUnwritable
    from seminarbot.config.settings import CommandFailed, SettingRefused
    from seminarbot.config.yamlfile import YamlError
    from seminarbot.domain.errors import Busy, FileDamaged, OutputLost, UserError, WriteFailed
    from seminarbot.storage.dbfile import DatabaseUnusable, describe
    from seminarbot.storage.lock import DatabaseInUse, LockUnavailable

    if isinstance(error, OutputLost) and isinstance(error.__cause__, OSError):
        error = error.__cause__  # the console's output, failed under a scheduled post

    if isinstance(error, YamlError):
        return f"configuration error: {error}", EXIT_CONFIG
    if isinstance(error, SettingRefused):
        return str(error), EXIT_CONFIG
    if isinstance(error, CommandFailed):
        return str(error), EXIT_FAILED
    if isinstance(error, DataDirUnwritable | LockUnavailable):
        return str(error), EXIT_CONFIG
    if isinstance(error, DatabaseUnusable | DatabaseInUse):
        return str(error), EXIT_FAILED
    if isinstance(error, WriteFailed | FileDamaged):  # the file's state, not a chat's words
        cause = error.__cause__
        said = describe(cause, database) if isinstance(cause, sqlite3.Error) else error.reason
        return f"{database or 'the database'}: {said}", EXIT_FAILED
    if isinstance(error, Busy):  # its message is a chat's sentence
        return f"{database or 'the database'}: {Busy.line}", EXIT_FAILED
    if isinstance(error, UserError):  # refused on the way
        # The message is written for a chat; on the command line it names the file.
        return (f"{database}: {error.message}" if database else error.message), EXIT_FAILED
    if isinstance(error, sqlite3.Error):
        return f"{database or 'the database'}: {describe(error)}", EXIT_FAILED
    if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
        reason = error.strerror or str(error)
        if error.filename and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            from seminarbot.storage.access import permission_fix

            where = Path(os.fsdecode(error.filename))
            return f"{where}: {reason}; {permission_fix(where, error)}", EXIT_FAILED
        if error.filename:
            return f"{error.filename}: {reason}", EXIT_FAILED
        return f"writing to standard output failed ({reason})", EXIT_FAILED
    return None


def _silence_stdout_if_broken(error: BaseException) -> None:
    """After a failed write to standard output, point it at /dev/null so the interpreter's own
    flush at exit does not print a second, confusing error."""
    if not isinstance(error, OSError) and isinstance(error.__cause__, OSError):
        error = error.__cause__  # domain.errors.OutputLost
    if isinstance(error, OSError) and not error.filename and sys.stdout is not None:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def incident(error: BaseException, data_dir: Path | None, *, debug: bool) -> int:
    """Write the traceback to a private log file and say where, in one line."""
    import traceback

    from seminarbot.cli.incidents import keep
    from seminarbot.core.redaction import redact

    text = redact("".join(traceback.format_exception(error)))  # a log too: no secret in it
    ident, kept, written = keep(text, data_dir)
    say(f"internal error {type(error).__name__} (incident {ident}); {kept}. Nothing more was "
        "done; please report it with that file.", traceback=text if debug or not written else None)
    _silence_stdout_if_broken(error)
    return EXIT_INTERNAL
