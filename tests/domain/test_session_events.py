"""Which scheduled events a cohort wants, and the changes that get the platform there."""

from datetime import UTC, datetime, timedelta

from seminarbot.domain.progress import SessionProgress, SessionState
from seminarbot.domain.session_events import Recorded, SessionEvent, changes, wanted_events
from seminarbot.domain.syllabus import Session

T0 = datetime(2026, 1, 6, 19, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
ONE, TWO, THREE = (Session(f"s{n}", n, f"Title {n}", (), "") for n in (1, 2, 3))


def entry(session: Session, state: SessionState, due: datetime | None,
          posted: datetime | None = None) -> SessionProgress:
    return SessionProgress(session, state, due, posted)


def events(*entries: SessionProgress) -> list[SessionEvent]:
    return wanted_events(list(entries), lambda s: f"About {s.title}.")


def test_each_timed_session_runs_from_its_start_to_the_next_one() -> None:
    wanted = events(entry(ONE, SessionState.POSTED, T0, T0 + timedelta(minutes=1)),
                    entry(TWO, SessionState.SCHEDULED, T0 + WEEK),
                    entry(THREE, SessionState.SKIPPED, T0 + 2 * WEEK))
    assert [(e.name, e.start, e.end) for e in wanted] == [
        ("Session 1: Title 1", T0 + timedelta(minutes=1), T0 + WEEK),
        ("Session 2: Title 2", T0 + WEEK, T0 + 2 * WEEK)]  # the last: a week; skipped: none
    assert wanted[0].description == "About Title 1."


def test_changes_create_move_and_cancel_only_what_is_still_to_start() -> None:
    first, second = events(entry(ONE, SessionState.SCHEDULED, T0),
                           entry(TWO, SessionState.SCHEDULED, T0 + WEEK))
    now = T0 - timedelta(days=1)
    assert [c.kind for c in changes([first, second], {}, now, listing=True)] == ["create"] * 2
    moved = SessionEvent("s2", second.name, second.description, T0 + WEEK + timedelta(days=1),
                         T0 + 2 * WEEK + timedelta(days=1))
    recorded = {"s1": Recorded(first, "e1"), "s2": Recorded(second, "e2")}
    assert [(c.kind, c.event) for c in changes([first, moved], recorded, now,
                                               listing=True)] == [("update", moved)]
    # Paused, finished or turned off: what is still to start is cancelled.
    assert [c.kind for c in changes([first, second], recorded, now, listing=False)] == [
        "cancel", "cancel"]
    # Under way, session 1's event keeps its start; its end follows session 2.
    during = T0 + timedelta(days=1)
    later = events(entry(ONE, SessionState.POSTED, T0, T0),
                   entry(TWO, SessionState.SCHEDULED, moved.start))
    done = [(c.kind, c.end_only, c.event.end) for c in changes(later, recorded, during,
                                                               listing=True)]
    assert done == [("update", True, moved.start), ("update", False, moved.end)]
    assert changes([first, second], recorded, during, listing=False)[0].event == second


def test_an_interrupted_creation_is_settled_first() -> None:
    (first,) = events(entry(ONE, SessionState.SCHEDULED, T0))
    claimed = {"s1": Recorded(first, None)}
    now = T0 - timedelta(hours=1)
    assert [(c.kind, c.recorded) for c in changes([first], claimed, now, listing=True)] == [
        ("create", claimed["s1"])]
    assert [c.kind for c in changes([], claimed, now, listing=True)] == ["cancel"]


def test_a_session_posted_before_its_event_starts_starts_it_now() -> None:
    """helper-126's 1: the event was moved to a start in the past, which Discord refuses."""
    first, second = events(entry(ONE, SessionState.SCHEDULED, T0),
                           entry(TWO, SessionState.SCHEDULED, T0 + WEEK))
    recorded = {"s1": Recorded(first, "e1"), "s2": Recorded(second, "e2")}
    now = T0 - timedelta(days=1)
    early = events(entry(ONE, SessionState.POSTED, T0, now),
                   entry(TWO, SessionState.SCHEDULED, T0 + WEEK))
    assert [(c.kind, c.event.start) for c in changes(early, recorded, now, listing=True)] == [
        ("start", now)]
    # One whose session has closed meanwhile is no longer wanted: cancelled, never started.
    closed = SessionEvent("s1", first.name, first.description, now - WEEK, now)
    assert [c.kind for c in changes([closed], {"s1": Recorded(first, "e1")}, now,
                                    listing=True)] == ["cancel"]
