"""A new edition of the reading plan under running seminars (an upgrade of seminarbot's
content): sessions it adds get their meetings, prompts it adds to a session not yet posted
are posted with it, posts planned for sessions or prompts it no longer has are skipped,
saying so, and posts an earlier edition skipped that way are planned again when this one has
their session and prompt back (README: Scheduling). Run once, at the loop's first pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seminarbot.domain.models import SYSTEM_ACTOR, Cohort, CohortState, OutboxItem, OutboxState
from seminarbot.domain.syllabus import Plan, Session

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import Scheduler


@dataclass(frozen=True)
class _Change:
    """What an edition changes for one cohort, from its outbox rows."""

    added: list[Session]  # sessions the cohort has no prompt rows for
    grown: list[str]  # ids of prompts without a row, in sessions none of whose posts went out
    gone: list[OutboxItem]  # pending rows for what the edition no longer has
    back: list[OutboxItem]  # rows skipped as no longer in the plan, that it has again

    def __bool__(self) -> bool:
        return bool(self.added or self.grown or self.gone or self.back)


async def adopt_plan(scheduler: Scheduler) -> None:
    from seminarbot.scheduling.loop import NOT_IN_PLAN

    plan = scheduler.plan
    for cohort in await scheduler.cohorts.all(CohortState.ACTIVE):
        items = await scheduler.outbox.for_cohort(cohort.id)
        change = _change(plan, items, NOT_IN_PLAN)
        if not any(i.kind == "prompt" for i in items) or not change:
            continue  # a seminar not set up yet, or planned from this edition
        async with scheduler.db.transaction():
            for item in change.gone:
                await scheduler.outbox.skip(item.id, NOT_IN_PLAN)
            await scheduler.outbox.reopen([i.id for i in change.back])
            if change.added or change.grown or change.back:
                await scheduler.plan_cohort(cohort, scheduler.clock.now())
        await _tell(scheduler, cohort, change)


def _change(plan: Plan, items: list[OutboxItem], not_in_plan: str) -> _Change:
    prompts = {(i.session_id, i.item) for i in items if i.kind == "prompt"}
    sessions = {session for session, _ in prompts}
    # A session that has begun (or was skipped) stays as it is: what it posted, it posted.
    waiting = sessions - {i.session_id for i in items
                          if i.kind == "prompt" and i.state is not OutboxState.PENDING}
    return _Change(
        added=[s for s in plan.sessions if s.id not in sessions],
        grown=[p.id for s in plan.sessions if s.id in waiting for p in s.prompts
               if (s.id, p.id) not in prompts],
        gone=[i for i in items if i.state is OutboxState.PENDING and not _in(plan, i)],
        back=[i for i in items if i.state is OutboxState.SKIPPED
              and i.last_error == not_in_plan and _in(plan, i)])


async def _tell(scheduler: Scheduler, cohort: Cohort, change: _Change) -> None:
    """The audit log's entry and the moderators' notice."""
    plan = scheduler.plan
    returned = [s for s in plan.sessions
                if any(i.session_id == s.id and i.kind == "prompt" for i in change.back)]
    refs = [p.ref for s in plan.sessions for p in s.prompts if p.id in change.grown]
    said = ("The reading plan has a new edition: "
            + (f"sessions added: {_named(change.added)}; " if change.added else "")
            + (f"sessions back in the plan: {_named(returned)}; " if returned else "")
            + (f"prompts added: {', '.join(refs)}; " if refs else "")
            + (f"{len(change.gone)} planned posts for what it no longer has were dropped; "
               if change.gone else "") + "the schedule shows the dates now planned.")
    await scheduler.audit.record(
        at=scheduler.clock.now(), platform=cohort.platform, actor_id=SYSTEM_ACTOR,
        actor_name=SYSTEM_ACTOR, action="plan changed", outcome="ok", cohort_id=cohort.id,
        detail={"added": [s.id for s in change.added], "restored": [s.id for s in returned],
                "prompts added": change.grown, "dropped": len(change.gone)})
    poster = scheduler.posters.get(cohort.platform)
    if poster is not None:
        await poster.notify_moderators(cohort, said)


def _named(sessions: list[Session]) -> str:
    return ", ".join(f"{s.number} “{s.title}”" for s in sessions)


def _in(plan: Plan, item: OutboxItem) -> bool:
    """Whether this edition has the row's session and (but for a digest) its prompt."""
    return plan.planned(item.session_id, "" if item.kind == "digest" else item.item) is not None
