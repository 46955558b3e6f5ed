from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seminarbot.domain.schedule import WeeklyRule, local_to_utc


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
