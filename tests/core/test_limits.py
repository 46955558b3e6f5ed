"""The per-person command limits on the injected clock: bursts, refill, commands running at
once, one "slow down" then silence, moderators' larger allowance, exempt platforms, bounded
memory; and dispatch applies them before anything else."""

from __future__ import annotations

from datetime import timedelta

from seminarbot.clock import ManualClock
from seminarbot.core import limits
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.limits import CommandLimits, Rate
from seminarbot.services.container import Services
from tests.conftest import START

BOB = Actor("matrix", "@bob:x", "bob")
ANN = Actor("matrix", "@ann:x", "ann", is_moderator=True)
RATE = Rate(burst=3, per_minute=6, in_flight=2)


def admitted(limiter: CommandLimits, actor: Actor, times: int) -> list[bool]:
    found = []
    for _ in range(times):
        refused = limiter.admit(actor)
        found.append(refused is None)
        if refused is None:
            limiter.release(actor)
    return found


def test_a_burst_then_the_refill_rate_on_the_injected_clock() -> None:
    clock = ManualClock(START)
    limiter = CommandLimits(clock, participants=RATE)
    assert admitted(limiter, BOB, 5) == [True, True, True, False, False]
    clock.advance(timedelta(seconds=9))  # 6 a minute: one every 10 s
    assert admitted(limiter, BOB, 1) == [False]
    clock.advance(timedelta(seconds=1))
    assert admitted(limiter, BOB, 2) == [True, False]
    clock.advance(timedelta(hours=1))  # never more than the burst
    assert admitted(limiter, BOB, 4) == [True, True, True, False]


def test_one_slow_down_then_silence_until_admitted_again() -> None:
    clock = ManualClock(START)
    limiter = CommandLimits(clock, participants=RATE)
    admitted(limiter, BOB, 3)
    first, second = limiter.admit(BOB), limiter.admit(BOB)
    assert first is not None and not first.silent and first.private
    assert "3 at once, then 6 a minute" in first.paragraphs[0]
    assert "Try again in 10 s" in first.paragraphs[0]
    assert second is not None and second.silent
    clock.advance(timedelta(seconds=10))
    assert admitted(limiter, BOB, 1) == [True]
    again = limiter.admit(BOB)
    assert again is not None and not again.silent


def test_commands_running_at_once_are_bounded_per_person() -> None:
    limiter = CommandLimits(ManualClock(START), participants=RATE)
    assert limiter.admit(BOB) is None and limiter.admit(BOB) is None
    busy = limiter.admit(BOB)
    assert busy is not None and "still running" in busy.paragraphs[0]
    assert limiter.admit(Actor("matrix", "@cat:x", "cat")) is None  # others are not held up
    limiter.release(BOB)
    assert limiter.admit(BOB) is None


def test_moderators_get_more_and_exempt_platforms_none_at_all() -> None:
    limiter = CommandLimits(ManualClock(START), unlimited=frozenset({"console"}))
    assert all(admitted(limiter, ANN, limits.MODERATORS.burst))
    assert not any(admitted(limiter, ANN, 1))
    assert sum(admitted(limiter, BOB, 100)) == limits.PARTICIPANTS.burst
    console = Actor("console", "console:ann", "ann")
    assert all(admitted(limiter, console, 1000))


def test_memory_stays_bounded_however_many_people() -> None:
    limiter = CommandLimits(ManualClock(START))
    for number in range(limits.MAX_PEOPLE + 500):
        assert limiter.admit(Actor("discord", str(number), "x")) is None
        limiter.release(Actor("discord", str(number), "x"))
    assert len(limiter._commands._people) == limits.MAX_PEOPLE
    for number in range(limits.MAX_PEOPLE + 500):
        limiter.attempts.fail("forget-me", "discord", str(number))
    assert len(limiter.attempts._counts) == limits.MAX_PEOPLE


async def test_dispatch_limits_before_parsing_or_any_database_work(app: Services) -> None:
    from seminarbot.core.dispatch import run_line

    place = Place("matrix", "!room:x", "!room:x")
    for _ in range(limits.PARTICIPANTS.burst):
        await run_line(app, "seminar pause", BOB, place, prefix="!")  # refused and audited
    audited = await app.db.scalar("SELECT COUNT(*) FROM audit_log")
    assert audited == limits.PARTICIPANTS.burst
    slow = await run_line(app, "no such command", BOB, place, prefix="!")
    assert slow.title == "Slow down" and not slow.silent
    quiet = await run_line(app, "seminar pause", BOB, place, prefix="!")
    assert quiet.silent
    assert await app.db.scalar("SELECT COUNT(*) FROM audit_log") == audited
