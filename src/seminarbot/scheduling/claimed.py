"""Rows a crash left claimed, settled before the scheduler posts again: a row the platform
has is recorded as posted, and what was written in its thread meanwhile is read back; any
other is released to be sent (a digest is always sent again: a private notice is better twice
than lost)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from seminarbot.domain.errors import Damaged
from seminarbot.domain.models import OutboxState
from seminarbot.storage.damage import said

if TYPE_CHECKING:
    from seminarbot.domain.models import Cohort
    from seminarbot.scheduling.loop import PostOutcome, Scheduler
    from seminarbot.scheduling.poster import Poster

log = logging.getLogger(__name__)


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
            await read_back(poster, cohort, found.thread_id or found.message_id)
        else:
            await outbox.release(item.id, "interrupted before it was sent", item.due_at)
            outcomes.append(PostOutcome(item, OutboxState.PENDING, "not found; will send"))
    return outcomes


async def read_back(poster: Poster, cohort: Cohort, thread_id: str) -> None:
    """What people wrote to a prompt post while it was unrecorded (Poster.read_back): one found
    after a crash, or one just recorded (on Discord a reply may come while the bot is still
    starting the post's thread: helper-164's 1). `thread_id`: its thread, or its message where
    it has none."""
    try:
        await poster.read_back(cohort, thread_id)
    except Exception as error:  # the post is settled either way; the next catch-up reads it
        log.warning("what was written to the post %s before it was recorded was not read back "
                    "(%s: %s)", thread_id, type(error).__name__, error)
