"""Moderators change a running schedule: skip a meeting, move one session, change the days or
time, and set reminders and the digest. Every change re-plans the posts not yet sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Choice, Date, DurationOrOff, Flag, TimeOfDay
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort
from seminarbot.domain.progress import SessionState, progress
from seminarbot.domain.schedule import Move, WeeklyRule, describe_local, local_to_utc
from seminarbot.features.common import (
    cohort_here,
    next_session_line,
    rule_from,
    schedule_params,
    session_param,
)
from seminarbot.services.container import Services

WEEK = timedelta(days=7)  # sessions are a week apart: a reminder comes within one


async def _replan(inv: Invocation[Services], cohort_id: int) -> Cohort:
    cohort = await inv.app.cohorts.get(cohort_id)
    await inv.app.scheduler.plan_cohort(cohort, inv.clock.now())
    return cohort


async def _next_meeting_with_a_session(inv: Invocation[Services], cohort: Cohort) -> date:
    items = await inv.app.outbox.for_cohort(cohort.id)
    dues = [e.due_at for e in progress(inv.app.syllabus.plan, items)
            if e.state is SessionState.SCHEDULED and e.due_at]
    if not dues:
        raise Conflict("No session is waiting to be posted, so there is nothing to skip.")
    return min(dues).astimezone(cohort.rule.zone).date()


async def skip(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    day: date | None = inv.arg("date")
    if inv.arg("undo"):
        if day is None:
            raise BadArgument("date", "the skipped date to restore, as YYYY-MM-DD")
        async with app.db.transaction():
            if not await app.cohorts.remove_skip(cohort.id, day):
                raise Conflict(f"{day.isoformat()} was not skipped.")
            await _replan(inv, cohort.id)
        return text(f"{day.isoformat()} is a meeting again. Next: "
                    f"{await next_session_line(inv, cohort)}.", tone=Tone.SUCCESS)
    day = day or await _next_meeting_with_a_session(inv, cohort)
    rule = cohort.rule
    if day.weekday() not in rule.weekdays:
        raise BadArgument("date", f"a meeting date ({rule.describe()})", day.isoformat())
    if local_to_utc(day, rule.local_time, rule.zone) < inv.clock.now():
        raise BadArgument("date", "a meeting that has not happened yet", day.isoformat())
    async with app.db.transaction():
        await app.cohorts.add_skip(cohort.id, day)
        await _replan(inv, cohort.id)
    return text(f"No session on {day.strftime('%a %d %b %Y')}; the sessions after it move one "
                f"meeting later. Next: {await next_session_line(inv, cohort)}.",
                tone=Tone.SUCCESS)


async def move(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    session = app.syllabus.plan.session(inv.args["session"])
    state = next(e.state for e in progress(app.syllabus.plan,
                                           await app.outbox.for_cohort(cohort.id))
                 if e.session == session)
    if state not in (SessionState.SCHEDULED, SessionState.UNSCHEDULED):
        raise Conflict(f"Session {session.number} is {state.value}; only a session not yet "
                       "posted can move.")
    day: date = inv.args["date"]
    at: time = inv.args["time"]
    instant = local_to_utc(day, at, cohort.rule.zone)
    if instant < inv.clock.now():
        raise BadArgument("date", "a date and time that are still to come",
                          f"{day.isoformat()} {at.strftime('%H:%M')}")
    async with app.db.transaction():
        await app.cohorts.set_move(cohort.id, session.id, Move(day, at))
        await _replan(inv, cohort.id)
    return text(f"Session {session.number} moves to {describe_local(instant, cohort.rule.zone)}; "
                "the other sessions keep their dates.", tone=Tone.SUCCESS)


async def reschedule(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    rule: WeeklyRule = rule_from(inv, None)
    async with app.db.transaction():
        await app.cohorts.set_rule(cohort.id, rule, inv.clock.now())
        await _replan(inv, cohort.id)
    return text(f"From now on: {rule.describe()}. Next: "
                f"{await next_session_line(inv, cohort)}.", tone=Tone.SUCCESS)


async def reminders(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    before: timedelta | None = inv.args["before"]
    names = bool(inv.arg("names"))
    digest = cohort.digest if inv.arg("digest") is None else inv.arg("digest") == "on"
    async with app.db.transaction():
        await app.cohorts.set_reminders(cohort.id, before, names, digest, inv.clock.now())
        await _replan(inv, cohort.id)
    parts = ["No reminders." if before is None else
             f"A reminder {_span(before)} before each session closes"
             + (", naming who has responded." if names else ", naming nobody.")]
    parts.append("Moderators get a digest when each session closes." if digest else
                 "No digest.")
    return text(" ".join(parts), tone=Tone.SUCCESS)


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        return f"{hours // 24} day" + ("s" if hours != 24 else "")
    minutes = int(delta.total_seconds() // 60)
    return f"{hours} hours" if minutes % 60 == 0 else f"{minutes} minutes"


def commands() -> list[Command]:
    moderator = Permission.MODERATOR
    return [
        Command(("seminar", "skip"), "Skip a meeting; later sessions move one meeting on", skip,
                params=(Param("date", Date(), "the meeting's local date (default: the next "
                              "one)", required=False),
                        Param("undo", Flag(), "restore a skipped date")),
                permission=moderator),
        Command(("seminar", "move"), "Move one session to another date and time", move,
                params=(replace(session_param("the session to move"), required=True),
                        Param("date", Date(), "its new local date"),
                        Param("time", TimeOfDay(), "its new local time", metavar="HH:MM")),
                permission=moderator),
        Command(("seminar", "reschedule"), "Change the days, time or zone of what remains",
                reschedule, params=schedule_params(start=False), permission=moderator),
        Command(("seminar", "reminders"), "Set reminders before a session closes, and the digest",
                reminders,
                params=(Param("before", DurationOrOff(WEEK, inclusive=False),
                              "how long before a session closes (sessions are a week apart), "
                              "or off"),
                        Param("digest", Choice(("on", "off")), "moderators' digest",
                              required=False),
                        Param("names", Flag(), "name who has responded")),
                permission=moderator),
    ]
