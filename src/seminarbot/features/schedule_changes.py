"""Moderators change a running schedule (move a session; the days, time, reminders, minimum open
time); each re-plans the posts not yet sent (domain.planning), and its reply says what it did."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Choice, Date, Duration, DurationOrOff, Flag, TimeOfDay
from seminarbot.core.replies import Reply, text
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.planning import OPEN
from seminarbot.domain.progress import SessionProgress
from seminarbot.domain.schedule import (
    MIN_OPEN_RANGE,
    Move,
    WeeklyRule,
    abbreviation,
    describe_day,
    describe_local,
    describe_span,
    local_to_utc,
    local_today,
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
from seminarbot.features.move_limits import check_apart, pushed_past, trial_move
from seminarbot.features.plan_reads import (
    dates_moved,
    entries_of,
    kept_through_change,
    listed_moves,
    notes_for,
    planned_starts,
    replan,
)
from seminarbot.features.schedule_notes import change_reply, reminders_said
from seminarbot.scheduling.replan import preview
from seminarbot.services.container import Services

WEEK = timedelta(days=7)  # a reminder comes within the week a weekly session is open
START_KEPT = "the one set up, if still to come, else today"
MIN_OPEN_TYPE = Duration(MIN_OPEN_RANGE[1], minimum=MIN_OPEN_RANGE[0])


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
        entries = await entries_of(inv, cohort)
        entry = next(e for e in entries if e.session == session)
        if entry.state not in OPEN:
            raise Conflict(f"Session {session.number} is {entry.state.value}; only a session "
                           "not yet posted can move.")
        check_apart(cohort, entries, entry, instant, inv.prefix, inv.clock.now())
        moves = await app.cohorts.moves(cohort.id, zone)
        skips = await app.cohorts.skips(cohort.id)
        wall = _not_on_the_clock(day, at, instant, zone)
        if same := await _unchanged(inv, cohort, entries, entry, instant, moves, skips):
            return change_reply(same[0], [*([wall] if wall else []), *same[1:]])
        vacated = _vacated(cohort, entry, instant, moves)
        chosen = await trial_move(inv, cohort, session.id, instant, moves,
                                   skips | ({vacated: session.id} if vacated else {}))
        if vacated:
            await app.cohorts.add_skip(cohort.id, vacated, session.id)
        await app.cohorts.set_move(cohort.id, session.id, chosen, zone)
        cohort, after = await replan(inv, cohort.id)
    lines = [f"Session {session.number} moves to {describe_local(instant, zone)}."]
    if wall:
        lines.append(wall)
    if (local := cohort.rule.day_of(instant)) in skips:
        lines.append(f"{describe_day(local)} was skipped or left empty; the move puts session "
                     f"{session.number} on it all the same.")
    if vacated:
        lines.append(f"Its meeting on {describe_day(vacated)} stays empty "
                     f"({inv.prefix}seminar skip {vacated.isoformat()} --undo gives it back).")
    lines += dates_moved(planned_starts(entries), after, cohort, leave_out=[session.id])
    if why := pushed_past(cohort, after, session.id, instant, planned_starts(entries)):
        lines.append(why)
    lines += notes_for(after, cohort, focus=session.id)
    return change_reply(lines[0], lines[1:])


async def _unchanged(inv: Invocation[Services], cohort: Cohort, entries: list[SessionProgress],
                     entry: SessionProgress, instant: datetime, moves: dict[str, Move],
                     skips: dict[date, str | None]) -> list[str]:
    """A move to where the session is already (due there, or moved there): the reply's lines,
    nothing written; back where the schedule would put it: its move dropped (`_back`), the
    reply's lines; else []. While paused only a move stands: no session has a date then."""
    number, session_id, zone = entry.session.number, entry.session.id, cohort.rule.zone
    when, paused = describe_local(instant, zone), cohort.state is CohortState.PAUSED
    if session_id in moves and moves[session_id].at == instant:
        return [f"Session {number} is moved there already ({when}); nothing changes."]
    if session_id not in moves:
        return [f"Session {number} is due then already ({when}); nothing changes."] \
            if entry.due_at == instant and not paused else []
    if paused or not await _back(inv, cohort, session_id, instant, moves, skips):
        return []
    cohort, after = await replan(inv, cohort.id)
    return [f"Session {number} is back at its meeting ({when}) and follows the schedule again.",
            *dates_moved(planned_starts(entries), after, cohort, leave_out=[session_id]),
            *notes_for(after, cohort, focus=session_id)]


async def _back(inv: Invocation[Services], cohort: Cohort, session_id: str, instant: datetime,
                moves: dict[str, Move], skips: dict[date, str | None]) -> bool:
    """Whether `instant` is where the moved session would be were it never moved: if so, its
    move and the meeting it left empty are dropped (written here), so that it follows the
    schedule again, as the sessions never moved do."""
    unmoved = {k: v for k, v in moves.items() if k != session_id}
    unleft = {day: by for day, by in skips.items() if by != session_id}
    planned = await preview(inv.app.scheduler, cohort, inv.clock.now(), moves=unmoved,
                            skips=unleft)
    if planned.starts.get(session_id) != instant:
        return False
    await inv.app.cohorts.remove_move(cohort.id, session_id)
    for day in skips.keys() - unleft.keys():
        await inv.app.cohorts.remove_skip(cohort.id, day)
    return True


def _vacated(cohort: Cohort, entry: SessionProgress, instant: datetime,
             moves: Container[str]) -> date | None:
    """The meeting a session moved earlier leaves empty, so that the others keep their dates:
    none when it moves within that day, was moved before, or while the seminar is paused
    (it has no date then)."""
    zone, due = cohort.rule.zone, entry.due_at
    if due is None or entry.session.id in moves or cohort.state is CohortState.PAUSED \
            or instant >= due:
        return None
    day = cohort.rule.day_of(due)
    return None if instant.astimezone(zone).date() == day else day


def _not_on_the_clock(day: date, at: time, instant: datetime, zone: ZoneInfo) -> str:
    """For a local time the clocks skip or show twice that night (a daylight-saving change):
    what it is taken as; else ""."""
    local = instant.astimezone(zone)
    if (local.date(), local.time()) == (day, at):
        # One the clocks show twice (they go back): the first is taken (fold=0, as
        # domain.schedule.local_to_utc), and said (helper-194's 5).
        later = local.replace(fold=1)
        if later.utcoffset() == local.utcoffset():
            return ""
        return (f"{at.strftime('%H:%M')} comes twice that night in {zone.key} (the clocks go "
                f"back); the first, {local:%H:%M} {abbreviation(local)}, is taken.")
    return (f"{at.strftime('%H:%M')} does not exist that night in {zone.key} (the clocks go "
            f"forward); it is taken as {local:%H:%M} {abbreviation(local)}.")


async def reschedule(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    start: date | None = inv.arg("start_date")
    kept = start is None and cohort.rule.start_date > local_today(inv.clock.now(),
                                                                  cohort.rule.zone)
    rule: WeeklyRule = rule_from(inv, cohort.rule.start_date if kept else start)
    check_rule(rule, cohort.min_open, weekday_text(rule), inv.prefix)
    async with app.db.transaction():
        before = planned_starts(await entries_of(inv, cohort))
        await app.cohorts.set_rule(cohort.id, rule, inv.clock.now())
        cohort, planned = await replan(inv, cohort.id)
    moved = listed_moves(before, planned, cohort, inv.prefix, leave_out=planned.pinned)
    notes = moved + await kept_through_change(inv, cohort, planned) + notes_for(planned, cohort)
    if kept:
        notes = [f"It still starts no earlier than {describe_day(rule.start_date)}, "
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
        cohort, planned = await replan(inv, cohort.id)
    return change_reply(reminders_said(before, names, digest), notes_for(planned, cohort))


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
                          f"(meetings: {cohort.rule.describe()})",
                          inv.typed.get("duration", describe_span(value)))
    async with app.db.transaction():
        entries = await entries_of(inv, cohort)
        await app.cohorts.set_min_open(cohort.id, value, inv.clock.now())
        cohort, planned = await replan(inv, cohort.id)
    notes = dates_moved(planned_starts(entries), planned, cohort) + notes_for(planned, cohort)
    return change_reply(f"Each session now stays open at least {describe_span(value)} before "
                        "the next one opens.", notes)


def commands() -> list[Command]:
    moderator = Permission.MODERATOR
    return [
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
                              "how long before a session closes (halfway through one open no "
                              "longer), or off"),
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
