"""Rows a crash left claimed, settled before the scheduler posts again: a row the platform
has is recorded as posted, any other is released to be sent (a digest is always sent again:
a private notice is better twice than lost)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.domain.errors import Damaged
from seminarbot.domain.models import OutboxState
from seminarbot.storage.damage import said

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import PostOutcome, Scheduler


async def settle_claimed(scheduler: Scheduler, platforms: set[str]) -> list[PostOutcome]:
    """Each claimed row of a cohort on one of `platforms` whose poster is attached, settled;
    what became of each."""
    from seminarbot.scheduling.loop import PostOutcome

    outbox, now = scheduler.outbox, scheduler.clock.now
    outcomes = []
    for item in await outbox.claimed():
        try:
            cohort = await scheduler.cohorts.get(item.cohort_id)
        except Damaged as error:  # settled once it can be read
            said(error)
            continue
        poster = scheduler.posters.get(cohort.platform)
        if poster is None or cohort.platform not in platforms:
            continue
        found = None
        if item.kind != "digest":
            found = await poster.find_post(cohort.channel_id, item.idempotency_key)
        if found is not None:
            await outbox.complete(item.id, found.message_id, found.thread_id, now())
            outcomes.append(PostOutcome(item, OutboxState.POSTED, "found on the platform"))
        else:
            await outbox.release(item.id, "interrupted before it was sent", item.due_at)
            outcomes.append(PostOutcome(item, OutboxState.PENDING, "not found; will send"))
    return outcomes
