"""The sequences of issue 15, typed into the console as they were found (clock 2026-01-05 09:00
UTC, a Monday): each now keeps the schedule's promises, or is refused with the reason."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver
from tests.scheduler.invariants import (
    check_outbox,
    flat,
    outbox_of,
    printed_posts,
    schedule_rows,
    times_not_in,
    utc,
)
from tests.scheduler.support import console_seminar


@pytest.fixture
async def seminar(tmp_path: Path) -> AsyncIterator[ConsoleDriver]:
    async with console_seminar(tmp_path) as driver:
        yield driver


async def lines(console: ConsoleDriver, *typed: str) -> list[str]:
    return [flat(await console.say(line)) for line in typed]


async def promises(app: Services) -> None:
    cohort = await app.cohorts.get(1)
    check_outbox(await outbox_of(app), cohort, app.clock.now(), {})


async def test_1_a_move_a_pause_passes_goes_back_to_the_meetings(seminar: ConsoleDriver) -> None:
    replies = await lines(seminar, "/seminar setup tue 19:00 UTC", "/seminar reminders 1d",
                          "/seminar move 3 2026-01-22 19:30", "/seminar pause",
                          "/clock advance 2w", "/seminar resume")
    assert "Out of plan order" not in replies[2]  # in order when it was made
    assert ("Session 3 was moved to Thu 22 Jan 2026 19:30 UTC, which would now come before "
            "session 2; it follows the schedule again: Tue 03 Feb 2026 19:00 UTC.") in replies[5]
    advanced = await seminar.say("/clock advance 9d")
    assert printed_posts(advanced) == ["1.1", "1.2", "2.1", "2.2"]  # 20 and 27 Jan, in order
    outbox = await outbox_of(seminar.app)
    assert outbox.opened == {1: utc(2026, 1, 20, 19), 2: utc(2026, 1, 27, 19)}
    assert outbox.planned[3] == utc(2026, 2, 3, 19)  # nothing left empty
    reminders = [i for i in outbox.items if i.kind == "reminder" and i.session_id == "w1"]
    assert {i.posted_at for i in reminders} == {utc(2026, 1, 26, 19)}
    assert "Reminder: this discussion closes Tue 27 Jan 2026 19:00 UTC" in advanced
    assert (await seminar.say("/seminar prompt")).startswith("Session 2 prompts")
    await promises(seminar.app)


async def test_2_no_two_sessions_half_an_hour_apart(seminar: ConsoleDriver) -> None:
    await lines(seminar, "/seminar setup tue 19:00 Europe/London", "/seminar reminders 1d")
    moved = flat(await seminar.say("/seminar move 2 2026-01-20 19:30"))
    # Moved later, past session 3's meeting: session 3 follows it, a week on.
    assert "Session 3 moves to Tue 27 Jan 2026 19:00 GMT." in moved
    assert "session 3 cannot open within 24 hours" in flat(
        await seminar.say("/seminar move 3 2026-01-20 20:00"))
    await lines(seminar, "/seminar reschedule tue 19:00 Europe/London", "/seminar pause",
                "/clock advance 1d", "/seminar resume")
    await promises(seminar.app)
    await seminar.say("/clock advance 10w")
    outbox = await outbox_of(seminar.app)
    assert sorted(outbox.opened) == list(range(1, 8))
    openings = sorted(outbox.opened.values())
    assert all(b - a >= timedelta(days=1) for a, b in itertools.pairwise(openings))
    for number, opened in outbox.opened.items():
        session = [i for i in outbox.items if i.session_id == f"w{number}"]
        reminders = [i.posted_at for i in session if i.kind == "reminder"]
        digest = next(i for i in session if i.kind == "digest")
        assert len(reminders) == 2 and all(r and opened < r < outbox.close_of(number)
                                           for r in reminders)
        assert digest.state is OutboxState.POSTED and digest.posted_at == outbox.close_of(number)
    await promises(seminar.app)


async def test_3_a_move_before_earlier_sessions_warns_naming_them(seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar setup tue 19:00 UTC 2026-06-01")
    reply = flat(await seminar.say("/seminar move 3 2026-02-10 19:00"))
    assert reply.startswith("! Session 3 moves to Tue 10 Feb 2026 19:00 UTC.")
    assert "Out of plan order: session 3 comes before sessions 1 and 2." in reply
    schedule = await seminar.say("/seminar schedule")
    assert "Out of plan order: session 3 comes before sessions 1 and 2." in flat(schedule)
    assert schedule_rows(schedule)[3] == ("Tue 10 Feb 2026 19:00 UTC", "scheduled")
    # The others keep their dates: session 3's meeting (16 Jun) stays empty.
    assert schedule_rows(schedule)[4] == ("Tue 23 Jun 2026 19:00 UTC", "scheduled")
    posted = flat(await seminar.say("/seminar post 5"))
    assert "Out of plan order: session 5 comes before sessions 1, 2, 3 and 4." in posted
    await promises(seminar.app)


async def test_4_a_new_zone_shows_the_new_zone_and_moved_sessions_keep_their_moment(
        seminar: ConsoleDriver) -> None:
    await lines(seminar, "/seminar setup tue 19:00 Europe/London",
                "/seminar move 3 2026-01-22 18:30")
    reply = flat(await seminar.say("/seminar reschedule thu 18:00 America/New_York"))
    assert "Next: session 1 (Week 1) on Thu 08 Jan 2026 18:00 EST." in reply
    assert ("Session 3 stays where it was moved, at the same moment: Thu 22 Jan 2026 "
            "13:30 EST.") in reply
    assert not times_not_in((await seminar.app.cohorts.get(1)).rule.zone, reply)
    assert "GMT" not in reply
    berlin = flat(await seminar.say("/seminar reschedule thu 18:00 Europe/Berlin"))
    assert "Session 3 stays where it was moved, at the same moment: Thu 22 Jan 2026 19:30 CET." \
        in berlin
    await promises(seminar.app)
