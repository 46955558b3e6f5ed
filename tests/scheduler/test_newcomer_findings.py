"""What a newcomer found going through the README (helper-114): skipping and restoring meetings
said what it had not done, the empty meetings were named obscurely, and the command line took
less than the console. Each kind is covered, not only the input that showed it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from seminarbot.core.zones import TimeZone
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.schedule import describe_span
from tests.conftest import ConsoleDriver
from tests.failpaths.support import environment, one_line, seminar_database, seminarbot
from tests.scheduler.invariants import flat, outbox_of
from tests.scheduler.support import console_seminar


@pytest.fixture
async def seminar(tmp_path: Path) -> AsyncIterator[ConsoleDriver]:
    async with console_seminar(tmp_path) as driver:
        await driver.say("/seminar setup tue 19:00 UTC")  # session 1 on Tue 06 Jan 2026
        yield driver


async def says(console: ConsoleDriver, line: str) -> str:
    return flat(await console.say(line))


async def test_a_skip_lists_what_moved_and_a_date_past_the_sessions_moves_none(
        seminar: ConsoleDriver) -> None:
    said = await says(seminar, "/seminar skip 2026-01-13")
    assert "the session due then and those after it move later" in said
    assert "Session 2 moves to Tue 20 Jan 2026 19:00 UTC." in said
    assert "Session 1 moves" not in said
    said = await says(seminar, "/seminar skip 2027-01-12")
    assert "no session was due on it, so none moves" in said
    assert "moves to" not in said


@pytest.mark.parametrize("first", ["/seminar skip 2026-01-13", "/seminar skip"])
async def test_a_date_skipped_twice_is_refused_and_changes_nothing(
        seminar: ConsoleDriver, first: str) -> None:
    await seminar.say(first)
    skipped = "2026-01-13" if first.endswith("13") else "2026-01-06"
    before = await outbox_of(seminar.app)
    said = await says(seminar, f"/seminar skip {skipped}")
    assert "is already skipped" in said and f"skip {skipped} --undo" in said
    assert await outbox_of(seminar.app) == before


@pytest.mark.parametrize(("how", "why"), [
    ("/seminar post", "left empty when session 1 was posted early"),
    ("/seminar move 1 2026-01-05 20:00", "left empty when session 1 was moved")])
async def test_a_meeting_a_session_left_is_named_by_how_and_cannot_be_skipped_again(
        seminar: ConsoleDriver, how: str, why: str) -> None:
    await seminar.say(how)
    assert f"No meeting on Tue 06 Jan 2026 ({why})." in await says(seminar, "/seminar schedule")
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip 2026-01-06")
    assert f"Tue 06 Jan 2026 is already empty ({why})" in said
    assert await outbox_of(seminar.app) == before


async def test_undo_without_a_date_restores_the_one_skipped_date_else_says_which(
        seminar: ConsoleDriver) -> None:
    said = await says(seminar, "/seminar skip --undo")
    assert "No meeting still to come is skipped, so there is nothing to restore." in said
    await seminar.say("/seminar skip 2026-01-13")
    await seminar.say("/seminar skip 2026-02-03")
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip --undo")
    assert "`date` is missing" in said
    assert "Skipped or left empty: 2026-01-13 and 2026-02-03." in said
    assert await outbox_of(seminar.app) == before
    await seminar.say("/seminar skip 2026-02-03 --undo")
    said = await says(seminar, "/seminar skip --undo")
    assert "Tue 13 Jan 2026 is a meeting again." in said
    assert "Session 2 moves to Tue 13 Jan 2026 19:00 UTC." in said


async def test_a_skipped_meeting_gone_by_is_not_restored(seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar skip 2026-01-13")
    assert "Simulated time" in await says(seminar, "/clock advance 8d11h")  # Tue 13 Jan, 20:00
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip 2026-01-13 --undo")
    assert "`date` expects a skipped meeting that has not happened yet" in said
    said = await says(seminar, "/seminar skip --undo")
    assert "nothing to restore" in said
    assert await outbox_of(seminar.app) == before


@pytest.mark.parametrize("command", ["prompt", "reading", "roles"])
async def test_a_prompt_reference_given_for_a_session_names_its_session(
        seminar: ConsoleDriver, command: str) -> None:
    said = await says(seminar, f"/seminar {command} 2.1")
    assert "2.1 is a prompt; its session is 2." in said
    said = await says(seminar, f"/seminar {command} 99.1")
    assert "`session` expects" in said and "shaped as" not in said


async def test_a_meeting_skipped_or_left_before_a_reschedule_to_other_days_is_none(
        seminar: ConsoleDriver) -> None:
    """helper-115 (1): the schedule kept, and --undo gave back, a Sunday the seminar no longer
    met on."""
    await seminar.say("/seminar reschedule sun 19:00 UTC")  # session 2 on Sun 18 Jan
    await seminar.say("/seminar move 2 2026-01-16 19:00")  # Sun 18 Jan left empty
    await seminar.say("/seminar skip 2026-01-25")
    await seminar.say("/seminar reschedule tue,thu 19:00 UTC")
    schedule = await says(seminar, "/seminar schedule")
    assert "No meeting on Sun" not in schedule and "Session 2 is moved to Fri 16 Jan" in schedule
    before = await outbox_of(seminar.app)
    assert "nothing to restore" in await says(seminar, "/seminar skip --undo")
    for day in ("2026-01-18", "2026-01-25"):
        said = await says(seminar, f"/seminar skip {day} --undo")
        assert "`date` expects a meeting date (Tuesdays and Thursdays" in said, said
    assert await outbox_of(seminar.app) == before


async def test_while_paused_a_skip_or_a_move_gives_no_dates(seminar: ConsoleDriver) -> None:
    """helper-115 (2): the replies gave dates the resume would not keep, and a move earlier
    emptied a meeting the paused seminar did not have."""
    await seminar.say("/seminar pause")
    said = await says(seminar, "/seminar skip 2026-01-13")
    assert "the sessions get their dates when the seminar resumes" in said
    assert "moves to" not in said
    said = await says(seminar, "/seminar move 3 2026-01-15 19:00")
    assert "Session 3 moves to Thu 15 Jan 2026 19:00 UTC." in said
    assert "stays empty" not in said and "Session 4 moves" not in said
    assert "Sun" not in await says(seminar, "/seminar schedule")


async def test_a_skip_where_no_session_falls_says_so_truly(seminar: ConsoleDriver) -> None:
    """helper-115 (3): a restored meeting no session can take (the next is moved past it) was
    'a meeting again' without more, and skipping it again 'no session was due on it or after
    it' with six due after."""
    await seminar.say("/seminar reschedule tue,thu 19:00 UTC")  # 1: Tue 6, 2: Thu 8 Jan
    await seminar.say("/seminar skip 2026-01-08")  # 2: Tue 13 Jan
    await seminar.say("/seminar move 2 2026-01-09 19:00")
    said = await says(seminar, "/seminar skip 2026-01-08 --undo")
    assert "Thu 08 Jan 2026 is a meeting again; no session falls on it now." in said
    said = await says(seminar, "/seminar skip 2026-01-08")
    assert "no session was due on it, so none moves" in said


async def test_a_move_within_its_own_day_or_into_a_clock_change_leaves_no_meeting_empty(
        seminar: ConsoleDriver) -> None:
    """helper-115 (4): 02:15 on the night the clocks go forward is 03:15, before the meeting's
    own 03:30, on the same day: no meeting is left empty, and the reply says what 02:15 is."""
    await seminar.say("/seminar reschedule sun 02:30 America/New_York 2026-03-08")
    said = await says(seminar, "/seminar move 1 2026-03-08 02:15")
    assert "Session 1 moves to Sun 08 Mar 2026 03:15 EDT." in said
    assert ("02:15 does not exist that night in America/New_York (the clocks go forward); it "
            "is taken as 03:15 EDT.") in said
    assert "stays empty" not in said
    assert "No meeting on" not in await says(seminar, "/seminar schedule")


async def test_a_move_to_a_time_the_clocks_show_twice_says_which(seminar: ConsoleDriver) -> None:
    """helper-194's 5: 01:30 on the night the clocks go back comes twice; the first is taken,
    as a time they skip is said, and now said too."""
    await seminar.say("/seminar reschedule sun 19:00 Europe/London 2026-10-04")
    said = await says(seminar, "/seminar move 3 2026-10-25 01:30")
    assert "Session 3 moves to Sun 25 Oct 2026 01:30 BST." in said
    assert ("01:30 comes twice that night in Europe/London (the clocks go back); the first, "
            "01:30 BST, is taken.") in said
    assert "comes twice" not in await says(seminar, "/seminar move 4 2026-10-26 01:30")


async def test_a_move_to_where_a_session_is_due_changes_nothing(seminar: ConsoleDriver) -> None:
    """helper-115 (5): it was reported as a move, and pinned the session."""
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar move 2 2026-01-13 19:00")
    assert "Session 2 is due then already (Tue 13 Jan 2026 19:00 UTC); nothing changes." in said
    assert await outbox_of(seminar.app) == before
    said = await says(seminar, "/seminar reschedule wed 19:00 UTC")
    assert "stays where it was moved" not in said


async def test_the_schedule_lists_moved_sessions_in_plan_order(tmp_path: Path) -> None:
    """helper-115 (7): in the order of their ids (w10 before w9), not the plan's."""
    async with console_seminar(tmp_path, weeks=10) as seminar:
        await seminar.say("/seminar setup tue 19:00 UTC")
        await seminar.say("/seminar move 9 2026-03-04 08:00")
        await seminar.say("/seminar move 10 2026-03-11 08:00")
        schedule = await says(seminar, "/seminar schedule")
    assert schedule.index("Session 9 is moved") < schedule.index("Session 10 is moved")


async def test_a_date_a_moved_session_is_on_is_no_empty_meeting_and_is_not_skipped(
        seminar: ConsoleDriver) -> None:
    """helper-116 (1): the schedule said "No meeting on" a day a moved session was on, and a
    skip of it was refused as already empty (or, with no skip there, said sessions moved while
    the moved one stayed)."""
    await seminar.say("/seminar move 3 2026-01-17 10:00")  # leaves Tue 20 Jan empty
    said = await says(seminar, "/seminar move 4 2026-01-20 19:00")
    assert "Tue 20 Jan 2026 was skipped or left empty; the move puts session 4 on it" in said
    await seminar.say("/seminar move 6 2026-02-24 19:00")  # later: no meeting left empty
    assert "No meeting on Tue 20 Jan" not in await says(seminar, "/seminar schedule")
    before = await outbox_of(seminar.app)
    for day, number, when in (("2026-01-20", 4, "Tue 20 Jan"), ("2026-02-24", 6, "Tue 24 Feb")):
        said = await says(seminar, f"/seminar skip {day}")
        assert f"Session {number} is moved to {when} 2026 19:00 UTC; a skip does not move a " \
               "moved session" in said, said
    assert await outbox_of(seminar.app) == before


async def test_a_time_the_clocks_skip_is_said_when_it_changes_nothing_too(
        seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar reschedule sun 02:30 America/New_York 2026-03-08")
    said = await says(seminar, "/seminar move 1 2026-03-08 02:30")
    assert "Session 1 is due then already (Sun 08 Mar 2026 03:30 EDT); nothing changes." in said
    assert "02:30 does not exist that night in America/New_York" in said


async def test_the_sessions_a_change_moved_are_a_line_each_without_a_blank_between(
        seminar: ConsoleDriver) -> None:
    """helper-166's note: each moved session was a paragraph of its own, a blank line after it."""
    said = await seminar.say("/seminar skip 2026-01-13")
    moved = [line for line in said.splitlines() if " moves to " in line]
    assert len(moved) >= 2, said
    lines = said.splitlines()
    first = lines.index(moved[0])
    assert lines[first:first + len(moved)] == moved, said


async def test_a_reschedule_says_what_moved(seminar: ConsoleDriver) -> None:
    """helper-116 (9): the reply named only the moved sessions that kept their moment."""
    said = await says(seminar, "/seminar reschedule wed 19:00 UTC")
    assert "7 sessions move to the new meetings; /seminar schedule lists their dates." in said
    said = await says(seminar, "/seminar reschedule wed 20:00 UTC 2026-02-11")
    assert "7 sessions move" in said
    await seminar.say("/seminar move 2 2026-02-19 10:00")
    said = await says(seminar, "/seminar reschedule wed 20:00 UTC 2026-02-04")
    assert "Session 1 moves to Wed 04 Feb 2026 20:00 UTC." in said  # the others follow 2
    assert "Session 2 stays where" in said and "Session 2 moves" not in said


@pytest.mark.parametrize(("typed", "said"), [
    ("/seminar reminders 1 day", "A reminder 24 hours before each session closes"),
    ("/seminar reminders 90 minutes", "A reminder 1 hour 30 minutes before"),
    ("/seminar min-open 2 hours", "at least 2 hours before the next one opens"),
    ("/seminar retention 30 days", "Responses older than 30 days are deleted"),
    ("/seminar retention 1y", "Did you mean 365?"),
    ("/seminar setup tue,thrusday 19:00 UTC", "Did you mean tue,thursday?"),
    ("/seminar prompt 2.9", "2.9 is shaped as a prompt's reference. Session 2 has prompts 2.1 "
                            "to 2.2."),
])
async def test_what_a_person_types_is_taken_or_gets_the_form(
        seminar: ConsoleDriver, typed: str, said: str) -> None:
    """helper-116 (2, 3, 7, 8): a number and its unit's word are read together; a hint never
    offers a value other than the one meant."""
    assert said in await says(seminar, typed)


@pytest.mark.parametrize("away", ["2026-01-22 19:00", "2026-01-17 10:00"])
async def test_a_session_moved_back_to_its_meeting_follows_the_schedule_again(
        seminar: ConsoleDriver, away: str) -> None:
    """helper-116 (5): moved back to where it was due, it stayed pinned there (a reschedule
    left it behind) and, moved earlier first, its meeting stayed empty."""
    await seminar.say(f"/seminar move 3 {away}")
    said = await says(seminar, "/seminar move 3 2026-01-20 19:00")
    assert "Session 3 is back at its meeting (Tue 20 Jan 2026 19:00 UTC) and follows the " \
           "schedule again." in said
    schedule = await says(seminar, "/seminar schedule")
    assert "is moved to" not in schedule and "No meeting on" not in schedule
    said = await says(seminar, "/seminar reschedule wed 19:00 UTC")
    assert "stays where it was moved" not in said
    assert "3 Week 3 Wed 21 Jan 2026 19:00 UTC scheduled" in await says(seminar,
                                                                          "/seminar schedule")


async def test_the_schedule_names_the_meetings_no_session_takes(
        seminar: ConsoleDriver) -> None:
    """helper-116 (10): a meeting left free when a session moved later (the ones after it
    follow it) vanished from the schedule without a word."""
    await seminar.say("/seminar move 3 2026-01-22 19:00")  # Tue 20 Jan: no session
    schedule = await says(seminar, "/seminar schedule")
    assert "Meetings with no session: Tue 20 Jan 2026." in schedule
    await seminar.say("/seminar skip 2026-01-27")
    schedule = await says(seminar, "/seminar schedule")
    assert "Meetings with no session: Tue 20 Jan 2026." in schedule  # skipped ones apart
    assert "No meeting on Tue 27 Jan 2026." in schedule
    await seminar.say("/seminar move 3 2026-01-20 19:00")
    assert "Meetings with no session" not in await says(seminar, "/seminar schedule")


async def test_meetings_before_the_first_session_to_come_are_named_and_gone_by_ones_not(
        seminar: ConsoleDriver) -> None:
    """helper-118 (1, 5b): only meetings between the sessions still to come were named; a
    meeting emptied long ago was still "No meeting on"."""
    await seminar.say("/seminar move 1 2026-01-15 19:00")
    schedule = await says(seminar, "/seminar schedule")
    assert "Meetings with no session: Tue 06 Jan 2026, Tue 13 Jan 2026." in schedule
    await seminar.say("/seminar move 1 2026-01-06 19:00")
    await seminar.say("/seminar post 1")
    assert "No meeting on Tue 06 Jan 2026" in await says(seminar, "/seminar schedule")
    await seminar.say("/clock advance 2d")
    schedule = await says(seminar, "/seminar schedule")
    assert "No meeting on" not in schedule and "Meetings with no session" not in schedule


async def test_while_paused_a_move_is_kept_whatever_the_old_dates_were(
        seminar: ConsoleDriver) -> None:
    """helper-118 (2, 4): paused, a move to the date a session had before the pause was
    "due then already" (and not kept), and a move to where a moved session is was a move."""
    await seminar.say("/seminar pause")
    said = await says(seminar, "/seminar move 2 2026-01-13 19:00")
    assert "Session 2 moves to Tue 13 Jan 2026 19:00 UTC." in said
    said = await says(seminar, "/seminar move 2 2026-01-13 19:00")
    assert "Session 2 is moved there already (Tue 13 Jan 2026 19:00 UTC); nothing changes." \
        in said
    assert "Session 2 is moved to Tue 13 Jan 2026" in await says(seminar, "/seminar schedule")


async def test_a_meeting_a_moved_session_left_is_said_of_that_moment(
        seminar: ConsoleDriver) -> None:
    """helper-119 (1): after later changes the note said the meeting was the session's own
    ("session 6, due then, was moved") when the table gave it another."""
    await seminar.say("/seminar move 3 2026-01-27 19:00")
    await seminar.say("/seminar move 6 2026-01-29 19:00")  # earlier than its Tue 17 Feb
    await seminar.say("/seminar move 3 2026-01-20 19:00")  # back: 4, 5 shift earlier
    schedule = await says(seminar, "/seminar schedule")
    assert "No meeting on Tue 17 Feb 2026 (left empty when session 6 was moved)." in schedule
    assert "due then" not in schedule


async def test_while_paused_a_released_move_gets_no_date(seminar: ConsoleDriver) -> None:
    """helper-119 (2): a move let go while paused said the meetings it takes again, with a
    date the resume did not keep."""
    await seminar.say("/seminar pause")
    await seminar.say("/seminar move 3 2026-01-20 19:00")
    said = await says(seminar, "/seminar move 2 2026-01-20 19:00")
    assert "it follows the schedule again when the seminar resumes" in said
    assert "again: " not in said


async def test_back_at_its_meeting_on_a_clock_change_night_says_the_time_taken(
        seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar reschedule sun 02:30 America/New_York 2026-03-01")
    await seminar.say("/seminar move 2 2026-03-15 02:30")
    said = await says(seminar, "/seminar move 2 2026-03-08 02:30")
    assert "Session 2 is back at its meeting (Sun 08 Mar 2026 03:30 EDT)" in said
    assert "02:30 does not exist that night in America/New_York" in said


@pytest.mark.parametrize(("typed", "said"), [
    ("/seminar reminders 1 sec", "A reminder 1 second before each session closes"),
    ("/seminar reminders 90 seconds", "A reminder 1 minute 30 seconds before"),
    ("/seminar min-open 3601 seconds", "at least 1 hour 1 second before the next one opens"),
    ("/seminar reminders 12 h on", "A reminder 12 hours before"),
])
async def test_a_duration_in_seconds_is_said_as_given(
        seminar: ConsoleDriver, typed: str, said: str) -> None:
    """helper-117: `1 sec` was accepted and said as "0 minutes", 90 seconds as "1 minute"."""
    assert said in await says(seminar, typed)
    assert describe_span(timedelta(seconds=1)) == "1 second"
    assert describe_span(timedelta(days=2, seconds=61)) == "2 days 1 minute 1 second"


async def test_the_console_is_named_in_a_sentence_as_one_is_written(
        seminar: ConsoleDriver) -> None:
    await seminar.say("/seminar post")
    await seminar.say("/seminar respond 1.1 My answer.")
    said = await says(seminar, "/seminar forget-me")
    assert "in this computer" in said and "This computer" not in said


def test_the_command_line_takes_an_export_format_in_any_case(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    for typed in ("CSV", "Markdown", " html"):
        result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", typed,
                            "--out", "-")
        assert result.returncode == 0, (typed, result.stderr)
    result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "XLS",
                        "--out", "-")
    assert result.returncode == 2
    assert "expected csv, jsonl, markdown or html (got 'XLS') (" in one_line(result)
    result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "md",
                        "--out", "-")
    assert "(got 'md'). Did you mean markdown?" in one_line(result)


@pytest.mark.parametrize(("typed", "hint"), [
    ("Europe/Berln", "Did you mean Europe/Berlin"), ("America/New York City", ""),
    ("+02:00", "An offset is not a time zone")])
def test_a_refused_zone_is_called_an_offset_only_when_it_is_one(typed: str, hint: str) -> None:
    with pytest.raises(BadArgument) as caught:
        TimeZone().parse(typed, "timezone")
    said = caught.value.message
    assert hint in said and ("offset" in said) == typed.startswith("+"), said


def test_health_without_a_heartbeat_says_the_bot_has_not_run_there(tmp_path: Path) -> None:
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "d")))
    assert result.returncode == 1
    assert "`seminarbot run` has not run with this data directory" in one_line(result)


@pytest.mark.parametrize(("line", "said"), [
    ("/seminar skip 2026-01-14", "2026-01-14 is a Wednesday; the meetings either side are "
                                 "2026-01-13 and 2026-01-20."),
    ("/seminar skip 5 January 2026", "2026-01-05 is a Monday; the next meeting after it is "
                                     "2026-01-06."),
    ("/seminar skip 2026-01-14 --undo", "2026-01-14 is a Wednesday;")])
async def test_a_day_that_is_no_meeting_is_answered_with_the_meetings_beside_it(
        seminar: ConsoleDriver, line: str, said: str) -> None:
    """helper-116's 4: a date hint's day that is no meeting got only the rule; following a
    hint must not lead to a refusal that says nothing of which date would do."""
    before = await outbox_of(seminar.app)
    answer = await says(seminar, line)
    assert "expects a meeting date (Tuesdays at 19:00 UTC)" in answer and said in answer
    assert await outbox_of(seminar.app) == before


async def test_the_meetings_named_beside_a_day_are_meetings_and_a_moved_session_is_named(
        seminar: ConsoleDriver) -> None:
    """helper-121's 7: a skipped meeting was named as a meeting beside the day, and a day a
    moved session is on, though no meeting day, was answered with the meetings beside it."""
    await seminar.say("/seminar skip 2026-01-13")
    said = await says(seminar, "/seminar skip 2026-01-14")
    assert "the meetings either side are 2026-01-06 and 2026-01-20." in said
    await seminar.say("/seminar move 2 2026-01-21 19:00")
    before = await outbox_of(seminar.app)
    said = await says(seminar, "/seminar skip 2026-01-21")
    assert "Session 2 is moved to Wed 21 Jan 2026 19:00 UTC; a skip does not move a moved " \
           "session" in said
    assert await outbox_of(seminar.app) == before


async def test_a_change_of_days_time_or_zone_says_which_skipped_dates_still_hold(
        seminar: ConsoleDriver) -> None:
    """helper-156's 9: a reschedule to another zone and start kept a skip made for the old
    meetings, and its first meeting went a week later, unsaid. A reply to a change (reschedule,
    setup again) now names the skipped dates its meetings fall on, and how to meet then."""
    await seminar.say("/seminar skip 2026-01-13")
    said = await says(seminar, "/seminar reschedule tue 10:00 Asia/Tokyo 2026-01-12")
    assert "Still skipped, so no meeting then: Tue 13 Jan 2026. /seminar skip 2026-01-13 " \
           "--undo makes it a meeting again." in said
    await seminar.say("/seminar skip 2026-01-27")
    said = await says(seminar, "/seminar setup tue 19:00 UTC")
    assert "Still skipped, so no meeting then: Tue 13 Jan 2026, Tue 27 Jan 2026. /seminar " \
           "skip DATE --undo makes one a meeting again." in said
    # … and none that the new meetings do not fall on: another weekday, before a new start
    assert "Still skipped" not in await says(seminar, "/seminar reschedule thu 19:00 UTC")
    assert "Still skipped" not in await says(
        seminar, "/seminar reschedule tue 19:00 UTC 2026-02-01")
    said = await says(seminar, "/seminar reschedule tue 19:00 UTC 2026-01-20")
    assert "Still skipped, so no meeting then: Tue 27 Jan 2026." in said


async def test_a_meeting_a_move_left_empty_is_said_to_stay_empty_after_a_change(
        seminar: ConsoleDriver) -> None:
    """helper-157's 7: a reschedule's reply named the skipped dates, not the meeting a move
    had left empty, which stays so."""
    await seminar.say("/seminar move 5 2026-01-08 20:00")
    said = await says(seminar, "/seminar reschedule tue 20:00 UTC")
    assert "Still skipped" not in said
    assert "Tue 03 Feb 2026 stays empty (left empty when session 5 was moved; /seminar skip " \
           "2026-02-03 --undo gives it back)." in said
    assert "No meeting on Tue 03 Feb 2026 (left empty when session 5 was moved)." \
        in await says(seminar, "/seminar schedule")
    assert "stays empty" not in await says(seminar, "/seminar reschedule thu 20:00 UTC")


async def test_the_schedule_names_no_skip_before_the_start(seminar: ConsoleDriver) -> None:
    """helper-157's 6: a date skipped before a reschedule's later start was still listed as
    "No meeting", where there would be none anyway."""
    await seminar.say("/seminar skip 2026-01-20")
    await seminar.say("/seminar reschedule tue 19:00 UTC 2026-01-27")
    assert "Tue 20 Jan 2026" not in await says(seminar, "/seminar schedule")


async def test_a_move_refused_for_a_session_opening_after_it_says_until_when_and_from_when(
        seminar: ConsoleDriver) -> None:
    """helper-156's 7: a move refused for being too close before another session's opening
    said neither until when nor from when it could open (only a move after one said from when)."""
    said = await says(seminar, "/seminar move 2 2026-01-06 10:00")
    assert "session 2 cannot open within 24 hours of it; it can open up to Mon 05 Jan 2026 " \
           "19:00 UTC or from Wed 07 Jan 2026 19:00 UTC." in said
    assert "Session 2 moves to Mon 05 Jan 2026 19:00 UTC." in await says(
        seminar, "/seminar move 2 2026-01-05 19:00")


async def test_a_move_onto_another_session_s_very_opening_says_both_ways_out(
        seminar: ConsoleDriver) -> None:
    """helper-162's 3: asked for the very instant another session opens, a refused move said
    only from when it could open, where it can also open before (out of order, on purpose)."""
    both = "it can open up to Mon 19 Jan 2026 19:00 UTC or from Wed 21 Jan 2026 19:00 UTC."
    for asked in ("2026-01-20 19:00", "2026-01-21 18:59", "2026-01-19 19:01"):  # helper-165's 3
        said = await says(seminar, f"/seminar move 4 {asked}")
        assert both in said, (asked, said)
    assert "Session 4 moves to Mon 19 Jan 2026 19:00 UTC." in await says(
        seminar, "/seminar move 4 2026-01-19 19:00")


async def test_resume_says_why_meetings_stay_empty(seminar: ConsoleDriver) -> None:
    """helper-149's 3: resume gives the sessions the next free meetings, but said nothing of
    those it left empty (a skipped date, the meetings before a session moved later); only the
    README did."""
    await seminar.say("/seminar skip 2026-01-13")
    await seminar.say("/seminar move 3 2026-02-10 19:00")
    await seminar.say("/seminar pause")
    said = await says(seminar, "/seminar resume")
    assert "Still skipped, so no meeting then: Tue 13 Jan 2026. /seminar skip 2026-01-13 " \
           "--undo makes it a meeting again." in said
    assert "Meetings with no session: Tue 27 Jan 2026, Tue 03 Feb 2026: none in the plan's " \
           "order can take them" in said and "/seminar move puts one there." in said
    schedule = await says(seminar, "/seminar schedule")
    assert "Meetings with no session: Tue 27 Jan 2026, Tue 03 Feb 2026." in schedule


@pytest.mark.parametrize(("session", "asked"), [(6, "2026-01-16 10:00"), (5, "2026-01-16 10:00"),
                                                (6, "2026-01-14 19:00")])
async def test_where_a_refused_move_says_it_can_open_it_can(
        seminar: ConsoleDriver, session: int, asked: str) -> None:
    """helper-157's 1: each bound a refused move named was one session's, and could be too
    close to another's: the moderator went from one refusal to the next. Both bounds are now
    clear of every session that does not make way; a minute closer is not."""
    import re

    await seminar.say("/seminar setup tue,fri 19:00 UTC")  # sessions 3 and 4: 13 and 16 Jan
    await seminar.say("/seminar min-open 2d")
    said = await says(seminar, f"/seminar move {session} {asked}")
    found = re.search(r"it can open (?:up to (\w{3} \d\d \w{3} \d{4} \d\d:\d\d) UTC or )?from "
                      r"(\w{3} \d\d \w{3} \d{4} \d\d:\d\d) UTC\.", said)
    assert found is not None, said
    for bound, closer in ((found.group(1), timedelta(minutes=1)),
                          (found.group(2), -timedelta(minutes=1))):
        if bound is None:
            continue
        moment = datetime.strptime(bound, "%a %d %b %Y %H:%M")
        for at, held in ((moment + closer, False), (moment, True)):
            said = await says(seminar, f"/seminar move {session} {at:%Y-%m-%d %H:%M}")
            assert (f"Session {session} moves to" in said) is held, (at, said)
            if held:  # back where it was, for the next bound
                await seminar.say(f"/seminar move {session} {asked[:10]} 19:00")


async def test_a_date_before_the_start_is_no_meeting_to_skip_or_give_back(
        seminar: ConsoleDriver) -> None:
    """helper-159's 9: after a reschedule to a later start, a date before it could be skipped
    again, and its skip's undo called it "a meeting again"."""
    await seminar.say("/seminar skip 2026-01-13")
    await seminar.say("/seminar reschedule tue 19:00 UTC 2026-01-20")
    said = await says(seminar, "/seminar skip 2026-01-13 --undo")
    assert "Tue 13 Jan 2026 is no longer skipped, but comes before the start date, Tue 20 Jan " \
           "2026. Next:" in said and "meeting again" not in said
    said = await says(seminar, "/seminar skip 2026-01-13")
    assert "`date` expects a meeting from the start date, Tue 20 Jan 2026 (got " \
           "'2026-01-13')" in said


async def test_resume_lists_the_sessions_it_moves(seminar: ConsoleDriver) -> None:
    """helper-159's 8: resume gave session 5 an earlier meeting and did not say so."""
    for line in ("/seminar move 3 2026-01-16 19:00", "/seminar skip 2026-02-03",
                 "/seminar move 6 2026-03-20 10:00", "/seminar pause"):
        await seminar.say(line)
    said = await says(seminar, "/seminar resume")
    assert "Session 4 moves to Tue 20 Jan 2026 19:00 UTC." in said
    assert "Session 5 moves to Tue 27 Jan 2026 19:00 UTC." in said


async def test_a_refused_duration_is_quoted_as_typed(seminar: ConsoleDriver) -> None:
    """helper-194's 7: `2d` was refused as '2 days', a spelling nobody typed."""
    await seminar.say("/seminar setup tue,wed 19:00 UTC")
    said = await says(seminar, "/seminar min-open 2d")
    assert "(got '2d')" in said and "2 days" not in said

