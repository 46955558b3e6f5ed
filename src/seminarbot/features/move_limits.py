"""Whether `/seminar move` can put a session where it was asked (features.schedule_changes):
the minimum open time from the sessions that will not make way, and a trial re-plan; each
refusal says where the session can open instead."""

from __future__ import annotations

from datetime import date, datetime

from seminarbot.core.invocation import Invocation
from seminarbot.domain.errors import Conflict
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.planning import Planned
from seminarbot.domain.progress import SessionProgress, SessionState
from seminarbot.domain.schedule import (
    Move,
    describe_local,
    describe_span,
    earliest_apart,
    far_enough,
    latest_apart,
    wall_clock,
)
from seminarbot.scheduling.replan import preview
from seminarbot.services.container import Services


def check_apart(cohort: Cohort, entries: list[SessionProgress], entry: SessionProgress,
                 instant: datetime, prefix: str, now: datetime) -> None:
    """A move keeps the minimum open time from every session that will not make way for it:
    one that has opened, or one before it in the plan. A refusal names the first too close,
    and where the session can open instead as far as all of them go."""
    zone, at, paused = cohort.rule.zone, cohort.rule.local_time, cohort.state is CohortState.PAUSED
    fixed = [(other, when) for other in entries if other is not entry and (when := (
        other.opened_at or (other.due_at if other.state is SessionState.SCHEDULED
                            and other.session.number < entry.session.number
                            and not paused else None))) is not None]
    for other, when in fixed:  # (while paused, a session still to come has no date)
        if not far_enough(when, instant, zone, cohort.min_open, at):  # as the planner's
            instead = _instead(cohort, [w for _, w in fixed], instant, now)
            raise Conflict(
                f"Session {other.session.number} {'opened' if other.opened_at else 'opens'} "
                f"{describe_local(when, zone)}, and each session stays open at least "
                f"{describe_span(cohort.min_open)} before the next one opens: session "
                f"{entry.session.number} cannot open within "
                f"{describe_span(cohort.min_open)} of it; {instead}.",
                more=(f"A moderator can change the minimum with {prefix}seminar min-open.",))


def _instead(cohort: Cohort, openings: list[datetime], instant: datetime, now: datetime) -> str:
    """Where a session asked for at `instant` can open, as far as the sessions opening at
    `openings` go: the first moment after it far enough from all of them, and the last one
    before it, if that is still to come, on whichever side of them it was asked
    (helper-156's 7; helper-157's 1: each bound was one session's, and could be too close to
    another; helper-162's 3, helper-165's 3)."""
    zone, at, least = cohort.rule.zone, cohort.rule.local_time, cohort.min_open

    def close_to(moment: datetime) -> list[datetime]:
        return [o for o in openings if not far_enough(o, moment, zone, least, at)]

    after = instant
    while near := close_to(after):  # each step passes an opening: it ends
        after = max(earliest_apart(o, least, zone, at) for o in near)
    said = f"from {describe_local(after, zone)}"
    earlier = instant
    while earlier > now and (near := close_to(earlier)):
        earlier = min(latest_apart(o, least, zone, at) for o in near)
    if earlier > now:
        return f"it can open up to {describe_local(earlier, zone)} or {said}"
    return f"it can open {said}"


async def trial_move(inv: Invocation[Services], cohort: Cohort, session_id: str,
                      instant: datetime, moves: dict[str, Move],
                      skips: dict[date, str | None]) -> Move:
    """The move to store: in plan order if it can be, else out of order on purpose (the reply
    warns). Refused (Conflict) if it would not hold either way."""
    now = inv.clock.now()
    for out_of_order in (False, True):
        move = Move(instant, out_of_order)
        planned = await preview(inv.app.scheduler, cohort, now, moves={**moves, session_id: move},
                                skips=skips)
        if session_id in planned.pinned:
            return move
    release = next(r for r in planned.released if r.session_id == session_id)
    other = planned.numbers.get(release.other or "", "?")
    when = planned.starts.get(release.other or "")
    opens = f", which opens {describe_local(when, cohort.rule.zone)}; " \
        f"{_instead(cohort, [when], instant, now)}" if when else ""
    raise Conflict(f"Session {planned.numbers[session_id]} cannot move there: it would be less "
                   f"than {describe_span(cohort.min_open)} from session {other}{opens}.")


def pushed_past(cohort: Cohort, planned: Planned, moved: str, instant: datetime,
                before: dict[str, datetime]) -> str | None:
    """Why the session after the `moved` one (to `instant`) skips meetings after it, where the
    minimum open time is the reason: helper-188's 2, a move to the time a refusal offered,
    just after a spring jump, put every later session a week on, unsaid."""
    rule, zone = cohort.rule, cohort.rule.zone
    order = sorted(planned.starts, key=lambda s: planned.numbers[s])
    later = order[order.index(moved) + 1:] if moved in order else []
    if not later or later[0] not in before or planned.starts[later[0]] <= before[later[0]]:
        return None
    too_close, index = None, rule.first_meeting_at_or_after(instant)
    while (meeting := rule.meeting(index)) < planned.starts[later[0]]:
        if meeting > instant and not far_enough(instant, meeting, zone, cohort.min_open,
                                                rule.local_time):
            too_close = meeting
        index += 1
    if too_close is None:
        return None
    return (f"Session {planned.numbers[later[0]]} does not take the meeting of "
            f"{describe_local(too_close, zone)}, "
            f"{describe_span(abs(wall_clock(instant, too_close, zone)))} after session "
            f"{planned.numbers[moved]}'s new time: that is under the minimum open time of "
            f"{describe_span(cohort.min_open)}.")
