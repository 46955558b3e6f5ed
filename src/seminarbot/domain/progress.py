"""Where a cohort stands in its plan, derived from its outbox rows; and the two sessions a
command means when it is given none: "this week" and "the next session"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import NamedTuple

from seminarbot.domain.models import NOT_IN_PLAN, OutboxItem, OutboxState
from seminarbot.domain.syllabus import Plan, Session

# The defaults of SESSION, as /help and the README word them (tests hold the two together).
THIS_WEEK = "this week: the session posted most recently, else the first"
NEXT_SESSION = "the next session: the one the schedule posts next"


class SessionState(Enum):
    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    POSTING = "posting"  # some prompts claimed or posted, or being retried, not all posted
    POSTED = "posted"
    SKIPPED = "skipped"
    FAILED = "failed"


class SessionProgress(NamedTuple):
    session: Session
    state: SessionState
    due_at: datetime | None
    posted_at: datetime | None  # the first of its prompts to be posted
    # When it opened (its first prompt went out, or is going out: claimed, or being retried
    # after a failed send). None for a session not started.
    opened_at: datetime | None = None


def _state(rows: Sequence[OutboxItem]) -> SessionState:
    states = {row.state for row in rows}
    if not rows:
        return SessionState.UNSCHEDULED
    if states == {OutboxState.POSTED}:
        return SessionState.POSTED
    if states == {OutboxState.PENDING}:
        retrying = any(row.attempts > 0 for row in rows)
        return SessionState.POSTING if retrying else SessionState.SCHEDULED
    if OutboxState.FAILED in states:
        return SessionState.FAILED
    if states <= {OutboxState.SKIPPED, OutboxState.PENDING}:
        return SessionState.SKIPPED
    if states == {OutboxState.POSTED, OutboxState.SKIPPED}:
        return SessionState.POSTED  # what it had to post went out; the rest will not
    return SessionState.POSTING


def _opened_at(rows: Sequence[OutboxItem], state: SessionState) -> datetime | None:
    posted = [row.posted_at for row in rows if row.posted_at]
    if posted:
        return min(posted)
    going = [row.due_at for row in rows if row.state is OutboxState.CLAIMED]
    if going:
        return min(going)
    if state is SessionState.POSTING:
        return min(row.due_at for row in rows)
    return None


def progress(plan: Plan, items: Iterable[OutboxItem]) -> list[SessionProgress]:
    """Every session of the plan, in plan order. A row skipped as no longer in the plan (an
    earlier edition's, scheduling/plan_change.py) does not count while the plan still lacks
    its prompt: it was never posted, and the session stands by the prompts it has."""
    by_session: dict[str, list[OutboxItem]] = {}
    for item in items:
        if item.kind == "prompt":
            by_session.setdefault(item.session_id, []).append(item)
    result = []
    for session in plan.sessions:
        prompts = {prompt.id for prompt in session.prompts}
        rows = [row for row in by_session.get(session.id, [])
                if row.item in prompts or row.last_error != NOT_IN_PLAN]
        state = _state(rows)
        due = min((row.due_at for row in rows), default=None)
        posted = min((row.posted_at for row in rows if row.posted_at), default=None)
        result.append(SessionProgress(session, state, due, posted, _opened_at(rows, state)))
    return result


def current_session(plan: Plan, items: Iterable[OutboxItem]) -> Session:
    """This week (THIS_WEEK): the session whose prompts went out most recently, in time (not
    in plan order: a session moved ahead of others is "this week" only until the next one is
    posted), else the first of the plan."""
    posted = [(e.posted_at, e.session.number, e.session) for e in progress(plan, items)
              if e.posted_at is not None]
    return max(posted, key=lambda entry: entry[:2])[2] if posted else plan.sessions[0]


def next_session(plan: Plan, items: Iterable[OutboxItem]) -> Session | None:
    """The next session (NEXT_SESSION): the scheduled one due first; None if none is."""
    waiting = [(e.due_at, e.session.number, e.session) for e in progress(plan, items)
               if e.state is SessionState.SCHEDULED and e.due_at is not None]
    return min(waiting, key=lambda entry: entry[:2])[2] if waiting else None
