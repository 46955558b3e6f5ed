"""Re-planning one cohort: what domain.planning decides, written to the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from seminarbot.domain.models import Cohort, OutboxItem, OutboxState
from seminarbot.domain.planning import Planned, plan_posts
from seminarbot.domain.progress import progress
from seminarbot.domain.schedule import Move

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import Scheduler


async def preview(scheduler: Scheduler, cohort: Cohort, now: datetime, *,
                  moves: Mapping[str, Move] | None = None,
                  skips: Mapping[date, str | None] | None = None,
                  refill: bool = False) -> Planned:
    """The plan from `now` as the cohort stands, or with these moves and skipped dates
    instead; nothing is written."""
    cohorts = scheduler.cohorts
    items = await scheduler.outbox.for_cohort(cohort.id)
    owed = {(i.session_id, i.kind) for i in items if i.kind in ("reminder", "digest")
            and i.state is OutboxState.PENDING}
    return plan_posts(
        progress(scheduler.plan, items), cohort.rule, now, owed=owed,
        skips=await cohorts.skips(cohort.id) if skips is None else skips,
        moves=await cohorts.moves(cohort.id, cohort.rule.zone) if moves is None else moves,
        min_open=cohort.min_open, reminder_before=cohort.reminder_before, digest=cohort.digest,
        refill=refill)


async def replan(scheduler: Scheduler, cohort: Cohort, now: datetime, *,
                 refill: bool = False) -> Planned:
    """Every open session's prompts, and each session's reminder and digest, from `now`. Rows
    already claimed, posted, skipped or failed never move; moves that no longer hold are
    forgotten (the result says which and why). `refill`: meetings a session left empty are
    given back (domain.planning). Callers hold a transaction."""
    outbox = scheduler.outbox
    planned = await preview(scheduler, cohort, now, refill=refill)
    sent = _reminders_sent(await outbox.for_cohort(cohort.id))
    for release in planned.released:
        await scheduler.cohorts.remove_move(cohort.id, release.session_id)
    for day in planned.freed:
        await scheduler.cohorts.remove_skip(cohort.id, day)
    await outbox.reopen(await _skipped_again(scheduler, cohort, planned))
    await outbox.drop_pending(cohort.id, ("reminder", "digest"))
    for post in planned.posts:
        session = scheduler.plan.session(post.session_id)
        if post.kind == "reminder":
            for prompt in session.prompts:
                round_ = _round(sent.get((post.session_id, prompt.id)), post.closes_at)
                await outbox.schedule(cohort.id, post.session_id, post.kind, [prompt.id],
                                      post.due_at, round_)
            continue
        items = [""] if post.kind == "digest" else [p.id for p in session.prompts]
        await outbox.schedule(cohort.id, post.session_id, post.kind, items, post.due_at)
    # Planned from an edition other than the one its posts were set against (a seminar
    # resumed, or set up again, under a new one): the next start sets it against the edition.
    await scheduler.cohorts.planned_under(cohort.id, scheduler.plan.edition)
    scheduler.wake()
    return planned


def _reminders_sent(items: list[OutboxItem]) -> dict[tuple[str, str], OutboxItem]:
    """(session, prompt) → its reminder's latest round that is no longer pending."""
    latest: dict[tuple[str, str], OutboxItem] = {}
    for item in items:
        key = (item.session_id, item.item)
        if item.kind == "reminder" and item.state is not OutboxState.PENDING and (
                key not in latest or latest[key].round < item.round):
            latest[key] = item
    return latest


def _round(last: OutboxItem | None, close: datetime | None) -> int:
    """The round of a prompt's reminder to plan: the next one if the last one sent stated
    another close than `close` (it moved since: a pause, a skip, a move), else the last one's
    (which, no longer pending, stays as it is)."""
    if last is None:
        return 0
    moved = last.state is OutboxState.POSTED and None not in (last.announced, close) \
        and last.announced != close
    return last.round + 1 if moved else last.round


async def _skipped_again(scheduler: Scheduler, cohort: Cohort, planned: Planned) -> list[int]:
    """Reminder and digest rows skipped earlier that the plan now wants again, for a prompt
    that has been posted: a session skipped while the bot was down (its reminder and digest
    with it) and posted later by a moderator is open again, and gets both (helper-133). They
    become pending here, to be planned afresh with the others."""
    wanted = {(post.session_id, post.kind) for post in planned.posts if post.kind != "prompt"}
    if not wanted:
        return []
    items = await scheduler.outbox.for_cohort(cohort.id)
    posted = {(i.session_id, i.item) for i in items
              if i.kind == "prompt" and i.state is OutboxState.POSTED}
    return [i.id for i in items if i.state is OutboxState.SKIPPED
            and (i.session_id, i.kind) in wanted
            and ((i.session_id, i.item) in posted if i.kind == "reminder"
                 else any(session == i.session_id for session, _ in posted))]
