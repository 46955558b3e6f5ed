"""`seminarbot console`: a seminar in this terminal, on the injected (simulated) clock."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from seminarbot.cli.boundary import say, tell
from seminarbot.cli.exits import EXIT_CONFIG

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from seminarbot.clock import ManualClock, OffsetClock
    from seminarbot.config.settings import Settings
    from seminarbot.domain.syllabus import Syllabus
    from seminarbot.storage.db import Database
    from seminarbot.syllabus.roots import ContentRoots


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    console = commands.add_parser("console", help="run a seminar in this terminal")
    console.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")
    console.add_argument("--clock", metavar="ISO-INSTANT",
                         help="start a frozen simulated clock at this instant, e.g. "
                              "2026-01-05T09:00Z (default: real time plus saved /clock moves)")
    console.add_argument("--user", metavar="NAME", help="who you act as at the start")


def refusal(settings: Settings, args: argparse.Namespace | None) -> str | None:
    """What is wrong with the console's --clock or its user (--user, console.user), decided
    before anything is created (cli.main): a database and its lock were left behind."""
    from seminarbot.adapters.console.session import CLOCK_LIMIT, CLOCK_START
    from seminarbot.core.redaction import quoted
    from seminarbot.domain.display import MAX_PERSON_NAME, is_person_name

    given = getattr(args, "clock", None)
    if given is not None:  # given empty, it is refused, not real time
        try:
            _start(given)
        except (ValueError, OverflowError):
            from seminarbot.core.dates import month_length

            day = re.match(r"(\d{4})-(\d\d)-(\d\d)", given)  # 2026-02-29: why, as in chat
            why = month_length(*map(int, day.groups())) if day else ""
            return (f"--clock expects an ISO instant with its zone (Z, or an offset such as "
                    f"+01:00) from {CLOCK_START.year} to {CLOCK_LIMIT.year - 1}, such as "
                    f"2026-01-05T09:00Z; got {quoted(given)}" + (f" ({why})" if why else "")
                    + _USAGE)
    named = getattr(args, "user", None)
    user = named if named is not None else settings.console_user
    if not is_person_name(user):  # USER, when it is none, gave way to "you" (config.settings)
        return (f"{'--user' if named is not None else 'console.user'} expects a name of 1 to "
                f"{MAX_PERSON_NAME} printable characters (or bidirectional marks), with no "
                f"space at either end, got {quoted(user)}" + (_USAGE if named is not None else ""))
    return None


_USAGE = " (seminarbot console --help shows the usage)"  # as every argument refused (cli.arguments)


def preload(settings: Settings) -> None:
    """Load the syllabus the next `main` runs on now: cli.main does it before anything is
    created, so content the loader refuses leaves no data folder or database behind. Raises
    the loader's configuration errors."""
    from seminarbot.app import content_roots
    from seminarbot.syllabus.loader import load_syllabus

    roots = content_roots(settings)
    _preloaded[roots] = load_syllabus(roots)


_preloaded: dict[ContentRoots, Syllabus] = {}


def _start(given: str) -> datetime:
    """--clock's instant; ValueError (or OverflowError) without its zone (a time of day alone
    is no instant: the seminar's zone or UTC would be a guess) or outside the console's years."""
    from datetime import UTC, datetime

    from seminarbot.adapters.console.session import CLOCK_LIMIT, CLOCK_START

    # RFC 3339 allows a lower-case z; nothing allows a line break or control inside.
    text = given[:-1] + "Z" if given.endswith("z") else given
    if not text.isprintable():
        raise ValueError(given)
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(given)
    start = instant.astimezone(UTC)
    if not CLOCK_START <= start < CLOCK_LIMIT:
        raise ValueError(given)
    return start


async def main(settings: Settings, args: argparse.Namespace, *, intro: str = "") -> int:
    """`intro` is said on standard error once the database is open (run's explanation).
    `refusal` has accepted the arguments."""
    from seminarbot.adapters.console.session import Console
    from seminarbot.adapters.console.terminal import stdin_lines
    from seminarbot.app import content_roots, open_services
    from seminarbot.clock import ManualClock

    saved = settings.database.with_name(settings.database.name + ".console-clock")
    clock, unreadable = _clock_of(args, saved)

    def kept() -> None:
        try:
            _keep(saved, clock)
        except OSError as error:
            say(f"{saved}: where the clock stands could not be kept for the next start "
                f"({error.strerror or error})", final=False)

    user = args.user if args.user is not None else settings.console_user
    app = await open_services(settings, clock, _preloaded.pop(content_roots(settings), None))
    try:
        moved = await _clock_set(app.db, clock, unreadable)
    except BaseException:  # closed, or its thread keeps the process from ending
        await app.close()
        raise
    if moved is None:
        await app.close()
        return EXIT_CONFIG
    if moved or isinstance(clock, ManualClock):
        kept()
    if intro:
        tell(intro)
    try:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        session = Console(app, clock, out=sys.stdout, user=user,
                          save_clock=lambda: _keep(saved, clock), interactive=interactive)
        watch = asyncio.create_task(_watched(app.db))
        try:
            await session.start()
            if interactive:
                await session.run_interactive()
            else:
                await session.run_lines(stdin_lines())
        finally:
            watch.cancel()
            if isinstance(clock, ManualClock):  # it stood still while the console ran
                kept()
    finally:
        await app.close()
    return 0


def _clock_of(args: argparse.Namespace, saved: Path) -> tuple[ManualClock | OffsetClock,
                                                              str | None]:
    """The console's clock: frozen at --clock, else real time shifted as `saved` keeps it; and
    why `saved` cannot be read, if it cannot."""
    from datetime import timedelta

    from seminarbot.clock import ManualClock, OffsetClock

    if args.clock is not None:
        return ManualClock(_start(args.clock)), None
    offset = _read_offset(saved)
    if isinstance(offset, str):
        return OffsetClock(timedelta(0)), f"{saved}: the saved clock cannot be read ({offset})"
    return OffsetClock(offset), None


def _keep(saved: Path, clock: ManualClock | OffsetClock) -> None:
    """Where the clock stands, as its offset from real time: a start without --clock goes on
    from there, after a frozen clock's run too (helper-167's 5). Raises OSError."""
    from datetime import UTC, datetime

    from seminarbot.config.files import replace_private

    seconds = (clock.now() - datetime.now(UTC)).total_seconds()
    replace_private(saved, f"{seconds:.6f}".encode())  # never 1e-06: _read_offset's form


async def _watched(db: Database) -> None:
    """The console writes no heartbeat: its database is checked as `run`'s beat checks it, so
    that a log deleted under it while nobody types is copied in before a crash loses it
    (storage.db Database.check, helper-131)."""
    from seminarbot.cli.heartbeat import INTERVAL_SECONDS
    from seminarbot.domain.errors import StorageLost

    with contextlib.suppress(StorageLost):
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            await db.check()


async def _clock_set(db: Database, clock: ManualClock | OffsetClock, unreadable: str | None
                     ) -> bool | None:
    """A simulated clock behind what the database recorded would plan sessions before posted
    ones: a frozen --clock is refused (None), the saved clock moved forward to it (True). An
    `unreadable` saved clock goes on from there too, or is real time for a new database."""
    from datetime import UTC, datetime

    from seminarbot.clock import ManualClock, OffsetClock, to_iso
    from seminarbot.storage.recorded import latest_recorded

    latest = await latest_recorded(db)
    if unreadable is not None and isinstance(clock, OffsetClock):
        if latest is None:
            say(f"{unreadable}; the console's clock is real time", final=False)
            return True
        clock.offset = latest - datetime.now(UTC)
        say(f"{unreadable}; the console's clock goes on from {to_iso(latest)}, the latest time "
            "this database has recorded", final=False)
        return True
    if latest is None or clock.now() >= latest:
        return False
    if isinstance(clock, ManualClock):
        say(f"--clock {to_iso(clock.now())} is before {to_iso(latest)}, the latest time this "
            "database has recorded; time only moves forward, so give that time or a later one")
        return None
    clock.set(latest)
    say(f"the simulated clock moves forward to {to_iso(latest)}, the latest time this database "
        "has recorded", final=False)
    return True


def _read_offset(path: Path) -> timedelta | str:
    """Where the console's clock stood, as its offset from real time (none without a file); or
    why it cannot be read: a damaged file, or one that puts the clock outside its years."""
    import math
    from datetime import UTC, datetime, timedelta

    from seminarbot.adapters.console.session import CLOCK_LIMIT, CLOCK_START
    from seminarbot.config.files import read_regular

    now = datetime.now(UTC)
    earliest, limit = ((end - now).total_seconds() for end in (CLOCK_START, CLOCK_LIMIT))
    why = f"no number of seconds that keeps it from {CLOCK_START.year} to {CLOCK_LIMIT.year - 1}"
    try:
        written = read_regular(path, 64, own=True).decode().strip()
        # As _keep writes it: Python's float() would take 1_000 or inf too.
        seconds = float(written) if re.fullmatch(r"-?\d+(\.\d+)?", written) else math.nan
    except FileNotFoundError:
        return timedelta(0)
    except OSError as error:
        seconds, why = math.nan, error.strerror or str(error)
    except (ValueError, UnicodeDecodeError):
        seconds = math.nan
    if not math.isfinite(seconds) or not earliest <= seconds < limit:
        return why
    return timedelta(seconds=seconds)
