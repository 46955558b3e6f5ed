"""Moderators: /seminar setup, /seminar post, /seminar pause, /seminar resume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.domain.errors import Conflict
from seminarbot.domain.models import Cohort, CohortState, OutboxState
from seminarbot.domain.progress import NEXT_SESSION, SessionState, next_session, progress
from seminarbot.domain.schedule import DEFAULT_MIN_OPEN
from seminarbot.features.common import (
    DIRECT_ROOM,
    check_rule,
    cohort_here,
    find_cohort,
    next_session_line,
    rule_from,
    schedule_params,
    session_param,
    weekday_text,
)
from seminarbot.features.plan_reads import (
    dates_moved,
    entries_of,
    kept_through_change,
    listed_moves,
    notes_for,
    planned_starts,
)
from seminarbot.features.schedule_notes import (
    change_notes,
    change_reply,
    has_warning,
)
from seminarbot.scheduling.messages import and_list

if TYPE_CHECKING:
    from seminarbot.services.container import Services


async def setup(inv: Invocation[Services]) -> Reply:
    app = inv.app
    now = inv.clock.now()
    rule = rule_from(inv, inv.args["start_date"])
    place = inv.place
    if place.direct:
        raise Conflict(f"{DIRECT_ROOM} Set the seminar up in the room it is to meet in (invite "
                       "the bot there first).")
    async with app.db.transaction():
        existing = await find_cohort(inv)
        check_rule(rule, existing.min_open if existing else DEFAULT_MIN_OPEN, weekday_text(rule),
                   inv.prefix)
        community = await app.cohorts.ensure_community(place.platform, place.community_id,
                                                       place.community_name, now)
        cohort = await app.cohorts.upsert(community, place.channel_id, place.channel_name,
                                          app.syllabus.plan.id, rule, now)
        planned = await app.scheduler.plan_cohort(cohort, now)
    notes = notes_for(planned, cohort)
    if existing is not None:
        notes = await kept_through_change(inv, cohort, planned) + notes
    return Reply(
        title="Seminar set up", tone=Tone.WARNING if has_warning(notes) else Tone.SUCCESS,
        paragraphs=(f"{len(app.syllabus.plan.sessions)} sessions of "
                    f"“{app.syllabus.plan.title}”, each posted as a set of prompts.", *notes),
        fields=(("When", rule.describe()), ("First", await next_session_line(inv, cohort))),
        footer=f"{inv.prefix}seminar schedule lists every date.")


async def post(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    plan = app.syllabus.plan
    items = await app.outbox.for_cohort(cohort.id)
    wanted = inv.arg("session")
    session = plan.session(wanted) if wanted else next_session(plan, items)
    if session is None:
        if all(e.state is SessionState.POSTED for e in progress(plan, items)):
            raise Conflict("Every session of this seminar has been posted already.")
        raise Conflict("No session is waiting to be posted. To post a skipped or failed one "
                       f"again, name it: {inv.prefix}seminar post SESSION.")
    before = planned_starts(progress(plan, items))
    done = await app.scheduler.post_session_now(cohort, session, inv.actor.display_name,
                                                inv.prefix)
    after = await app.cohorts.get(cohort.id)
    # The later sessions may take the meetings a session moved away had left empty for it
    # (helper-149's 1: seven weeks earlier, and the reply said nothing).
    notes = dates_moved(before, done.planned, after, [session.id]) + \
        notes_for(done.planned, after, focus=session.id)
    failed = [o for o in done.outcomes if o.state is not OutboxState.POSTED]
    if failed:  # each reason once, with the prompts it stopped (helper-185's 3)
        refs = {prompt.id: prompt.ref for prompt in session.prompts}
        stopped: dict[str, list[str]] = {}
        for outcome in failed:
            stopped.setdefault(outcome.detail, []).append(refs.get(outcome.item.item,
                                                                   outcome.item.item))
        reasons = "; ".join(f"{'prompt' if len(named) == 1 else 'prompts'} {and_list(named)}: "
                            f"{why}" for why, named in stopped.items())
        said = (f"was not posted: none of its {len(failed)} prompts went out"
                if len(failed) == len(done.outcomes) else
                f"was only partly posted: {len(failed)} of its {len(done.outcomes)} prompts "
                "did not go out")
        return change_reply(f"Session {session.number} {said} ({reasons}).", notes, Tone.ERROR)
    if after.state is CohortState.PAUSED and (held := await _held(inv, after)):
        notes.append(f"The seminar stays paused: {held} of the session this post closed "
                     f"{'goes' if ' and ' not in held else 'go'} out when it resumes "
                     f"({inv.prefix}seminar resume).")  # helper-188's 3: said nowhere
    return change_reply(f"Posted session {session.number}, “{session.title}”: "
                        f"{len(done.outcomes)} prompts.", notes)


async def _held(inv: Invocation[Services], cohort: Cohort) -> str:
    """What a paused seminar holds back that is due already: "the reminder and the digest"."""
    due = {item.kind for item in await inv.app.outbox.for_cohort(cohort.id)
           if item.kind in ("reminder", "digest") and item.state is OutboxState.PENDING
           and item.due_at <= inv.clock.now()}
    return " and ".join(f"the {kind}" for kind in ("reminder", "digest") if kind in due)


async def pause(inv: Invocation[Services]) -> Reply:
    cohort = await cohort_here(inv)
    if cohort.state is not CohortState.ACTIVE:
        raise Conflict(f"This seminar is {cohort.state.value}, not running.")
    await inv.app.cohorts.set_state(cohort.id, CohortState.PAUSED, inv.clock.now())
    inv.app.scheduler.wake()
    return text(f"Paused. Nothing is posted until a moderator runs {inv.prefix}seminar resume.",
                tone=Tone.SUCCESS)


async def resume(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    if cohort.state is not CohortState.PAUSED:
        raise Conflict("This seminar is not paused.")
    now = inv.clock.now()
    async with app.db.transaction():
        before = planned_starts(await entries_of(inv, cohort))  # as they were when paused
        await app.cohorts.set_state(cohort.id, CohortState.ACTIVE, now)
        # Resume re-plans every session, so a meeting left empty to keep the others' dates
        # (a move earlier, a post now) has no reason left: it is given back.
        cohort = await app.cohorts.get(cohort.id)
        planned = await app.scheduler.plan_cohort(cohort, now, refill=True)
    notes = listed_moves(before, planned, cohort, inv.prefix) + \
        await kept_through_change(inv, cohort, planned) + \
        change_notes(planned, cohort.rule.zone, cohort.min_open)  # (helper-159's 8)
    return change_reply(f"Resumed. Next: {await next_session_line(inv, cohort)}.", notes)


def commands() -> list[Command]:
    moderator = Permission.MODERATOR
    return [
        Command(("seminar", "setup"), "Start (or reschedule) the seminar in this channel or room",
                setup,
                params=schedule_params(start="today"), permission=moderator, sets_up_channel=True,
                details="A time that a DST jump skips posts that much later (02:30 → 03:30); "
                        "a time that happens twice posts at its first occurrence."),
        Command(("seminar", "post"), "Post a session's prompts now", post,
                params=(session_param(f"session number or id (default: {NEXT_SESSION})"),),
                permission=moderator),
        Command(("seminar", "pause"), "Stop scheduled posting until resumed", pause,
                permission=moderator),
        Command(("seminar", "resume"), "Resume posting; remaining sessions move to the next weeks",
                resume, permission=moderator),
    ]
