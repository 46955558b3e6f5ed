"""Pieces several features share: the cohort of this channel, session and prompt arguments,
the schedule's parameters and the line naming the next session."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from seminarbot.core.commands import Param, Suggestion
from seminarbot.core.invocation import Invocation, Place
from seminarbot.core.params import Date, String, TimeOfDay, TimeZone, Weekdays
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.progress import SessionState, current_session, progress
from seminarbot.domain.schedule import (
    WEEKDAYS,
    WeeklyRule,
    describe_local,
    describe_span,
    local_today,
)
from seminarbot.domain.syllabus import Session
from seminarbot.domain.textfold import as_word

if TYPE_CHECKING:
    from seminarbot.services.container import Services


DIRECT_ROOM = ("This is your direct room with the bot, where its answers for you alone come: "
               "a seminar's commands work in the room it meets in.")


async def cohort_here(inv: Invocation[Services]) -> Cohort:
    cohort = await find_cohort(inv)
    if cohort is None and inv.place.direct:
        raise Conflict(DIRECT_ROOM)
    if cohort is None:
        place = inv.place
        others = await inv.app.cohorts.count_in(place.platform, place.community_id)
        # A forum takes commands only in its posts: a seminar set up there from a text
        # channel is not this channel's (helper-141). Not named: the caller may not see its
        # channel (helper-143).
        elsewhere = (f" {'A seminar runs' if others == 1 else f'{others} seminars run'} "
                     "elsewhere here: type a seminar's commands in its channel (in a forum, in "
                     "one of its posts)." if others else "")
        raise Conflict(f"No seminar runs in this {place.noun} yet. A moderator can start one with "
                       f"{inv.prefix}seminar setup WEEKDAY HH:MM TIMEZONE [START-DATE]."
                       + elsewhere)
    return cohort


async def find_cohort(inv: Invocation[Services]) -> Cohort | None:
    place = inv.place
    return await inv.app.cohorts.find(place.platform, place.community_id, place.channel_id)


async def chosen_session(inv: Invocation[Services], param: str = "session") -> Session:
    """The session the caller named, else this week's: the latest posted here, else the first."""
    plan = inv.app.syllabus.plan
    wanted = inv.arg(param)
    if wanted:
        return plan.session(wanted, param)
    cohort = await find_cohort(inv)
    if cohort is None:
        return plan.sessions[0]
    return current_session(plan, await inv.app.outbox.for_cohort(cohort.id))


async def complete_session(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    wanted = as_word(prefix)
    return [Suggestion(str(s.number), f"{s.number}. {s.title}"[:100])
            for s in app.syllabus.plan.sessions
            if not wanted or str(s.number).startswith(wanted) or wanted in s.title.lower()
            or s.id.startswith(wanted)][:25]


async def complete_prompt(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    wanted = as_word(prefix)
    found = []
    for session in app.syllabus.plan.sessions:
        for prompt in session.prompts:
            label = f"{prompt.ref} {prompt.text}"
            if not wanted or prompt.ref.startswith(wanted) or wanted in label.lower():
                found.append(Suggestion(prompt.ref, label[:97] + "…" if len(label) > 100
                                        else label))
    return found[:25]


def session_param(help_text: str) -> Param:
    return Param("session", String(max_length=60, numbered=True,
                                   meaning="a session number or id"), help_text, required=False,
                 autocomplete=complete_session)


async def next_session_line(inv: Invocation[Services], cohort: Cohort) -> str:
    """The session the schedule posts next and when, in the cohort's current zone."""
    cohort = await inv.app.cohorts.get(cohort.id)  # as it is now: the zone may have changed
    if cohort.state is CohortState.PAUSED:
        return "nothing while the seminar is paused"
    items = await inv.app.outbox.for_cohort(cohort.id)
    pending = [e for e in progress(inv.app.syllabus.plan, items)
               if e.state is SessionState.SCHEDULED and e.due_at]
    if not pending:
        return "no sessions left to post"
    first = min(pending, key=lambda e: (e.due_at or datetime.max, e.session.number))
    assert first.due_at is not None
    return (f"session {first.session.number} ({first.session.title}) on "
            f"{describe_local(first.due_at, cohort.rule.zone)}")


def check_rule(rule: WeeklyRule, min_open: timedelta, raw: str, prefix: str) -> None:
    """Refuse meeting days closer together than the minimum open time (meetings would be
    passed over without a word)."""
    if rule.shortest_gap() < min_open:
        raise BadArgument("weekday", f"meeting days at least {describe_span(min_open)} apart "
                          "(each session stays open that long before the next one; "
                          f"{prefix}seminar min-open changes it)", raw)


def rule_from(inv: Invocation[Services], start: date | None) -> WeeklyRule:
    """The rule the arguments describe, starting today or on a later start date."""
    zone_name: str = inv.args["timezone"]
    probe = WeeklyRule(inv.args["weekday"], inv.args["time"], zone_name, date.today())
    today = local_today(inv.clock.now(), probe.zone)
    if start is not None and start < today:
        raise BadArgument("start_date", f"a date today ({today.isoformat()}) or later in "
                          f"{zone_name}", start.isoformat())
    return WeeklyRule(probe.weekdays, probe.local_time, zone_name, start or today)


async def complete_weekdays(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    """Day names, continuing a list already typed: "tue," offers "tue,wednesday" and so on."""
    done, _, last = as_word(prefix).rpartition(",")
    head = f"{done}," if done else ""
    return [Suggestion(head + day, (head + day).replace(",", ", "))
            for day in WEEKDAYS if day.startswith(last.strip())][:25]


def schedule_params(*, start: str) -> tuple[Param, ...]:
    """`start`: what START-DATE defaults to, in its help."""
    params: tuple[Param, ...] = (
        Param("weekday", Weekdays(), "the day(s) sessions are posted: tue, or tue,thu "
              "(listed Monday first)", autocomplete=complete_weekdays),
        Param("time", TimeOfDay(), "the local time they are posted", metavar="HH:MM"),
        Param("timezone", TimeZone(), "the seminar's IANA time zone"))
    return (*params, Param("start_date", Date(), f"the first possible date (default {start})",
                           required=False))


def weekday_text(rule: WeeklyRule) -> str:
    return ",".join(WEEKDAYS[day][:3] for day in rule.weekdays)
