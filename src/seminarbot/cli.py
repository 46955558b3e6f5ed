"""The `seminarbot` command. Imports stay inside the subcommands so --help starts fast and
never loads discord or nio."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import timedelta

    from seminarbot.config import Settings

EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seminarbot",
        description="A discussion-seminar bot for Discord, Matrix and the terminal.",
        epilog="With no Discord or Matrix configured, `seminarbot run` starts the local console.",
    )
    parser.add_argument("--config", metavar="PATH",
                        help="YAML configuration file (default: $SEMINARBOT_CONFIG)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("run", help="start every configured platform (the console if none)")

    console = commands.add_parser("console", help="run a seminar in this terminal")
    console.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")
    console.add_argument("--clock", metavar="ISO-INSTANT",
                         help="start a frozen simulated clock at this instant, e.g. "
                              "2026-01-05T09:00Z (default: real time plus saved /clock moves)")
    console.add_argument("--user", metavar="NAME", help="who you act as at the start")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("migrate", help="apply pending migrations")
    backup = db_commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", metavar="PATH")
    db_commands.add_parser("check", help="integrity, foreign keys and migration state")
    for sub in (db_commands.choices["migrate"], backup, db_commands.choices["check"]):
        sub.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")

    content = commands.add_parser("content", help="check the content, ingest a copy of a text")
    content_commands = content.add_subparsers(dest="content_command", metavar="ACTION",
                                              required=True)
    check = content_commands.add_parser(
        "check", help="validate content/ and prompts/ (and, with --texts, against the texts)")
    check.add_argument("--texts", metavar="DIR",
                       help="a folder with copies of the texts (.txt), e.g. ../shared/seeds")
    ingest = content_commands.add_parser(
        "ingest", help="index your own copy of a text for /seminar search")
    ingest.add_argument("file", metavar="FILE")
    ingest.add_argument("--text", required=True, metavar="TEXT-ID",
                        help="which text it is, e.g. priestland-2002")
    ingest.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")

    discord = commands.add_parser("discord", help="Discord: sync the slash commands")
    discord_commands = discord.add_subparsers(dest="discord_command", metavar="ACTION",
                                              required=True)
    sync = discord_commands.add_parser(
        "sync", help="register the slash commands: in one server (instant) or globally")
    where = sync.add_mutually_exclusive_group()
    where.add_argument("--guild", metavar="ID",
                       help="sync to this server only (default: discord.test_guild if set)")
    where.add_argument("--global", dest="everywhere", action="store_true",
                       help="sync globally even if discord.test_guild is set")

    from seminarbot.export_cli import add_parsers as add_export_parsers

    add_export_parsers(commands)

    health = commands.add_parser("health", help="exit 0 if the running bot is alive (Docker)")
    health.add_argument("--max-age", type=int, default=180, metavar="SECONDS")
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
    from seminarbot.yamlfile import YamlError

    try:
        settings = _settings(args)
        if args.command == "console":
            return asyncio.run(_console(settings, args))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "db":
            return asyncio.run(_db(settings, args))
        if args.command == "content":
            return asyncio.run(_content(settings, args))
        if args.command == "health":
            return _health(settings, args.max_age)
        if args.command == "discord":
            return asyncio.run(_discord_sync(settings, args))
        if args.command in ("export", "cohorts"):
            from seminarbot.export_cli import run as run_export

            return run_export(settings, args)
    except YamlError as error:
        print(f"seminarbot: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")


def _settings(args: argparse.Namespace) -> Settings:
    import dataclasses
    import logging

    from seminarbot.config import load_settings

    settings = load_settings(args.config)
    if getattr(args, "db", None):
        settings = dataclasses.replace(settings, database=Path(args.db).expanduser())
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.adapters.console.session import Console, stdin_lines
    from seminarbot.app import open_services
    from seminarbot.clock import ManualClock, OffsetClock, parse_instant

    clock: ManualClock | OffsetClock
    saved = settings.database.with_name(settings.database.name + ".console-clock")
    if args.clock:
        try:
            clock = ManualClock(parse_instant(args.clock))
        except ValueError:
            print(f"seminarbot: --clock expects an ISO instant such as 2026-01-05T09:00Z, "
                  f"got {args.clock!r}", file=sys.stderr)
            return EXIT_CONFIG
    else:
        clock = OffsetClock(_read_offset(saved))

    def save(moved: OffsetClock) -> None:
        saved.write_text(str(moved.offset.total_seconds()), encoding="utf-8")

    app = await open_services(settings, clock)
    try:
        interactive = sys.stdin.isatty()
        console = Console(app, clock, out=sys.stdout, user=args.user or settings.console_user,
                          save_clock=save, interactive=interactive)
        await console.start()
        if interactive:
            await console.run_interactive()
        else:
            await console.run_lines(stdin_lines())
    finally:
        await app.close()
    return 0


def _read_offset(path: Path) -> timedelta:
    from datetime import timedelta

    try:
        return timedelta(seconds=float(path.read_text("utf-8").strip()))
    except (OSError, ValueError):
        return timedelta(0)


async def _run(settings: Settings) -> int:
    from seminarbot.heartbeat import beat

    pulse = asyncio.create_task(beat(settings.data_dir / "heartbeat"))
    try:
        return await _run_platforms(settings)
    finally:
        pulse.cancel()


async def _run_platforms(settings: Settings) -> int:
    platforms = settings.platforms
    if not platforms:
        print("No Discord or Matrix account is configured, so this starts the local console.\n"
              "To run on a platform, set DISCORD_TOKEN, or MATRIX_HOMESERVER, MATRIX_USER_ID and "
              "MATRIX_PASSWORD (or MATRIX_ACCESS_TOKEN), or name them in a config file "
              "(see README.md).", file=sys.stderr)
        return await _console(settings, argparse.Namespace(clock=None, user=None))
    from seminarbot.runner import AdapterMissing, run_platforms

    try:
        await run_platforms(settings)
    except AdapterMissing as error:
        print(f"seminarbot: {error}; unset its credentials to use the console.",
              file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.storage.db import Database
    from seminarbot.storage.migrate import current_version, migrate, problems

    db = await Database.open(settings.database, migrate=False)
    try:
        if args.db_command == "migrate":
            applied = await migrate(db)
            version = await current_version(db)
            names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "nothing to apply"
            print(f"{settings.database}: schema version {version} ({names})")
            return 0
        if args.db_command == "backup":
            target = Path(args.path).expanduser()
            if target.exists():
                print(f"seminarbot: {target} exists; choose a new file", file=sys.stderr)
                return 1
            await db.backup(target)
            print(f"backed up {settings.database} to {target}")
            return 0
        found = await problems(db)
        for problem in found:
            print(problem)
        if not found:
            print(f"{settings.database}: ok (schema version {await current_version(db)})")
        return 1 if found else 0
    finally:
        await db.close()


async def _content(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.app import content_roots

    roots = content_roots(settings)
    if args.content_command == "check":
        from seminarbot.syllabus.check import check_content

        texts = Path(args.texts).expanduser() if args.texts else None
        if texts is not None and not texts.is_dir():
            print(f"seminarbot: --texts expects a folder, got {args.texts!r}", file=sys.stderr)
            return EXIT_CONFIG
        report = check_content(roots, texts)
        for problem in report.problems:
            print(problem)
        if not report.ok or report.syllabus is None:
            print(f"content check: {len(report.problems)} problem(s)", file=sys.stderr)
            return 1
        syllabus = report.syllabus
        sections = sum(len(t.sections) for t in syllabus.texts)
        prompts = sum(len(s.prompts) for s in syllabus.plan.sessions)
        against = "; checked against " + ", ".join(
            f"{text_id} = {path.name}" for text_id, path in sorted(report.copies.items())
        ) if report.copies else " (no --texts: locators, citations and copying not checked)"
        print(f"content ok: {len(syllabus.texts)} texts, {sections} sections, "
              f"{len(syllabus.plan.sessions)} sessions, {prompts} prompts, "
              f"{len(syllabus.glossary)} glossary entries{against}")
        return 0
    from seminarbot.clock import SystemClock
    from seminarbot.ingest import IngestError, ingest
    from seminarbot.storage.db import Database
    from seminarbot.storage.passages import PassageRepository
    from seminarbot.syllabus.loader import load_syllabus

    syllabus = load_syllabus(roots)
    db = await Database.open(settings.database)
    try:
        done = await ingest(PassageRepository(db), syllabus, Path(args.file).expanduser(),
                            args.text, SystemClock().now())
    except IngestError as error:
        print(f"seminarbot: {error}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(f"ingested {args.file} as {done.text_id}: {done.sections} sections, "
          f"{done.passages} passages, into {settings.database}")
    return 0


async def _discord_sync(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.discord.token:
        print("seminarbot: set DISCORD_TOKEN (or discord.token) to sync commands",
              file=sys.stderr)
        return EXIT_CONFIG
    from seminarbot.adapters.discord import sync_commands

    guild = None if args.everywhere else (args.guild or settings.discord.test_guild)
    try:
        synced = await sync_commands(settings, guild)
    except Exception as error:  # the HTTP error from Discord, said plainly
        print(f"seminarbot: sync failed: {error}", file=sys.stderr)
        return 1
    where = f"to server {synced.guild_id}" if synced.guild_id else "globally"
    print(f"synced {len(synced.names)} commands {where}: "
          + ", ".join("/" + name for name in synced.names))
    return 0


def _health(settings: Settings, max_age: int) -> int:
    import time

    beat = settings.data_dir / "heartbeat"
    try:
        age = time.time() - beat.stat().st_mtime
    except OSError:
        print(f"no heartbeat at {beat}", file=sys.stderr)
        return 1
    if age > max_age:
        print(f"heartbeat is {age:.0f}s old", file=sys.stderr)
        return 1
    return 0
