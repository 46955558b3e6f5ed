"""A new edition of the reading plan under running seminars (an upgrade of seminarbot's
content): sessions it adds get their meetings, prompts it adds to a session not yet posted
are posted with it, posts planned for sessions or prompts it no longer has are skipped,
saying so, and posts an earlier edition skipped that way are planned again when this one has
their session and prompt back (README: Scheduling). Run at the loop's first pass, for the
cohorts not yet set against this edition (cohorts.plan_edition, migration 0014)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.domain.models import (
    NOT_IN_PLAN,
    SYSTEM_ACTOR,
    Cohort,
    OutboxItem,
    OutboxState,
)
from seminarbot.domain.syllabus import Plan, Session
from seminarbot.scheduling.poster import tell_moderators

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import Scheduler

LATE = ("back in the reading plan after its session began or its time came: not posted "
        "late (/seminar post sends a session not yet posted)")


@dataclass(frozen=True)
class _Change:
    """What an edition changes for one cohort, from its outbox rows."""

    added: list[Session]  # sessions the cohort has no prompt rows for
    grown: list[str]  # ids of prompts without a row, in sessions none of whose posts went out
    gone: list[OutboxItem]  # pending rows for what the edition no longer has
    back: list[OutboxItem]  # rows skipped as no longer in the plan, that it has again
    late: list[OutboxItem]  # such rows whose session began, or whose time came, meanwhile

    def __bool__(self) -> bool:
        return bool(self.added or self.grown or self.gone or self.back or self.late)


async def adopt_plan(scheduler: Scheduler, cohorts: list[Cohort]) -> None:
    """Set each of `cohorts` (active, not yet set against this edition: CohortRepository
    .to_adopt) against the scheduler's plan, and record that it was."""
    plan, edition = scheduler.plan, scheduler.plan.edition
    unchanged = []  # a seminar not set up yet, or planned from this edition: recorded at once
    for cohort in cohorts:
        items = await scheduler.outbox.for_cohort(cohort.id)
        change = _change(plan, items, scheduler.clock.now())
        if not any(i.kind == "prompt" for i in items) or not change:
            unchanged.append(cohort.id)
            continue
        async with scheduler.db.transaction():
            for item in change.gone:
                await scheduler.outbox.skip(item.id, NOT_IN_PLAN)
            await scheduler.outbox.reopen([i.id for i in change.back])
            await scheduler.outbox.skip_again([i.id for i in change.late], LATE)
            if change.added or change.grown or change.back:
                await scheduler.plan_cohort(cohort, scheduler.clock.now())
            said = await _audit(scheduler, cohort, change)  # with the change, or not at all
            await scheduler.cohorts.adopted([cohort.id], edition)
        await tell_moderators(scheduler.posters, cohort, said)
    if unchanged:
        async with scheduler.db.transaction():
            await scheduler.cohorts.adopted(unchanged, edition)


def _change(plan: Plan, items: list[OutboxItem], now: datetime) -> _Change:
    def dropped(item: OutboxItem) -> bool:
        return item.state is OutboxState.SKIPPED and item.last_error == NOT_IN_PLAN

    prompts = {(i.session_id, i.item) for i in items if i.kind == "prompt"}
    sessions = {session for session, _ in prompts}
    # A session that has begun (or a moderator skipped) stays as it is: what it posted, it
    # posted; nothing is added to it or given back to it late.
    begun = {i.session_id for i in items if i.kind == "prompt"
             and i.state is not OutboxState.PENDING and not dropped(i)}
    pending = {i.session_id for i in items
               if i.kind == "prompt" and i.state is OutboxState.PENDING}
    again = [i for i in items if dropped(i) and _in(plan, i)]
    # Nor does a session dropped whole come back once its time has come meanwhile: its
    # prompts may have gone out under another name (an edition that renamed it).
    late = {i.session_id for i in again if i.session_id in begun
            or (i.session_id not in pending and i.due_at <= now)}
    return _Change(
        added=[s for s in plan.sessions if s.id not in sessions],
        grown=[p.id for s in plan.sessions if s.id in sessions - begun - late
               for p in s.prompts if (s.id, p.id) not in prompts],
        gone=[i for i in items if i.state is OutboxState.PENDING and not _in(plan, i)],
        back=[i for i in again if i.session_id not in late],
        late=[i for i in again if i.session_id in late])


async def _audit(scheduler: Scheduler, cohort: Cohort, change: _Change) -> str:
    """The audit log's entry; the moderators' notice, to send once it is committed."""
    plan = scheduler.plan
    whole = _whole_sessions(plan, change.back)
    refs = _refs(plan, change.grown + [i.item for i in change.back if i.kind == "prompt"
                                       and i.session_id not in {s.id for s in whole}])
    late = _refs(plan, [i.item for i in change.late if i.kind == "prompt"])
    said = ("The reading plan has a new edition: "
            + (f"sessions added: {_named(change.added)}; " if change.added else "")
            + (f"sessions back in the plan: {_named(whole)}; " if whole else "")
            + (f"prompts added or back: {', '.join(refs)}; " if refs else "")
            + (f"prompts back in the plan but not posted, as their session began or its time "
               f"came while they were out: {', '.join(late)} (/seminar post sends a "
               f"session not yet posted); " if late else "")
            + (f"{len(change.gone)} planned posts for what it no longer has were dropped; "
               if change.gone else "") + "the schedule shows the dates now planned.")
    await scheduler.audit.record(
        at=scheduler.clock.now(), platform=cohort.platform, actor_id=SYSTEM_ACTOR,
        actor_name=SYSTEM_ACTOR, action="plan changed", outcome="ok", cohort_id=cohort.id,
        detail={"added": [s.id for s in change.added],
                "restored": sorted({i.item for i in change.back if i.kind == "prompt"}),
                "prompts added": change.grown,
                "not restored": sorted({i.item for i in change.late if i.kind == "prompt"}),
                "dropped": len(change.gone)})
    return said


def _whole_sessions(plan: Plan, back: list[OutboxItem]) -> list[Session]:
    """The sessions all of whose prompts are among the rows given back."""
    given = {(i.session_id, i.item) for i in back if i.kind == "prompt"}
    return [s for s in plan.sessions
            if s.prompts and all((s.id, p.id) in given for p in s.prompts)]


def _refs(plan: Plan, prompt_ids: list[str]) -> list[str]:
    """These prompts' refs (`2.1`), in plan order."""
    return [p.ref for s in plan.sessions for p in s.prompts if p.id in prompt_ids]


def _named(sessions: list[Session]) -> str:
    return ", ".join(f"{s.number} “{s.title}”" for s in sessions)


def _in(plan: Plan, item: OutboxItem) -> bool:
    """Whether this edition has the row's session and (but for a digest) its prompt."""
    return plan.planned(item.session_id, "" if item.kind == "digest" else item.item) is not None
