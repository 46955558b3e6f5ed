"""The discord.py client: events in, the poster attached when ready, nothing doubled on reconnect.

The scheduler loop is the runner's; this client only attaches its poster, and attaching the same
poster again after a reconnect changes nothing. Each READY and RESUMED queues a catch-up on
prompt threads (after READY, which replays nothing, one that also follows edits and deletions);
message events queue behind it and are handled in the order they came.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import discord

from seminarbot.adapters.discord import backfill, events
from seminarbot.adapters.discord.endpoints import quiet_voice, use_endpoints
from seminarbot.adapters.discord.interactions import InteractionHandler
from seminarbot.adapters.discord.poster import DiscordPoster
from seminarbot.adapters.discord.render import NO_PINGS
from seminarbot.adapters.discord.slash import SlashCommands
from seminarbot.services.container import Services
from seminarbot.services.ordered import InOrder
from seminarbot.services.responses import record_message

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0  # seconds for commands in flight to finish when the bot stops


def intents() -> discord.Intents:
    """Servers and their channels, messages, and (privileged) message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class SeminarClient(discord.Client):
    def __init__(self, app: Services, *, guild_ready_timeout: float = 2.0,
                 reidentify_delay: float = 5.0) -> None:
        quiet_voice()
        # No message cache: discord.py would update a cached message in place when its edit
        # arrives, before the handler of its creation has read it.
        super().__init__(intents=intents(), allowed_mentions=NO_PINGS, max_messages=None,
                         guild_ready_timeout=guild_ready_timeout)
        self.app = app
        self.reidentify_delay = reidentify_delay
        self.commands = SlashCommands(app.registry)
        self.poster = DiscordPoster(self, self.commands.rename)
        self.interactions = InteractionHandler(app, self.commands)
        self.readies = 0
        self.catch_ups = 0
        self.backfilled = 0
        self.inbound = InOrder("discord-inbound")

    async def login(self, token: str) -> None:
        use_endpoints(self.app.settings.discord)
        await super().login(token)

    async def setup_hook(self) -> None:
        self.inbound.start()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per five seconds; the tests' fake has no such limit.
        if not initial:
            await asyncio.sleep(self.reidentify_delay)

    async def close(self) -> None:
        await self.interactions.drain(SHUTDOWN_GRACE)
        await self.inbound.stop(SHUTDOWN_GRACE)
        await super().close()

    async def on_ready(self) -> None:
        self.readies += 1
        log.info("connected to Discord as %s (ready #%d)", self.user, self.readies)
        self.app.scheduler.attach(self.poster)
        self.inbound.put(partial(self._catch_up, reconcile=True))

    async def on_resumed(self) -> None:
        self.inbound.put(partial(self._catch_up, reconcile=False))

    async def _catch_up(self, *, reconcile: bool) -> None:
        self.backfilled += await backfill.catch_up(self.app, self, reconcile=reconcile)
        self.catch_ups += 1

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.interactions.handle(interaction)

    # Message events are stored in the order they arrived; new messages next to each other
    # share a commit (see seminarbot.services.ordered).

    async def on_message(self, message: discord.Message) -> None:
        found = events.inbound(message)
        if found is not None:
            self.inbound.put(partial(record_message, self.app, found), joins=True)

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        edit = events.edit_of(event)
        if edit is not None:
            self.inbound.put(partial(events.on_edit, self.app, edit))

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, {event.message_id}))

    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, event.message_ids))

    async def on_raw_thread_update(self, event: discord.RawThreadUpdateEvent) -> None:
        await events.on_thread_update(self.app, self, event)


async def run(app: Services) -> None:
    """Connect and serve until cancelled (`seminarbot run`)."""
    token = app.settings.discord.token
    if not token:
        raise RuntimeError("discord.token (DISCORD_TOKEN) is not set")
    async with SeminarClient(app) as client:
        try:
            await client.start(token)
        except discord.LoginFailure:
            raise RuntimeError("Discord refused the token (DISCORD_TOKEN): check it in the "
                               "Developer Portal") from None
        except discord.PrivilegedIntentsRequired:
            raise RuntimeError("turn on the Message Content intent for this bot in the "
                               "Developer Portal (Bot → Privileged Gateway Intents)") from None
