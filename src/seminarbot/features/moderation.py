"""Moderators: /seminar setup, /seminar post, /seminar pause, /seminar resume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.domain.errors import Conflict
from seminarbot.domain.models import CohortState, OutboxState
from seminarbot.domain.progress import SessionState, next_unposted, progress
from seminarbot.features.common import (
    cohort_here,
    next_session_line,
    rule_from,
    schedule_params,
    session_param,
)

if TYPE_CHECKING:
    from seminarbot.services.container import Services


async def setup(inv: Invocation[Services]) -> Reply:
    app = inv.app
    now = inv.clock.now()
    rule = rule_from(inv, inv.args["start_date"])
    place = inv.place
    async with app.db.transaction():
        community = await app.cohorts.ensure_community(place.platform, place.community_id,
                                                       place.community_name, now)
        cohort = await app.cohorts.upsert(community, place.channel_id, place.channel_name,
                                          app.syllabus.plan.id, rule, now)
        await app.scheduler.plan_cohort(cohort, now)
    return Reply(
        title="Seminar set up", tone=Tone.SUCCESS,
        paragraphs=(f"{len(app.syllabus.plan.sessions)} sessions of "
                    f"“{app.syllabus.plan.title}”, each posted as a set of prompts.",),
        fields=(("When", rule.describe()), ("First", await next_session_line(inv, cohort))),
        footer=f"{inv.prefix}seminar schedule lists every date.")


async def post(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    plan = app.syllabus.plan
    items = await app.outbox.for_cohort(cohort.id)
    wanted = inv.arg("session")
    session = plan.session(wanted) if wanted else next_unposted(plan, items)
    if session is None:
        raise Conflict("Every session of this seminar has been posted already.")
    state = next(e.state for e in progress(plan, items) if e.session == session)
    if state in (SessionState.POSTED, SessionState.POSTING):
        raise Conflict(f"Session {session.number} has been posted already; each session is "
                       "posted once.")
    outcomes = await app.scheduler.post_session_now(cohort, session)
    failed = [o for o in outcomes if o.state is not OutboxState.POSTED]
    if failed:
        reasons = "; ".join(f"{o.item.item}: {o.detail}" for o in failed)
        return text(f"Session {session.number} was only partly posted ({reasons}).",
                    tone=Tone.ERROR)
    return text(f"Posted session {session.number}, “{session.title}”: {len(outcomes)} prompts.",
                tone=Tone.SUCCESS)


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
        await app.cohorts.set_state(cohort.id, CohortState.ACTIVE, now)
        await app.scheduler.plan_cohort(await app.cohorts.get(cohort.id), now)
    return text(f"Resumed. Next: {await next_session_line(inv, cohort)}.", tone=Tone.SUCCESS)


def commands() -> list[Command]:
    moderator = Permission.MODERATOR
    return [
        Command(("seminar", "setup"), "Start (or reschedule) the seminar in this channel", setup,
                params=schedule_params(start=True), permission=moderator, sets_up_channel=True,
                details="A time that a DST jump skips posts that much later (02:30 → 03:30); "
                        "a time that happens twice posts at its first occurrence."),
        Command(("seminar", "post"), "Post a session's prompts now", post,
                params=(session_param("session number or id (default: the next one)"),),
                permission=moderator),
        Command(("seminar", "pause"), "Stop scheduled posting until resumed", pause,
                permission=moderator),
        Command(("seminar", "resume"), "Resume posting; remaining sessions move to the next weeks",
                resume, permission=moderator),
    ]
