"""A new edition of the reading plan under running seminars (an upgrade of seminarbot's
content): sessions it adds get their meetings, posts planned for sessions or prompts it
no longer has are skipped, saying so, and posts an earlier edition skipped that way are
planned again when this one has their session and prompt back (README: Scheduling). Run
once, at the loop's first pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.domain.models import SYSTEM_ACTOR, CohortState, OutboxItem, OutboxState
from seminarbot.domain.syllabus import Plan

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import Scheduler


async def adopt_plan(scheduler: Scheduler) -> None:
    from seminarbot.scheduling.loop import NOT_IN_PLAN

    plan = scheduler.plan
    for cohort in await scheduler.cohorts.all(CohortState.ACTIVE):
        items = await scheduler.outbox.for_cohort(cohort.id)
        prompts = {i.session_id for i in items if i.kind == "prompt"}
        added = [s for s in plan.sessions if s.id not in prompts]
        gone = [i for i in items if i.state is OutboxState.PENDING and not _in(plan, i)]
        back = [i for i in items if i.state is OutboxState.SKIPPED
                and i.last_error == NOT_IN_PLAN and _in(plan, i)]
        if not prompts or not (added or gone or back):
            continue  # a seminar not set up yet, or planned from this edition
        async with scheduler.db.transaction():
            for item in gone:
                await scheduler.outbox.skip(item.id, NOT_IN_PLAN)
            await scheduler.outbox.reopen([i.id for i in back])
            if added or back:
                await scheduler.plan_cohort(cohort, scheduler.clock.now())
        returned = [s for s in plan.sessions
                    if any(i.session_id == s.id and i.kind == "prompt" for i in back)]
        named = ", ".join(f"{s.number} “{s.title}”" for s in added)
        again = ", ".join(f"{s.number} “{s.title}”" for s in returned)
        said = ("The reading plan has a new edition: "
                + (f"sessions added: {named}; " if added else "")
                + (f"sessions back in the plan: {again}; " if returned else "")
                + (f"{len(gone)} planned posts for what it no longer has were dropped; "
                   if gone else "") + "the schedule shows the dates now planned.")
        await scheduler.audit.record(
            at=scheduler.clock.now(), platform=cohort.platform, actor_id=SYSTEM_ACTOR,
            actor_name=SYSTEM_ACTOR, action="plan changed", outcome="ok", cohort_id=cohort.id,
            detail={"added": [s.id for s in added], "restored": [s.id for s in returned],
                    "dropped": len(gone)})
        poster = scheduler.posters.get(cohort.platform)
        if poster is not None:
            await poster.notify_moderators(cohort, said)


def _in(plan: Plan, item: OutboxItem) -> bool:
    """Whether this edition has the row's session and (but for a digest) its prompt."""
    return plan.planned(item.session_id, "" if item.kind == "digest" else item.item) is not None
