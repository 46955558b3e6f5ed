"""Weekly schedule arithmetic in a cohort's IANA zone.

A cohort meets on one or more weekdays at one local time. Meetings are numbered from 0, the
first on or after the start date. Wall-clock rules at DST edges (documented in the README):
- a local time that does not exist (spring forward) moves forward by the length of the gap:
  02:30 on a night that jumps 02:00→03:00 posts at 03:30;
- a local time that happens twice (fall back) posts at its first occurrence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from seminarbot.domain.errors import Damaged

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

# How long each session stays open at least before the next one opens, unless the cohort
# says otherwise (/seminar min-open). One day: every weekly rule keeps it.
DEFAULT_MIN_OPEN = timedelta(hours=24)
# What /seminar min-open accepts (its help and errors say it from here); a cohort's meeting
# days must also be at least that far apart.
MIN_OPEN_RANGE = (timedelta(hours=1), timedelta(days=7))
# The longest clock change a DST rule makes (some zones jump two hours, most one).
DST_REACH = timedelta(hours=3)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WeeklyRule:
    weekdays: tuple[int, ...]  # Monday = 0; sorted, distinct, at least one
    local_time: time
    timezone: str
    start_date: date

    def __post_init__(self) -> None:
        if not self.weekdays or sorted(set(self.weekdays)) != list(self.weekdays) \
                or not 0 <= self.weekdays[0] <= self.weekdays[-1] <= 6:
            raise ValueError(f"weekdays must be sorted and distinct, from 0 (Monday) to 6, got "
                             f"{self.weekdays}")

    @property
    def zone(self) -> ZoneInfo:
        # Imported with the first zone needed (a post, a digest, most commands), not at start:
        # zoneinfo reads Python's whole build configuration for its search path (0.4–0.7 MB).
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:  # a damaged row's
            raise Damaged(f"this seminar's stored time zone {str(self.timezone)[:60]!r} is "
                          "not one the IANA time zone database here knows; nothing was changed",
                          more=("Whoever runs the bot can restore a backup.",)) from error

    def _first_week(self) -> list[date]:
        first = [self.start_date + timedelta(days=(day - self.start_date.weekday()) % 7)
                 for day in self.weekdays]
        return sorted(first)

    def meeting_date(self, index: int) -> date:
        first = self._first_week()
        week, slot = divmod(index, len(first))
        return first[slot] + timedelta(weeks=week)

    def meeting(self, index: int) -> datetime:
        """The UTC instant of the index-th meeting (0-based)."""
        return local_to_utc(self.meeting_date(index), self.local_time, self.zone)

    def day_of(self, instant: datetime) -> date:
        """The date of the meeting held at `instant`, else the instant's local date. The two
        differ on a day the zone skipped (Pacific/Apia had no 30 December 2011: that Friday's
        meeting was held on Saturday's date), where a meeting is known by its own date."""
        index = self.first_meeting_at_or_after(instant)
        if self.meeting(index) == instant:
            return self.meeting_date(index)
        return instant.astimezone(self.zone).date()

    def first_meeting_at_or_after(self, instant: datetime) -> int:
        """The smallest meeting index whose instant is not before `instant`."""
        local_day = instant.astimezone(self.zone).date()
        weeks = max(0, (local_day - self._first_week()[0]).days // 7 - 1)
        index = weeks * len(self.weekdays)
        while self.meeting(index) < instant:
            index += 1
        return index

    def shortest_gap(self) -> timedelta:
        """The shortest wall-clock time between two meetings (whole days)."""
        days = list(self.weekdays)
        gaps = [b - a for a, b in itertools.pairwise(days)] + [7 + days[0] - days[-1]]
        return timedelta(days=min(gaps))

    def first_date(self) -> date:
        return self.meeting_date(0)

    def describe(self) -> str:
        """`Mondays, Wednesdays and Fridays at 19:00 Europe/Berlin`; `Every day at …`."""
        names = [WEEKDAYS[d].capitalize() + "s" for d in self.weekdays]
        days = "Every day" if len(names) == len(WEEKDAYS) else \
            " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))
        return f"{days} at {self.local_time.strftime('%H:%M')} {self.timezone}"


class Move(NamedTuple):
    """One session pinned by a moderator to an instant (UTC). A moved session keeps its instant
    when the cohort's zone changes. `out_of_order`: the moderator put it out of plan order on
    purpose (the move's reply warned), so it stays there when other changes pass it."""

    at: datetime
    out_of_order: bool = False


def wall_clock(start: datetime, end: datetime, zone: ZoneInfo) -> timedelta:
    """How far apart two instants are on the zone's clocks (signed). A night when the clocks
    change counts as its wall-clock length, so Tuesday 19:00 to Wednesday 19:00 is 24 hours
    whatever the DST rules do in between."""
    return (end.astimezone(zone).replace(tzinfo=None)
            - start.astimezone(zone).replace(tzinfo=None))


def far_enough(a: datetime, b: datetime, zone: ZoneInfo, least: timedelta,
               meets_at: time | None = None) -> bool:
    """Whether two openings are at least `least` apart on the zone's clocks (README,
    Scheduling: minimum open time), a night counting as its wall-clock length. Only where the
    earlier is the meeting at `meets_at` on a day the spring jump skipped that time, opened
    that much later, does the jump make up the difference (so it is counted once)."""
    gap = abs(wall_clock(a, b, zone))
    return gap >= least or (meets_at is not None
                            and gap + landed_later_by(min(a, b), zone, meets_at) >= least)


def landed_later_by(instant: datetime, zone: ZoneInfo, meets_at: time) -> timedelta:
    """How much later than its meeting time `meets_at` `instant` is (at most DST_REACH), where
    the spring jump skipped that time on its day (01:30 opens at 02:30 if 01:00 jumps to 02:00)."""
    shown = instant.astimezone(zone).replace(tzinfo=None)
    for day in (shown.date(), shown.date() - timedelta(days=1)):  # a jump at midnight
        meant = datetime.combine(day, meets_at)
        if meant != shown and local_to_utc(day, meets_at, zone) == instant:
            return min(shown - meant, DST_REACH)
    return timedelta(0)


def earliest_apart(instant: datetime, least: timedelta, zone: ZoneInfo,
                   meets_at: time | None = None) -> datetime:
    """The first minute from which an opening is `far_enough` after `instant`: `least` later
    on the zone's clocks, or up to DST_REACH sooner where a clock change makes up the rest.
    The planner, `/seminar post` and `/seminar move` all keep to this one rule."""
    latest = wall_clock_after(instant, least, zone)
    for minutes in range(int(DST_REACH / timedelta(minutes=1)), 0, -1):
        sooner = latest - timedelta(minutes=minutes)
        if sooner > instant and far_enough(instant, sooner, zone, least, meets_at):
            return sooner
    return latest


def latest_apart(instant: datetime, least: timedelta, zone: ZoneInfo,
                 meets_at: time | None = None) -> datetime:
    """The last minute at which an opening is `far_enough` before `instant`: about `least`
    sooner on the zone's clocks, later where the opening would be a meeting at `meets_at`
    that the spring jump moved, sooner where `least` sooner is a time the jump skipped."""
    soonest = wall_clock_after(instant, -least, zone)
    reach = int(DST_REACH / timedelta(minutes=1))
    for minutes in range(reach, -reach - 1, -1):
        at = soonest + timedelta(minutes=minutes)
        if at < instant and far_enough(at, instant, zone, least, meets_at):
            return at
    return soonest - DST_REACH


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    # fold=0 gives the first of two repeated times and, for a time inside the spring gap, the
    # offset in force before the jump — which lands the gap time that many minutes later.
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def describe_local(instant: datetime, zone: ZoneInfo) -> str:
    """`Tue 06 Jan 2026 19:05 GMT`: the local minute and the zone's abbreviation."""
    local = instant.astimezone(zone)
    return f"{describe_day(local.date())} {local:%H:%M} " + abbreviation(local)


# tzdata's abbreviation for a zone it gives only an offset (`+0545`, `-03`)
_NUMERIC = re.compile(r"([+-])(\d\d)(\d\d)?")


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation for an aware local time: tzdata's (`GMT`, `CEST`), or, for the
    zones tzdata gives only an offset (`+0545`, `-03`: its "numeric abbreviations", tz-link),
    that offset as `UTC+05:45`, `UTC-03` (`+00` and `-00` as `UTC`), so it is not read as a
    time (helper-188's 5)."""
    name = local.tzname() or ""
    numeric = _NUMERIC.fullmatch(name)
    if numeric is None:
        return name
    sign, hours, minutes = numeric.groups()
    if hours == "00" and minutes in (None, "00"):
        return "UTC"
    return f"UTC{sign}{hours}" + (f":{minutes}" if minutes else "")


def describe_day(day: date) -> str:
    """`Tue 06 Jan 2026`: a local date, as every schedule reply writes one."""
    return day.strftime("%a %d %b %Y")


def wall_clock_after(instant: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """The instant `delta` later on the zone's clocks (DST rules as local_to_utc)."""
    local = instant.astimezone(zone).replace(tzinfo=None) + delta
    return local_to_utc(local.date(), local.time(), zone)


def describe_span(delta: timedelta) -> str:
    """A duration as people say it: `90 minutes`, `24 hours`, `7 days`, `6 days 23 hours`.
    Under two days, whole hours stay hours; otherwise days, hours and minutes, zeros left out;
    seconds last, when there are any (`1 minute 30 seconds`)."""
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    if seconds:
        whole = f"{describe_span(timedelta(minutes=minutes))} " if minutes else ""
        return whole + _count(seconds, "second")
    if minutes < 60 or (minutes < 2 * 24 * 60 and minutes % 60 == 0):
        return _count(minutes, "minute") if minutes < 60 else _count(minutes // 60, "hour")
    days, rest = divmod(minutes, 24 * 60)
    parts = [(days, "day"), (rest // 60, "hour"), (rest % 60, "minute")]
    return " ".join(_count(n, unit) for n, unit in parts if n)


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")
