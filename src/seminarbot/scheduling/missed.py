"""Posts more than the grace window late (the bot was down, or the clock jumped past them):
each is skipped and written to the audit log, and the moderators get one notice per cohort
that says how to bring a skipped session back (README: Downtime). A reminder or digest whose
session is still open is not missed: the cohort is re-planned and it comes before or at the
session's real close."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from seminarbot.domain.errors import Damaged
from seminarbot.domain.models import SYSTEM_ACTOR, Cohort, CohortState, OutboxItem, OutboxState
from seminarbot.domain.planning import OPEN, closed_at, closes_at
from seminarbot.domain.progress import SessionProgress, progress
from seminarbot.domain.schedule import describe_local, describe_span
from seminarbot.domain.syllabus import Plan
from seminarbot.scheduling.messages import fitted
from seminarbot.scheduling.poster import tell_moderators
from seminarbot.storage.damage import said

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import PostOutcome, Scheduler

log = logging.getLogger(__name__)
MISSED = "missed: "  # the start of a missed row's reason (last_error)


@dataclass
class Missed:
    """What one pass of the loop found missed, skipped at its end (`settle`), and the cohorts
    to re-plan then."""

    # cohort id -> (row, the reason it is skipped for, why it was missed)
    skipped: dict[int, list[tuple[OutboxItem, str, str]]] = field(default_factory=dict)
    cohorts: dict[int, Cohort] = field(default_factory=dict)

    def add(self, cohort: Cohort, item: OutboxItem, reason: str, why: str) -> None:
        self.cohorts[cohort.id] = cohort
        self.skipped.setdefault(cohort.id, []).append((item, reason, why))

    def replan(self, cohort: Cohort) -> None:
        self.cohorts[cohort.id] = cohort


async def if_missed(scheduler: Scheduler, cohort: Cohort, item: OutboxItem, missed: Missed
                    ) -> PostOutcome | None:
    """The row's outcome if it is more than the grace window late: skipped (and noted in
    `missed`), or left pending while its session is still open; None to send it. A session
    whose first prompts are out is completed, however late."""
    from seminarbot.scheduling.loop import PostOutcome

    now = scheduler.clock.now()
    if now - item.due_at <= scheduler.grace or (item.kind == "prompt"
                                                 and await _opened(scheduler, item)):
        return None
    if (open_until := await still_open(scheduler, item, now)) is not None:
        if item.kind == "reminder" and open_until <= now:
            # The next session's post goes out in this pass: the reminder comes first, as
            # its due time puts it, not after it and the digest (helper-194's 2).
            return None
        missed.replan(cohort)  # it comes at (or before) the session's real close
        return PostOutcome(item, OutboxState.PENDING, "its session is still open")
    since = scheduler.running_since
    why = ("the bot was down" if since is None or item.due_at < since else "the clock jumped "
           "forward past it while the bot was running: a suspended machine or a clock change")
    reason = (f"{MISSED}due {describe_local(item.due_at, cohort.rule.zone)}, more than "
              f"{describe_span(scheduler.grace)} ago ({why})")
    missed.add(cohort, item, reason, why)  # skipped when the pass settles
    return PostOutcome(item, OutboxState.SKIPPED, reason)


async def _opened(scheduler: Scheduler, item: OutboxItem) -> bool:
    return any(row.kind == "prompt" and row.session_id == item.session_id
               and row.state in (OutboxState.POSTED, OutboxState.CLAIMED)
               for row in await scheduler.outbox.for_cohort(item.cohort_id))


async def still_open(scheduler: Scheduler, item: OutboxItem, now: datetime
                     ) -> datetime | None:
    """For a late reminder or digest whose session has not closed more than the grace window
    ago (domain.planning.closed_at), so that it is re-planned, not skipped: the session's
    close as the outbox stands (domain.planning.closes_at); else None."""
    if item.kind == "prompt":
        return None
    entries = [e for e in progress(scheduler.plan, await scheduler.outbox.for_cohort(
        item.cohort_id)) if not (e.state in OPEN and e.due_at and now - e.due_at > scheduler.grace)]
    # (a session as late as that is being skipped in this pass: it opens nothing)
    if not any(e.session.id == item.session_id and e.opened_at for e in entries):
        return None
    close = closed_at(entries, item.session_id)
    if close is not None and now - close > scheduler.grace:
        return None
    return close or closes_at(entries, item.session_id) or now


async def settle(scheduler: Scheduler, missed: Missed, now: datetime) -> None:
    """After a pass, for each cohort in one transaction: the rows it found missed skipped
    and audited, and the cohort re-planned (its sessions move up); then its moderators told
    once. A pass that fails before this, or in it, leaves those rows pending: the next pass,
    after a restart too, finds them missed again."""
    from seminarbot.scheduling.replan import replan

    for cohort_id in missed.cohorts:
        skipped = []
        try:
            async with scheduler.db.transaction():
                cohort = await scheduler.cohorts.get(cohort_id)
                for item, reason, why in missed.skipped.get(cohort_id, []):
                    # Not if a moderator's command has the row meanwhile (a post of its
                    # session, a move) or another pass skipped it: the next pass judges it.
                    if (cohort_id, item.session_id) not in scheduler.posting_now and \
                            await scheduler.outbox.skip(item.id, reason, due_at=item.due_at):
                        await record(scheduler, cohort, item, reason)
                        skipped.append((item, why))
                if cohort.state is CohortState.ACTIVE:
                    await replan(scheduler, cohort, now)
        except Damaged as error:  # undone; the other cohorts are settled
            said(error)
            continue
        await _tell(scheduler, cohort, skipped)


async def _tell(scheduler: Scheduler, cohort: Cohort, skipped: list[tuple[OutboxItem, str]]
                ) -> None:
    """The cohort's one notice of what was skipped, once that is committed: a failure here is
    logged and the other cohorts are settled (what it tells of stands, and is audited)."""
    poster = scheduler.posters.get(cohort.platform)
    if not skipped or poster is None or cohort.state is CohortState.FINISHED:
        return
    try:
        prefix = str(getattr(poster, "prefix", "/"))
        entries = progress(scheduler.plan, await scheduler.outbox.for_cohort(cohort.id))
        await tell_moderators(scheduler.posters, cohort, notice(
            scheduler.plan, skipped, cohort, scheduler.grace, prefix, latest_opened(entries)))
    except Exception:
        log.exception("the notice of posts skipped in cohort %s could not be sent", cohort.id)


def latest_opened(entries: Sequence[SessionProgress]) -> str | None:
    """The session that opened last, while another is still to open: nothing opened after it,
    so whichever session opens next closes it (post_now gives back what it missed)."""
    opened = [(e.opened_at, e.session.id) for e in entries if e.opened_at is not None]
    return max(opened)[1] if opened and len(opened) < len(entries) else None


def was_missed(item: OutboxItem) -> bool:
    """Skipped as more than the grace window late (if_missed's reason)."""
    return item.state is OutboxState.SKIPPED and (item.last_error or "").startswith(MISSED)


def notice(plan: Plan, skipped: Sequence[tuple[OutboxItem, str]], cohort: Cohort,
           grace: timedelta, prefix: str, latest: str | None = None) -> str:
    """`Skipped, more than 6 hours late (the bot was down): session 2's prompts (due …);
    session 1's reminder. /seminar post 2 posts a skipped session now.` The reminder and
    digest of `latest`, the session that opened last, come back when another opens."""
    zone = cohort.rule.zone
    parts: list[str] = []
    sessions: list[int] = []
    for session in plan.sessions:
        rows = [item for item, _ in skipped if item.session_id == session.id]
        prompts = [item for item in rows if item.kind == "prompt"]
        if prompts:
            sessions.append(session.number)
            due = describe_local(min(item.due_at for item in prompts), zone)
            parts.append(f"session {session.number}'s prompts (due {due})")
            continue  # its reminder and digest go with them
        kinds = [kind for kind in ("reminder", "digest") if any(i.kind == kind for i in rows)]
        if kinds and session.id == latest:
            # It closed only as nothing after it opens: a session posted closes it then, and
            # they come (post_now).
            come = "they come" if len(kinds) > 1 else "it comes"
            parts.append(f"session {session.number}'s {' and '.join(kinds)} ({come} if "
                         "another session is posted, as it closes then)")
        else:
            parts += [f"session {session.number}'s {kind}" for kind in kinds]
    whys = sorted({why for _, why in skipped})
    text = (f"Skipped, more than {describe_span(grace)} late ({'; '.join(whys)}): "
            f"{'; '.join(parts)}.")
    if sessions:
        text += (f" {prefix}seminar post SESSION posts a skipped session now (e.g. "
                 f"{prefix}seminar post {sessions[0]}); the audit log has each post.")
    return fitted(text)


async def record(scheduler: Scheduler, cohort: Cohort, item: OutboxItem, reason: str) -> None:
    await scheduler.audit.record(
        at=scheduler.clock.now(), platform=cohort.platform, actor_id=SYSTEM_ACTOR,
        actor_name=SYSTEM_ACTOR, action=f"{item.kind} skipped", outcome="failed",
        cohort_id=cohort.id, detail={"session": item.session_id, "kind": item.kind,
                                     "item": item.item, "reason": reason})
