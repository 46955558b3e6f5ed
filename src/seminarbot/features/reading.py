"""/seminar schedule, /seminar reading [SESSION] and /seminar prompt [SESSION]."""

from __future__ import annotations

from seminarbot.core.commands import Command
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Reply, Table
from seminarbot.domain.models import CohortState
from seminarbot.domain.pacing import session_pacing
from seminarbot.domain.progress import progress
from seminarbot.domain.schedule import describe_local
from seminarbot.features.common import chosen_session, cohort_here, session_param
from seminarbot.services.container import Services


async def schedule(inv: Invocation[Services]) -> Reply:
    cohort = await cohort_here(inv)
    rule = cohort.rule
    rows = []
    for entry in progress(inv.app.syllabus.plan, await inv.app.outbox.for_cohort(cohort.id)):
        when = entry.posted_at or entry.due_at
        shown = describe_local(when, rule.zone) if when else "—"
        rows.append((str(entry.session.number), entry.session.title, shown, entry.state.value))
    notes = []
    if cohort.state is CohortState.PAUSED:
        notes.append(f"The seminar is paused; a moderator resumes it with {inv.prefix}seminar "
                     "resume, and the remaining sessions move to the weeks after that.")
    skips = sorted(await inv.app.cohorts.skips(cohort.id))
    if skips:
        notes.append("No meeting on " + ", ".join(d.strftime("%a %d %b %Y") for d in skips)
                     + ".")
    if cohort.reminder_before:
        hours = cohort.reminder_before.total_seconds() / 3600
        notes.append(f"A reminder goes out {hours:g} hours before each session closes.")
    return Reply(title=f"Schedule: {rule.describe()}", paragraphs=tuple(notes),
                    table=Table(("#", "session", "date", "state"), tuple(rows)))


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
    return Reply(title=f"Session {session.number} prompts: {session.title}",
                    fields=tuple(fields),
                    footer=f"Answer a written prompt with {inv.prefix}seminar respond PROMPT "
                           f"TEXT, e.g. {inv.prefix}seminar respond {session.number}.1 …; a "
                           "prompt for discussion is talked over at the meeting and needs no "
                           "written answer.")


def commands() -> list[Command]:
    return [
        Command(("seminar", "schedule"), "Show this seminar's dates in its time zone", schedule),
        Command(("seminar", "reading"),
                "Show a session's reading: sections, summaries, time needed, further reading",
                reading, params=(session_param("session number or id (default: this week)"),),
                details="With the session's reading and writing time and its further reading."),
        Command(("seminar", "prompt"), "Show a session's discussion prompts", prompt,
                params=(session_param("session number or id (default: this week)"),)),
    ]
