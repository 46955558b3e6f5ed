"""Soak: 10,000 simulated participants post through the console over a simulated month.

Every response is counted back out of the database (none lost, none doubled), and the
process's resident memory stays flat from week to week.
"""

from __future__ import annotations

import gc
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seminarbot.adapters.console.session import Console
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from tests.conftest import make_settings
from tests.scheduler.support import long_syllabus

PARTICIPANTS = 10_000
WEEKS = 4


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Discard(io.TextIOBase):
    """Console output, counted and dropped: a month of replies must not pile up in memory."""

    def __init__(self) -> None:
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return len(text)


@pytest.mark.slow
async def test_a_month_of_ten_thousand_participants(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    app = await open_services(make_settings(tmp_path), clock, syllabus=long_syllabus(WEEKS))
    out = Discard()
    console = Console(app, clock, out=out, user="host")
    resident: list[float] = []
    try:
        await console.start()
        await console.handle("/seminar setup mon 10:00 UTC")
        for week in range(1, WEEKS + 1):
            await console.handle("/clock advance 7d")  # the week's prompts are posted
            for person in range(PARTICIPANTS):
                await console.handle(f"/as p{person}")
                prompt = f"{week}.{1 + person % 2}"
                await console.handle(f"/seminar respond {prompt} Week {week}, person {person}: "
                                     "the soviets were organs of self-government.")
            gc.collect()
            resident.append(rss_mb())
        stored = await app.db.scalar("SELECT COUNT(*) FROM responses")
        distinct = await app.db.scalar("SELECT COUNT(DISTINCT body) FROM responses")
        people = await app.db.scalar("SELECT COUNT(*) FROM participants")
        per_week = await app.db.fetchall(
            "SELECT session_id, COUNT(*) FROM responses GROUP BY session_id ORDER BY session_id")
        posted = await app.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND state = 'posted'")
    finally:
        await app.close()
    assert stored == distinct == PARTICIPANTS * WEEKS  # none lost, none doubled
    assert people == PARTICIPANTS
    assert [tuple(r) for r in per_week] == [(f"w{w}", PARTICIPANTS) for w in range(1, WEEKS + 1)]
    assert posted == WEEKS * 2
    # Flat memory: after the first week (caches warm) it grows by no more than a small margin,
    # while the database grows by 10,000 responses a week.
    assert resident[-1] - resident[0] < 15, resident
    assert out.lines > PARTICIPANTS * WEEKS
