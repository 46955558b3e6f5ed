"""Moderators change a running schedule: skip a meeting, move one session, change the days or
time, set reminders and the digest, and how long each session stays open at least. Every
change re-plans the posts not yet sent (domain.planning) and its reply says what that did."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Choice, Date, Duration, DurationOrOff, Flag, TimeOfDay
from seminarbot.core.replies import Reply, text
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort
from seminarbot.domain.planning import OPEN, Planned
from seminarbot.domain.progress import SessionProgress, SessionState, progress
from seminarbot.domain.schedule import (
    MIN_OPEN_RANGE,
    Move,
    WeeklyRule,
    describe_local,
    describe_span,
    local_to_utc,
    local_today,
    wall_clock,
)
from seminarbot.features.common import (
    check_rule,
    cohort_here,
    next_session_line,
    rule_from,
    schedule_params,
    session_param,
    weekday_text,
)
from seminarbot.features.schedule_notes import (
    change_notes,
    change_reply,
    kept_instants,
    moved_dates,
)
from seminarbot.features.skipped import not_skipped_yet, only_skip_to_come
from seminarbot.scheduling.replan import preview
from seminarbot.services.container import Services

WEEK = timedelta(days=7)  # sessions are a week apart: a reminder comes within one
START_KEPT = "the one set up, if still to come, else today"
MIN_OPEN_TYPE = Duration(MIN_OPEN_RANGE[1], minimum=MIN_OPEN_RANGE[0])


async def _replan(inv: Invocation[Services], cohort_id: int) -> tuple[Cohort, Planned]:
    cohort = await inv.app.cohorts.get(cohort_id)
    return cohort, await inv.app.scheduler.plan_cohort(cohort, inv.clock.now())


async def _entries(inv: Invocation[Services], cohort: Cohort) -> list[SessionProgress]:
    return progress(inv.app.syllabus.plan, await inv.app.outbox.for_cohort(cohort.id))


def _planned_starts(entries: list[SessionProgress]) -> dict[str, datetime]:
    return {e.session.id: e.due_at for e in entries
            if e.state is SessionState.SCHEDULED and e.due_at}


async def _next_meeting_with_a_session(inv: Invocation[Services], cohort: Cohort) -> date:
    moved = await inv.app.cohorts.moves(cohort.id, cohort.rule.zone)
    dues = [when for session_id, when in _planned_starts(await _entries(inv, cohort)).items()
            if session_id not in moved]
    if not dues:
        raise Conflict("No session is waiting for a meeting, so there is nothing to skip.")
    return min(dues).astimezone(cohort.rule.zone).date()


async def skip(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    day: date | None = inv.arg("date")
    if inv.arg("undo"):
        async with app.db.transaction():
            day = day or await only_skip_to_come(inv, cohort)
            if _meeting(cohort, day) < inv.clock.now():
                raise BadArgument("date", "a skipped meeting that has not happened yet",
                                  day.isoformat())
            before = _planned_starts(await _entries(inv, cohort))
            if not await app.cohorts.remove_skip(cohort.id, day):
                raise Conflict(f"{day.isoformat()} was not skipped.")
            cohort, planned = await _replan(inv, cohort.id)
        return change_reply(f"{day.isoformat()} is a meeting again. Next: "
                            f"{await next_session_line(inv, cohort)}.",
                            moved_dates(before, planned, cohort.rule.zone)
                            + change_notes(planned, cohort.rule.zone, cohort.min_open))
    day = day or await _next_meeting_with_a_session(inv, cohort)
    rule = cohort.rule
    if day.weekday() not in rule.weekdays:
        raise BadArgument("date", f"a meeting date ({rule.describe()})", day.isoformat())
    if _meeting(cohort, day) < inv.clock.now():
        raise BadArgument("date", "a meeting that has not happened yet", day.isoformat())
    async with app.db.transaction():
        before = _planned_starts(await _entries(inv, cohort))
        not_skipped_yet(day, await app.cohorts.skips(cohort.id), app.syllabus.plan,
                        await app.cohorts.moves(cohort.id, rule.zone), inv.prefix)
        await app.cohorts.add_skip(cohort.id, day)
        cohort, planned = await _replan(inv, cohort.id)
    moved = moved_dates(before, planned, cohort.rule.zone)
    what = "the sessions after it move one meeting later" if moved else \
        "no session was due on it or after it, so none moves"
    return change_reply(f"No session on {day.strftime('%a %d %b %Y')}; {what}. Next: "
                        f"{await next_session_line(inv, cohort)}.",
                        moved + change_notes(planned, cohort.rule.zone, cohort.min_open))


def _meeting(cohort: Cohort, day: date) -> datetime:
    """When the meeting on `day` is (or would be), by the cohort's rule."""
    return local_to_utc(day, cohort.rule.local_time, cohort.rule.zone)


async def move(inv: Invocation[Services]) -> Reply:
    app = inv.app
    session = app.syllabus.plan.session(inv.args["session"])
    day: date = inv.args["date"]
    at: time = inv.args["time"]
    async with app.db.transaction():
        cohort = await cohort_here(inv)
        zone = cohort.rule.zone
        instant = local_to_utc(day, at, zone)
        if instant < inv.clock.now():
            raise BadArgument("date", "a date and time that are still to come",
                              f"{day.isoformat()} {at.strftime('%H:%M')}")
        entries = await _entries(inv, cohort)
        entry = next(e for e in entries if e.session == session)
        if entry.state not in OPEN:
            raise Conflict(f"Session {session.number} is {entry.state.value}; only a session "
                           "not yet posted can move.")
        _check_apart(cohort, entries, entry, instant, inv.prefix)
        moves = await app.cohorts.moves(cohort.id, zone)
        skips = await app.cohorts.skips(cohort.id)
        vacated = entry.due_at.astimezone(zone).date() if entry.due_at and \
            session.id not in moves and instant < entry.due_at else None
        chosen = await _trial_move(inv, cohort, session.id, instant, moves,
                                   skips | ({vacated: session.id} if vacated else {}))
        if vacated:
            await app.cohorts.add_skip(cohort.id, vacated, session.id)
        await app.cohorts.set_move(cohort.id, session.id, chosen, zone)
        cohort, after = await _replan(inv, cohort.id)
    lines = [f"Session {session.number} moves to {describe_local(instant, zone)}."]
    if vacated:
        lines.append(f"Its meeting on {vacated.strftime('%a %d %b %Y')} stays empty "
                     f"({inv.prefix}seminar skip {vacated.isoformat()} --undo gives it back).")
    lines += moved_dates(_planned_starts(entries), after, zone, leave_out=[session.id])
    lines += change_notes(after, zone, cohort.min_open, focus=session.id)
    return change_reply(lines[0], lines[1:])


def _check_apart(cohort: Cohort, entries: list[SessionProgress], entry: SessionProgress,
                 instant: datetime, prefix: str) -> None:
    """A move keeps the minimum open time from every session that will not make way for it:
    one that has opened, or one before it in the plan."""
    zone = cohort.rule.zone
    for other in entries:
        when = other.opened_at or (other.due_at if other.state is SessionState.SCHEDULED
                                   and other.session.number < entry.session.number else None)
        if other is entry or when is None:
            continue
        if abs(wall_clock(when, instant, zone)) < cohort.min_open:
            raise Conflict(
                f"Session {other.session.number} opens {describe_local(when, zone)}, and each "
                f"session stays open at least {describe_span(cohort.min_open)} before the next "
                f"one opens: session {entry.session.number} cannot open within "
                f"{describe_span(cohort.min_open)} of it.",
                more=(f"A moderator can change the minimum with {prefix}seminar min-open.",))


async def _trial_move(inv: Invocation[Services], cohort: Cohort, session_id: str,
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
    raise Conflict(f"Session {planned.numbers[session_id]} cannot move there: it would be less "
                   f"than {describe_span(cohort.min_open)} from session {other}.")


async def reschedule(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    start: date | None = inv.arg("start_date")
    kept = start is None and cohort.rule.start_date > local_today(inv.clock.now(),
                                                                  cohort.rule.zone)
    rule: WeeklyRule = rule_from(inv, cohort.rule.start_date if kept else start)
    check_rule(rule, cohort.min_open, weekday_text(rule), inv.prefix)
    async with app.db.transaction():
        await app.cohorts.set_rule(cohort.id, rule, inv.clock.now())
        cohort, planned = await _replan(inv, cohort.id)
    notes = kept_instants(planned, rule.zone) + change_notes(planned, rule.zone, cohort.min_open)
    if kept:
        notes = [f"It still starts no earlier than {rule.start_date.strftime('%a %d %b %Y')}, "
                 "the start date set up (give another START-DATE to change it).", *notes]
    return change_reply(f"From now on: {rule.describe()}. Next: "
                        f"{await next_session_line(inv, cohort)}.", notes)


async def reminders(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    before: timedelta | None = inv.args["before"]
    names = bool(inv.arg("names"))
    digest = cohort.digest if inv.arg("digest") is None else inv.arg("digest") == "on"
    async with app.db.transaction():
        await app.cohorts.set_reminders(cohort.id, before, names, digest, inv.clock.now())
        cohort, planned = await _replan(inv, cohort.id)
    parts = ["No reminders." if before is None else
             f"A reminder {describe_span(before)} before each session closes (halfway through "
             "a session open no longer than that)"
             + (", naming who has responded." if names else ", naming nobody.")]
    parts.append("Moderators get a digest when each session closes." if digest else
                 "No digest.")
    return change_reply(" ".join(parts), change_notes(planned, cohort.rule.zone,
                                                      cohort.min_open))


async def min_open(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    value: timedelta | None = inv.arg("duration")
    if value is None:
        return text(f"Each session stays open at least {describe_span(cohort.min_open)} "
                    "before the next one opens.")
    low, high = MIN_OPEN_RANGE
    gap = min(high, cohort.rule.shortest_gap())
    if not low <= value <= gap:
        raise BadArgument("duration", f"from {describe_span(low)} to {describe_span(gap)} "
                          f"(meetings: {cohort.rule.describe()})", describe_span(value))
    async with app.db.transaction():
        entries = await _entries(inv, cohort)
        await app.cohorts.set_min_open(cohort.id, value, inv.clock.now())
        cohort, planned = await _replan(inv, cohort.id)
    zone = cohort.rule.zone
    notes = moved_dates(_planned_starts(entries), planned, zone) + \
        change_notes(planned, zone, value)
    return change_reply(f"Each session now stays open at least {describe_span(value)} before "
                        "the next one opens.", notes)


def commands() -> list[Command]:
    moderator = Permission.MODERATOR
    return [
        Command(("seminar", "skip"), "Skip a meeting; later sessions move one meeting on", skip,
                params=(Param("date", Date(), "the meeting's date (default: the next; "
                              "with --undo, the one skipped)", required=False),
                        Param("undo", Flag(), "restore a skipped date")),
                permission=moderator),
        Command(("seminar", "move"),
                "Move one session to another date and time (moved later, the ones after it "
                "follow)", move,
                params=(replace(session_param("the session to move"), required=True),
                        Param("date", Date(), "its new local date"),
                        Param("time", TimeOfDay(), "its new local time", metavar="HH:MM")),
                permission=moderator,
                details="A move out of plan order is done, with a warning naming the sessions "
                        "it comes before. A moved session keeps its moment if the zone "
                        "changes."),
        Command(("seminar", "reschedule"), "Change the days, time or zone of what remains",
                reschedule, params=schedule_params(start=START_KEPT), permission=moderator,
                details="Moved sessions keep the moment they were moved to."),
        Command(("seminar", "reminders"), "Set reminders before a session closes, and the digest",
                reminders,
                params=(Param("before", DurationOrOff(WEEK, inclusive=False),
                              "how long before a session closes (sessions are a week apart), "
                              "or off"),
                        Param("digest", Choice(("on", "off")), "moderators' digest",
                              required=False),
                        Param("names", Flag(), "name who has responded")),
                permission=moderator),
        Command(("seminar", "min-open"),
                "Show or set how long each session stays open before the next opens", min_open,
                params=(Param("duration", MIN_OPEN_TYPE,
                              "at least this long, e.g. 24h or 2d, within the gap between "
                              "meeting days (without it: the current one)", required=False),),
                permission=moderator),
    ]
