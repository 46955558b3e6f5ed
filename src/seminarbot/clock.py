"""Injected time. Every component asks a Clock for "now" and sleeps through it, so tests and
the console can move time by hand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    async def wait_until(self, instant: datetime | None, wake: asyncio.Event) -> None:
        """Return once `instant` has come (never, if None) or `wake` is set."""
        ...


# Sleeps are timed by the monotonic clock, which a jump of the wall clock (NTP stepping it, a
# virtual machine resumed) does not move: waking at least this often (seconds) notices a jump.
WALL_CHECK = 60.0


async def _wait_real(now: Callable[[], datetime], instant: datetime | None,
                     wake: asyncio.Event) -> None:
    while instant is None or now() < instant:
        left = WALL_CHECK if instant is None else (instant - now()).total_seconds()
        if await set_within(wake, min(max(left, 0.0), WALL_CHECK)):
            return


async def set_within(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` is set within `seconds`. A cancellation that comes as it is set is
    raised, never lost: asyncio.wait_for, on Python 3.11, returned the wake-up instead
    (CPython gh-86296; tests/test_cancellation.py), and a stopped loop went on."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
            return True
    return False


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def wait_until(self, instant: datetime | None, wake: asyncio.Event) -> None:
        await _wait_real(self.now, instant, wake)


class ManualClock:
    """A clock that only moves when told to; sleepers wake when it passes their instant."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._moved: set[asyncio.Event] = set()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self.set(self._now + delta)
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError("time only moves forward")
        self._now = instant
        for moved in self._moved:
            moved.set()

    async def wait_until(self, instant: datetime | None, wake: asyncio.Event) -> None:
        while not wake.is_set() and (instant is None or self._now < instant):
            moved = asyncio.Event()
            self._moved.add(moved)
            try:
                waits = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(moved.wait())}
                _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
            finally:
                self._moved.discard(moved)


class OffsetClock:
    """Real time shifted by an offset: the console's live simulated clock."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self.offset += delta
        return self.now()

    def set(self, instant: datetime) -> None:
        self.offset = max(self.offset, instant - datetime.now(UTC))

    async def wait_until(self, instant: datetime | None, wake: asyncio.Event) -> None:
        await _wait_real(self.now, instant, wake)


class SteadyClock:
    """Another clock that never goes back: while it is behind the latest instant seen (or the
    floor set from what the database recorded, `hold_at_least`), `now` stays there, so the
    planner never places a session before one already posted. Waits are the inner clock's, so
    nothing due later is sent before that clock reaches it. A step back is logged once."""

    def __init__(self, inner: Clock) -> None:
        self.inner = inner
        self._floor: datetime | None = None
        self._warned = False

    def hold_at_least(self, instant: datetime) -> None:
        if self._floor is None or instant > self._floor:
            self._floor = instant.astimezone(UTC)

    def now(self) -> datetime:
        real = self.inner.now()
        if self._floor is not None and real < self._floor:
            if not self._warned:
                log.warning("the clock reads %s, behind %s, a time this bot already recorded; "
                            "it keeps to that time until the clock catches up", to_iso(real),
                            to_iso(self._floor))
                self._warned = True
            return self._floor
        self._floor, self._warned = real, False
        return real

    async def wait_until(self, instant: datetime | None, wake: asyncio.Event) -> None:
        await self.inner.wait_until(instant, wake)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a naive value is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def exact(instant: datetime) -> str:
    """An instant as exactly as it was given (microseconds kept), in UTC, for telling apart
    two that to_iso makes the same: ISO 8601 as datetime.isoformat writes it."""
    return instant.astimezone(UTC).isoformat()


def to_iso(instant: datetime) -> str:
    """The storage form of an instant: UTC, seconds precision, 'Z' suffix."""
    # This runs once per stored row: %-formatting the fields takes half isoformat's time
    # (which asks the zone for its offset), an f-string's with format specs, a third of
    # strftime's.
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
        instant.year, instant.month, instant.day, instant.hour, instant.minute, instant.second)
