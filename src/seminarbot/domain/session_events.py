"""Sessions as a server's scheduled events (Discord's guild scheduled events): which events a
cohort should have, and what to change on the platform to get there. Pure.

Each session is an event from its start (when its prompts are posted) to its close (when the
next session starts; the last one `LAST_SESSION_LENGTH` after its start: domain.planning).
Only sessions still to start are created, moved or cancelled: a platform starts and ends an
event by itself at its times, and a started event's start cannot move (its end can). A session
posted before its time starts its event then (none is moved into the past). A cohort
that is paused, finished or has events turned off wants no event still to start, so those are
cancelled; resuming plans them afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from seminarbot.domain.planning import LAST_SESSION_LENGTH
from seminarbot.domain.progress import SessionProgress, SessionState
from seminarbot.domain.syllabus import Session

NAME_MAX, DESCRIPTION_MAX = 100, 1000  # Discord's limits on an event's name and description
# Sessions with a time, and so an event: planned, or under way or done.
TIMED = (SessionState.SCHEDULED, SessionState.POSTING, SessionState.POSTED)


@dataclass(frozen=True)
class SessionEvent:
    session_id: str
    name: str
    description: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Recorded:
    """An event as last sent to the platform; `event_id` is None while it is being created."""

    event: SessionEvent
    event_id: str | None


@dataclass(frozen=True)
class Change:
    """One call to make: "create", "update" (everything, or only the end of a started
    event: `end_only`), "start" (an event still to start whose session was posted early: it
    begins now, with the session's words and end), "end" (one under way whose session closed
    early: the next was posted), or "cancel"."""

    kind: str
    event: SessionEvent
    recorded: Recorded | None = None
    end_only: bool = False


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wanted_events(entries: Sequence[SessionProgress], describe: Callable[[Session], str],
                  ) -> list[SessionEvent]:
    """Every session with a time, as an event (entries in plan order: domain.progress)."""
    starts: dict[str, datetime] = {}
    for entry in entries:
        start = entry.posted_at or entry.due_at
        if entry.state in TIMED and start is not None:
            starts[entry.session.id] = start
    order = sorted(starts, key=lambda session_id: starts[session_id])
    sessions = {e.session.id: e.session for e in entries}
    events = []
    for index, session_id in enumerate(order):
        start = starts[session_id]
        following = starts[order[index + 1]] if index + 1 < len(order) else None
        session = sessions[session_id]
        events.append(SessionEvent(
            session_id, _cut(f"Session {session.number}: {session.title}", NAME_MAX),
            _cut(describe(session), DESCRIPTION_MAX), start,
            following or start + LAST_SESSION_LENGTH))
    return events


def changes(wanted: Sequence[SessionEvent], recorded: Mapping[str, Recorded], now: datetime,
            *, listing: bool) -> list[Change]:
    """What to do so that the platform lists `wanted` (when `listing`), from what it has."""
    found: list[Change] = []
    wanted_by_session = {event.session_id: event for event in wanted} if listing else {}
    for event in wanted_by_session.values():
        known = recorded.get(event.session_id)
        if known is not None and known.event_id is None:  # its creation was interrupted
            found.append(Change("create", event, known))
        elif known is None:
            if event.start > now:
                found.append(Change("create", event, known))
        elif known.event.start > now:
            if event.start > now:
                if known.event != event:
                    found.append(Change("update", event, known))
            elif event.end > now:  # posted before its time: it starts now, not in the past
                found.append(Change("start", event, known))
            else:
                found.append(Change("cancel", known.event, known))
        elif event.start > now:  # the old one began meanwhile (it ends by itself): a new one
            found.append(Change("create", event, known))
        elif known.event.end != event.end and known.event.end > now and event.end > now:
            found.append(Change("update", event, known, end_only=True))
        elif known.event.end > now >= event.end:  # its session closed early (the next posted)
            found.append(Change("end", event, known))
    for session_id, known in recorded.items():
        if session_id in wanted_by_session:
            continue
        if known.event_id is None or known.event.start > now:
            found.append(Change("cancel", known.event, known))
        elif listing and known.event.end > now:  # under way, its session closed early (the
            found.append(Change("end", known.event, known))  # next one was posted)
    return found
