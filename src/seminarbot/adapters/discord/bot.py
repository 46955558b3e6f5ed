"""What the Discord client's events do (client.py connects): events in, the poster attached when
ready, nothing doubled on reconnect.

The scheduler loop is the runner's; the handlers only attach their poster, and attaching the same
poster again after a reconnect changes nothing. Each READY and RESUMED queues a catch-up on
prompt threads (after READY, which replays nothing, one that also follows edits and deletions);
message events, and the deletion of a thread, queue behind it and are handled in the order they
came.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cached_property, partial
from typing import TYPE_CHECKING

import discord

from seminarbot.adapters.discord import backfill, events
from seminarbot.adapters.discord.calendar import DiscordCalendar
from seminarbot.adapters.discord.client import PLATFORM, SeminarClient
from seminarbot.adapters.discord.poster import DiscordPoster
from seminarbot.services.connections import CONNECTED, RETRYING
from seminarbot.services.container import Services
from seminarbot.services.ordered import InOrder
from seminarbot.services.outage import watch
from seminarbot.services.responses import InboundMessage, record_messages

if TYPE_CHECKING:
    from seminarbot.adapters.discord.interactions import InteractionHandler
    from seminarbot.adapters.discord.slash import SlashCommands

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0  # seconds for commands in flight to finish when the bot stops


class Handlers:
    """What the client's events do, once the services are open (client.SeminarClient.bind)."""

    def __init__(self, app: Services, client: SeminarClient) -> None:
        self.app = app
        self.client = client
        self.poster = DiscordPoster(client, self._rename)
        self.calendar = DiscordCalendar(client)
        self.readies = 0
        self.catch_ups = 0
        self.backfilled = 0
        self.inbound: InOrder[InboundMessage] = InOrder(
            "discord-inbound", partial(record_messages, app), watch=watch(app, PLATFORM))
        self.closing = False

    # The commands' machinery (and the features declaring them) loads with the first
    # interaction or post that needs it: a bot that only takes in responses never loads it.
    @cached_property
    def commands(self) -> SlashCommands:
        from seminarbot.adapters.discord.slash import SlashCommands

        return SlashCommands(self.app.registry)

    @cached_property
    def interactions(self) -> InteractionHandler:
        from seminarbot.adapters.discord.interactions import InteractionHandler

        return InteractionHandler(self.app, self.commands)

    def _rename(self, text: str) -> str:
        """A post's text with commands named the Discord way (slash.SlashCommands.rename).
        Only a text with a slash can name one: the others leave the tables unbuilt."""
        return self.commands.rename(text) if "/" in text else text

    def start(self) -> None:
        self.inbound.start()

    async def finish(self) -> None:
        """Stop taking commands, let those in flight and the events queued finish (within
        SHUTDOWN_GRACE seconds in all)."""
        self.closing = True
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE
        if "interactions" in self.__dict__:  # none ever came otherwise
            await self.interactions.drain(SHUTDOWN_GRACE)
        await self.inbound.stop(max(0.0, deadline - asyncio.get_running_loop().time()))

    async def on_ready(self) -> None:
        self.app.connections.report(PLATFORM, CONNECTED)
        self.readies += 1
        log.info("connected to Discord as %s (ready #%d)", self.client.user, self.readies)
        self.app.calendars[PLATFORM] = self.calendar
        self.app.scheduler.attach(self.poster)
        self.inbound.put(partial(self._catch_up, reconcile=True))

    async def on_resumed(self) -> None:
        self.app.connections.report(PLATFORM, CONNECTED)
        self.inbound.put(partial(self._catch_up, reconcile=False))

    async def on_disconnect(self) -> None:
        self.app.connections.report(PLATFORM, RETRYING, "the gateway connection dropped")

    async def _catch_up(self, *, reconcile: bool) -> None:
        self.backfilled += await backfill.catch_up(self.app, self.client, reconcile=reconcile)
        self.catch_ups += 1

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if not self.closing:
            await self.interactions.handle(interaction)

    # Message events are stored in the order they arrived; new messages next to each other
    # share a commit (see seminarbot.services.ordered).

    async def on_message(self, message: discord.Message) -> None:
        found = events.inbound(message)
        if found is not None:
            self.inbound.join(found)

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        edit = events.edit_of(event)
        if edit is not None:
            self.inbound.put(partial(events.on_edit, self.app, edit))

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, {event.message_id}))

    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, event.message_ids))

    async def on_raw_thread_delete(self, event: discord.RawThreadDeleteEvent) -> None:
        self.inbound.put(partial(events.on_thread_delete, self.app, event.thread_id))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.inbound.put(partial(events.on_channel_delete, self.app, channel.id))

    async def on_raw_thread_update(self, event: discord.RawThreadUpdateEvent) -> None:
        await events.on_thread_update(self.app, self.client, event)



def bound_client(app: Services, **options: float) -> SeminarClient:
    """A client whose handlers are bound at once (the services being open already), as the
    tests connect one; `options` as SeminarClient's."""
    client = SeminarClient(app.settings.discord, **options)
    client.bind(Handlers(app, client))
    return client
