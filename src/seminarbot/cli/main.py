"""Argument parsing and the subcommand each one runs. Exit codes: 0 done, 1 failed, 2 a
configuration or usage error, 70 an internal error (with an incident id), 130 interrupted
(Ctrl-C); `run` and `console` stopped by SIGTERM or SIGHUP exit 0 (cli.stopping).
Whatever a subcommand raises goes through one boundary (cli.boundary)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from seminarbot.cli import boundary, run, stopped_early, stopping
from seminarbot.cli.arguments import Parser, parse
from seminarbot.cli.exits import EXIT_CONFIG, typed_command
from seminarbot.cli.leftovers import Before
from seminarbot.cli.preflight import check_data_dir, closed_stream, warn_if_open
from seminarbot.config.data_folder import HEARTBEAT
from seminarbot.storage.lock import DatabaseInUse, data_dir_lock, exclusive
from seminarbot.storage.private import make_private_dirs

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

# Files the bot creates are its user's alone, whatever the umask (README, What is stored).
PRIVATE_UMASK = 0o077


# Each subcommand's words, and the module (and function) that declares its arguments and runs
# it. Only the typed command's module is imported (`run` loads neither the exports nor the
# console: start-up time and memory, benchmarks/matrix_bench.py); all for --help or a typo.
SUBCOMMANDS = (
    (("run",), "seminarbot.cli.run", "add_parsers"),
    (("health",), "seminarbot.cli.health", "add_parser"),
    (("console",), "seminarbot.cli.console", "add_parser"),
    (("db",), "seminarbot.cli.db", "add_parser"),
    (("content",), "seminarbot.cli.content", "add_parser"),
    (("discord",), "seminarbot.adapters.discord.cli", "add_parser"),
    (("export", "cohorts"), "seminarbot.cli.export", "add_parsers"),
)


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser for `argv` (None: for every subcommand)."""
    parser = Parser(
        prog="seminarbot",
        description="A discussion-seminar bot for Discord, Matrix and the terminal.",
        epilog="With no Discord or Matrix configured, `seminarbot run` starts the local console.",
    )
    parser.add_argument("--config", metavar="PATH",
                        help="YAML configuration file (default: $SEMINARBOT_CONFIG)")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback here too")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    typed = typed_command(list(argv)) if argv is not None else None
    known = any(typed in words for words, _, _ in SUBCOMMANDS)
    for words, module, function in SUBCOMMANDS:
        if not known or typed in words:
            declare: Callable[[Any], None] = getattr(importlib.import_module(module), function)
            declare(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    boundary.tolerant_output()
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    parsed: list[argparse.Namespace] = []
    # Help and the version inside the boundary too: to a closed or full output, one line.
    given = None if argv is None else list(argv)
    status = boundary.guarded(lambda: parse(parser, argv, parsed), debug=False,
                              stopped=lambda signum: stopped_early(given, signum),
                              database=lambda: None, data_dir=lambda: None)
    # A HEALTHCHECK's exit status is 0 or 1, 2 being reserved (Docker's reference: HEALTHCHECK):
    # a configuration or an argument it cannot read is unhealthy (helper-183's 6, 187's 13).
    health = _command_word(sys.argv[1:] if argv is None else argv) == "health"
    if not parsed:
        return min(status, 1) if health else status
    args = parsed[0]
    os.umask(PRIVATE_UMASK)
    loaded: list[Settings] = []

    def action() -> int:
        if args.command == "run":
            from seminarbot.cli.malloc import one_arena

            one_arena()  # before any thread (the log's, the database's): one heap for all
        loaded.append(_settings(args))
        refused = _refusal(loaded[0], args)
        if refused is not None:
            boundary.say(refused)
            return EXIT_CONFIG
        if args.command in ("run", "console"):
            check_data_dir(loaded[0].data_dir)
            if loaded[0].database.parent != loaded[0].data_dir:  # --db, SEMINARBOT_DB
                warn_if_open(loaded[0].database.parent, "the database's folder")
        if args.command == "run" and loaded[0].platforms:
            run.preload(loaded[0])  # content refused before the data folder is made
        elif args.command in ("run", "console"):
            from seminarbot.cli import console

            console.preload(loaded[0])  # refused before the data folder is made
            if not args.debug:
                from seminarbot.cli.incidents import from_the_log

                from_the_log(loaded[0].data_dir)  # the terminal is a person's, not a log's
        with _locks(loaded[0], args) as unbegun:
            return _run(loaded[0], args, unbegun)

    status = boundary.guarded(
        action, debug=args.debug,
        stopped=lambda signum: boundary.said_stopped(args, signum),
        database=lambda: loaded[0].database if loaded else None,
        data_dir=lambda: loaded[0].data_dir if loaded else None)
    return min(status, 1) if health else status


def _command_word(words: Sequence[str]) -> str | None:
    """The command a command line names, read past the top options (--config takes a value)."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        index += 2 if words[index] == "--config" else 1
    return words[index] if index < len(words) else None


def _refusal(settings: Settings, args: argparse.Namespace) -> str | None:
    """Why a command (`run`, `console` above all) will not start, said before it creates."""
    closed = closed_stream(args.command)
    if closed is not None or args.command not in ("run", "console"):
        return closed
    refused = run.refusal(settings) if args.command == "run" else None
    if refused is None and (args.command == "console" or not settings.platforms):
        from seminarbot.cli import console

        refused = console.refusal(settings, args if args.command == "console" else None)
    return refused


@contextlib.contextmanager
def _locks(settings: Settings, args: argparse.Namespace) -> Iterator[Callable[[], None]]:
    """The database's lock for a command that writes; `run` first locks its data directory,
    whose Matrix store and heartbeat are shared by whatever database it uses. Its heartbeat
    says it ended, however it ends (even on a database refused before any platform is asked);
    a first start makes none for that (`_last_beat`). A first start a
    platform refused before any session began, or whose new database was refused, leaves
    nothing of its own (cli.leftovers).
    Yields what `run` calls in that case."""
    unbegun: list[bool] = []
    before = Before.look(settings.data_dir, settings.database,
                         matrix=args.command == "run" and "matrix" in settings.platforms)
    kept_data_dir = os.path.isdir(settings.data_dir)  # not made by this run
    with contextlib.ExitStack() as held:
        if args.command == "run":
            make_private_dirs(settings.data_dir)
            held.enter_context(data_dir_lock(settings.data_dir))
            if settings.platforms:  # the heartbeat is this data directory's: say it ended
                said_stopped = partial(_last_beat, settings,
                                       made=before.database and kept_data_dir)
                # After `before.undo` (callbacks run last in, first out).
                held.callback(said_stopped)
                stopping.at_the_limit(said_stopped)  # a stop cut short says so too
        if _writes(args):
            # A stop waits until the clean-up below is in place: the lock makes the file
            # (helper-191's 1: a stop between the two left it).
            with stopping.held_back():
                try:
                    held.enter_context(exclusive(settings.database))
                except Exception as error:  # the database refused: the folders made for it
                    if not isinstance(error, DatabaseInUse):  # go, not another's (156's 4)
                        before.undo()
                    raise
                held.callback(lambda: before.undo() if unbegun or not before.whole()
                              else None)  # a new one not made whole: no folder stays
        yield lambda: unbegun.append(True)


def _last_beat(settings: Settings, *, made: bool) -> None:
    """`run`'s heartbeat, if there is one, says every link stopped; one is `made` for a run of
    a database that was there, in a data directory that was (one refused at its start:
    helper-183's 5, health said `run` had never run), never where this run made the data
    directory (a first start, another program's database), which keeps nothing of its own."""
    from seminarbot.cli.heartbeat import last
    from seminarbot.clock import SystemClock

    if os.path.lexists(beat := settings.data_dir / HEARTBEAT) or made:
        last(beat, settings.platforms, SystemClock().now())


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command writes for long or at will: it must be the database's only writer
    (`content ingest` takes the lock itself, once its input is checked)."""
    return (args.command in ("run", "console")
            or (args.command, getattr(args, "db_command", None)) == ("db", "migrate"))


def _run(settings: Settings, args: argparse.Namespace, unbegun: Callable[[], None]) -> int:
    if args.command == "run":
        return stopping.run(run.main(settings, unbegun=unbegun))
    if args.command == "console":
        from seminarbot.cli import console

        return stopping.run(console.main(settings, args))
    if args.command == "db":
        from seminarbot.cli import db

        return stopping.run(db.main(settings, args))
    if args.command == "content":
        from seminarbot.cli import content

        return stopping.run(content.main(settings, args))
    if args.command == "discord":
        from seminarbot.adapters.discord import cli as discord_cli

        return stopping.run(discord_cli.main(settings, args))
    if args.command == "health":
        from seminarbot.cli import health

        return health.main(settings, args)
    if args.command in ("export", "cohorts"):
        from seminarbot.cli import export

        return export.main(settings, args)
    raise AssertionError(f"unhandled command {args.command}")


def _settings(args: argparse.Namespace) -> Settings:
    from seminarbot.config.settings import SettingRefused, declared_log_format, load_settings
    from seminarbot.config.yamlfile import YamlError

    try:
        settings = load_settings(args.config, database=getattr(args, "db", None))
    except (YamlError, SettingRefused):  # said in the format the file asks for, if it tells
        from seminarbot.cli.logs import errors_as

        errors_as(declared_log_format(args.config))
        raise
    from seminarbot.cli.logs import configure

    configure(settings)
    return settings
