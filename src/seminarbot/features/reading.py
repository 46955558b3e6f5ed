"""/seminar schedule, /seminar reading [SESSION] and /seminar prompt [SESSION]."""

from __future__ import annotations

from seminarbot.core.commands import Command
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Reply, Table
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.pacing import session_pacing
from seminarbot.domain.planning import Planned
from seminarbot.domain.progress import (
    THIS_WEEK,
    SessionProgress,
    SessionState,
    progress,
)
from seminarbot.domain.schedule import describe_day, describe_local, describe_span
from seminarbot.features.common import chosen_session, cohort_here, session_param
from seminarbot.features.plan_reads import days_listed, in_force, meeting_at, unused_meetings
from seminarbot.features.schedule_notes import emptied_by, order_warnings, reminders_said
from seminarbot.services.container import Services

UNUSED_SHOWN = 12  # meetings with no session named in the schedule's note; the rest counted


async def schedule(inv: Invocation[Services]) -> Reply:
    """Exactly what has been and will be posted, in the cohort's current zone."""
    cohort = await cohort_here(inv)
    zone = cohort.rule.zone
    paused = cohort.state is CohortState.PAUSED
    entries = progress(inv.app.syllabus.plan, await inv.app.outbox.for_cohort(cohort.id))
    rows = []
    for entry in entries:
        when = entry.posted_at or entry.opened_at or entry.due_at
        waiting = entry.state is SessionState.SCHEDULED
        shown = "—" if when is None or (paused and waiting) else describe_local(when, zone)
        state = "paused" if paused and waiting else entry.state.value
        rows.append((str(entry.session.number), entry.session.title, shown, state))
    notes = []
    if paused:
        notes.append(f"The seminar is paused; a moderator resumes it with {inv.prefix}seminar "
                     "resume, and the remaining sessions take the meetings after that.")
    notes += await _change_notes(inv, cohort, entries, paused)
    notes.append(f"Each session stays open at least {describe_span(cohort.min_open)} before "
                 "the next one opens.")
    notes.append(reminders_said(cohort.reminder_before, cohort.reminder_names, cohort.digest))
    return Reply(title=f"Schedule: {cohort.rule.describe()}", paragraphs=tuple(notes),
                 table=Table(("#", "session", "date", "state"), tuple(rows)))


async def _change_notes(inv: Invocation[Services], cohort: Cohort,
                        entries: list[SessionProgress], paused: bool) -> list[str]:
    """Skipped dates, moved sessions, and sessions out of plan order."""
    zone, notes = cohort.rule.zone, []
    moves = await inv.app.cohorts.moves(cohort.id, zone)
    waiting = {e.session.id: e for e in entries if e.state is SessionState.SCHEDULED}
    # A meeting is taken by the session due on it, or at its instant: on a day the zone
    # skipped, that day's meeting falls at the next day's instant (Pacific/Apia, 2011).
    instants = {e.due_at for e in waiting.values() if e.due_at}
    taken = {cohort.rule.day_of(at) for at in instants}
    skips = await inv.app.cohorts.skips(cohort.id)
    now = inv.clock.now()
    for day, session_id in sorted(skips.items()):
        if not in_force(cohort, day, now) or day in taken \
                or meeting_at(cohort, day) in instants:  # a session moved onto it
            continue
        why = f" ({emptied_by(inv.app.syllabus.plan, session_id, moves)})" if session_id else ""
        notes.append(f"No meeting on {describe_day(day)}{why}.")
    if free := ([] if paused else unused_meetings(cohort, instants, skips.keys(), now)):
        notes.append(f"Meetings with no session: {days_listed(free, UNUSED_SHOWN)}.")
    for entry in sorted(waiting.values(), key=lambda e: e.session.number):
        if (move := moves.get(entry.session.id)) is not None:
            notes.append(f"Session {entry.session.number} is moved to "
                         f"{describe_local(move.at, zone)}.")
    if not paused:
        starts = {e.session.id: when for e in entries
                  if (when := e.opened_at or (e.due_at if e.session.id in waiting else None))}
        notes += order_warnings(Planned((), starts, {e.session.id: e.session.number
                                                     for e in entries},
                                        frozenset(e.session.id for e in entries
                                                  if e.opened_at is not None)))
    return notes


async def reading(inv: Invocation[Services]) -> Reply:
    session = await chosen_session(inv)
    syllabus = inv.app.syllabus
    ingested = await inv.app.passages.ingested()
    counts = await inv.app.passages.count_by_section()
    fields = []
    for section_id in session.sections:
        section = syllabus.section(section_id)
        text = syllabus.text(section.text_id)
        where = f"Find it: {section.locator.describe()} [{section.id}]"
        if section.text_id in ingested:
            found = counts.get(section.id, 0)
            where += f"\nIn the ingested copy: {found} passage{'' if found == 1 else 's'} found"
        fields.append((f"{section.title} — {text.short}", f"{section.summary}\n{where}"))
    works = syllabus.companion.works_for(session.id)
    if works:
        fields.append(("Further reading", "\n".join(f"– {w.citation()}: {w.why}" for w in works)))
    pacing = session_pacing(syllabus, session).describe()
    return Reply(title=f"Session {session.number}: {session.title}",
                    paragraphs=tuple(p for p in (session.framing, pacing) if p),
                    fields=tuple(fields),
                    footer=f"Prompts: {inv.prefix}seminar prompt {session.number}. Dates: "
                           f"{inv.prefix}seminar timeline {session.number}. Roles: "
                           f"{inv.prefix}seminar roles {session.number}. "
                           f"Search the texts: {inv.prefix}seminar search WORDS")


async def prompt(inv: Invocation[Services]) -> Reply:
    session = await chosen_session(inv)
    fields = []
    for item in session.prompts:
        body = item.text
        if item.follow_ups:
            body += "\n" + "\n".join(f"  – {q}" for q in item.follow_ups)
        if item.suggested_words:
            body += f"\n(about {item.suggested_words} words)"
        mode = {"written": " · written", "discussion": " · for discussion"}.get(item.mode or "", "")
        fields.append((f"{item.ref} · {item.kind}{mode}", body))
    # The example answers a prompt meant for writing (helper-135: 4.1 is for discussion).
    example = next((p for p in session.prompts if p.mode == "written"), session.prompts[0])
    return Reply(title=f"Session {session.number} prompts: {session.title}",
                 fields=tuple(fields),
                 footer=f"Answer a written prompt with {inv.prefix}seminar respond PROMPT "
                        f"TEXT, e.g. {inv.prefix}seminar respond {example.ref} …; a prompt for "
                        "discussion is talked over at the meeting and needs no written answer.")


def commands() -> list[Command]:
    return [
        Command(("seminar", "schedule"), "Show this seminar's dates in its time zone", schedule),
        Command(("seminar", "reading"),
                "Show a session's reading: sections, summaries, time needed, further reading",
                reading, params=(session_param(f"session number or id (default: {THIS_WEEK})"),),
                details="With the session's reading and writing time and its further reading."),
        Command(("seminar", "prompt"), "Show a session's discussion prompts", prompt,
                params=(session_param(f"session number or id (default: {THIS_WEEK})"),)),
    ]
