"""Weekly schedule arithmetic in a cohort's IANA zone.

A cohort meets on one or more weekdays at one local time. Meetings are numbered from 0, the
first on or after the start date. Wall-clock rules at DST edges (documented in the README):
- a local time that does not exist (spring forward) moves forward by the length of the gap:
  02:30 on a night that jumps 02:00→03:00 posts at 03:30;
- a local time that happens twice (fall back) posts at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WeeklyRule:
    weekdays: tuple[int, ...]  # Monday = 0; sorted, distinct, at least one
    local_time: time
    timezone: str
    start_date: date

    def __post_init__(self) -> None:
        if not self.weekdays or sorted(set(self.weekdays)) != list(self.weekdays):
            raise ValueError(f"weekdays must be sorted and distinct, got {self.weekdays}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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

    def first_meeting_at_or_after(self, instant: datetime) -> int:
        """The smallest meeting index whose instant is not before `instant`."""
        local_day = instant.astimezone(self.zone).date()
        weeks = max(0, (local_day - self._first_week()[0]).days // 7 - 1)
        index = weeks * len(self.weekdays)
        while self.meeting(index) < instant:
            index += 1
        return index

    def first_date(self) -> date:
        return self.meeting_date(0)

    def describe(self) -> str:
        days = " and ".join(WEEKDAYS[d].capitalize() + "s" for d in self.weekdays)
        return f"{days} at {self.local_time.strftime('%H:%M')} {self.timezone}"


@dataclass(frozen=True)
class Move:
    """One session pinned to a local date and time, in the cohort's zone."""

    local_date: date
    local_time: time


def assign(rule: WeeklyRule, sessions: Iterable[str], not_before: datetime,
           skips: Iterable[date] = (), moves: Mapping[str, Move] | None = None
           ) -> dict[str, datetime]:
    """Give each session, in order, the next meeting at or after not_before whose local date
    is not skipped. A moved session takes its own instant; its meeting stays empty, so the
    sessions after it keep their dates."""
    skipped = set(skips)
    moves = moves or {}
    index = rule.first_meeting_at_or_after(not_before)
    result: dict[str, datetime] = {}
    for session in sessions:
        while rule.meeting_date(index) in skipped:
            index += 1
        move = moves.get(session)
        pinned = local_to_utc(move.local_date, move.local_time, rule.zone) if move else None
        # A move whose moment went by unposted (the seminar was paused) no longer applies.
        result[session] = pinned if pinned and pinned >= not_before else rule.meeting(index)
        index += 1
    return result


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    # fold=0 gives the first of two repeated times and, for a time inside the spring gap, the
    # offset in force before the jump — which lands the gap time that many minutes later.
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def describe_local(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or "")
