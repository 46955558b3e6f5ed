"""/seminar timeline [SESSION]: the dated events a session's sections refer to, or all of them."""

from __future__ import annotations

from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import String
from seminarbot.core.replies import Reply, Table
from seminarbot.domain.companion import TimelineEvent
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.progress import THIS_WEEK
from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.textfold import as_word
from seminarbot.features.common import chosen_session, complete_session
from seminarbot.services.container import Services

_STYLES = ("Dates before 14 February 1918 are given Old Style (the Julian calendar Russia then "
           "used) with New Style in brackets.")


def _sessions(syllabus: Syllabus, event: TimelineEvent) -> str:
    return ", ".join(str(n) for n in syllabus.sessions_of(event.sections)) or "—"


async def timeline(inv: Invocation[Services]) -> Reply:
    syllabus = inv.app.syllabus
    events = syllabus.companion.timeline
    if not events:
        return Reply(title="Timeline", paragraphs=("This seminar's content has no timeline.",))
    if as_word(inv.arg("session") or "") == "all":
        rows = tuple((e.when(), e.title, _sessions(syllabus, e)) for e in events)
        return Reply(title=f"Timeline, {events[0].date[:4]}–{events[-1].date[:4]}",
                        paragraphs=(_STYLES,), table=Table(("date", "event", "sessions"), rows),
                        footer=f"One session's events with notes: {inv.prefix}seminar timeline "
                               "SESSION")
    try:
        session = await chosen_session(inv)
    except BadArgument as error:
        raise BadArgument("session", f"{error.expected}, or all", inv.arg("session"),
                          hint=error.hint) from None
    chosen = syllabus.companion.events_for(session.sections)
    if not chosen:
        return Reply(title=f"Session {session.number} timeline: {session.title}",
                        paragraphs=("No dated events for this session's reading.",),
                        footer=f"The whole timeline: {inv.prefix}seminar timeline all")
    fields = []
    for event in chosen:
        cited = [s for s in event.sections if s in session.sections]
        fields.append((f"{event.when()} — {event.title}",
                       f"{event.note}\nIn: {', '.join(cited)}"))
    return Reply(title=f"Session {session.number} timeline: {session.title}",
                    paragraphs=(_STYLES,), fields=tuple(fields),
                    footer=f"The whole timeline: {inv.prefix}seminar timeline all")


def commands() -> list[Command]:
    return [Command(
        ("seminar", "timeline"), "Show the dated events a session's reading refers to", timeline,
        params=(Param("session", String(max_length=60, numbered=True,
                                        meaning="a session number or id, or all"),
                      f"session number or id, or all (default: {THIS_WEEK})", required=False,
                      autocomplete=complete_session),),
        details="Each event says which sections mention it; `all` lists every event from 1905 "
                "to 1991 with the sessions that read about it.",
    )]
