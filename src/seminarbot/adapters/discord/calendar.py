"""Sessions as Discord guild scheduled events (services.calendar): external events, located at
the seminar's channel (its link), from a session's start to its close, with the session's
title and reading as the description. Members see them in the server's event list, mark
interest and get Discord's own reminder; Discord starts and ends them at their times.

The REST calls are made as Discord's API docs give them (Create, Modify, List Guild Scheduled
Events). The bot needs Manage Events (or Create Events, enough for the events it made).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS, get_or_fetch
from seminarbot.adapters.discord.poster import post_error
from seminarbot.scheduling.poster import PostError

if TYPE_CHECKING:
    from seminarbot.domain.models import Cohort
    from seminarbot.domain.session_events import SessionEvent

log = logging.getLogger(__name__)
EXTERNAL, GUILD_ONLY = 3, 2  # Discord's entity type and privacy level
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4  # an event's status
REASON = "seminarbot: the seminar's schedule"


class DiscordCalendar:
    platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, cohort: Cohort, doing: str) -> discord.abc.GuildChannel:
        try:
            channel = await get_or_fetch(self.client, int(cohort.channel_id))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, doing) from error
        if not isinstance(channel, discord.abc.GuildChannel):
            raise PostError(f"could not {doing}: the seminar's channel is gone",
                            retryable=False)
        return channel

    async def problem(self, cohort: Cohort) -> str | None:
        from seminarbot.adapters.discord.permissions import EVENTS, may_list_events

        channel = await self._channel(cohort, "list the sessions")
        me = channel.guild.me
        if me is None or not may_list_events(me.guild_permissions):
            return f"the bot needs {EVENTS} in this server"
        return None

    @staticmethod
    def _fields(channel: discord.abc.GuildChannel, event: SessionEvent) -> dict[str, Any]:
        from seminarbot.domain.links import DISCORD

        return {"name": event.name, "description": event.description,
                "scheduled_start_time": event.start.isoformat(),
                "scheduled_end_time": event.end.isoformat(),
                "entity_metadata": {"location": f"{DISCORD}{channel.guild.id}/{channel.id}"}}

    @staticmethod
    def _guild(cohort: Cohort) -> int:
        """The server's id, read from the cohort: an event is ended, cancelled or listed
        without its channel, which may be gone (helper-185's 1: deleted, its events stayed)."""
        return int(cohort.community_external_id)

    async def create(self, cohort: Cohort, event: SessionEvent) -> str:
        channel = await self._channel(cohort, "list a session as an event")
        try:
            made = await self.client.http.create_guild_scheduled_event(
                channel.guild.id, reason=REASON, entity_type=EXTERNAL, privacy_level=GUILD_ONLY,
                **self._fields(channel, event))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, "list a session as an event") from error
        return str(made["id"])

    async def update(self, cohort: Cohort, event_id: str, event: SessionEvent, *,
                     end_only: bool) -> bool | None:
        channel = await self._channel(cohort, "move a session's event")
        fields = self._fields(channel, event)
        if end_only:  # it has begun: Discord moves only its end
            fields = {"scheduled_end_time": fields["scheduled_end_time"]}
        return await self._edit(cohort, event_id, fields, "move a session's event")

    async def start(self, cohort: Cohort, event_id: str, event: SessionEvent) -> bool | None:
        channel = await self._channel(cohort, "start a session's event")
        fields = self._fields(channel, event)
        del fields["scheduled_start_time"]  # SCHEDULED to ACTIVE: Discord sets when it began
        return await self._edit(cohort, event_id, {**fields, "status": ACTIVE},
                                "start a session's event")

    async def end(self, cohort: Cohort, event_id: str) -> bool | None:
        return await self._edit(cohort, event_id, {"status": COMPLETED},
                                "end a session's event")

    async def cancel(self, cohort: Cohort, event_id: str) -> None:
        await self._edit(cohort, event_id, {"status": CANCELED}, "cancel a session's event")

    async def _edit(self, cohort: Cohort, event_id: str, fields: dict[str, Any],
                    doing: str) -> bool | None:
        """False when Discord no longer has the event (10070 Unknown Guild Scheduled Event:
        a person deleted it); None when it refuses a change to this one (400: a person
        started, ended or cancelled it by hand); a refusal of the bot itself (403) or a
        failure is raised."""
        try:
            await self.client.http.edit_scheduled_event(self._guild(cohort), int(event_id),
                                                        reason=REASON, **fields)
        except discord.NotFound:
            return False
        except discord.HTTPException as error:
            if error.status != 400:
                raise post_error(error, doing) from error
            log.warning("Discord refused to %s %s (%s); it is left as it is", doing, event_id,
                        error.text)
            return None
        except NETWORK_ERRORS as error:
            raise post_error(error, doing) from error
        return True

    async def _list(self, cohort: Cohort, doing: str) -> list[Any]:
        try:
            return list(await self.client.http.get_scheduled_events(self._guild(cohort), False))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, doing) from error

    async def listed(self, cohort: Cohort) -> set[str]:
        """Those to start or under way: one a person cancelled or ended is listed no more."""
        return {str(found["id"]) for found in await self._list(cohort, "list the events")
                if found.get("status") in (SCHEDULED, ACTIVE)}

    async def find(self, cohort: Cohort, event: SessionEvent) -> str | None:
        me = self.client.user
        for found in await self._list(cohort, "look for a session's event"):
            if me is not None and str(found.get("creator_id")) == str(me.id) \
                    and found.get("name") == event.name \
                    and discord.utils.parse_time(found["scheduled_start_time"]) == event.start:
                return str(found["id"])
        return None
