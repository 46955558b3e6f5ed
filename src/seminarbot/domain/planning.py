"""Planning a cohort's posts: when each session not yet posted opens, and when each session's
reminder and digest fall due. Pure: the scheduler reads the cohort's state, calls `plan_posts`
and writes what it returns to the outbox. The rules (the README's Scheduling section):

- A session that has opened (its first prompt went out) stays where it is.
- A moved session opens at the instant it was moved to, while that is still to come, at least
  the minimum open time away from every other session, and, unless the moderator put it out of
  plan order on purpose, after every session before it in the plan. A move that no longer
  holds is released (`Planned.released`, with the reason) and the session goes back to the
  meetings.
- Every other session, in plan order, takes the first meeting that is not skipped, comes after
  every session before it in the plan and is at least the minimum open time (on the cohort's
  clock) from every other session's opening.
- A session closes when the next one (in time) opens; the last one LAST_SESSION_LENGTH after it
  opens. The digest falls at the close, the reminder `reminder_before` the close, or halfway
  through a session open no longer than that; neither is planned for a session already closed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from seminarbot.domain.progress import SessionProgress, SessionState
from seminarbot.domain.schedule import (
    DEFAULT_MIN_OPEN,
    Move,
    WeeklyRule,
    far_enough,
)

LAST_SESSION_LENGTH = timedelta(days=7)
# Sessions whose prompts have not started going out: these are (re)planned.
OPEN = (SessionState.SCHEDULED, SessionState.UNSCHEDULED)


@dataclass(frozen=True)
class PlannedPost:
    session_id: str
    kind: str  # "prompt", "reminder" or "digest"
    due_at: datetime
    closes_at: datetime | None = None  # a reminder's: the close it will state


@dataclass(frozen=True)
class Release:
    """A move that no longer holds. reason: "passed" (its instant went by while the seminar
    was paused), "too close" (within the minimum open time of `other`), or "order" (it would
    come before `other`, a session before it in the plan)."""

    session_id: str
    at: datetime
    reason: str
    other: str | None = None


@dataclass(frozen=True)
class Planned:
    posts: tuple[PlannedPost, ...]
    starts: Mapping[str, datetime]  # when each session opened or will open
    numbers: Mapping[str, int]  # session id → its number in the plan
    opened: frozenset[str] = frozenset()
    pinned: frozenset[str] = frozenset()  # moved sessions whose move holds
    released: tuple[Release, ...] = ()
    freed: tuple[date, ...] = ()  # dates a session had left empty: no longer skipped
    # Of those, the meetings a session now takes: (date, the session that had left it empty,
    # the one that takes it). Replies name these as meetings again.
    reopened: tuple[tuple[date, str, str], ...] = ()
    # The meetings still left empty, each with the session that left it: none takes them.
    kept_empty: tuple[tuple[date, str], ...] = ()

    def inversions(self) -> list[tuple[str, str]]:
        """Pairs (earlier, later) in plan order where `later` opens first."""
        ids = sorted(self.starts, key=lambda s: self.numbers[s])
        return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                if self.starts[b] < self.starts[a]]


@dataclass
class _Inputs:
    rule: WeeklyRule
    now: datetime
    skips: dict[date, str | None]  # skipped date → the moved session that left it empty
    min_open: timedelta
    order: list[str]  # every session with a start or to plan, in plan order
    fixed: dict[str, datetime]  # opened (or being retried): never moves
    to_plan: list[str]
    pins: dict[str, Move] = field(default_factory=dict)

    def apart(self, a: datetime, b: datetime) -> bool:
        return far_enough(a, b, self.rule.zone, self.min_open, self.rule.local_time)

    def earlier(self, session_id: str) -> list[str]:
        return self.order[:self.order.index(session_id)]


def plan_posts(entries: Sequence[SessionProgress], rule: WeeklyRule, now: datetime, *,
               skips: Mapping[date, str | None] | Collection[date] = (),
               moves: Mapping[str, Move] | None = None,
               min_open: timedelta = DEFAULT_MIN_OPEN, reminder_before: timedelta | None = None,
               digest: bool = False, owed: Collection[tuple[str, str]] = (),
               refill: bool = False) -> Planned:
    """The plan from `now` (module docstring). Entries are in plan order (domain.progress).
    `skips` may name, for a date, the session whose move (or post now) left it empty: when
    that move is released, the date is a meeting again (`Planned.freed`). `refill` (a resume
    re-plans everything): every date a session left empty is a meeting again. `owed`: the
    (session id, "reminder" or "digest") still to be sent: one whose session has closed (it
    fell due while the seminar was paused, or the session was closed by a post now) is due
    now, never dropped, even while reminders or the digest are off: the loop sends it if they
    are on when it goes (helper-162's 1, helper-165's 1)."""
    skipped = dict(skips) if isinstance(skips, Mapping) else dict.fromkeys(skips)
    emptied = dict(skipped)
    freed = [day for day, by in skipped.items() if refill and by is not None]
    skipped = {day: by for day, by in skipped.items() if day not in freed}
    fixed = {e.session.id: e.opened_at for e in entries if e.opened_at is not None}
    to_plan = [e.session.id for e in entries if e.state in OPEN]
    inputs = _Inputs(rule, now, skipped, min_open,
                     [e.session.id for e in entries if e.session.id in fixed or e.state in OPEN],
                     fixed, to_plan, {s: m for s, m in (moves or {}).items() if s in to_plan})
    released: list[Release] = []
    while isinstance(placed := _place(inputs), Release):
        released.append(placed)
        del inputs.pins[placed.session_id]
        freed += [day for day, by in inputs.skips.items() if by == placed.session_id]
        inputs.skips = {day: by for day, by in inputs.skips.items() if day not in freed}
    numbers = {e.session.id: e.session.number for e in entries}
    posts = [PlannedPost(s, "prompt", placed[s]) for s in to_plan]
    posts += _closing(placed, numbers, now, reminder_before, digest, set(owed))
    taken = {rule.day_of(placed[s]): s for s in to_plan}
    reopened = tuple((day, str(emptied[day]), taken[day]) for day in sorted(freed)
                     if day in taken and day.weekday() in rule.weekdays)
    kept = tuple(sorted((day, by) for day, by in inputs.skips.items()
                        if by is not None and day.weekday() in rule.weekdays))
    return Planned(tuple(posts), placed, numbers, frozenset(fixed), frozenset(inputs.pins),
                   tuple(released), tuple(freed), reopened, kept)


def _place(inputs: _Inputs) -> dict[str, datetime] | Release:
    """Every session's opening, or the first move that does not hold."""
    pins = inputs.pins
    checked: list[str] = []
    for session_id in (s for s in inputs.to_plan if s in pins):
        at = pins[session_id].at
        if at < inputs.now:
            return Release(session_id, at, "passed")
        for other, when in [*inputs.fixed.items(), *((s, pins[s].at) for s in checked)]:
            if not inputs.apart(at, when):
                return Release(session_id, at, "too close", other)
        checked.append(session_id)
    starts = dict(inputs.fixed) | {s: m.at for s, m in pins.items()}
    chained: list[str] = []
    for session_id in (s for s in inputs.to_plan if s not in pins):
        earlier = [starts[s] for s in inputs.earlier(session_id) if s in starts]
        blockers = [when for s, when in starts.items() if s in inputs.fixed or s in chained
                    or pins[s].out_of_order or s in inputs.earlier(session_id)]
        starts[session_id] = _meeting(inputs, max(earlier, default=None), blockers)
        chained.append(session_id)
    return _misplaced_pin(inputs, starts, chained) or starts


def _meeting(inputs: _Inputs, after: datetime | None, blockers: list[datetime]) -> datetime:
    """The first meeting from now, after `after`, not skipped, apart from every blocker."""
    rule = inputs.rule
    index = rule.first_meeting_at_or_after(inputs.now if after is None else max(after,
                                                                               inputs.now))
    while True:
        at = rule.meeting(index)
        if (after is None or at > after) and rule.meeting_date(index) not in inputs.skips \
                and all(inputs.apart(at, when) for when in blockers):
            return at
        index += 1


def _misplaced_pin(inputs: _Inputs, starts: Mapping[str, datetime],
                   chained: list[str]) -> Release | None:
    """A move kept in plan order that a session before it now passes, or that comes too close
    to a session placed on the meetings: the move yields."""
    pins = inputs.pins
    for session_id in (s for s in inputs.to_plan if s in pins and not pins[s].out_of_order):
        at = starts[session_id]
        for other in inputs.earlier(session_id):
            if other in starts and starts[other] > at and not (
                    other in pins and pins[other].out_of_order):
                return Release(session_id, at, "order", other)
        for other in chained:
            if not inputs.apart(at, starts[other]):
                return Release(session_id, at, "too close", other)
    return None


def _closing(starts: Mapping[str, datetime], numbers: Mapping[str, int], now: datetime,
             reminder_before: timedelta | None, digest: bool,
             owed: set[tuple[str, str]]) -> list[PlannedPost]:
    order = sorted(starts, key=lambda s: (starts[s], numbers[s]))
    posts = []
    for index, session_id in enumerate(order):
        start = starts[session_id]
        close = starts[order[index + 1]] if index + 1 < len(order) else \
            start + LAST_SESSION_LENGTH
        if close < now:  # owed ones stay owed, whatever the settings now: the loop decides
            posts += [PlannedPost(session_id, kind, now, close if kind == "reminder" else None)
                      for kind in ("reminder", "digest") if (session_id, kind) in owed]
            continue
        if reminder_before is not None:
            remind = close - reminder_before
            if remind <= start:  # a short session: halfway through it
                remind = start + timedelta(minutes=(close - start) // timedelta(minutes=2))
            # Due now at the latest: a session closed early (the next one posted now) still
            # gets its reminder, as every session does (README: Scheduling, 3).
            posts.append(PlannedPost(session_id, "reminder", max(remind, now), close))
        if digest:
            posts.append(PlannedPost(session_id, "digest", close))
    return posts


def closes_at(entries: Sequence[SessionProgress], session_id: str) -> datetime | None:
    """When a session closes, as the outbox stands: the next session's opening after its own,
    else LAST_SESSION_LENGTH after it opens. None if it has no opening."""
    starts = {e.session.id: e.opened_at or (e.due_at if e.state is SessionState.SCHEDULED
                                            else None) for e in entries}
    start = starts.get(session_id)
    if start is None:
        return None
    later = [when for other, when in starts.items()
             if other != session_id and when is not None and when > start]
    return min(later) if later else start + LAST_SESSION_LENGTH


def closed_at(entries: Sequence[SessionProgress], session_id: str) -> datetime | None:
    """When an opened session actually closed: the first opening of another session after
    its own, else (nothing left to open) LAST_SESSION_LENGTH after it opened. None while it
    is still open, or if it never opened."""
    entry = next((e for e in entries if e.session.id == session_id), None)
    if entry is None or entry.opened_at is None:
        return None
    start = entry.opened_at
    later = [e.opened_at for e in entries
             if e is not entry and e.opened_at is not None and e.opened_at > start]
    if later:
        return min(later)
    return None if any(e.state in OPEN for e in entries) else start + LAST_SESSION_LENGTH
