"""The bot was removed from a channel (kicked, banned, the channel deleted): the cohort there
stops posting and the audit log says who removed it. Adapters tell moderators where they can."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.core.invocation import Place
from seminarbot.domain.models import Cohort, CohortState

if TYPE_CHECKING:
    from seminarbot.services.container import Services


async def bot_removed(app: Services, place: Place, *, by: str, by_name: str,
                      reason: str) -> Cohort | None:
    """Pause the channel's cohort if it was running; None when no seminar was there."""
    cohort = await app.cohorts.find(place.platform, place.community_id, place.channel_id)
    if cohort is None:
        return None
    now = app.clock.now()
    was_active = cohort.state is CohortState.ACTIVE
    async with app.db.transaction():
        if was_active:
            await app.cohorts.set_state(cohort.id, CohortState.PAUSED, now)
        await app.audit.record(at=now, platform=place.platform, actor_id=by, actor_name=by_name,
                               action="bot removed", outcome="ok", cohort_id=cohort.id,
                               detail={"channel": place.channel_id, "reason": reason,
                                       "paused": was_active})
    app.scheduler.wake()
    return await app.cohorts.get(cohort.id)
