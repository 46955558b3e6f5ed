"""A seminar's room the bot can no longer hold it in: it was removed (kicked, banned) or the room
was upgraded to a new one (m.room.tombstone, Matrix spec: Room Upgrades; the old room is kept
for those at a raised power level). The seminar is paused (services.removal), the audit log
says by whom, and the room's moderators (and whoever did it) are told, each in their direct
room with the bot, so that nobody else in a shared room learns of it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from nio import AsyncClient

from seminarbot.adapters.matrix.events import Membership, Upgraded
from seminarbot.adapters.matrix.private import PrivateAnswers
from seminarbot.adapters.matrix.rooms import Creators, moderators, room_name
from seminarbot.core.invocation import Place
from seminarbot.domain.display import isolate
from seminarbot.domain.models import Cohort
from seminarbot.domain.responses import one_line
from seminarbot.scheduling.messages import fitted
from seminarbot.services.container import Services
from seminarbot.services.removal import bot_removed

log = logging.getLogger(__name__)


class Departures:
    def __init__(self, app: Services, client: AsyncClient, private: PrivateAnswers,
                 creators: Creators, place: Callable[[str], Place],
                 name: Callable[[str, str], str]) -> None:
        self.app, self.client, self.private, self.creators = app, client, private, creators
        self._place, self._name = place, name
        self.prefix = app.settings.matrix.command_prefix

    async def removed(self, room_id: str, change: Membership) -> None:
        cohort = await bot_removed(self.app, self._place(room_id), by=change.sender,
                                   by_name=self._name(room_id, change.sender),
                                   reason=change.reason or change.membership)
        log.warning("matrix: removed from %s by %s", room_id, change.sender)
        if cohort is None:
            return
        how = "banned from" if change.membership == "ban" else "removed from"
        await self._tell(room_id, cohort, change.sender, change.event_id, lambda name: (
            f"I was {how} “{name}” by {change.sender}"
            + (f" ({isolate(one_line(change.reason)[:300])})" if change.reason else "")
            + f". Its seminar is paused. Invite me back and type {self.prefix}seminar resume "
              "there to continue."))

    async def upgraded(self, room_id: str, upgrade: Upgraded) -> None:
        """A tombstone in a seminar's room: the room goes on elsewhere, where the seminar does
        not (README: room upgrades), so it is paused here rather than failing every post."""
        new = one_line(upgrade.replacement or "another room")[:255]
        sender = upgrade.sender
        cohort = await bot_removed(self.app, self._place(room_id), by=sender,
                                   by_name=self._name(room_id, sender),
                                   reason=f"upgraded to {new}", action="room upgraded")
        log.warning("matrix: %s was upgraded to %s by %s", room_id, new, sender)
        if cohort is None:
            return
        await self._tell(room_id, cohort, sender, upgrade.event_id, lambda name: (
            f"{sender} upgraded “{name}” to a new room ({new}), so its seminar is paused. To "
            f"go on in the new room, invite me to it and type {self.prefix}seminar setup "
            "there; what was recorded stays with the old room's seminar."))

    async def _tell(self, room_id: str, cohort: Cohort, by: str, event_id: str,
                    said: Callable[[str], str]) -> None:
        room = self.client.rooms.get(room_id)
        # A room left while the bot was stopped is none nio knows: the name it had at setup.
        message = fitted(said(isolate(room_name(room, cohort.name or room_id))))
        wanted = moderators(room, self.app.settings.matrix.moderator_power_level,
                            self.client.user_id, self.creators.of(room_id))
        wanted.add(by)
        for user_id in sorted(wanted):  # each privately: the others in a shared room need not
            if not await self.private.tell(user_id, message, key=f"{event_id} {user_id}",
                                           encrypted=bool(room and room.encrypted)):
                log.warning("matrix: could not tell %s privately of the change to %s",
                            user_id, room_id)
