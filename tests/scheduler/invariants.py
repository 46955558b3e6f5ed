"""The schedule's promises (README, Scheduling), checked against the outbox and against what
the console printed. Shared by the explicit sequences and the stateful property test."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from seminarbot.domain.models import Cohort, CohortState, OutboxItem, OutboxState
from seminarbot.domain.planning import LAST_SESSION_LENGTH
from seminarbot.domain.schedule import Move, describe_local, wall_clock
from seminarbot.services.container import Services

STAMP = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{2}) ([A-Z][a-z]{2}) (\d{4}) "
                   r"(\d{2}):(\d{2}) (\S+?)(?=[\s.,;)]|$)")
WARNING = re.compile(r"Out of plan order: session (\d+) comes before sessions? ([\d, and]+)\.")
POST = re.compile(r"^── Session (\d+): .*? · prompt (\d+\.\d+) ", re.MULTILINE)
ROW = re.compile(r"^(\d+)\s+Week \d+\s+(.+?)\s{2,}(\w+)$", re.MULTILINE)


def flat(text: str) -> str:
    """Printed text with its wrapping undone."""
    return re.sub(r"\s+", " ", text)


def times_not_in(zone: ZoneInfo, text: str) -> list[str]:
    """Every time shown that is not a wall time of `zone` with that zone's abbreviation."""
    wrong = []
    for match in STAMP.finditer(flat(text)):
        local = datetime.strptime(" ".join(match.groups()[1:6]), "%d %b %Y %H %M")
        names = {local.replace(tzinfo=zone, fold=f).tzname() for f in (0, 1)}
        if match.group(7) not in names:
            wrong.append(match.group(0))
    return wrong


def warned_pairs(text: str) -> set[tuple[int, int]]:
    """(earlier, later) pairs a reply said are out of plan order."""
    pairs = set()
    for later, earlier in WARNING.findall(flat(text)):
        pairs |= {(int(n), int(later)) for n in re.findall(r"\d+", earlier)}
    return pairs


def printed_posts(text: str) -> list[str]:
    return [ref for _, ref in POST.findall(text)]


def schedule_rows(text: str) -> dict[int, tuple[str, str]]:
    """`/seminar schedule` as printed: session number → (date shown, state)."""
    return {int(n): (shown, state) for n, shown, state in ROW.findall(text)}


@dataclass
class Outbox:
    items: list[OutboxItem]
    opened: dict[int, datetime] = field(default_factory=dict)  # session number → opening
    planned: dict[int, datetime] = field(default_factory=dict)  # not yet opened

    @classmethod
    def of(cls, items: list[OutboxItem]) -> Outbox:
        outbox = cls(items)
        for item in items:
            if item.kind != "prompt":
                continue
            number = int(item.session_id.lstrip("w"))
            if item.state is OutboxState.POSTED and item.posted_at:
                outbox.opened[number] = min(item.posted_at, outbox.opened.get(number,
                                                                              item.posted_at))
        for item in items:
            number = int(item.session_id.lstrip("w"))
            if item.kind == "prompt" and item.state is OutboxState.PENDING \
                    and number not in outbox.opened:
                outbox.planned[number] = min(item.due_at, outbox.planned.get(number,
                                                                             item.due_at))
        return outbox

    def starts(self) -> dict[int, datetime]:
        return {**self.planned, **self.opened}

    def close_of(self, number: int) -> datetime:
        starts = self.starts()
        later = [when for n, when in starts.items() if n != number and when > starts[number]]
        return min(later) if later else starts[number] + LAST_SESSION_LENGTH

    def inversions(self, numbers: dict[int, datetime] | None = None) -> set[tuple[int, int]]:
        starts = self.starts() if numbers is None else numbers
        return {(a, b) for a in starts for b in starts if a < b and starts[b] < starts[a]}


async def outbox_of(app: Services, cohort_id: int = 1) -> Outbox:
    return Outbox.of(await app.outbox.for_cohort(cohort_id))


def check_outbox(outbox: Outbox, cohort: Cohort, now: datetime,
                 min_open_when_opened: dict[int, timedelta],
                 zone_when_opened: dict[int, ZoneInfo] | None = None) -> None:
    """Minimum open time between openings (done and planned), reminders inside their
    session, digests at its close, and what a running seminar has planned. An opening is
    judged by the minimum and on the clock in force when it opened (README: a reschedule to
    another zone does not reach back)."""
    zone = cohort.rule.zone
    opened = sorted(outbox.opened.items(), key=lambda kv: kv[1])
    for (_, a), (b, when) in itertools.pairwise(opened):
        need = min_open_when_opened.get(b, cohort.min_open)
        then = (zone_when_opened or {}).get(b, zone)
        assert not _near(a, when, then, need), (b, describe_local(when, then), need)
    prompts = {i.item for i in outbox.items if i.kind == "prompt"}
    for item in outbox.items:
        number = int(item.session_id.lstrip("w"))
        if item.kind == "reminder" and item.state is OutboxState.POSTED:
            assert item.posted_at and outbox.opened[number] < item.posted_at
            # Before the close; at it only when a moderator posted the next session at the
            # very moment the reminder went out (turning reminders on late sends it at once);
            # later only if the seminar was paused then, as a digest (helper-162's 1). Never
            # before the session's digest.
            assert item.posted_at <= outbox.close_of(number) or not [
                d for d in outbox.items if d.kind == "digest" and d.session_id == item.session_id
                and d.state is OutboxState.POSTED and d.posted_at
                and d.posted_at < item.posted_at], item
        if item.kind == "digest" and item.state is OutboxState.POSTED:
            # At the close; later only if the seminar was paused then.
            assert item.posted_at and item.posted_at >= outbox.close_of(number), item
    if cohort.state is not CohortState.ACTIVE:
        return
    starts = sorted(outbox.starts().items(), key=lambda kv: kv[1])
    for (_, a), (b, when) in itertools.pairwise(starts):
        if b in outbox.planned:
            assert not _near(a, when, zone, cohort.min_open), (b, when)
    for number, start in outbox.starts().items():
        close = outbox.close_of(number)
        if close < now:  # closed at this very moment (the next posted now): still owed both
            continue
        kinds = Counter(i.kind for i in outbox.items if i.session_id == f"w{number}"
                        and i.state in (OutboxState.PENDING, OutboxState.POSTED))
        if cohort.reminder_before is not None:
            reminded = {i.item for i in outbox.items if i.kind == "reminder" and i.session_id
                        == f"w{number}" and i.state in (OutboxState.PENDING, OutboxState.POSTED)}
            assert reminded == {p for p in prompts if p.startswith(f"w{number}-")}, (
                number, kinds)
            _reminders_say_the_close(outbox, number, close)
        if cohort.digest:
            assert kinds["digest"] == 1, (number, kinds)
        assert start < close


def _reminders_say_the_close(outbox: Outbox, number: int, close: datetime) -> None:
    """Each prompt's last reminder sent states the session's close as it stands, or a later
    one is on its way (helper-188's 1: a close moved after its reminder went out)."""
    rounds: dict[str, OutboxItem] = {}
    for item in outbox.items:
        if item.kind == "reminder" and item.session_id == f"w{number}" and (
                item.item not in rounds or rounds[item.item].round < item.round):
            rounds[item.item] = item
    for last in rounds.values():
        if last.state is OutboxState.POSTED and last.announced is not None:
            assert last.announced == close, (number, last, close)


def _near(a: datetime, b: datetime, zone: ZoneInfo, least: timedelta) -> bool:
    """Closer than `least` on the zone's clocks, even allowing for a clock change between
    them or in the hours before the earlier (where a spring-gap time lands)."""
    first, last = min(a, b), max(a, b)
    offsets = [when.astimezone(zone).utcoffset() or timedelta(0)
               for when in (first - timedelta(hours=3), first, last)]
    allowance = max(offsets) - min(offsets)
    return abs(wall_clock(a, b, zone)) + allowance < least


def empty_meetings(outbox: Outbox, cohort: Cohort, now: datetime, skips: set[date],
                   moves: dict[str, Move]) -> list[str]:
    """Meetings from now that no session takes although one could: a session planned on the
    meetings (not moved) opens later while every session before it in the plan opens before
    this meeting. Unless the README gives a reason: the date is skipped (or left empty by a
    session), or it is closer than the minimum open time to a session's opening."""
    if cohort.state is not CohortState.ACTIVE or not outbox.planned:
        return []
    rule, zone = cohort.rule, cohort.rule.zone
    starts = outbox.starts()
    unmoved = {n: when for n, when in outbox.planned.items() if f"w{n}" not in moves}
    last = max(unmoved.values(), default=now)
    index = rule.first_meeting_at_or_after(now)
    empty = []
    while (at := rule.meeting(index)) < last:
        index += 1
        if at in starts.values() or rule.meeting_date(index - 1) in skips:
            continue
        could = [n for n, when in unmoved.items()
                 if when > at and all(starts[k] < at for k in starts if k < n)]
        # A meeting closer than the minimum on the zone's clocks may be passed over (README,
        # Scheduling, 2: a night counts as its wall-clock length), whatever the clocks did.
        if could and not any(abs(wall_clock(at, when, zone)) < cohort.min_open
                             for when in starts.values()):
            empty.append(f"{describe_local(at, zone)} (session {could[0]} could take it)")
    return empty


def shown_dates(outbox: Outbox, cohort: Cohort) -> dict[int, str]:
    """What `/seminar schedule` must print for each session with a date."""
    zone = cohort.rule.zone
    shown = {n: describe_local(when, zone) for n, when in outbox.opened.items()}
    for number, when in outbox.planned.items():
        shown[number] = "—" if cohort.state is CohortState.PAUSED else describe_local(when, zone)
    return shown


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
