"""What a change did to the schedule, in sentences for its reply: moves that no longer hold,
sessions out of plan order (naming the sessions each comes before), dates that moved, and the
moved sessions a zone change leaves at their instant. Every time in the cohort's zone."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from seminarbot.core.replies import Reply, Tone
from seminarbot.domain.planning import Planned, Release
from seminarbot.domain.schedule import describe_day, describe_local, describe_span
from seminarbot.domain.syllabus import Plan
from seminarbot.scheduling.messages import and_list

OUT_OF_ORDER = "Out of plan order"


def numbers(values: Iterable[int]) -> str:
    """`2`, `2 and 3`, `2, 3 and 4`."""
    return and_list([str(v) for v in sorted(values)])


def order_warnings(planned: Planned, focus: str | None = None) -> list[str]:
    """One sentence per session that opens before sessions earlier in the plan: pairs where
    one session is still to open, or that involve `focus` (the session a change is about)."""
    before: dict[str, set[str]] = {}
    for earlier, later in planned.inversions():
        if earlier in planned.opened and later in planned.opened and focus not in (earlier,
                                                                                     later):
            continue
        before.setdefault(later, set()).add(earlier)
    n = planned.numbers
    lines = []
    for session_id in sorted(before, key=lambda s: n[s]):
        jumped = before[session_id]
        lines.append(f"{OUT_OF_ORDER}: session {n[session_id]} comes before "
                     f"session{'s' if len(jumped) > 1 else ''} {numbers(n[s] for s in jumped)}.")
    return lines


def reminders_said(before: timedelta | None, names: bool, digest: bool) -> str:
    """The reminders and the digest, as every reply says them (helper-188's 4 and helper-191's
    10: the schedule left out the halfway rule, then whether they name anyone and the digest)."""
    said = "No reminders." if before is None else (
        f"A reminder {describe_span(before)} before each session closes (halfway through a "
        "session open no longer than that), "
        + ("naming who has responded." if names else "naming nobody."))
    return said + (" Moderators get a digest when each session closes." if digest
                   else " No digest.")


def release_notes(planned: Planned, zone: ZoneInfo, min_open_text: str,
                  paused: bool = False) -> list[str]:
    return [_release(release, planned, zone, min_open_text, paused)
            for release in planned.released]


def _release(release: Release, planned: Planned, zone: ZoneInfo, min_open_text: str,
             paused: bool) -> str:
    n = planned.numbers
    was = (f"Session {n[release.session_id]} was moved to "
           f"{describe_local(release.at, zone)}")
    other = f"session {n[release.other]}" if release.other else ""
    why = {"passed": "which went by while the seminar was paused",
           "too close": f"less than {min_open_text} from {other}",
           "order": f"which would now come before {other}"}[release.reason]
    start = planned.starts.get(release.session_id)
    now = "" if start is None else "; it follows the schedule again" + (
        " when the seminar resumes" if paused else f": {describe_local(start, zone)}")
    return f"{was}, {why}{now}."


def freed_notes(planned: Planned) -> list[str]:
    """Dates a session had left empty that a session takes again (never a date the rule no
    longer meets on)."""
    n = planned.numbers
    return [f"{describe_day(day)}, left empty when session {n.get(by, by)} was "
            f"moved or posted early, is a meeting again: session {n[taker]}."
            for day, by, taker in planned.reopened]


def moved_dates(before: Mapping[str, datetime], planned: Planned, zone: ZoneInfo,
                leave_out: Iterable[str] = ()) -> list[str]:
    """Sessions not yet open whose date this change moved."""
    n = planned.numbers
    return [f"Session {n[s]} moves to {describe_local(planned.starts[s], zone)}."
            for s in _changed(before, planned, leave_out)]


def passed_over(before: Mapping[str, datetime], planned: Planned, zone: ZoneInfo,
                leave_out: Iterable[str] = ()) -> list[str]:
    """Why a session this change moved later goes past a meeting: a session left it empty
    (helper-173's 4: a skip moved the next session two weeks, unsaid)."""
    changed = _changed(before, planned, leave_out)
    day = {s: planned.starts[s].astimezone(zone).date() for s in changed}
    was = {s: before[s].astimezone(zone).date() for s in changed}
    n = planned.numbers
    return [f"{describe_day(empty)} stays empty (left empty when session {n.get(by, by)} was "
            "moved or posted early), so the sessions that move go past it."
            for empty, by in planned.kept_empty
            if any(was[s] < empty < day[s] for s in changed)]


def _changed(before: Mapping[str, datetime], planned: Planned, leave_out: Iterable[str]
             ) -> list[str]:
    """The sessions not yet open whose date the change moved, in plan order."""
    skip = set(leave_out) | {r.session_id for r in planned.released} | set(planned.opened)
    n = planned.numbers
    return sorted((s for s, when in planned.starts.items()
                   if s not in skip and s in before and before[s] != when), key=lambda s: n[s])


def kept_instants(planned: Planned, zone: ZoneInfo) -> list[str]:
    """After a change of zone or days: moved sessions keep the moment they were moved to."""
    n = planned.numbers
    return [f"Session {n[s]} stays where it was moved, at the same moment: "
            f"{describe_local(planned.starts[s], zone)}."
            for s in sorted(planned.pinned, key=lambda s: n[s])]


def change_notes(planned: Planned, zone: ZoneInfo, min_open: timedelta,
                 focus: str | None = None, *, paused: bool = False) -> list[str]:
    """Released moves and out-of-order warnings: what every change's reply says. `paused`:
    no session has a date until the seminar resumes, so none is given."""
    return release_notes(planned, zone, describe_span(min_open), paused) + \
        freed_notes(planned) + order_warnings(planned, focus)


def has_warning(notes: Iterable[str]) -> bool:
    return any(note.startswith(OUT_OF_ORDER) or " was moved to " in note for note in notes)


def change_reply(message: str, notes: Sequence[str], tone: Tone | None = None) -> Reply:
    """A change's answer: what it did, then its notes; a warning if any note is one."""
    return Reply(paragraphs=(message, *notes),
                 tone=tone or (Tone.WARNING if has_warning(notes) else Tone.SUCCESS))


def emptied_by(plan: Plan, session_id: str, moved: Container[str]) -> str:
    """Why a skipped date has no meeting when a session left it: `left empty when session 1
    was posted early` (or `moved`, when the session is in `moved`). Said of the moment it was
    left: later changes may have given the session another meeting since, and the date stays
    empty so that the others keep theirs (README, Changing a running schedule)."""
    how = "moved" if session_id in moved else "posted early"
    return f"left empty when session {plan.session(session_id).number} was {how}"
