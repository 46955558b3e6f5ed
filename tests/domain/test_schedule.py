import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.schedule import WeeklyRule, describe_local, local_to_utc
from seminarbot.domain.stamps import LocalStamps


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "day", "at", "expected", "shown"), [
    # Spring gap: the missing local time moves forward by the gap (01:30 → 02:30 BST).
    ("Europe/London", date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 30), "02:30"),
    ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30), "03:30"),
    # Autumn repeat: the first of the two occurrences (still summer time).
    ("Europe/London", date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30), "01:30"),
    ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), "01:30"),
])
def test_dst_edge_rules(zone: str, day: date, at: time, expected: datetime, shown: str) -> None:
    instant = local_to_utc(day, at, ZoneInfo(zone))
    assert instant == expected
    assert instant.astimezone(ZoneInfo(zone)).strftime("%H:%M") == shown


@pytest.mark.parametrize(("zone", "weekday", "start", "offsets"), [
    # Tuesdays 19:00 London across the March change: 19:00Z, then 18:00Z.
    ("Europe/London", 1, date(2026, 3, 10), [19, 19, 19, 18, 18, 18, 18, 18, 18, 18]),
    # Tuesdays 19:00 New York across the November change: 23:00Z, then 00:00Z next day.
    ("America/New_York", 1, date(2026, 10, 6), [23, 23, 23, 23, 0, 0, 0, 0, 0, 0]),
])
def test_ten_weeks_across_a_change_stay_on_local_time(zone: str, weekday: int, start: date,
                                                       offsets: list[int]) -> None:
    rule = WeeklyRule((weekday,), time(19, 0), zone, start)
    slots = [rule.meeting(week) for week in range(10)]
    assert [s.hour for s in slots] == offsets
    for slot in slots:
        local = slot.astimezone(ZoneInfo(zone))
        assert (local.weekday(), local.hour, local.minute) == (weekday, 19, 0)


def test_first_date_and_first_meeting_at_or_after() -> None:
    rule = WeeklyRule((1,), time(19, 0), "Europe/Berlin", date(2026, 1, 7))  # a Wednesday
    assert rule.first_date() == date(2026, 1, 13)
    assert rule.first_meeting_at_or_after(utc(2026, 1, 1)) == 0
    assert rule.first_meeting_at_or_after(rule.meeting(0)) == 0
    assert rule.first_meeting_at_or_after(utc(2026, 1, 13, 18, 0, 1)) == 1
    assert rule.first_meeting_at_or_after(utc(2026, 5, 1)) == 16


@given(weekday=st.integers(0, 6), hour=st.integers(0, 23), minute=st.integers(0, 59),
       start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
       zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney",
                             "Asia/Kolkata", "America/Santiago", "UTC"]),
       probe=st.datetimes(datetime(2024, 1, 1), datetime(2031, 12, 31), timezones=st.just(UTC)))
def test_slots_are_weekly_ordered_and_found_again(weekday: int, hour: int, minute: int,
                                                  start: date, zone: str,
                                                  probe: datetime) -> None:
    rule = WeeklyRule((weekday,), time(hour, minute), zone, start)
    slots = [rule.meeting(week) for week in range(6)]
    assert slots == sorted(slots)
    for slot in slots:
        assert slot.astimezone(ZoneInfo(zone)).date().weekday() == weekday
    week = rule.first_meeting_at_or_after(probe)
    assert rule.meeting(week) >= probe
    assert week == 0 or rule.meeting(week - 1) < probe


ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
         "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "Europe/Amsterdam",
         "Africa/Monrovia", "Asia/Tehran", "Pacific/Apia"]


@given(zone=st.sampled_from(ZONES),
       instants=st.lists(st.datetimes(datetime(1850, 1, 1), datetime(2100, 1, 1)), min_size=1,
                         max_size=40))
def test_local_stamps_describe_stored_stamps_as_describe_local_does(
        zone: str, instants: list[datetime]) -> None:
    # Near one another too, so remembered hours and minutes are used; old dates reach the local
    # mean times (offsets with seconds), and some zones have offsets of 30 or 45 minutes.
    stamps = [to_iso(i.replace(tzinfo=UTC)) for i in instants]
    stamps += [to_iso(i.replace(tzinfo=UTC) + timedelta(seconds=s))
               for i in instants for s in (1, 59, 61, 3599)]
    local = LocalStamps(ZoneInfo(zone), str)
    for stamp in [*stamps, "2026-03-29T01:30:00.250Z", "2026-03-29T01:30:00+01:00"]:
        assert local(stamp) == describe_local(parse_instant(stamp), ZoneInfo(zone)), stamp
    # As UTF-8 (the transcripts' rows), twice: the second time from the hour's table.
    utf8 = LocalStamps(ZoneInfo(zone), str)
    utf8.LIMIT = 100  # an hour's minutes at a time: forgotten at the next hour
    odd = ["2026-03-29T01:30:0\xe9Z", "2026-03-29T01:+5:00Z", "2026-03-29T01:75:00Z",
           "2026-03-29T01:05:00X"]
    for stamp in [*stamps, *stamps, *odd, *odd]:
        assert _outcome(utf8.utf8, stamp.encode()) == _outcome(local, stamp), stamp


@given(zone=st.sampled_from(sorted(available_timezones())),
       instant=st.datetimes(datetime(1850, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_every_zone_is_named_by_letters_or_by_utc_and_its_offset(zone: str,
                                                                 instant: datetime) -> None:
    # tzdata names many zones by their offset alone (`+0545`, `-03`), which a person reads as
    # a time: shown as `UTC+05:45`, with the offset that instant has (helper-188's 5).
    shown = describe_local(instant, ZoneInfo(zone)).rsplit(" ", 1)[1]
    assert re.fullmatch(r"[A-Z][A-Za-z]{1,5}|UTC([+-]\d\d(:\d\d)?)?", shown), (zone, shown)
    offset = instant.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    if shown.startswith("UTC") and shown != "UTC":
        minutes = int(offset.total_seconds() // 60)
        sign, hours, rest = shown[3], int(shown[4:6]), int(shown[7:9] or 0)
        assert (1 if sign == "+" else -1) * (hours * 60 + rest) == minutes, (zone, shown)


def test_kathmandu_and_santiago_show_their_offsets_after_utc() -> None:
    winter = datetime(2026, 1, 6, 13, 0, tzinfo=UTC)
    assert describe_local(winter, ZoneInfo("Asia/Kathmandu")) == "Tue 06 Jan 2026 18:45 UTC+05:45"
    assert describe_local(winter, ZoneInfo("America/Santiago")) == "Tue 06 Jan 2026 10:00 UTC-03"
    assert describe_local(winter, ZoneInfo("Antarctica/Troll")) == "Tue 06 Jan 2026 13:00 UTC"


def _outcome(describe: Callable[[Any], str], stamp: Any) -> str:
    try:
        return describe(stamp)
    except ValueError as error:
        return f"ValueError {error}"


def test_local_stamps_across_a_change_of_offset_or_of_the_local_day() -> None:
    london = LocalStamps(ZoneInfo("Europe/London"), str)
    assert [london(s) for s in ("2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z",
                                "2026-10-25T00:59:00Z", "2026-10-25T01:00:00Z")] == [
        "Sun 29 Mar 2026 00:59 GMT", "Sun 29 Mar 2026 02:00 BST",
        "Sun 25 Oct 2026 01:59 BST", "Sun 25 Oct 2026 01:00 GMT"]
    kolkata = LocalStamps(ZoneInfo("Asia/Kolkata"), str)  # 18:00Z is 23:30 there
    assert [kolkata(s) for s in ("2026-01-06T18:10:00Z", "2026-01-06T18:45:00Z")] == [
        "Tue 06 Jan 2026 23:40 IST", "Wed 07 Jan 2026 00:15 IST"]


def test_a_stamp_a_damaged_row_holds_is_described_as_before_or_shown_as_stored() -> None:
    london = LocalStamps(ZoneInfo("Europe/London"), str)
    for read in (london, lambda stamp: london.utf8(stamp.encode())):
        assert read("2026-01-06T19:60:00Z") == "Tue 06 Jan 2026 20:00 GMT"
        assert read("2026-01-06T19:-5:00Z") == "Tue 06 Jan 2026 18:55 GMT"
        for stamp in ["2026-01-06T19:ab:00Z", "soon", "2026-13-45T99:00:00Z", "", "9" * 20]:
            assert read(stamp) == stamp
    assert london.utf8(b"2026-01-06T19:\xff\xff:00Z") == "2026-01-06T19:\ufffd\ufffd:00Z"


ZONES_WITH_SHIFTS = ["America/New_York", "Europe/London", "Australia/Lord_Howe",
                     "Antarctica/Troll", "Pacific/Apia", "UTC"]
# An opening, the minimum open time, the zone and the cohort's meeting time (or none).
OPENING_APART = (
    st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1),
                 timezones=st.just(UTC)),
    st.sampled_from([timedelta(hours=1), timedelta(days=1), timedelta(days=7),
                     timedelta(days=2, hours=5)]),
    st.sampled_from(ZONES_WITH_SHIFTS), st.sampled_from([None, time(1, 30), time(2, 30)]))


@given(*OPENING_APART)
def test_the_earliest_opening_apart_is_the_first_minute_the_planner_allows(
        instant: datetime, least: timedelta, zone_name: str, meets_at: time | None) -> None:
    """helper-133's 3: the planner placed a session by far_enough (a clock change may make up
    the difference), while `/seminar post` and `/seminar move` checked the bare wall clock:
    each refused what the schedule itself planned. One rule now: earliest_apart is far enough,
    and the minute before it is not (unless it is the wall clock's own answer)."""
    from seminarbot.domain.schedule import earliest_apart, far_enough, wall_clock_after

    zone = ZoneInfo(zone_name)
    instant = instant.replace(second=0, microsecond=0)
    earliest = earliest_apart(instant, least, zone, meets_at)
    assert far_enough(instant, earliest, zone, least, meets_at)
    assert earliest <= wall_clock_after(instant, least, zone)
    sooner = earliest - timedelta(minutes=1)
    if sooner > instant and earliest < wall_clock_after(instant, least, zone):
        assert not far_enough(instant, sooner, zone, least, meets_at)


@given(*OPENING_APART)
def test_the_latest_opening_apart_before_another_is_the_last_minute_the_planner_allows(
        instant: datetime, least: timedelta, zone_name: str, meets_at: time | None) -> None:
    """helper-156's 7: a move refused for a later session's opening said not until when. The
    bound before it is kept by the same rule: far enough, and no minute after it is."""
    from seminarbot.domain.schedule import DST_REACH, far_enough, latest_apart

    zone = ZoneInfo(zone_name)
    instant = instant.replace(second=0, microsecond=0)
    latest = latest_apart(instant, least, zone, meets_at)
    assert latest < instant and far_enough(latest, instant, zone, least, meets_at)
    for minutes in range(1, int(2 * DST_REACH / timedelta(minutes=1)) + 1, 7):
        later = latest + timedelta(minutes=minutes)
        assert later >= instant or not far_enough(later, instant, zone, least, meets_at)


# Days the clocks change on in ZONES_WITH_SHIFTS (spring and autumn), and any other day.
CHANGE_DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25),
               date(2026, 10, 4), date(2026, 4, 5), date(2011, 12, 30), date(2011, 9, 24)]


@given(st.one_of(st.sampled_from(CHANGE_DAYS),
                 st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 1, 1))),
       st.times().map(lambda t: t.replace(second=0, microsecond=0)),
       st.sampled_from(ZONES_WITH_SHIFTS))
def test_only_a_skipped_time_that_landed_later_is_made_up_for(
        day: date, at: time, zone_name: str) -> None:
    """helper-149's 2, helper-154's 2, helper-155's 1: the minimum open time's allowance went
    to any opening with a clock change near it (autumn's too; one counted in the wall clock
    already; a time a moderator chose just after the jump). It is now what the spring jump
    added to the meeting time it skipped, and nothing else."""
    from seminarbot.domain.schedule import landed_later_by

    zone = ZoneInfo(zone_name)
    landed = local_to_utc(day, at, zone)
    shown = landed.astimezone(zone).replace(tzinfo=None)
    meant = datetime.combine(day, at)
    pushed = landed_later_by(landed, zone, at)
    assert pushed == min(shown - meant, timedelta(hours=3))  # zero where the time exists
    other = (datetime.combine(day, at) + timedelta(minutes=30)).time()
    if local_to_utc(day, other, zone) != landed:  # another meeting time lands elsewhere
        assert landed_later_by(landed, zone, other) == timedelta(0)
