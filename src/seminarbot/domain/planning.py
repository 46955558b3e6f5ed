"""Planning a cohort's posts: the meeting each session not yet posted gets, and when each
session's reminder and digest fall due. Pure: the scheduler reads the cohort's state, calls
`plan_posts` and writes what it returns to the outbox.

A session closes when the next one starts; the last one LAST_SESSION_LENGTH after it starts.
A reminder falls `reminder_before` the close (only if that is after the start), the digest at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from seminarbot.domain.progress import SessionProgress, SessionState
from seminarbot.domain.schedule import Move, WeeklyRule, assign

LAST_SESSION_LENGTH = timedelta(days=7)
# Sessions whose prompts have not started going out: these are (re)planned.
OPEN = (SessionState.SCHEDULED, SessionState.UNSCHEDULED)


@dataclass(frozen=True)
class PlannedPost:
    session_id: str
    kind: str  # "prompt", "reminder" or "digest"
    due_at: datetime


def plan_posts(entries: Sequence[SessionProgress], rule: WeeklyRule, not_before: datetime, *,
               skips: Iterable[date] = (), moves: Mapping[str, Move] | None = None,
               reminder_before: timedelta | None = None, digest: bool = False
               ) -> list[PlannedPost]:
    """Every open session's prompts at its meeting at or after not_before (and after the last
    session already under way), skipped dates left out and moved sessions pinned; then each
    session's reminder and digest. Entries are in plan order (domain.progress)."""
    taken = [e.due_at for e in entries if e.due_at and e.state not in OPEN]
    floor = not_before if not taken else max(not_before, max(taken) + timedelta(days=1))
    open_ids = [e.session.id for e in entries if e.state in OPEN]
    assigned = assign(rule, open_ids, floor, skips, moves)
    planned = [PlannedPost(session_id, "prompt", assigned[session_id]) for session_id in open_ids]
    starts = {e.session.id: e.due_at for e in entries if e.due_at and e.state not in OPEN}
    starts.update(assigned)
    order = sorted(starts, key=lambda session_id: starts[session_id])
    for index, session_id in enumerate(order):
        start = starts[session_id]
        close = starts[order[index + 1]] if index + 1 < len(order) else \
            start + LAST_SESSION_LENGTH
        if reminder_before is not None and close - reminder_before > start:
            planned.append(PlannedPost(session_id, "reminder", close - reminder_before))
        if digest:
            planned.append(PlannedPost(session_id, "digest", close))
    return planned
