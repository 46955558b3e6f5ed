"""A moderator's /seminar post in a process of its own, dying where told (see JournalPoster)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from seminarbot.app import open_services
from seminarbot.clock import ManualClock, parse_instant
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from tests.conftest import make_settings
from tests.scheduler.support import JournalPoster, long_syllabus


async def main(data: Path, journal: Path, now: str, crash: str, line: str) -> None:
    app = await open_services(make_settings(data), ManualClock(parse_instant(now)),
                              syllabus=long_syllabus())
    app.scheduler.attach(JournalPoster(journal, crash=crash))
    reply = await run_line(app, line, Actor("console", "console:mod", "mod", is_moderator=True),
                           Place("console", "local", "seminar"))
    print(reply.title, *reply.paragraphs)
    await app.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4],
                     sys.argv[5]))
