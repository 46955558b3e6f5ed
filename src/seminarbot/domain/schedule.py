"""Weekly schedule arithmetic in a cohort's IANA zone.

Wall-clock rules at DST edges (documented in the README):
- a local time that does not exist (spring forward) moves forward by the length of the gap:
  02:30 on a night that jumps 02:00→03:00 posts at 03:30;
- a local time that happens twice (fall back) posts at its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # Monday = 0
    local_time: time
    timezone: str
    start_date: date

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def first_date(self) -> date:
        """The first date on or after start_date that falls on the weekday."""
        ahead = (self.weekday - self.start_date.weekday()) % 7
        return self.start_date + timedelta(days=ahead)

    def slot(self, week: int) -> datetime:
        """The UTC instant of the week-th occurrence (0-based) from the first date."""
        return local_to_utc(self.first_date() + timedelta(weeks=week), self.local_time, self.zone)

    def first_week_at_or_after(self, instant: datetime) -> int:
        """The smallest week index whose slot is not before `instant`."""
        local_day = instant.astimezone(self.zone).date()
        week = max(0, (local_day - self.first_date()).days // 7 - 1)
        while self.slot(week) < instant:
            week += 1
        return week


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    # fold=0 gives the first of two repeated times and, for a time inside the spring gap, the
    # offset in force before the jump — which lands the gap time that many minutes later.
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def describe_local(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or "")
