"""The bot was removed from a channel or a whole community (kicked, banned), or the channel was
deleted: the cohorts there stop posting, and the audit log says why. A removal pauses (a
moderator who brings the bot back resumes); a deleted channel finishes its cohorts, as nothing
can be posted there again. Adapters tell moderators where they can."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from seminarbot.core.invocation import Place
from seminarbot.domain.models import SYSTEM_ACTOR, Cohort, CohortState

if TYPE_CHECKING:
    from seminarbot.services.container import Services

log = logging.getLogger(__name__)


async def bot_removed(app: Services, place: Place, *, by: str, by_name: str,
                      reason: str, action: str = "bot removed") -> Cohort | None:
    """Pause the channel's cohort if it was running (the bot removed, or a Matrix room
    upgraded: `action` says which in the audit log); None when no seminar was there."""
    cohort = await app.cohorts.find(place.platform, place.community_id, place.channel_id)
    if cohort is None:
        return None
    now = app.clock.now()
    was_active = cohort.state is CohortState.ACTIVE
    async with app.db.transaction():
        if was_active:
            await app.cohorts.set_state(cohort.id, CohortState.PAUSED, now)
        await app.audit.record(at=now, platform=place.platform, actor_id=by, actor_name=by_name,
                               action=action, outcome="ok", cohort_id=cohort.id,
                               detail={"channel": place.channel_id, "reason": reason,
                                       "paused": was_active})
    app.scheduler.wake()
    return await app.cohorts.get(cohort.id)


async def channel_gone(app: Services, platform: str, channel_id: str) -> list[int]:
    """The platform deleted the channel (room) of seminars: each cohort there not finished is
    now (CohortState.FINISHED). Nothing more is posted, the events of its sessions still to
    come are cancelled by the next sync (services.session_events), and it no longer counts
    among its community's seminars; what it recorded stays, for exports. The cohorts'
    ids."""
    return await _stopped(app, platform, await app.cohorts.unfinished(
        platform, channel_id=channel_id), CohortState.FINISHED, "channel deleted",
        {"channel": channel_id})


async def left_community(app: Services, platform: str, community_id: str) -> list[int]:
    """The bot was removed from a community (a Discord server: kicked, banned, or the server
    deleted): its running cohorts there are paused, as `bot_removed` pauses one. The ids."""
    return await _stopped(app, platform, await app.cohorts.unfinished(
        platform, community_id=community_id), CohortState.PAUSED, "bot removed",
        {"community": community_id})


async def left_while_away(app: Services, platform: str, present: set[str],
                          cohorts: list[Cohort]) -> list[int]:
    """At a new session, the communities the platform says the bot is in (Discord's READY
    lists every server, an unavailable one too): the running ones of `cohorts` in any other
    were left while the bot was away (no GUILD_DELETE came), and are paused as
    `left_community` does. The ids."""
    gone = sorted({cohort.community_external_id for cohort in cohorts
                   if cohort.platform == platform and cohort.state is CohortState.ACTIVE}
                  - present)
    return [cohort_id for community in gone
            for cohort_id in await left_community(app, platform, community)]


async def _stopped(app: Services, platform: str, cohort_ids: list[int], state: CohortState,
                   action: str, detail: dict[str, object]) -> list[int]:
    now = app.clock.now()
    changed = []
    for cohort_id in cohort_ids:
        async with app.db.transaction():
            cohort = await app.cohorts.get(cohort_id)
            if cohort.state is CohortState.FINISHED or cohort.state is state:
                continue
            await app.cohorts.set_state(cohort_id, state, now)
            await app.audit.record(at=now, platform=platform, actor_id=SYSTEM_ACTOR,
                                   actor_name=SYSTEM_ACTOR, action=action, outcome="ok",
                                   cohort_id=cohort_id, detail={**detail,
                                                                "state": state.value})
        changed.append(cohort_id)
        log.info("%s %s: %s: cohort %s is %s", platform, action, detail, cohort_id, state.value)
    if changed:
        app.scheduler.wake()
    return changed
