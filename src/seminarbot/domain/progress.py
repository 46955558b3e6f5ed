"""Where a cohort stands in its plan, derived from its outbox rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from seminarbot.domain.models import OutboxItem, OutboxState
from seminarbot.domain.syllabus import Plan, Session


class SessionState(Enum):
    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    POSTING = "posting"  # some prompts claimed or posted, not all
    POSTED = "posted"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class SessionProgress:
    session: Session
    state: SessionState
    due_at: datetime | None
    posted_at: datetime | None


def progress(plan: Plan, items: Iterable[OutboxItem]) -> list[SessionProgress]:
    by_session: dict[str, list[OutboxItem]] = {}
    for item in items:
        if item.kind == "prompt":
            by_session.setdefault(item.session_id, []).append(item)
    result = []
    for session in plan.sessions:
        rows = by_session.get(session.id, [])
        states = {row.state for row in rows}
        if not rows:
            state = SessionState.UNSCHEDULED
        elif states == {OutboxState.POSTED}:
            state = SessionState.POSTED
        elif states == {OutboxState.PENDING}:
            state = SessionState.SCHEDULED
        elif OutboxState.FAILED in states:
            state = SessionState.FAILED
        elif states <= {OutboxState.SKIPPED, OutboxState.PENDING} and OutboxState.SKIPPED in states:
            state = SessionState.SKIPPED
        else:
            state = SessionState.POSTING
        due = min((row.due_at for row in rows), default=None)
        posted = max((row.posted_at for row in rows if row.posted_at), default=None)
        result.append(SessionProgress(session, state, due, posted))
    return result


def current_session(plan: Plan, items: Iterable[OutboxItem]) -> Session:
    """The latest session posted, else the first one: what "this week" means to a reader."""
    latest = plan.sessions[0]
    for entry in progress(plan, items):
        if entry.state in (SessionState.POSTED, SessionState.POSTING):
            latest = entry.session
    return latest


def next_unposted(plan: Plan, items: Iterable[OutboxItem]) -> Session | None:
    for entry in progress(plan, items):
        if entry.state in (SessionState.UNSCHEDULED, SessionState.SCHEDULED,
                           SessionState.FAILED):
            return entry.session
    return None
