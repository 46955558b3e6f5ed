"""The real clock's sleeps notice a jump of the wall clock (NTP, a resumed machine) within
WALL_CHECK, instead of sleeping on by the monotonic clock past what became due; the stored
form of an instant is ISO 8601's, whatever zone the instant is given in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seminarbot import clock as clock_module
from seminarbot.clock import SystemClock, parse_instant, to_iso


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


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.timezones()))
def test_the_stored_form_is_iso_8601_in_utc_to_the_second(instant: datetime) -> None:
    stored = to_iso(instant)
    assert stored == instant.astimezone(UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")
    assert parse_instant(stored) == instant.astimezone(UTC).replace(microsecond=0)
