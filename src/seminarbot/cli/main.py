"""Argument parsing and the subcommand each one runs. Exit codes: 0 done, 1 failed, 2 a
configuration or usage error, 70 an internal error (with an incident id), 130 interrupted.
Whatever a subcommand raises goes through one boundary (cli.boundary)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seminarbot.adapters.discord import cli as discord_cli
from seminarbot.cli import boundary, console, content, db, export, health, run
from seminarbot.cli.preflight import check_data_dir
from seminarbot.storage.lock import exclusive

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

# Files the bot creates are its user's alone, whatever umask it was started with (README,
# What is stored): the database, its -wal and -shm, backups, exports, the data directory.
PRIVATE_UMASK = 0o077


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    run.add_parsers(commands)
    health.add_parser(commands)
    console.add_parser(commands)
    db.add_parser(commands)
    content.add_parser(commands)
    discord_cli.add_parser(commands)
    export.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from seminarbot import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    os.umask(PRIVATE_UMASK)
    loaded: list[Settings] = []

    def action() -> int:
        loaded.append(_settings(args))
        if args.command in ("run", "console"):
            check_data_dir(loaded[0].data_dir)
        with exclusive(loaded[0].database) if _writes(args) else contextlib.nullcontext():
            return _run(loaded[0], args)

    return boundary.guarded(
        action, debug=args.debug,
        database=lambda: loaded[0].database if loaded else None,
        data_dir=lambda: loaded[0].data_dir if loaded else None)


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command writes for long or at will: it must be the database's only writer."""
    return (args.command in ("run", "console")
            or (args.command, getattr(args, "db_command", None)) == ("db", "migrate")
            or (args.command, getattr(args, "content_command", None)) == ("content", "ingest"))


def _run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "console":
        return asyncio.run(console.main(settings, args))
    if args.command == "run":
        return asyncio.run(run.main(settings))
    if args.command == "db":
        return asyncio.run(db.main(settings, args))
    if args.command == "content":
        return asyncio.run(content.main(settings, args))
    if args.command == "health":
        return health.main(settings, args)
    if args.command == "discord":
        return asyncio.run(discord_cli.main(settings, args))
    if args.command in ("export", "cohorts"):
        return export.main(settings, args)
    raise AssertionError(f"unhandled command {args.command}")


def _settings(args: argparse.Namespace) -> Settings:
    import dataclasses

    from seminarbot.config.settings import load_settings

    settings = load_settings(args.config)
    if getattr(args, "db", None):
        settings = dataclasses.replace(settings, database=Path(args.db).expanduser())
    from seminarbot.cli.logs import configure

    configure(settings)
    return settings
