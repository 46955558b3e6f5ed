"""`/seminar skip [DATE] [--undo]`: a meeting without a session, the sessions from it on one
meeting later, or a skipped meeting given back. Each reply says which sessions moved, or why
none did; a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, timedelta

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Date, Flag
from seminarbot.core.replies import Reply
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.schedule import WEEKDAYS, describe_day, describe_local
from seminarbot.domain.syllabus import Plan
from seminarbot.features.common import cohort_here, next_session_line
from seminarbot.features.plan_reads import (
    dates_moved,
    entries_of,
    meeting_at,
    notes_for,
    planned_starts,
    replan,
)
from seminarbot.features.schedule_notes import change_reply, emptied_by
from seminarbot.services.container import Services


async def skip(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    day: date | None = inv.arg("date")
    if inv.arg("undo"):
        return await _restore(inv, cohort, day)
    day = day or await _next_meeting_with_a_session(inv, cohort)
    async with app.db.transaction():
        before = planned_starts(await entries_of(inv, cohort))
        moves = await app.cohorts.moves(cohort.id, cohort.rule.zone)
        skips = await app.cohorts.skips(cohort.id)
        _not_moved_onto(day, before, moves, cohort, app.syllabus.plan, inv.prefix)
        _check_meeting(cohort, day, inv.clock.now(), "a meeting that has not happened yet",
                       skips)
        if day < cohort.rule.start_date:  # no meeting there to skip (helper-159's 9)
            raise BadArgument("date", "a meeting from the start date, "
                              f"{describe_day(cohort.rule.start_date)}", day.isoformat())
        _not_skipped_yet(day, skips, app.syllabus.plan, moves, inv.prefix)
        await app.cohorts.add_skip(cohort.id, day)
        cohort, planned = await replan(inv, cohort.id)
    moved = dates_moved(before, planned, cohort)
    what = "the sessions get their dates when the seminar resumes" \
        if cohort.state is CohortState.PAUSED else \
        "the session due then and those after it move later" if moved else \
        "no session was due on it, so none moves"
    return change_reply(f"No session on {describe_day(day)}; {what}. Next: "
                        f"{await next_session_line(inv, cohort)}.",
                        moved + notes_for(planned, cohort))


async def _restore(inv: Invocation[Services], cohort: Cohort, day: date | None) -> Reply:
    app = inv.app
    async with app.db.transaction():
        day = day or await _only_skip_to_come(inv, cohort)
        _check_meeting(cohort, day, inv.clock.now(),
                       "a skipped meeting that has not happened yet")
        before = planned_starts(await entries_of(inv, cohort))
        if not await app.cohorts.remove_skip(cohort.id, day):
            raise Conflict(f"{describe_day(day)} was not skipped.")
        cohort, planned = await replan(inv, cohort.id)
    taken = any(cohort.rule.day_of(start) == day for start in planned.starts.values())
    empty = "" if taken or cohort.state is CohortState.PAUSED \
        or day < cohort.rule.start_date else "; no session falls on it now"
    again = "is a meeting again" if day >= cohort.rule.start_date else "is no longer " \
        f"skipped, but comes before the start date, {describe_day(cohort.rule.start_date)}"
    return change_reply(f"{describe_day(day)} {again}{empty}. Next: "
                        f"{await next_session_line(inv, cohort)}.",
                        dates_moved(before, planned, cohort)
                        + notes_for(planned, cohort))


def _not_moved_onto(day: date, before: dict[str, datetime], moved: Container[str],
                    cohort: Cohort, plan: Plan, prefix: str) -> None:
    """Raises Conflict when a session moved by a moderator is due on `day`: a skip moves the
    sessions that follow the meetings, never a moved one."""
    zone = cohort.rule.zone
    for session_id, when in sorted(before.items(), key=lambda item: item[1]):
        if session_id in moved and cohort.rule.day_of(when) == day:
            number = plan.session(session_id).number
            raise Conflict(f"Session {number} is moved to {describe_local(when, zone)}; a skip "
                           f"does not move a moved session ({prefix}seminar move {number} DATE "
                           "HH:MM does).")


def _check_meeting(cohort: Cohort, day: date, now: datetime, expected: str,
                   skipped: Container[date] = ()) -> None:
    """Raises BadArgument unless the seminar meets on `day` (its rule's weekdays: a date
    skipped before a reschedule to other days is none), still to come; the meetings beside a
    day that is none are named, but those `skipped`."""
    rule = cohort.rule
    if day.weekday() not in rule.weekdays:
        raise BadArgument("date", f"a meeting date ({rule.describe()})", day.isoformat(),
                          _either_side(cohort, day, now, skipped))
    if meeting_at(cohort, day) <= now:  # at `now` its session is posted, or being posted
        raise BadArgument("date", expected, day.isoformat())


def _either_side(cohort: Cohort, day: date, now: datetime, skipped: Container[date]) -> str:
    """`2027-03-10 is a Wednesday; the meetings either side are 2027-03-09 and 2027-03-16.`
    (only the one after when the one before has gone by; meetings `skipped` passed over)."""
    near = [next((day + timedelta(days=step * sign) for step in range(1, 366)
                  if (day + timedelta(days=step * sign)).weekday() in cohort.rule.weekdays
                  and day + timedelta(days=step * sign) not in skipped), None)
            for sign in (-1, 1)]
    said = f"{day.isoformat()} is a {WEEKDAYS[day.weekday()].title()}"
    before, after = near
    if after is None:
        return f"{said}."
    if before is None or meeting_at(cohort, before) < now:
        return f"{said}; the next meeting after it is {after.isoformat()}."
    return f"{said}; the meetings either side are {before.isoformat()} and {after.isoformat()}."


async def _next_meeting_with_a_session(inv: Invocation[Services], cohort: Cohort) -> date:
    moved = await inv.app.cohorts.moves(cohort.id, cohort.rule.zone)
    dues = [when for session_id, when in planned_starts(await entries_of(inv, cohort)).items()
            if session_id not in moved]
    if not dues:
        raise Conflict("No session is waiting for a meeting, so there is nothing to skip.")
    return cohort.rule.day_of(min(dues))


def _not_skipped_yet(day: date, skips: dict[date, str | None], plan: Plan, moved: Container[str],
                    prefix: str) -> None:
    """Raises Conflict when `day` is skipped already: by a moderator, or left empty by a
    session moved or posted early."""
    if day not in skips:
        return
    by = skips[day]
    why = "already skipped" if by is None else f"already empty ({emptied_by(plan, by, moved)})"
    raise Conflict(f"{describe_day(day)} is {why}; {prefix}seminar skip {day.isoformat()} --undo "
                   "makes it a meeting again.")


async def _only_skip_to_come(inv: Invocation[Services], cohort: Cohort) -> date:
    """The date `skip --undo` restores when none is given: the one meeting still to come that
    is skipped or left empty (on a day the seminar still meets)."""
    now = inv.clock.now()
    days = sorted(d for d in await inv.app.cohorts.skips(cohort.id)
                  if d.weekday() in cohort.rule.weekdays and meeting_at(cohort, d) >= now)
    if not days:
        raise Conflict("No meeting still to come is skipped, so there is nothing to restore.")
    if len(days) > 1:
        shown_days = [d.isoformat() for d in days]
        raise BadArgument("date", "the skipped date to restore, as YYYY-MM-DD",
                          hint=f"Skipped or left empty: {', '.join(shown_days[:-1])} and "
                               f"{shown_days[-1]}.")
    return days[0]


def commands() -> list[Command]:
    return [Command(("seminar", "skip"), "Skip a meeting; later sessions move one meeting on",
                    skip, params=(Param("date", Date(), "the meeting's date (default: the next; "
                                        "with --undo, the one skipped)", required=False),
                                  Param("undo", Flag(), "restore a skipped date")),
                    permission=Permission.MODERATOR)]
