"""`seminarbot export` and `seminarbot cohorts`: exports on the server, for any size.

The file is written beside its destination under a temporary name and renamed when complete,
so a failed export leaves nothing behind; an existing file is kept unless --force.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.config import Settings

FORMAT_CHOICES = ("csv", "jsonl", "markdown", "html")  # domain.exports.FORMATS (kept import-free)
EXIT_USAGE = 2


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="export a cohort's discussion to a file (seminarbot cohorts lists them)")
    export.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")
    export.add_argument("--cohort", type=int, required=True, metavar="ID",
                        help="the cohort's id, from `seminarbot cohorts`")
    export.add_argument("--format", required=True, choices=FORMAT_CHOICES)
    export.add_argument("--out", required=True, metavar="PATH",
                        help="the file to write, or - for standard output")
    export.add_argument("--session", metavar="SESSION", help="only this session (number or id)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="only responses from this day on")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="only responses up to this day")
    export.add_argument("--participant", metavar="WHO", help="only this participant (name or id)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    cohorts = commands.add_parser("cohorts", help="list the cohorts, with their ids")
    cohorts.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "cohorts":
        return asyncio.run(_list_cohorts(settings))
    if args.out == "-":
        try:
            return asyncio.run(_export(settings, args, _writer(sys.stdout.buffer)))
        except BrokenPipeError:  # the reader stopped early (| head): not our failure to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    target = Path(args.out).expanduser()
    if target.exists() and not args.force:
        print(f"seminarbot: {target} exists; choose a new file or add --force", file=sys.stderr)
        return 1
    if not target.parent.is_dir():
        print(f"seminarbot: the folder {target.parent} does not exist", file=sys.stderr)
        return EXIT_USAGE
    partial = target.with_name(f".{target.name}.partial")
    status = 1
    try:
        with partial.open("wb") as file:
            status = asyncio.run(_export(settings, args, _writer(file)))
        if status == 0:
            os.replace(partial, target)
    except OSError as error:  # a full disk, a quota, a file-size limit
        print(f"seminarbot: writing {target} failed ({error.strerror or error}); nothing was "
              "exported and the partial file was removed", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return status


def _writer(file: IO[bytes]) -> Callable[[bytes], None]:
    def write(data: bytes) -> None:
        file.write(data)

    return write


async def _export(settings: Settings, args: argparse.Namespace,
                  write: Callable[[bytes], None]) -> int:
    from seminarbot.app import open_services
    from seminarbot.clock import SystemClock
    from seminarbot.core.errors import UserError
    from seminarbot.core.invocation import Actor
    from seminarbot.core.params import Date
    from seminarbot.exporting import export_cohort
    from seminarbot.features.exports import build_request

    app = await open_services(settings, SystemClock())
    try:
        try:
            cohort = await app.cohorts.get(args.cohort)
        except KeyError:
            print(f"seminarbot: there is no cohort {args.cohort}; `seminarbot cohorts --db "
                  f"{settings.database}` lists them", file=sys.stderr)
            return EXIT_USAGE
        try:
            request = await build_request(
                app, cohort, args.format, session=args.session,
                since=Date().parse(args.since, "--since") if args.since else None,
                until=Date().parse(args.until, "--until") if args.until else None,
                participant=args.participant)
        except UserError as error:
            print(f"seminarbot: {error.message}", file=sys.stderr)
            return EXIT_USAGE
        user = _os_user()
        result = await export_cohort(app, cohort, request, write,
                                     Actor("cli", user, user, is_moderator=True))
    finally:
        await app.close()
    where = "standard output" if args.out == "-" else args.out
    print(f"exported {result.responses} responses ({request.label}) of cohort {cohort.id} as "
          f"{args.format} to {where}, {result.size:,} bytes", file=sys.stderr)
    return 0


def _os_user() -> str:
    import getpass  # not at start-up: `seminarbot run` imports this module for its parser

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


async def _list_cohorts(settings: Settings) -> int:
    from seminarbot.storage.db import Database
    from seminarbot.storage.exports import cohort_overview

    db = await Database.open(settings.database)
    try:
        rows = await cohort_overview(db)
    finally:
        await db.close()
    if not rows:
        print(f"{settings.database}: no cohorts yet")
        return 0
    table = [("id", "platform", "community", "channel", "state", "responses", "retention")]
    for row in rows:
        retention = f"{row.retention_days} days" if row.retention_days else "none"
        table.append((str(row.id), row.platform, row.community, row.channel, row.state,
                       str(row.responses), retention))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
              .rstrip())
    return 0
