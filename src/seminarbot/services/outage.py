"""Telling moderators that replies cannot be saved for now, and that they can again
(README: What is stored), and the heartbeat at once (services.connections): each adapter's
StallWatch (`watch`)."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from seminarbot.domain.errors import Unavailable
from seminarbot.domain.models import CohortState
from seminarbot.scheduling.messages import fitted
from seminarbot.services.ordered import StallWatch

if TYPE_CHECKING:
    from seminarbot.services.container import Services

log = logging.getLogger(__name__)


def why(error: Unavailable) -> str:
    return error.reason


async def tell_moderators(app: Services, platform: str, error: Unavailable | None) -> None:
    """Every running seminar's moderators on this platform: an outage (`error`) or its end."""
    if error is None:
        text = "Replies are being saved again; the ones that waited are saved now."
        log.warning("%s: the database takes writes again", platform)
    else:
        text = (f"Replies cannot be saved right now ({why(error)}). They wait and are saved as "
                "soon as the database can be written; whoever runs the bot should look at it.")
        log.error("%s: replies cannot be saved: %s", platform, why(error))
    poster = app.posters.get(platform)
    if poster is None:
        return
    for cohort in await app.cohorts.all(CohortState.ACTIVE):
        if cohort.platform == platform:
            await poster.notify_moderators(cohort, fitted(text))


def watch(app: Services, platform: str) -> StallWatch:
    """The StallWatch of a platform's inbound events: moderators are told of a long outage
    and of its end; the heartbeat of every failure and success."""
    notice = partial(tell_moderators, app, platform)
    return StallWatch(stalled=notice, recovered=notice,
                      report=partial(app.connections.storage, platform))
