"""Pieces several features share: the cohort of this channel, session and prompt arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.core.commands import Param, Suggestion
from seminarbot.core.errors import Conflict
from seminarbot.core.invocation import Invocation, Place
from seminarbot.core.params import String
from seminarbot.domain.models import Cohort
from seminarbot.domain.progress import current_session
from seminarbot.domain.syllabus import Session, Syllabus

if TYPE_CHECKING:
    from seminarbot.app import Services


async def cohort_here(inv: Invocation) -> Cohort:
    cohort = await find_cohort(inv)
    if cohort is None:
        raise Conflict("No seminar runs in this channel yet. A moderator can start one with "
                       f"{inv.prefix}seminar setup WEEKDAY HH:MM TIMEZONE [START-DATE].")
    return cohort


async def find_cohort(inv: Invocation) -> Cohort | None:
    place = inv.place
    return await inv.app.cohorts.find(place.platform, place.community_id, place.channel_id)


async def chosen_session(inv: Invocation, param: str = "session") -> Session:
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
    wanted = prefix.strip().lower()
    return [Suggestion(str(s.number), f"{s.number}. {s.title}"[:100])
            for s in app.syllabus.plan.sessions
            if not wanted or str(s.number).startswith(wanted) or wanted in s.title.lower()
            or s.id.startswith(wanted)][:25]


async def complete_prompt(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    wanted = prefix.strip().lower()
    found = []
    for session in app.syllabus.plan.sessions:
        for prompt in session.prompts:
            label = f"{prompt.ref} {prompt.text}"
            if not wanted or prompt.ref.startswith(wanted) or wanted in label.lower():
                found.append(Suggestion(prompt.ref, label[:97] + "…" if len(label) > 100
                                        else label))
    return found[:25]


def session_param(help_text: str) -> Param:
    return Param("session", String(max_length=60), help_text, required=False,
                 autocomplete=complete_session)


def section_label(syllabus: Syllabus, section_id: str) -> str:
    section = syllabus.section(section_id)
    return f"{section.title} ({syllabus.text(section.text_id).short}; {section.id})"
