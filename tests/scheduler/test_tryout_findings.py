"""The try-out of issue 15 found these through the console (findings/15.md, "Other problems"):
each is now kept, or said, and the kind of input is covered, not only the exact one."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock, SteadyClock
from seminarbot.domain.models import OutboxState
from seminarbot.domain.schedule import describe_span, far_enough
from seminarbot.services.container import Services
from tests.conftest import START, ConsoleDriver, make_settings
from tests.console.test_cli import cli
from tests.scheduler.invariants import flat, outbox_of, schedule_rows, utc
from tests.scheduler.support import long_syllabus


async def _open(path: Path, clock: ManualClock) -> ConsoleDriver:
    app = await open_services(make_settings(path), clock, syllabus=long_syllabus(weeks=7))
    driver = ConsoleDriver(app, clock)
    await driver.console.start()
    return driver


@pytest.fixture
async def seminar(tmp_path: Path) -> AsyncIterator[ConsoleDriver]:
    driver = await _open(tmp_path, ManualClock(START))
    yield driver
    await driver.app.close()


async def says(console: ConsoleDriver, *typed: str) -> str:
    return flat("".join([await console.say(line) for line in typed]))


@pytest.mark.parametrize(("setup", "change", "first"), [
    ("tue 19:00 Europe/London 2026-06-01", "tue 20:00 Europe/London",
     "Tue 02 Jun 2026 20:00 BST"),
    ("sun,mon 02:30 America/New_York 2026-03-01", "sat,sun 02:30 America/New_York",
     "Sun 01 Mar 2026 02:30 EST")])
async def test_1_reschedule_keeps_a_start_date_still_to_come(
        seminar: ConsoleDriver, setup: str, change: str, first: str) -> None:
    await seminar.say(f"/seminar setup {setup}")
    reply = await says(seminar, f"/seminar reschedule {change}")
    assert f"on {first}." in reply and "It still starts no earlier than" in reply
    # pause and resume treat it the same way
    resumed = await says(seminar, "/seminar pause", "/seminar resume")
    assert f"on {first}." in resumed
    # another START-DATE replaces it
    earlier = await says(seminar, f"/seminar reschedule {change} 2026-01-06")
    assert "It still starts" not in earlier and "2026 " in earlier


async def test_1_a_start_date_gone_by_is_not_mentioned(seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar setup tue 19:00 UTC")
    assert "It still starts" not in await says(seminar, "/seminar reschedule wed 19:00 UTC")


@pytest.mark.parametrize(("zone", "at", "minimum", "start", "gap_day"), [
    ("Europe/London", "01:30", "7d", "2026-03-15", "Sun 05 Apr 2026 01:30 BST"),
    ("Europe/London", "01:30", "6d23h30m", "2026-03-15", "Sun 05 Apr 2026 01:30 BST"),
    ("America/New_York", "02:30", "7d", "2026-02-22", "Sun 15 Mar 2026 02:30 EDT")])
async def test_2_a_dst_shift_alone_never_costs_a_week(
        seminar: ConsoleDriver, zone: str, at: str, minimum: str, start: str,
        gap_day: str) -> None:
    await seminar.say(f"/seminar setup sun {at} {zone} {start}")
    await seminar.say(f"/seminar min-open {minimum}")
    shown = [when for when, _ in schedule_rows(await seminar.say("/seminar schedule")).values()]
    assert gap_day in shown, shown
    days = [datetime.strptime(when[4:15], "%d %b %Y") for when in shown]
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(days))


def test_2_the_allowance_is_the_clock_change_and_no_more() -> None:
    from zoneinfo import ZoneInfo
    london = ZoneInfo("Europe/London")
    gap_meeting, next_week = utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)  # 02:30, 01:30 BST
    at = time(1, 30)  # the meeting time, which the jump skipped on 29 March
    assert far_enough(gap_meeting, next_week, london, timedelta(days=7), at)
    assert not far_enough(gap_meeting, next_week - timedelta(minutes=1), london,
                          timedelta(days=7), at)
    # helper-155's 1: at another time the jump did not move, the hour is not made up
    assert not far_enough(gap_meeting, next_week, london, timedelta(days=7), time(2, 30))
    # far from any clock change, nothing is allowed
    assert not far_enough(utc(2026, 1, 6, 19), utc(2026, 1, 13, 18, 59), london,
                          timedelta(days=7), time(19))
    # helper-149's 2: a change between two openings is in their wall-clock gap already; it
    # made up the difference a second time (46 hours taken for 2 days)
    friday = utc(2026, 3, 27, 20)  # 20:00 GMT, posted early
    two_days = timedelta(days=2)
    assert not far_enough(friday, utc(2026, 3, 29, 18), london, two_days, at)  # 19:00 BST
    assert far_enough(friday, utc(2026, 3, 29, 19), london, two_days, at)  # 20:00 BST
    # helper-154's 2: a change just before an opening that no jump moved made up the hour too:
    # autumn's (02:30 GMT, just after 02:00 BST became 01:00 GMT), and spring's before 03:30 BST
    week = timedelta(days=7)
    for at in (time(1, 30), time(2, 30), time(3, 30)):
        assert not far_enough(utc(2026, 10, 25, 2, 30), utc(2026, 11, 1, 1, 30), london, week, at)
        assert not far_enough(utc(2026, 3, 29, 2, 30), utc(2026, 4, 5, 1, 30), london, week, at)


async def test_3_resume_gives_back_a_meeting_left_empty_by_a_post_now(
        seminar: ConsoleDriver) -> None:
    await says(seminar, "/seminar setup tue 19:00 Europe/London", "/seminar post 3",
               "/clock advance 1d", "/seminar post")
    resumed = await says(seminar, "/seminar pause", "/seminar resume")
    assert ("Tue 20 Jan 2026, left empty when session 3 was moved or posted early, is a "
            "meeting again: session 4.") in resumed
    rows = schedule_rows(await seminar.say("/seminar schedule"))
    assert rows[4] == ("Tue 20 Jan 2026 19:00 GMT", "scheduled")
    assert "left empty" not in flat(await seminar.say("/seminar schedule"))


async def test_3_resume_gives_back_a_meeting_a_move_earlier_left_empty(
        seminar: ConsoleDriver) -> None:
    await says(seminar, "/seminar setup tue 19:00 UTC", "/seminar move 3 2026-01-16 19:00",
               "/seminar pause")
    resumed = await says(seminar, "/seminar resume")
    assert "Tue 20 Jan 2026, left empty when session 3 was moved" in resumed
    assert schedule_rows(await seminar.say("/seminar schedule"))[4][0] == \
        "Tue 20 Jan 2026 19:00 UTC"


async def test_a_post_now_says_which_sessions_come_forward_behind_it(
        seminar: ConsoleDriver) -> None:
    """helper-149's 1: posting a session moved to a later date brought every session placed
    after it weeks earlier, and the reply said only "Posted session 2"."""
    await says(seminar, "/seminar setup tue 19:00 UTC", "/seminar move 2 2026-02-26 19:00",
               "/clock advance 3d")
    before = schedule_rows(await seminar.say("/seminar schedule"))
    posted = await says(seminar, "/seminar post 2")
    after = schedule_rows(await seminar.say("/seminar schedule"))
    moved = [n for n in after if n > 2 and after[n] != before[n]]
    assert moved, (before, after)
    for number in moved:
        assert f"Session {number} moves to {after[number][0]}." in posted, posted
    assert "Session 1 moves" not in posted and "Session 2 moves" not in posted


async def test_4_a_clock_behind_the_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "d.db"

    def console(clock: str, typed: str) -> tuple[int, str, str]:
        done = cli("console", "--db", str(db), "--clock", clock, stdin=typed)
        return done.returncode, done.stdout, done.stderr

    await asyncio.to_thread(console, "2026-01-05T09:00Z",
                            "/seminar setup tue 19:00 UTC\n/clock advance 2d\n")
    await asyncio.to_thread(console, "2026-01-14T09:00Z", "/clock\n")
    code, out, err = await asyncio.to_thread(console, "2026-01-07T09:00Z",
                                             "/seminar move 3 2026-01-08 09:00\n")
    assert code == 2 and not out
    assert ("--clock 2026-01-07T09:00:00Z is before 2026-01-14T09:00:00Z, the latest time this "
            "database has recorded") in err
    code, out, _ = await asyncio.to_thread(console, "2026-01-14T10:00Z", "/seminar schedule\n")
    assert code == 0 and "Tue 13 Jan 2026 19:00 UTC  skipped" in out


async def test_4_the_consoles_simulated_time_never_holds_the_real_bots_clock(
        tmp_path: Path) -> None:
    """The Quick start's console session on the data directory `run` uses later: what its
    `/clock advance` recorded lies ahead of real time, and `run` held its clock there (try32,
    1). `run` reads only its platforms' records; the console still reads its own."""
    from seminarbot.storage.db import Database
    from seminarbot.storage.recorded import latest_recorded

    db_path = tmp_path / "d.db"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")
    await asyncio.to_thread(cli, "console", "--db", str(db_path), "--clock", now,
                            stdin="/seminar setup tue 19:00 UTC\n/clock advance 52w\n")
    db = await Database.open(db_path)
    try:
        simulated = await latest_recorded(db)
        assert simulated is not None and simulated > datetime.now(UTC) + timedelta(weeks=4)
        assert await latest_recorded(db, live=True) is None
        await db.execute("INSERT INTO audit_log (at, platform, actor_id, actor_name, action,"
                         " outcome) VALUES ('2026-01-02T00:00:00Z', 'discord', '1', 'ann',"
                         " 'setup', 'ok')")
        assert await latest_recorded(db, live=True) == utc(2026, 1, 2)
    finally:
        await db.close()


def test_an_export_from_the_command_line_does_not_move_a_consoles_simulated_clock(
        tmp_path: Path) -> None:
    """helper-181's 1: an export's audit row, at the real time, was taken for the latest time
    the database recorded: the console's seminar on 2026's clock jumped to today, every
    session after skipped as late, and a later --clock was refused."""
    db = str(tmp_path / "d.db")
    made = cli("console", "--db", db, "--clock", "2026-01-05T09:00Z",
               stdin="/seminar setup mon 10:00 UTC\n/clock advance 1d\n"
                     "/seminar respond 1.1 Kept.\n")
    assert made.returncode == 0, made.stderr
    exported = cli("export", "--db", db, "--cohort", "1", "--format", "csv",
                   "--out", str(tmp_path / "x.csv"))
    assert exported.returncode == 0, exported.stderr
    again = cli("console", "--db", db, stdin="/clock\n/seminar schedule\n")
    assert "Simulated time: 2026-01-06T09:" in again.stdout, again.stdout + again.stderr
    assert "skipped" not in again.stdout and "moves forward" not in again.stderr
    later = cli("console", "--db", db, "--clock", "2026-01-06T10:00Z", stdin="/clock\n")
    assert later.returncode == 0 and "2026-01-06T10:00:00Z" in later.stdout, later.stderr


def test_a_consoles_clock_never_goes_back_before_a_response_its_people_wrote(
        tmp_path: Path) -> None:
    """helper-179's 2: the latest time the database recorded left responses out, so a --clock
    before one was taken (and the next response stored before it), as was a damaged clock
    file's fallback; and what else people did, an opt-out (helper-182's 4)."""
    db = str(tmp_path / "d.db")
    cli("console", "--db", db, "--clock", "2026-01-05T09:00Z",
        stdin="/seminar setup tue 19:00 Europe/London\n/clock advance 7d\n"
              "/seminar respond 1.1 Written on the twelfth.\n")
    earlier = cli("console", "--db", db, "--clock", "2026-01-07T00:00Z", stdin="/clock\n")
    assert earlier.returncode == 2 and "is before 2026-01-12T09:00:00Z" in earlier.stderr
    Path(db + ".console-clock").write_text("garbage")
    damaged = cli("console", "--db", db, stdin="/clock\n")
    assert "Simulated time: 2026-01-12T09:00:00Z" in damaged.stdout, damaged.stderr
    # helper-182's 4: an opt-out too (bob then read "Opted in" and was still opted out).
    cli("console", "--db", db, "--clock", "2026-01-13T09:00Z",
        stdin="/as bob\n/seminar optout\n")
    before = cli("console", "--db", db, "--clock", "2026-01-12T12:00Z",
                 stdin="/as bob\n/seminar optin\n")
    assert before.returncode == 2 and "is before 2026-01-13T09:00:00Z" in before.stderr


async def test_4_a_wall_clock_stepping_back_holds_at_the_latest_time() -> None:
    inner = ManualClock(utc(2026, 1, 14, 9))
    steady = SteadyClock(inner)
    steady.hold_at_least(utc(2026, 1, 20, 9))  # what the database recorded
    assert steady.now() == utc(2026, 1, 20, 9)
    inner.set(utc(2026, 1, 21, 9))
    assert steady.now() == utc(2026, 1, 21, 9)
    stepped_back = ManualClock(utc(2026, 1, 10))  # a wall clock that jumps back
    steady.inner = stepped_back
    assert steady.now() == utc(2026, 1, 21, 9)


async def test_5_min_open_help_and_errors_give_the_real_range(seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar setup tue 19:00 UTC")
    assert "from 1 hour to 7 days" in flat(await seminar.say("/help seminar min-open"))
    for wrong in ("0s", "30m", "8d", "365d"):
        said = flat(await seminar.say(f"/seminar min-open {wrong}"))
        assert "from 1 hour to 7 days" in said and "365 days" not in said, said
    await seminar.say("/seminar reschedule tue,thu 19:00 UTC")
    said = flat(await seminar.say("/seminar min-open 3d"))
    assert "from 1 hour to 2 days" in said  # no longer than the gap between meeting days


async def test_6_a_date_the_new_rule_does_not_meet_on_is_not_a_meeting_again(
        seminar: ConsoleDriver) -> None:
    reply = await says(seminar, "/seminar setup tue 19:00 Europe/London",
                       "/seminar move 3 2026-01-19 19:00",
                       "/seminar reschedule sun 20:00 Europe/London")
    assert "is a meeting again" not in reply


async def test_6_a_released_move_names_the_meeting_it_gives_back(seminar: ConsoleDriver) -> None:
    reply = await says(seminar, "/seminar setup tue 19:00 Europe/London",
                       "/seminar move 3 2026-01-19 19:00", "/seminar move 2 2026-01-19 08:00")
    assert "Tue 20 Jan 2026, left empty when session 3 was moved or posted early, is a " \
           "meeting again: session 3." in reply


async def test_7_a_digest_waits_for_its_sessions_real_close_after_downtime(
        tmp_path: Path) -> None:
    seminar = await _open(tmp_path, ManualClock(START))
    await says(seminar, "/seminar setup tue 19:00 UTC", "/clock advance 2d")
    await seminar.app.close()
    seminar = await _open(tmp_path, ManualClock(utc(2026, 1, 14, 9)))
    try:
        told = seminar.out.getvalue()
        app: Services = seminar.app
        items = await app.outbox.for_cohort(1)
        digest = next(i for i in items if i.kind == "digest" and i.session_id == "w1")
        assert digest.state is OutboxState.PENDING and digest.due_at == utc(2026, 1, 20, 19)
        assert told.count("[to moderators]") == 1, told
        flat = " ".join(told.split())  # as read: the console wraps its lines at its width
        assert "session 2's prompts (due Tue 13 Jan 2026 19:00 UTC)" in flat
        assert "/seminar post SESSION posts a skipped session now (e.g. /seminar post 2)" in flat
        after = await seminar.say("/clock advance 7d")
        assert "Digest for session 1" in after
        outbox = await outbox_of(app)
        assert outbox.opened[3] == utc(2026, 1, 20, 19)
    finally:
        await seminar.app.close()


async def test_8_warnings_durations_and_days_read_as_people_say_them(
        seminar: ConsoleDriver) -> None:
    reply = await seminar.say("/seminar setup tue 19:00 UTC 2026-06-01")
    warned = await seminar.say("/seminar move 3 2026-02-10 19:00")
    assert warned.startswith("! Session 3 moves to") and "\n!\n" not in "\n" + warned
    assert "Tuesdays at 19:00 UTC" in reply
    assert describe_span(timedelta(minutes=10050)) == "6 days 23 hours 30 minutes"
    assert describe_span(timedelta(hours=167)) == "6 days 23 hours"
    assert describe_span(timedelta(days=7)) == "7 days"
    assert describe_span(timedelta(hours=24)) == "24 hours"
    assert describe_span(timedelta(minutes=90)) == "1 hour 30 minutes"
    await seminar.say("/seminar setup sun,mon 02:30 America/New_York")
    # Monday first, as everywhere in the bot (ISO 8601 weeks; README, Scheduling)
    assert "Mondays and Sundays at 02:30" in flat(await seminar.say("/seminar schedule"))
    assert describe_span(timedelta(hours=1)) == "1 hour"


async def test_a_session_closed_by_an_early_post_still_gets_its_reminder(
        seminar: ConsoleDriver) -> None:
    """helper-133's 1: posting the next session early closed the open one at once, and the
    reminder planned before its old close was dropped as past (README: Scheduling, 3: every
    session gets one)."""
    said = await says(seminar, "/seminar setup tue 19:00 UTC", "/seminar reminders 1d",
                      "/clock advance 3d", "/seminar post", "/clock advance 30d")
    outbox = await outbox_of(seminar.app)
    for number in (1, 2, 3):
        reminders = [i for i in outbox.items if i.kind == "reminder"
                     and i.session_id == f"w{number}"]
        assert reminders and all(i.state is OutboxState.POSTED for i in reminders), number
    assert "this discussion closed Thu 08 Jan 2026 09:00 UTC, as the next session opened" \
        in said, said


@pytest.mark.parametrize("change", [
    "/seminar min-open 24h", "/seminar reschedule mon 01:30 UTC", "/seminar skip",
    "/seminar skip 2026-03-02", "/seminar reminders 12h", "/seminar move 7 2026-04-20 10:00",
    "/clock advance 1h",
    # helper-165's 1: turned off and on again before the resume, they are still owed
    "/seminar reminders off|/clock advance 1h|/seminar reminders 12h",
    "/seminar reminders 12h off|/clock advance 1h|/seminar reminders 12h on"])
async def test_a_reminder_and_digest_owed_while_paused_outlive_any_change(
        seminar: ConsoleDriver, change: str) -> None:
    """helper-162's 1: paused, `/seminar post` closed the open session at once; its reminder
    and digest waited for the resume, but any change re-planned them away first (a closed
    session's reminder was planned no more, and its digest only if due before that very
    moment). Every session gets both, whatever comes between."""
    said = await says(seminar, "/seminar setup mon 01:30 UTC", "/seminar reminders 12h",
                      "/clock advance 37d", "/seminar pause", "/seminar post",
                      "/clock advance 5d", *change.split("|"), "/seminar resume",
                      "/clock advance 12w")
    outbox = await outbox_of(seminar.app)
    for number in range(1, 8):
        rows = {(i.kind, i.item, i.state) for i in outbox.items
                if i.session_id == f"w{number}" and i.kind != "prompt"}
        assert {kind for kind, _, _ in rows} == {"reminder", "digest"}, (number, rows)
        assert all(state is OutboxState.POSTED for _, _, state in rows), (number, rows)
    assert "Digest for session 5" in said


async def test_an_owed_reminder_turned_off_before_the_resume_is_not_sent(
        seminar: ConsoleDriver) -> None:
    """Owed while paused, then turned off: at the resume it is skipped, not sent, and the
    digest, still on, comes."""
    said = await says(seminar, "/seminar setup mon 01:30 UTC", "/seminar reminders 12h",
                      "/clock advance 37d", "/seminar pause", "/seminar post",
                      "/clock advance 5d", "/seminar reminders off", "/seminar resume",
                      "/clock advance 1h")
    outbox = await outbox_of(seminar.app)
    owed = [i for i in outbox.items if i.session_id == "w5" and i.kind != "prompt"]
    assert {(i.kind, i.state) for i in owed} == {("reminder", OutboxState.SKIPPED),
                                                 ("digest", OutboxState.POSTED)}, owed
    assert all(i.last_error == "reminders are off" for i in owed if i.kind == "reminder")
    assert "Digest for session 5" in said and "Reminder:" not in said.split("Resumed")[-1]


async def test_a_session_skipped_while_down_and_posted_later_gets_its_reminder_and_digest(
        tmp_path: Path) -> None:
    """helper-133's 2: its reminder and digest were skipped with its prompts, before it ever
    opened, and posting it (as the notice says) planned neither again."""
    seminar = await _open(tmp_path, ManualClock(START))
    await says(seminar, "/seminar setup tue 19:00 UTC", "/seminar reminders 1d")
    await seminar.app.close()
    seminar = await _open(tmp_path, ManualClock(utc(2026, 1, 14, 9)))
    try:
        said = await says(seminar, "/seminar post 1", "/clock advance 30d")
        outbox = await outbox_of(seminar.app)
        first = [(i.kind, i.state) for i in outbox.items
                 if i.session_id == "w1" and i.kind != "prompt"]
        assert first and all(state is OutboxState.POSTED for _, state in first), first
        assert {kind for kind, _ in first} == {"reminder", "digest"}
        assert "Digest for session 1" in said
    finally:
        await seminar.app.close()


async def test_a_meeting_at_this_very_moment_is_neither_empty_nor_to_skip(
        seminar: ConsoleDriver) -> None:
    """helper-133's 5: at the instant a meeting's session was posted, the schedule listed
    that meeting as having no session, and a skip of it said "no session was due on it"."""
    said = await says(seminar, "/seminar setup tue 19:00 UTC", "/clock advance 1d10h",
                      "/seminar schedule")
    assert "Meetings with no session" not in said, said
    refused = flat(await seminar.say("/seminar skip 2026-01-06"))
    assert "`date` expects a meeting that has not happened yet (got '2026-01-06')" in refused
    assert await seminar.app.cohorts.skips(1) == {}


async def test_post_and_move_keep_the_minimum_open_time_as_the_planner_does(
        tmp_path: Path) -> None:
    """helper-133's 3: across the spring change, the planner placed session 2 where a clock
    change made up the minimum open time, while a post then said it could be posted only an
    hour later and a move there was refused. (The meeting in the spring gap, 02:30, lands at
    03:30: the change just before it makes up the hour; helper-149's 2: a change between
    two openings no longer does, their wall-clock gap holds it already.)"""
    seminar = await _open(tmp_path, ManualClock(utc(2026, 3, 1, 9)))
    try:
        planned = await says(seminar, "/seminar setup sun 02:30 America/New_York",
                             "/seminar min-open 7d", "/seminar schedule")
        assert "Sun 08 Mar 2026 03:30 EDT" in planned, planned
        assert "Sun 15 Mar 2026 02:30 EDT" in planned, planned
        early = await says(seminar, "/clock advance 6d22h31m", "/clock advance 6d22h58m",
                           "/seminar post 2")
        assert "session 2 can be posted from Sun 15 Mar 2026 02:30 EDT" in early, early
        moved = await says(seminar, "/seminar move 2 2026-03-15 02:45")
        assert "Session 2 moves to Sun 15 Mar 2026 02:45 EDT." in moved, moved
    finally:
        await seminar.app.close()


async def test_a_time_chosen_just_after_the_jump_gets_no_allowance(tmp_path: Path) -> None:
    """helper-155's 1 and 2: session 5 moved to 02:00 BST (a time that exists, chosen) took
    the hour the jump gives a skipped meeting, so session 6 a week later at 01:00 was allowed
    too: one change shortened two sessions. And the move's refusal said not from when."""
    seminar = await _open(tmp_path, ManualClock(utc(2026, 3, 1)))
    try:
        said = await says(seminar, "/seminar setup sunday 01:30 Europe/London",
                          "/seminar min-open 7d", "/seminar move 5 2026-03-29 02:00",
                          "/seminar move 6 2026-04-05 01:00")
        assert "session 6 cannot open within 7 days of it; it can open from Sun 05 Apr 2026 " \
               "02:00 BST." in said, said
        assert "Session 6 moves to Sun 05 Apr 2026 02:00 BST." in await says(
            seminar, "/seminar move 6 2026-04-05 02:00")
    finally:
        await seminar.app.close()


async def test_every_day_reads_as_such_and_a_long_empty_stretch_is_counted(
        seminar: ConsoleDriver) -> None:
    """helper-133's 6: "Mondays and Tuesdays and Wednesdays and …"; a session moved years
    ahead listed every meeting between as having no session, a hundred dates."""
    said = await says(seminar, "/seminar setup mon,tue,wed,thu,fri,sat,sun 19:00 UTC",
                      "/seminar reschedule mon,wed,fri 19:00 UTC")
    assert "Every day at 19:00 UTC" in said and "Mondays, Wednesdays and Fridays at 19:00" in said
    shown = await says(seminar, "/seminar move 3 2028-02-29 19:00", "/seminar schedule")
    note = shown[shown.index("Meetings with no session:"):].split(" more.")[0]
    assert note.count(" 2026") == 12 and note.endswith(" and 323"), note


@pytest.mark.parametrize("clock", [utc(2011, 12, 20, 9), utc(2011, 12, 29, 9)])
async def test_a_meeting_on_a_day_the_zone_skipped_is_known_by_its_own_date(
        tmp_path: Path, clock: datetime) -> None:
    """helper-133's 4: Pacific/Apia had no Friday 30 December 2011, so that meeting is held
    at Saturday's date. Its date was taken from the instant: `skip` refused its own default
    (a Saturday), the schedule listed Friday as a meeting with no session, and a post made
    early skipped Saturday, moving the next session up a week."""
    seminar = await _open(tmp_path, ManualClock(clock))
    try:
        shown = await says(seminar, "/seminar setup fri 10:00 Pacific/Apia", "/seminar schedule")
        assert "Meetings with no session" not in shown, shown
        typed = "/seminar skip" if clock.day == 29 else "/seminar skip 2011-12-30"
        skipped = await says(seminar, typed)  # by default, the next meeting with a session
        assert "No session on Fri 30 Dec 2011; the session due then" in skipped, skipped
        assert set(await seminar.app.cohorts.skips(1)) == {datetime(2011, 12, 30).date()}
    finally:
        await seminar.app.close()


async def test_two_meetings_at_one_instant_are_neither_listed_empty(tmp_path: Path) -> None:
    """helper-137's 1 and helper-138's 4: meeting on Thursdays, Fridays and Saturdays in
    Pacific/Apia, the Friday the zone skipped falls at Saturday's instant; the schedule said
    "Meetings with no session: Sat 31 Dec 2011" (and, once skipped, "No meeting on" it) while
    listing a session there."""
    seminar = await _open(tmp_path, ManualClock(utc(2011, 12, 26)))
    try:
        shown = await says(seminar, "/seminar setup thu,fri,sat 19:00 Pacific/Apia",
                           "/seminar schedule")
        assert "Sat 31 Dec 2011 19:00 UTC+14" in shown
        assert "Meetings with no session" not in shown, shown
        again = await says(seminar, "/seminar skip 2011-12-31", "/seminar schedule")
        assert "No meeting on Sat 31 Dec 2011" not in again, again
    finally:
        await seminar.app.close()


@pytest.mark.parametrize(("min_open", "kept_empty"), [("3d", False), ("1d", True)])
async def test_a_post_now_leaves_its_meeting_empty_only_if_that_keeps_dates(
        seminar: ConsoleDriver, min_open: str, kept_empty: bool) -> None:
    """helper-173's 1: `post 5` with a minimum open time that moves sessions 1 to 4 a week
    anyway kept session 5's meeting empty, and the sessions after it moved a week too."""
    await says(seminar, "/seminar setup tue 19:00 UTC", f"/seminar min-open {min_open}")
    before = await says(seminar, "/seminar schedule")
    await says(seminar, "/seminar post 5")
    schedule = await says(seminar, "/seminar schedule")
    assert ("left empty when session 5 was posted early" in schedule) is kept_empty, schedule
    for day in ("10", "17"):  # sessions 6 and 7 keep their dates
        assert f"Tue {day} Feb 2026 19:00 UTC scheduled" in before
        assert f"Tue {day} Feb 2026 19:00 UTC scheduled" in schedule
    assert ("Tue 06 Jan 2026 19:00 UTC scheduled" in schedule) is kept_empty  # session 1


async def test_a_change_that_moves_sessions_past_a_meeting_left_empty_says_why(
        seminar: ConsoleDriver) -> None:
    """helper-173's 4: a skip moved the next session two weeks, past the meeting a session
    posted early had left empty, and its reply did not say why; a longer minimum open time
    neither. A change that moves no session past it says nothing of it."""
    await says(seminar, "/seminar setup tue 19:00 UTC", "/seminar post 3")
    assert "No meeting on Tue 20 Jan 2026" in await says(seminar, "/seminar schedule")
    why = ("Tue 20 Jan 2026 stays empty (left empty when session 3 was moved or posted early), "
           "so the sessions that move go past it.")
    skipped = await says(seminar, "/seminar skip 2026-01-13")
    assert "Session 2 moves to Tue 27 Jan 2026 19:00 UTC." in skipped and why in skipped
    assert why not in await says(seminar, "/seminar skip 2026-01-13 --undo")
    longer = await says(seminar, "/seminar min-open 6d")
    assert "Session 1 moves to Tue 13 Jan 2026 19:00 UTC." in longer and why in longer
    assert why not in await says(seminar, "/seminar min-open 1d")
