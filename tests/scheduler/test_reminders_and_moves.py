"""helper-188's schedule try-out: a reminder sent again when its session's close moves after it
went out (its 1, and helper-149's 4: a pause, a skip or a post now left the threads with a
close that no longer held), the reminders' rule said one way (4), and a move's reply saying why
the next session skips a meeting (2). Console, clock 2026-01-05 09:00 UTC (a Monday)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.domain.schedule import describe_local
from tests.conftest import START, ConsoleDriver, make_settings
from tests.scheduler.invariants import flat, outbox_of, utc
from tests.scheduler.support import console_seminar, long_syllabus

AGAIN = ("Reminder: this discussion now closes Tue 20 Jan 2026 19:00 UTC (not Tue 13 Jan 2026 "
         "19:00 UTC, the close the last reminder gave).")


@pytest.fixture
async def seminar(tmp_path: Path) -> AsyncIterator[ConsoleDriver]:
    async with console_seminar(tmp_path) as driver:
        for line in ("/seminar setup tue 19:00 UTC", "/seminar reminders 1d"):
            await driver.say(line)
        first = flat(await driver.say("/clock advance 8d"))  # to Tue 13 Jan, 09:00
        assert first.count("Reminder: this discussion closes Tue 13 Jan 2026 19:00 UTC.") == 2
        yield driver


async def rounds(seminar: ConsoleDriver, session: str = "w1") -> dict[str, list[tuple[
        int, OutboxState, object]]]:
    outbox = await outbox_of(seminar.app)
    found: dict[str, list[tuple[int, OutboxState, object]]] = {}
    for item in sorted(outbox.items, key=lambda i: i.round):
        if item.kind == "reminder" and item.session_id == session:
            found.setdefault(item.item, []).append((item.round, item.state, item.announced))
    return found


async def test_a_pause_that_moves_the_close_sends_the_reminder_again(
        seminar: ConsoleDriver) -> None:
    said = ""
    for line in ("/seminar pause", "/clock advance 6d", "/seminar resume", "/clock advance 9h"):
        said += flat(await seminar.say(line)) + " "  # Mon 19 Jan, 18:00
    assert "now closes" not in said  # due a day before the new close
    said = flat(await seminar.say("/clock advance 2h"))
    assert said.count(AGAIN) == 2  # one in each prompt's thread
    later = flat(await seminar.say("/clock advance 2w"))
    assert "not Tue 13 Jan" not in later  # once
    for states in (await rounds(seminar)).values():
        assert states == [(0, OutboxState.POSTED, utc(2026, 1, 13, 19)),
                          (1, OutboxState.POSTED, utc(2026, 1, 20, 19))]


async def test_a_skip_sends_it_again_before_the_new_close_and_an_undo_sends_nothing(
        seminar: ConsoleDriver) -> None:
    for line in ("/seminar skip 2026-01-13", "/seminar skip 2026-01-13 --undo"):
        await seminar.say(line)
    there_and_back = flat(await seminar.say("/clock advance 1d"))  # past the first close
    assert "now closes" not in there_and_back
    assert all(len(states) == 1 for states in (await rounds(seminar)).values())
    await seminar.say("/seminar skip 2026-01-20")  # session 2 moves a week: 1 closes on 27 Jan
    # (session 1 closed on 13 Jan; only an open session's close moves)
    assert all(len(states) == 1 for states in (await rounds(seminar)).values())


async def test_a_skip_of_the_meeting_that_closes_it_sends_it_again(
        seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar skip 2026-01-13")
    waited = flat(await seminar.say("/clock advance 6d"))  # Mon 19 Jan, 09:00: not yet
    assert "now closes" not in waited
    due = flat(await seminar.say("/clock advance 12h"))  # a day before the new close
    assert due.count(AGAIN) == 2


async def test_a_post_now_that_closes_it_early_says_so_again(seminar: ConsoleDriver) -> None:
    said = flat(await seminar.say("/seminar post 2")) + flat(
        await seminar.say("/clock advance 1m"))
    assert said.count("Reminder: this discussion closed Tue 13 Jan 2026 09:00 UTC (not Tue 13 "
                      "Jan 2026 19:00 UTC, the close the last reminder gave), as the next session "
                      "opened") == 2


async def test_reminders_turned_off_send_none_again(seminar: ConsoleDriver) -> None:
    for line in ("/seminar reminders off", "/seminar skip 2026-01-13", "/clock advance 2w"):
        assert "now closes" not in flat(await seminar.say(line))


async def test_the_schedule_gives_the_reminders_setting_as_the_reminders_reply_does(
        seminar: ConsoleDriver) -> None:
    """helper-188's 4, helper-191's 10: `/seminar schedule` left out the halfway rule for a
    short session, then whether reminders name anyone, and the digest."""
    for line, said in (
            ("/seminar reminders 1d", "A reminder 24 hours before each session closes (halfway "
             "through a session open no longer than that), naming nobody. Moderators get a "
             "digest when each session closes."),
            ("/seminar reminders 2d off --names", "A reminder 2 days before each session closes"
             " (halfway through a session open no longer than that), naming who has responded."
             " No digest."),
            ("/seminar reminders off off", "No reminders. No digest.")):
        assert said in flat(await seminar.say(line)), line
        assert said in flat(await seminar.say("/seminar schedule")), line


async def test_a_move_that_pushes_the_next_session_past_a_meeting_says_why(
        tmp_path: Path) -> None:
    """helper-188's 2: a move to just after a spring jump (the time a refusal offers) put every
    later session a week on, the reply saying only where they went."""
    async with console_seminar(tmp_path) as seminar:  # Mon 5 Jan 2026
        for line in ("/seminar setup sun 01:30 Europe/London 2026-03-08",
                     "/seminar min-open 7d"):
            await seminar.say(line)
        moved = flat(await seminar.say("/seminar move 3 2026-03-29 02:00"))
    assert "Session 4 moves to Sun 12 Apr 2026 01:30 BST." in moved
    assert ("Session 4 does not take the meeting of Sun 05 Apr 2026 01:30 BST, 6 days 23 hours "
            "30 minutes after session 3's new time: that is under the minimum open time of 7 "
            "days.") in moved


async def test_a_reminder_sent_again_gives_the_last_close_in_the_zone_of_now(
        tmp_path: Path) -> None:
    """helper-191's 9 read 20:00 CET as a misquote of the last reminder's 19:00 GMT: it is the
    same instant in the cohort's zone now, as every time shown (README: One zone), and the
    sentence says so."""
    async with console_seminar(tmp_path) as seminar:  # Mon 5 Jan 2026, 09:00 UTC
        for line in ("/seminar setup tue 19:00 Europe/London", "/seminar reminders 1d",
                     "/clock advance 7d12h"):
            await seminar.say(line)
        again = flat(await seminar.say("/seminar reschedule tue 19:00 Europe/Berlin")
                     + await seminar.say("/clock advance 1m"))  # due at once
    assert ("Reminder: this discussion now closes Tue 13 Jan 2026 19:00 CET (not Tue 13 Jan "
            "2026 20:00 CET, the close the last reminder gave).") in again


async def test_a_post_while_paused_says_what_waits_for_the_resume(tmp_path: Path) -> None:
    """helper-188's 3: a session closed by `/seminar post` while paused gets its reminder and
    digest at the resume (README), and the post's reply said nothing of them."""
    async with console_seminar(tmp_path) as seminar:  # Mon 5 Jan 2026, 09:00 UTC
        for line in ("/seminar setup tue 19:00 UTC", "/seminar reminders 1d",
                     "/clock advance 3d", "/seminar pause"):
            await seminar.say(line)
        posted = flat(await seminar.say("/seminar post 2"))
    assert ("The seminar stays paused: the reminder and the digest of the session this post "
            "closed go out when it resumes (/seminar resume).") in posted


@pytest.mark.parametrize(("before", "back"), [("2h", utc(2026, 1, 13, 19, 30)),   # 2h30 late
                                               ("1d", utc(2026, 1, 13, 20))])     # 25h late
async def test_a_reminder_late_after_downtime_comes_first_and_gives_the_real_close(
        tmp_path: Path, before: str, back: datetime) -> None:
    """helper-194's 1 and 2: down over a reminder's time and the next session's, the bot came
    back and said "closed … as the next session opened" at the close planned, before that
    session was posted (its real close is when it is); or, the reminder beyond the grace
    window, sent it after the next session's post and the digest."""
    first = await _started(tmp_path, ManualClock(START))
    for line in ("/seminar setup tue 19:00 UTC", f"/seminar reminders {before} on",
                 "/clock advance 2d"):  # session 1 out, Tue 6 Jan
        assert not (await first.say(line)).startswith("✗"), line
    await first.app.close()
    again = await _started(tmp_path, ManualClock(back))
    try:
        told = flat(again.out.getvalue())
    finally:
        await again.app.close()
    now = describe_local(back, ZoneInfo("UTC"))
    said = (f"Reminder: this discussion closes now, {now}, as the next session opens; "
            "responses are still recorded here.")
    assert told.count(said) == 2, told  # one in each prompt's thread
    assert told.index(said) < told.index("Session 2:") < told.index("Digest for session 1")
    assert "closed Tue 13 Jan" not in told


async def test_the_last_session_s_late_reminder_names_no_next_session(tmp_path: Path) -> None:
    """helper-195's 3: down over the last session's reminder and close, the bot came back and
    said it "closed …, as the next session opened", where none follows it."""
    first = await _started(tmp_path, ManualClock(START))
    for line in ("/seminar setup tue 19:00 UTC", "/seminar reminders 2h on",
                 "/clock advance 50d"):  # Tue 24 Feb 09:00: session 7, the last, is open
        assert not (await first.say(line)).startswith("✗"), line
    await first.app.close()
    again = await _started(tmp_path, ManualClock(utc(2026, 2, 24, 19, 30)))
    try:
        told = flat(again.out.getvalue())
    finally:
        await again.app.close()
    assert told.count("Reminder: this discussion closed Tue 24 Feb 2026 19:00 UTC, a week after "
                      "it opened (it is the last session); responses are still recorded "
                      "here.") == 2, told
    assert "next session" not in told


async def test_a_last_session_opened_late_has_its_reminder_and_digest_a_week_on(
        tmp_path: Path) -> None:
    """helper-196's 4: the last session, posted an hour late after downtime, closes a week
    after it opened; its reminder said so, but came two hours early for that close, and the
    digest went out at the close planned before it opened."""
    first = await _started(tmp_path, ManualClock(START))
    for line in ("/seminar setup tue 19:00 UTC", "/seminar reminders 2h on",
                 "/clock advance 42d"):  # Mon 16 Feb 09:00: session 7 due Tue 17 Feb 19:00
        assert not (await first.say(line)).startswith("✗"), line
    await first.app.close()
    again = await _started(tmp_path, ManualClock(utc(2026, 2, 17, 20)))  # an hour late
    try:
        assert "Session 7" in again.out.getvalue()
        early = flat(await again.say("/clock advance 6d21h30m"))  # Tue 24 Feb 17:30
        assert "Reminder" not in early and "Digest" not in early, early
        remind = flat(await again.say("/clock advance 30m"))  # 18:00
        assert remind.count("Reminder: this discussion closes Tue 24 Feb 2026 20:00 UTC.") == 2
        assert "Digest" not in remind and "Digest" not in flat(
            await again.say("/clock advance 1h59m"))
        assert "Digest for session 7" in flat(await again.say("/clock advance 1m"))  # 20:00
    finally:
        await again.app.close()


async def _started(folder: Path, clock: ManualClock) -> ConsoleDriver:
    app = await open_services(make_settings(folder), clock, syllabus=long_syllabus(weeks=7))
    driver = ConsoleDriver(app, clock)
    await driver.console.start()
    return driver
