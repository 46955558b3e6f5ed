"""The real clock's sleeps notice a jump of the wall clock (NTP, a resumed machine) within
WALL_CHECK, instead of sleeping on by the monotonic clock past what became due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from seminarbot import clock as clock_module
from seminarbot.clock import SystemClock


async def test_a_sleep_ends_soon_after_the_wall_clock_jumps_past_its_instant(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock_module, "WALL_CHECK", 0.02)
    jumped = timedelta(0)

    class Jumping(SystemClock):
        def now(self) -> datetime:
            return datetime.now(UTC) + jumped

    clock = Jumping()
    sleeper = asyncio.create_task(clock.wait_until(clock.now() + timedelta(hours=2),
                                                   asyncio.Event()))
    await asyncio.sleep(0.1)
    assert not sleeper.done()
    jumped = timedelta(hours=3)  # the machine slept, or NTP stepped the clock
    await asyncio.wait_for(sleeper, 1)
